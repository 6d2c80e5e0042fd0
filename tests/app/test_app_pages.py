"""The app's page logic through Streamlit's AppTest (no browser): what a user sees on first open,
the exercise guidance, and readable errors for every bad input."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from formcheck.specs import default_specs_dir, find_spec, load_all_specs
from formcheck.ui.catalog import load_catalog
from formcheck.ui.samples import default_sample, list_samples
from formcheck.ui.video_page import clip_label

from fake_camera import write_first_seconds, write_not_a_video
from fixtures import write_indexed_clip

APP = str(Path(__file__).resolve().parents[2] / "app_page.py")
ANALYSIS_TIMEOUT_S = 300  # a sample clip through the real pose model on 2 cores: ~20 s, more under load


def app(**session_state) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=ANALYSIS_TIMEOUT_S)
    for key, value in session_state.items():
        at.session_state[key] = value
    return at


def upload_page() -> AppTest:
    """The video page with "Your own video" chosen, so no sample is analysed first."""
    return app(video_source="Your own video").run()


def assert_no_exception(at: AppTest) -> None:
    assert not at.exception, [e.message for e in at.exception]


@pytest.mark.slow
def test_first_open_shows_the_default_sample_analysed():
    clip = default_sample(list_samples(), load_catalog().specs)
    if clip is None:
        pytest.fail("sample_videos/ holds no clip of an exercise with a spec; the app's first screen needs one")
    at = app().run()
    assert_no_exception(at)
    assert at.radio(key="page").value == "Analyse a video"
    assert at.selectbox(key="exercise").value == clip.exercise
    assert [s.value for s in at.subheader] == [f"{find_spec(clip.exercise).title}: {clip_label(clip)} (sample)"]
    # The page agrees with itself (the engine's accuracy on each clip is tests/test_accuracy.py's job).
    metrics = {m.label: m.value for m in at.metric}
    table = at.dataframe[0].value if at.dataframe else None
    if "Steps" in metrics:
        assert table is not None and table["event"].str.startswith("step ").sum() > 0
    else:
        counted = metrics.get("Holds", metrics.get("Repetitions"))
        assert counted is not None, metrics
        shown = 0 if table is None else table["event"].str.match(r"(rep|hold) ").sum()
        assert table is None or "range" in table.columns  # each repetition against its target
        assert counted.split()[0] == str(shown)
    assert metrics["Frames with a person"] != "0%"
    assert len(at.get("video")) == 1
    assert len(at.get("vega_lite_chart")) == 2  # fault timeline and the primary signal
    assert [b.label for b in at.get("download_button")] == ["Download the report (JSON)", "Download the events (CSV)"]
    assert not at.error

    again = app().run(timeout=30)  # cached: a second visitor gets the result without re-analysing
    assert_no_exception(again)
    assert [s.value for s in again.subheader] == [s.value for s in at.subheader]


def test_the_picker_shows_the_exercise_guidance_from_its_spec():
    at = upload_page()
    assert_no_exception(at)
    for exercise_id in ("bridge", "prone_press_up"):
        spec = find_spec(exercise_id)
        at.selectbox(key="exercise").set_value(exercise_id).run()
        assert_no_exception(at)
        sidebar_text = "\n".join(m.value for m in at.sidebar.markdown)
        assert spec.instructions[0] in sidebar_text and spec.instructions[-1] in sidebar_text
        assert spec.camera.placement.split()[0] in sidebar_text and "Dosage" in sidebar_text
        assert [w.value for w in at.sidebar.warning] == spec.safety
        assert spec.summary.strip() in [c.value for c in at.sidebar.caption]
        assert any(spec.title.lower() in i.value for i in at.info)  # the empty upload page says what to film


def test_a_link_opens_the_chosen_exercise():
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["exercise"] = "bridge"
    at.session_state["video_source"] = "Your own video"
    at.run()
    assert_no_exception(at)
    assert at.selectbox(key="exercise").value == "bridge"


@pytest.mark.parametrize("name, content, expected", [
    ("notes.mp4", None, "'notes.mp4' is not a video file"),  # random bytes under a video's name
    ("empty.mov", b"", "cannot read 'empty.mov': file is empty"),
])
def test_a_file_that_is_not_a_video_gives_a_readable_error(tmp_path, name, content, expected):
    data = write_not_a_video(tmp_path / name).read_bytes() if content is None else content
    at = upload_page()
    at.file_uploader(key="upload").set_value((name, data, "video/mp4")).run()
    assert_no_exception(at)
    assert len(at.error) == 1
    message = at.error[0].value
    # One line that names the user's file, not the copy the app stored.
    assert message == f"Could not analyse {name}: {expected}"
    assert not at.metric  # no half-drawn report


@pytest.mark.slow
def test_a_video_without_a_person_gives_a_readable_error(tmp_path):
    clip = write_indexed_clip(tmp_path / "clip.mp4", n_frames=12, width=320, height=240)
    at = upload_page()
    at.file_uploader(key="upload").set_value(("my exercise.mp4", clip.read_bytes(), "video/mp4")).run()
    assert_no_exception(at)
    assert len(at.error) == 1
    # The message names the user's own file, not the app's stored copy.
    assert at.error[0].value.startswith("Could not analyse my exercise.mp4: no person found in 'my exercise.mp4'")


@pytest.mark.slow
def test_an_analysed_upload_is_saved_once_and_shows_on_the_progress_page(tmp_path, monkeypatch):
    from formcheck.storage import SessionStore

    monkeypatch.setenv("FORMCHECK_DB", str(tmp_path / "history.sqlite3"))
    clip = next((c for c in list_samples() if c.name == "bridge_clean"), None)
    if clip is None:
        pytest.fail("sample_videos/ holds no bridge_clean clip")
    upload = write_first_seconds(clip.path, tmp_path / "start.mp4", 9.5)  # the first bridge and its hold
    at = app(video_source="Your own video", exercise=clip.exercise).run()
    at.file_uploader(key="upload").set_value(("my session.mp4", upload.read_bytes(), "video/mp4")).run()
    assert_no_exception(at)
    assert not at.error
    assert "Saved to your history: see the Progress page." in [c.value for c in at.caption]
    at.run()  # a rerun shows the same analysis: it must not be saved again
    at.radio(key="page").set_value("Progress").run()
    assert_no_exception(at)
    assert not any("No sessions saved yet" in i.value for i in at.info)
    with SessionStore.open(tmp_path / "history.sqlite3") as store:
        sessions = store.sessions()
    assert [(s.exercise, s.source_kind, s.reps, s.source) for s in sessions] == [
        (clip.exercise, "video", 1, "my session.mp4")]  # the user's file name, not a temporary copy's path


@pytest.mark.slow
def test_a_video_of_another_position_gives_a_plain_warning_not_an_error(tmp_path, monkeypatch):
    monkeypatch.setenv("FORMCHECK_DB", str(tmp_path / "history.sqlite3"))
    press_up = next((c for c in list_samples() if c.exercise == "prone_press_up"), None)
    if press_up is None:
        pytest.fail("sample_videos/ holds no prone press-up clip")
    upload = write_first_seconds(press_up.path, tmp_path / "start.mp4", 5.0)
    at = app(video_source="Your own video", exercise="bridge").run()
    at.file_uploader(key="upload").set_value(("lying on my belly.mp4", upload.read_bytes(), "video/mp4")).run()
    assert_no_exception(at)
    assert not at.error
    # The engine's own words (it says why nothing was counted); one readable line each.
    assert at.main.warning and all("\n" not in w.value for w in at.main.warning)
    assert any(i.value.startswith("No complete repetition or hold was counted") for i in at.main.info)
    # Nothing was done, so it is no practice to keep.
    assert "Nothing was counted, so this was not saved to your history." in [c.value for c in at.caption]
    from formcheck.storage import SessionStore

    with SessionStore.open(tmp_path / "history.sqlite3") as store:
        assert store.sessions() == []


def test_the_progress_page_without_history_says_how_it_fills(tmp_path, monkeypatch):
    monkeypatch.setenv("FORMCHECK_DB", str(tmp_path / "empty.sqlite3"))
    at = app(page="Progress").run(timeout=60)
    assert_no_exception(at)
    assert any("No sessions saved yet" in i.value for i in at.info)


def test_the_exercises_page_lists_every_exercise_from_its_spec():
    at = app(page="Exercises").run(timeout=60)
    assert_no_exception(at)
    table = next(m.value for m in at.main.markdown if m.value.startswith("| Exercise |"))
    for spec in load_all_specs().values():
        assert f"**{spec.title}** (`{spec.id}`)" in table
        assert all(f"`{rule.id}`" in table for rule in spec.faults)


def test_a_broken_spec_is_reported_and_the_other_exercises_still_work(tmp_path, monkeypatch):
    specs = tmp_path / "specs"
    specs.mkdir()
    shutil.copy(default_specs_dir() / "bridge.yaml", specs / "bridge.yaml")
    (specs / "broken.yaml").write_text("id: broken\ntitle: Broken\nmotion: [not, a, mapping\n", encoding="utf-8")
    monkeypatch.setenv("FORMCHECK_SPECS_DIR", str(specs))
    at = upload_page()
    assert_no_exception(at)
    errors = [e.value for e in at.sidebar.error]
    assert len(errors) == 1 and "broken.yaml" in errors[0] and "not valid YAML" in errors[0]
    assert at.selectbox(key="exercise").options == [find_spec("bridge").title]
    assert at.selectbox(key="exercise").value == "bridge"


def test_no_valid_spec_at_all_is_a_message_not_a_crash(tmp_path, monkeypatch):
    monkeypatch.setenv("FORMCHECK_SPECS_DIR", str(tmp_path / "missing"))
    at = app().run(timeout=60)
    assert_no_exception(at)
    assert any("no exercise" in e.value.lower() for e in at.error)


def test_without_sample_clips_the_video_page_says_what_to_do(tmp_path, monkeypatch):
    monkeypatch.setenv("FORMCHECK_SAMPLES_DIR", str(tmp_path))
    at = app().run(timeout=60)
    assert_no_exception(at)
    assert not at.error
    assert any("no sample clip" in i.value.lower() for i in at.info)


def test_a_routine_on_the_live_page_chooses_the_exercise():
    from formcheck.routines import load_all_routines

    routine = next(iter(load_all_routines(specs=load_catalog().specs).values()), None)
    if routine is None:
        pytest.fail("no routine in exercise_specs/routines/")
    at = app(page="Live").run(timeout=60)
    assert_no_exception(at)
    at.selectbox(key="routine").set_value(routine.id).run()
    assert_no_exception(at)
    assert at.selectbox(key="exercise").value == routine.steps[0].exercise
    assert f'The routine "{routine.title}" chooses the exercise.' in [c.value for c in at.sidebar.caption]
    # Leaving the routine gives the picker back.
    at.selectbox(key="routine").set_value("No routine: one exercise").run()
    assert not any("chooses the exercise" in c.value for c in at.sidebar.caption)


def test_a_bad_ice_server_setting_is_a_warning_on_the_live_page(monkeypatch):
    monkeypatch.setenv("FORMCHECK_ICE_SERVERS", "stun:not-json")
    at = app(page="Live").run(timeout=60)
    assert_no_exception(at)
    assert any("FORMCHECK_ICE_SERVERS is not valid JSON" in w.value for w in at.warning)
