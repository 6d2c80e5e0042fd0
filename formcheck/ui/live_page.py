"""The "Live" page: the webcam through streamlit-webrtc, counted and coached as it plays."""

from __future__ import annotations

import os
import time
from typing import Any, Callable, Mapping

import streamlit as st
from streamlit_webrtc import VideoHTMLAttributes, WebRtcMode, webrtc_streamer

from formcheck.routines import Routine
from formcheck.specs import ExerciseSpec
from formcheck.storage import SessionStore

from .history import keep_in_history
from .ice import IceConfigError, ice_servers
from .live_processor import LiveProcessor, LiveSnapshot, set_target
from .progress_page import save_live_report
from .report_view import show_report
from .routine_runner import RoutineRunner, follow_live_state, pick_routine, show_routine_runner
from .sound import tone_html
from .text import placement_text, sentence

PROCESSOR_KEY = "live_processor"
ROUTINE_KEY = "routine"  # the routine chooser's widget
STREAMER_KEY = "live"  # webrtc_streamer's key; streamlit-webrtc keeps its context under it in session_state
# Widgets whose change needs the whole page to rerun (see _missed_full_rerun).
WATCHED_KEYS = ("exercise", "page", "live_mirror", "live_sound", ROUTINE_KEY)
HEARD_KEY = "live_heard"  # (session, last event seq sounded, the snippet that sounded it)
POLL_S = 0.5
_PHASES = {
    "no_person": "looking for you",
    "adjust_view": "adjust the camera",
    "calibrating": "calibrating: hold still",
    "rest": "at rest",
    "rising": "moving up",
    "top": "at the top",
    "lowering": "coming down",
    "moving": "moving",
    "left_exercise": "out of position",
}


def render(spec: ExerciseSpec, open_history: Callable[[], SessionStore | None] | None = None,
           specs: Mapping[str, ExerciseSpec] | None = None, routines: Mapping[str, Routine] | None = None) -> None:
    """`open_history` gives the history database finished sessions are saved to; with `routines`
    (and the `specs` they use) the page can lead the person through a routine, exercise by exercise."""
    mirror_col, sound_col, routine_col = st.columns([1, 1, 2])
    runner = None
    if routines and specs:
        with routine_col:
            runner = pick_routine(dict(routines), dict(specs), key=ROUTINE_KEY)
        if runner is not None and runner.phase != "done" and runner.exercise != spec.id:
            st.rerun()  # the app moves the exercise picker to the routine's exercise first
    hold_target = runner.hold_s if runner is not None and runner.phase != "done" else None
    processor = _session_processor(spec, hold_target)
    routine_id = runner.routine.id if runner is not None else None
    for session, report in processor.take_switched():
        if open_history is not None:
            keep_in_history(open_history, lambda store: save_live_report(store, report, session, routine=routine_id),
                            quietly=True)
    processor.mirror = mirror_col.toggle(
        "Mirror the picture", value=True, key="live_mirror",
        help="Show the picture like a mirror. Only the display is flipped: left and right stay correct.")
    sound_on = sound_col.toggle("Sound cues", value=True, key="live_sound",
                                help="A chime on each counted repetition or hold, a buzz on a new form fault.")
    camera_col, panel_col = st.columns([3, 2])
    try:
        with camera_col:
            ctx = webrtc_streamer(
                key=STREAMER_KEY,
                mode=WebRtcMode.SENDRECV,
                rtc_configuration={"iceServers": _ice_servers()},
                media_stream_constraints={"video": {"width": {"ideal": 640}, "height": {"ideal": 480}},
                                          "audio": False},
                queued_video_frames_callback=processor.on_frames,
                async_processing=True,
                # No player controls over the picture: they would hide the cue line drawn at its foot.
                video_html_attrs=VideoHTMLAttributes(autoPlay=True, controls=False, muted=True,
                                                     style={"width": "100%"}),
            )
    except Exception as exc:  # e.g. no WebRTC runtime in this process: say so instead of a traceback
        st.error(f"The live camera cannot start here: {exc}")
        return
    playing = bool(ctx.state.playing)
    if playing:
        processor.start()
    else:
        processor.stop()
    with panel_col:
        _live_panel(processor, spec, playing, sound_on, runner, _page_inputs())
    if not playing:
        snapshot = processor.snapshot()
        if snapshot.report is not None:
            st.subheader("Your session")
            times = [t for t, _ in snapshot.series]
            values = [v for _, v in snapshot.series]
            show_report(snapshot.report, spec, times, values, key="live")
            if open_history is not None:
                report, session = snapshot.report, snapshot.session
                keep_in_history(open_history,
                                lambda store: save_live_report(store, report, session, routine=routine_id))
        else:
            view = "side-on to" if spec.camera.view == "side" else "facing"
            panel_col.info(f"Press START and allow the camera. Set up {view} the camera. "
                           f"{placement_text(spec)} Counting starts once the camera sees you properly "
                           "and you have held the start position still for a moment.")


def _session_processor(spec: ExerciseSpec, hold_target_s: float | None) -> LiveProcessor:
    # One per browser session (session_state), never module-level: the pose tracker and the
    # analyzer carry one person's state from frame to frame.
    processor = st.session_state.get(PROCESSOR_KEY)
    if not isinstance(processor, LiveProcessor):
        processor = LiveProcessor(spec)
        st.session_state[PROCESSOR_KEY] = processor
    processor.set_spec(spec, hold_target_s)
    return processor


def _ice_servers() -> list[dict[str, Any]]:
    try:
        return ice_servers(os.environ, _secrets())
    except IceConfigError as exc:
        st.warning(f"{exc}. Using no ICE servers: the live page works on this computer only.")
        return []


