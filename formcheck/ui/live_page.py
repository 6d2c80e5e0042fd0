"""The "Live" page: the webcam through streamlit-webrtc, counted and coached as it plays.

The counter, the hold countdown, the cue and the voice live on the board (live_board.py), which the
frame processor updates the moment a frame is analysed. The rest of the panel (a routine's
progress, errors) is a fragment that reruns every POLL_S.
"""

from __future__ import annotations

import os
import time
from typing import Any, Callable, Mapping

import streamlit as st
from streamlit_webrtc import VideoHTMLAttributes, WebRtcMode, webrtc_streamer

from formcheck.routines import Routine
from formcheck.specs import ExerciseSpec
from formcheck.storage import SessionStore

from .coach import SETUP, Utterance
from .history import keep_in_history
from .ice import IceConfigError, ice_servers
from .live_board import CUE_MODES, count_label, count_text, phase_text, render_board, set_target
from .live_channel import channel_url, is_served
from .live_processor import LiveProcessor, LiveSnapshot
from .progress_page import save_live_report
from .report_view import show_report
from .routine_runner import (AWAY_ENDS_SET_S, ROUTINE_KEY, RUNNER_KEY, RoutineRunner, follow_live_state,
                             pick_routine, show_routine_runner)
from .text import facing_text, placement_text, sentence

PROCESSOR_KEY = "live_processor"
STREAMER_KEY = "live"  # webrtc_streamer's key; streamlit-webrtc keeps its context under it in session_state
CUES_KEY, VOLUME_KEY = "live_cues", "live_volume"
PAIN_KEY = "live_pain"  # the person stopped for pain: the camera stays off until they go on
# Widgets whose change needs the whole page to rerun (see _missed_full_rerun).
WATCHED_KEYS = ("exercise", "page", "live_mirror", CUES_KEY, VOLUME_KEY, ROUTINE_KEY, PAIN_KEY)
POLL_S = 0.5  # while a routine runs: its rest countdown and set changes
IDLE_POLL_S = 1.5  # otherwise: only errors and a STOP that a poll swallowed


