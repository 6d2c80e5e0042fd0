"""The sidebar: the exercise picker and what the spec says about doing the exercise and filming it."""

from __future__ import annotations

import streamlit as st

from formcheck.catalogue import dosage_text
from formcheck.specs import ExerciseSpec

from .catalog import Catalog
from .text import placement_text

EXERCISE_KEY = "exercise"


def exercise_picker(catalog: Catalog, default: str | None) -> ExerciseSpec | None:
    """The chosen exercise (None when there is no valid spec at all)."""
    for problem in catalog.errors:
        st.sidebar.error(f"An exercise spec could not be loaded: {problem}")
    if not catalog.specs:
        st.sidebar.error("No exercise is available: add a valid spec to exercise_specs/.")
        return None
    ids = list(catalog.specs)
    if st.session_state.get(EXERCISE_KEY) not in ids:
        st.session_state[EXERCISE_KEY] = default if default in ids else ids[0]
    chosen = st.sidebar.selectbox("Exercise", ids, key=EXERCISE_KEY, format_func=catalog.title)
    spec = catalog.specs[chosen]
    show_spec_info(spec)
    return spec


def show_spec_info(spec: ExerciseSpec) -> None:
    side = st.sidebar
    side.caption(spec.summary)
    with side.expander("How to do it", expanded=True):
        st.markdown("\n".join(f"{i}. {step}" for i, step in enumerate(spec.instructions, 1)))
        st.markdown(f"**Dosage:** {dosage_text(spec)}")
    with side.expander("Camera placement", expanded=True):
        view = "from the side" if spec.camera.view == "side" else "from the front"
        st.markdown(f"**Film {view}.** {placement_text(spec)}")
    with side.expander("Safety", expanded=True):
        for note in spec.safety:
            st.warning(note, icon="⚠️")
    if spec.limitations:
        with side.expander("What formcheck can and cannot see"):
            st.markdown(spec.limitations.strip())
