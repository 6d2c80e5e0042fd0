"""formcheck's pages, served by app.py (`streamlit run app.py`, or `make run`).

The sidebar picks the exercise and shows how to do and film it; the main area either analyses a
video (a bundled sample, analysed on first open, or an upload) or coaches live from the webcam.
"""

from __future__ import annotations

import streamlit as st

from formcheck.catalogue import catalogue_table
from formcheck.routines import RoutineError, load_all_routines
from formcheck.ui import video_page
from formcheck.ui.progress_page import history_store, render_progress_page
from formcheck.ui.routine_runner import ROUTINE_KEY, RUNNER_KEY, RoutineRunner
from formcheck.ui.catalog import Catalog, catalog_signature, load_catalog
from formcheck.ui.samples import SampleClip, default_sample, list_samples, samples_signature
from formcheck.ui.sidebar import exercise_picker

VIDEO_PAGE, LIVE_PAGE, PROGRESS_PAGE, EXERCISES_PAGE = "Analyse a video", "Live", "Progress", "Exercises"
# As written in a link: ?page=live&exercise=bridge
PAGES = {"video": VIDEO_PAGE, "live": LIVE_PAGE, "progress": PROGRESS_PAGE, "exercises": EXERCISES_PAGE}

st.set_page_config(page_title="formcheck", page_icon="🧘", layout="wide")


@st.cache_resource(show_spinner=False, max_entries=4)
def cached_samples(folder: str, files: tuple[tuple[str, int], ...]) -> list[SampleClip]:
    # Sidecars carry ground truth (hundreds of kB each): parse them when the folder changes, not per
    # rerun. Shared, not copied per rerun (cache_data's copy took longer than parsing); only ever read.
    return list_samples(folder)


@st.cache_resource(show_spinner=False, max_entries=4)
def cached_catalog(folder: str, files: tuple[tuple[str, int], ...]) -> Catalog:
    # Eleven specs validated on every rerun took ~40 ms; reloaded when a spec file changes.
    return load_catalog(folder)


catalog = cached_catalog(*catalog_signature())
samples = cached_samples(*samples_signature())
first_clip = default_sample(samples, catalog.specs)

st.sidebar.title("formcheck")
st.sidebar.caption("Counts repetitions, times holds and flags form faults in low-back-pain exercises. "
                   "Everything runs on this computer; nothing is uploaded anywhere.")
if "page" not in st.session_state:
    # First run of this browser session: a link may choose the page and the exercise.
    st.session_state["page"] = PAGES.get(st.query_params.get("page", ""), VIDEO_PAGE)
    linked = st.query_params.get("exercise")
    if linked in catalog.specs:
        st.session_state["exercise"] = linked
runner = st.session_state.get(RUNNER_KEY)
routine_leads = (st.session_state.get("page") == LIVE_PAGE and isinstance(runner, RoutineRunner)
                 and st.session_state.get(ROUTINE_KEY) == runner.routine.id
                 and runner.phase != "done" and runner.exercise in catalog.specs)
if routine_leads:
    # A routine on the live page chooses the exercise; set before the picker is drawn.
    st.session_state["exercise"] = runner.exercise
spec = exercise_picker(catalog, default=first_clip.exercise if first_clip else None)
if routine_leads:
    st.sidebar.caption(f"The routine \"{runner.routine.title}\" chooses the exercise.")
try:
    routines = load_all_routines(specs=catalog.specs)
except RoutineError as exc:
    st.sidebar.warning(f"Routines are unavailable: {exc}")
    routines = {}

page = st.radio("Page", list(PAGES.values()), horizontal=True, key="page", label_visibility="collapsed")
# Keep the address bar a link to what is on screen.
st.query_params.update({"page": next(k for k, v in PAGES.items() if v == page), **({"exercise": spec.id} if spec else {})})
if page == PROGRESS_PAGE:
    store = history_store()
    if store is not None:
        render_progress_page(store, specs=catalog.specs)
elif page == EXERCISES_PAGE:
    st.subheader("Exercises")
    st.caption("Every exercise formcheck knows, from its spec in exercise_specs/: the camera view, the "
               "dosage the seed documents prescribe, what is counted, the signals measured and the faults "
               "with the cue you see.")
    st.markdown(catalogue_table(catalog.specs.values()), unsafe_allow_html=True)  # <br> between faults
elif spec is None:
    st.error("There is no exercise to check: every exercise spec failed to load (see the sidebar).")
elif page == LIVE_PAGE:
    from formcheck.ui import live_page  # WebRTC's libraries load when the live page is first opened

    live_page.render(spec, history_store, catalog.specs, routines)
else:
    video_page.render(spec, samples, history_store)
st.caption("formcheck gives feedback on form; it is not a diagnosis. Stop if an exercise hurts and ask a "
           "clinician about persistent or severe back pain.")