def _secrets() -> Mapping[str, Any] | None:
    try:
        return dict(st.secrets)
    except Exception:  # no secrets.toml at all, or an unreadable one: nothing configured there
        return None


def _page_inputs() -> tuple[Any, ...]:
    """What the page was last drawn for: the watched widgets' values and whether the camera plays."""
    streamer = st.session_state.get(STREAMER_KEY)
    playing = getattr(getattr(streamer, "state", None), "playing", None)
    return (*(st.session_state.get(k) for k in WATCHED_KEYS), playing)


def _missed_full_rerun(drawn_for: tuple[Any, ...]) -> bool:
    """True when a widget (or STOP/START) changed but only this fragment reran. Streamlit 1.60 merges
    a pending full rerun into a fragment rerun that is requested while it waits
    (ScriptRequests.request_rerun), so a click that coincides with a poll would otherwise be lost:
    e.g. STOP without the session's report."""
    return _page_inputs() != drawn_for


def _live_panel(processor: LiveProcessor, spec: ExerciseSpec, playing: bool, sound_on: bool,
                runner: RoutineRunner | None, drawn_for: tuple[Any, ...]) -> None:
    # Polled while the camera plays, and while a routine's rest counts down (with the camera off too).
    resting = runner is not None and runner.phase == "rest"
    @st.fragment(run_every=POLL_S if playing or resting else None)
    def panel() -> None:
        if _missed_full_rerun(drawn_for):
            st.rerun(scope="app")
        try:
            _panel_body(processor, spec, sound_on, runner)
        except Exception as exc:  # a bug here must not put a traceback on the page (st.rerun is no Exception)
            st.error(f"The live panel failed: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}")

    panel()


def _panel_body(processor: LiveProcessor, spec: ExerciseSpec, sound_on: bool, runner: RoutineRunner | None) -> None:
    snapshot = processor.snapshot()
    if runner is not None:
        now = time.monotonic()
        if follow_live_state(runner, snapshot.state if snapshot.active else None, processor.spec.id, now):
            st.rerun(scope="app")  # next exercise: the whole page follows (picker, guidance, analyzer)
        show_routine_runner(runner, now)
    if not snapshot.active:
        return
    if snapshot.error:
        st.error(f"The live analysis stopped working: {snapshot.error}")
    if snapshot.state is None:
        st.info("Waiting for the first camera frames ...")
        return
    _live_metrics(snapshot, spec)
    if sound_on:
        _sound(snapshot)


def count_label(spec: ExerciseSpec) -> str:
    """What the exercise counts, as the metric's label."""
    if getattr(spec.motion, "pacing", None) is not None:
        return "Holds"  # live, formcheck paces them
    return {"steps": "Steps", "holds": "Holds"}.get(spec.motion.kind, "Repetitions")


def _live_metrics(snapshot: LiveSnapshot, spec: ExerciseSpec) -> None:
    state = snapshot.state
    assert state is not None
    cols = st.columns(2)
    label = count_label(spec)
    if label == "Steps":
        cols[0].metric(label, f"{state.steps_forward} fwd / {state.steps_backward} back")
    else:
        value = str(state.reps)
        if getattr(spec.motion, "per_side", False):
            value += f" (L {state.reps_by_side.get('left', 0)}, R {state.reps_by_side.get('right', 0)})"
        cols[0].metric(label, value)
    if state.hold_target_s:
        # Time held in good form: the countdown stands still while a fault is seen (the cue says why).
        cols[1].metric("Hold", f"{min(state.hold_good_s, state.hold_target_s):.1f} / {state.hold_target_s:g} s")
    else:
        cols[1].metric("Form faults now", len(state.active_faults))
    cols = st.columns(2)
    phase = _PHASES.get(state.phase, state.phase)
    if state.phase == "calibrating":
        phase += f" ({state.calibration_progress:.0%})"
    # A line of text, not a metric: a metric's large type cuts a phrase short in this narrow column.
    cols[0].markdown(f"Status  \n**{phase}**")
    cols[1].metric("Frames analysed per second", "-" if snapshot.fps is None else f"{snapshot.fps:.1f}")
    if state.message:
        (st.error if state.active_faults else st.info)(sentence(state.message))
    elif state.calibrated:
        st.success("Tracking: keep going.")
    if state.guidance and state.guidance != state.message:
        st.warning(sentence(state.guidance))
    target = set_target(spec)  # the overlay's set target: per-side dosage counts both sides
    if target:
        st.progress(min(1.0, state.reps / target), text=f"Set: {state.reps} of {target}")


def _sound(snapshot: LiveSnapshot) -> None:
    """Sound the newest events once. The tone's snippet stays on the page until the next one: removed
    at the next poll, its iframe could go before a loaded-down browser ran it (a missed chime)."""
    heard_session, heard_seq, html = st.session_state.get(HEARD_KEY, (0, 0, None))
    if heard_session != snapshot.session:
        heard_seq, html = 0, None
    fresh = [e for e in snapshot.events if e.seq > heard_seq]
    if fresh:
        heard_seq = fresh[-1].seq
        if any(e.kind == "fault" for e in fresh):
            html = tone_html("fault", heard_seq)
        elif any(e.kind in ("rep", "hold", "step") for e in fresh):  # a partial attempt earns no chime
            html = tone_html("count", heard_seq)
    st.session_state[HEARD_KEY] = (snapshot.session, heard_seq, html)
    if html is not None:
        st.iframe(html, height=1)  # nothing to see: the snippet only plays its tone