def render(spec: ExerciseSpec, open_history: Callable[[], SessionStore | None] | None = None,
           specs: Mapping[str, ExerciseSpec] | None = None, routines: Mapping[str, Routine] | None = None) -> None:
    """`open_history` gives the history database finished sessions are saved to; with `routines`
    (and the `specs` they use) the page can lead the person through a routine, exercise by exercise."""
    mirror_col, cues_col, volume_col, routine_col = st.columns([1.1, 1.5, 1, 1.8])
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
    cues = cues_col.segmented_control(
        "Cues", list(CUE_MODES), default="voice", key=CUES_KEY, format_func=CUE_MODES.get,
        help="Voice: counts, hold countdowns, form cues and set-up help spoken by your browser's own voice "
             "(nothing goes online). Tones: a chime for each count, a buzz for a fault. Off: silent.") or "off"
    volume = volume_col.slider("Volume", 0, 100, 80, step=10, key=VOLUME_KEY, disabled=cues == "off")
    pained = bool(st.session_state.get(PAIN_KEY))
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
                # Stopped for pain: the camera goes off (None leaves START and STOP to the person).
                desired_playing_state=False if pained else None,
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
        if is_served():
            # First in the column, so that nothing drawn above it moves it (and reloads it) mid-session.
            render_board(channel_url(processor.channel), cues, volume / 100)
        if pained:
            _pain_advice(spec)
        else:
            _pain_button(playing)
        _live_panel(processor, spec, playing, runner, _page_inputs())
    if is_served():
        camera_col.caption(_hands_free_text(runner, cues))
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
            panel_col.info(f"Press START and allow the camera. Set up {facing_text(spec)} the camera. "
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


def _hands_free_text(runner: RoutineRunner | None, cues: str) -> str:
    heard = {"voice": "You will hear the count, the hold countdown, form cues and set-up help, so you need not "
                      "look at the screen.",
             "tones": "A chime marks each count, a buzz a form fault.",
             "off": "Cues are off: watch the board beside the picture."}[cues]
    if runner is None:
        return heard + " Leave the picture to pause: nothing is counted while you are away."
    return (heard + " The routine runs by itself: each set ends at its count, the rest is counted down and the "
            "next exercise starts when you are in position. To end a set early, leave the picture for "
            f"{AWAY_ENDS_SET_S:.0f} seconds; a shorter absence only pauses it.")


def _pain_button(playing: bool) -> None:
    if st.button("Sharp pain? Stop here", type="primary", key="live-pain-stop", disabled=not playing,
                 help="Stops the camera and the routine at once."):
        st.session_state[PAIN_KEY] = True
        st.session_state.pop(RUNNER_KEY, None)  # the routine ends with it
        st.rerun()


def _pain_advice(spec: ExerciseSpec) -> None:
    st.error("Stopped. Rest in a position that eases the pain. If sharp pain persists, or comes with numbness, "
             "weakness or pins and needles, seek medical advice before exercising again.")
    for note in spec.safety:
        st.caption(note)
    if st.button("I am fine: back to the live page", key="live-pain-done"):
        st.session_state.pop(PAIN_KEY, None)
        st.rerun()


def _live_panel(processor: LiveProcessor, spec: ExerciseSpec, playing: bool, runner: RoutineRunner | None,
                drawn_for: tuple[Any, ...]) -> None:
    # Polled while the camera plays, and while a routine's rest counts down (with the camera off too).
    resting = runner is not None and runner.phase == "rest"
    poll = POLL_S if runner is not None and (playing or resting) else IDLE_POLL_S if playing else None

    @st.fragment(run_every=poll)
    def panel() -> None:
        if _missed_full_rerun(drawn_for):
            st.rerun(scope="app")
        try:
            _panel_body(processor, spec, runner)
        except Exception as exc:  # a bug here must not put a traceback on the page (st.rerun is no Exception)
            st.error(f"The live panel failed: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}")

    panel()


def _panel_body(processor: LiveProcessor, spec: ExerciseSpec, runner: RoutineRunner | None) -> None:
    snapshot = processor.snapshot()
    if runner is not None:
        now = time.monotonic()
        switch = follow_live_state(runner, snapshot.state if snapshot.active else None, processor.spec.id, now)
        for text in runner.take_announcements():
            processor.announce(Utterance(text, SETUP, "routine", max_wait_s=8.0))
        if switch:
            st.rerun(scope="app")  # next exercise: the whole page follows (picker, guidance, analyzer)
        show_routine_runner(runner, now)
    if not snapshot.active:
        return
    if snapshot.error:
        st.error(f"The live analysis stopped working: {snapshot.error}")
    if is_served():
        if snapshot.fps is not None:
            st.caption(f"{snapshot.fps:.1f} frames analysed per second")
        return
    # Without the push channel (the pages run without app.py's server): the board's content, polled.
    if snapshot.state is None:
        st.info("Waiting for the first camera frames ...")
        return
    _live_metrics(snapshot, spec)


def _live_metrics(snapshot: LiveSnapshot, spec: ExerciseSpec) -> None:
    state = snapshot.state
    assert state is not None
    cols = st.columns(2)
    cols[0].metric(count_label(spec), count_text(state, spec)[0])
    if state.hold_target_s:
        # Time held in good form: the countdown stands still while a fault is seen (the cue says why).
        cols[1].metric("Hold", f"{min(state.hold_good_s, state.hold_target_s):.1f} / {state.hold_target_s:g} s")
    else:
        cols[1].metric("Form faults now", len(state.active_faults))
    cols = st.columns(2)
    # A line of text, not a metric: a metric's large type cuts a phrase short in this narrow column.
    cols[0].markdown(f"Status  \n**{phase_text(state)}**")
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
