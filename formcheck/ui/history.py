"""Saving a finished analysis to the history database from a page, without ever breaking the page."""

from __future__ import annotations

from typing import Callable

import streamlit as st

from formcheck.storage import SessionStore, StorageError


def keep_in_history(open_history: Callable[[], SessionStore | None],
                    save: Callable[[SessionStore], int | None]) -> None:
    """Run `save` (idempotent: the store keys each session, so reruns do not save twice) and say
    where the session went; a history that cannot be written is a warning, the report stays."""
    store = open_history()
    if store is None:
        return  # history_store() has already said why
    try:
        saved = save(store)
    except (StorageError, OSError) as exc:
        st.warning(f"This session could not be saved to your history: {exc}")
        return
    if saved is not None:
        st.caption("Saved to your history: see the Progress page.")
