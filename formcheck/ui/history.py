"""Saving a finished analysis to the history database from a page, without ever breaking the page."""

from __future__ import annotations

from typing import Callable

import streamlit as st

from formcheck.storage import SessionStore, StorageError


def keep_in_history(open_history: Callable[[], SessionStore | None],
                    save: Callable[[SessionStore], int | None], quietly: bool = False) -> None:
    """Run `save` (idempotent: the store keys each session, so reruns do not save twice; None when
    there was nothing to save) and say where the session went; a history that cannot be written is
    a warning, the report stays.
    `quietly` says it with a toast instead of an element in the page: above the live camera, an
    element that comes and goes would move the camera's component, and a moved component restarts."""
    store = open_history()
    if store is None:
        return  # history_store() has already said why
    try:
        saved = save(store)
    except (StorageError, OSError) as exc:
        message = f"This session could not be saved to your history: {exc}"
        st.toast(message) if quietly else st.warning(message)
        return
    message = ("Saved to your history: see the Progress page." if saved is not None
               else "Nothing was counted, so this was not saved to your history.")
    st.toast(message) if quietly else st.caption(message)
