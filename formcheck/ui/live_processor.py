"""The live page's frame processing: pose -> engine -> overlay, one object per browser session.

`LiveProcessor.on_frames` is streamlit-webrtc's `queued_video_frames_callback`; it runs in a worker
thread of its own, so it never calls Streamlit. The page reads what it needs through `snapshot()`,
and every piece of state shared between the two threads is guarded by one lock. What the person
must see or hear at once (the counter, the cue, the words to say) is not left for the page to poll:
each analysed frame publishes it on the processor's `channel` before the frame is even drawn.

A session is what lies between START and STOP: the page calls `start()` while the stream plays and
`stop()` when it has stopped, which finishes the analyzer and keeps its report. Frames that arrive
outside a session (a late frame after STOP) are passed through unanalysed so they cannot open a
ghost session.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections import deque
from dataclasses import dataclass, field, replace
from typing import Callable

import numpy as np

from formcheck.engine import Analyzer, FrameState
from formcheck.landmarks import Landmarks
from formcheck.overlay import Annotator
from formcheck.pose import PoseEstimator, create_pose_estimator
from formcheck.report import Report
from formcheck.specs import ExerciseSpec

from .coach import Coach, Utterance, safety_utterance
from .live_board import board_message, say_message, set_target
from .live_channel import LiveChannel

# Set to a file path to append one JSON line per analysed frame (its timing, phase and count), per
# counted event, per utterance and per stall: how the live latency in the README was measured, and
# a way to diagnose a slow machine.
LIVE_LOG_ENV = "FORMCHECK_LIVE_LOG"
_FPS_WINDOW = 30  # frames over which the processing rate is averaged
_STALL_S = 1.0  # frames further apart than this are logged as a stall of the camera or its stream


@dataclass(frozen=True)
class LiveEvent:
    """A counted event or a newly raised fault, for the page's sound and the latency log."""

    seq: int
    kind: str  # "rep" | "hold" | "partial" | "step" | "fault"
    detail: str  # the fault id, or the event kind again
    frame_time_s: float  # session time of the frame it happened on
    received_wall: float  # time.time() when that frame reached the callback
    done_wall: float  # time.time() when its annotated frame was ready


@dataclass(frozen=True)
class LiveSnapshot:
    session: int  # counts sessions, so the page can tell a new session's events from the last one's
    active: bool  # a session is running (between start() and stop())
    frames: int
    frames_with_pose: int
    fps: float | None
    state: FrameState | None
    events: tuple[LiveEvent, ...]
    error: str | None
    report: Report | None  # the report of the last finished session
    series: tuple[tuple[float, float | None], ...] = field(default=())


class LiveProcessor:
    def __init__(
        self,
        spec: ExerciseSpec,
        # Called with whether the exercise reads the person's outline (segmentation wanted).
        estimator_factory: Callable[[bool], PoseEstimator] = (
            lambda segmentation: create_pose_estimator(running_mode="video", segmentation=segmentation)),
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self._lock = threading.Lock()
        self._estimator_factory = estimator_factory
        self._wall = wall_clock
        self._estimator: PoseEstimator | None = None
        self._estimator_segments = False
        self.mirror = False  # flips what is shown, never what is analysed
        self._spec = spec
        self._hold_target_s: float | None = None
        self._annotator = Annotator(spec)
        self._analyzer: Analyzer | None = None
        self._switched: list[tuple[int, Report]] = []
        self._active = False
        self._session = 0
        self._session_t0: float | None = None  # stream time of the session's first frame
        self._estimator_t = -1.0  # last time given to the estimator: strictly increasing across sessions
        self._last_session_t = -1.0
        self._last_received_wall: float | None = None  # time.time() of the session's last frame
        self._frame_size: tuple[int, int] | None = None  # (width, height) every frame of the stream is analysed at
        self._state: FrameState | None = None
        self._frames = 0
        self._frames_with_pose = 0
        self._frame_walls: deque[float] = deque(maxlen=_FPS_WINDOW)
        self._events: list[LiveEvent] = []
        self._series: list[tuple[float, float | None]] = []
        self._error: str | None = None
        self._report: Report | None = None
        self._log_path = os.environ.get(LIVE_LOG_ENV) or None
        self.channel = LiveChannel()
        self._coach = Coach(spec)
        self._said = 0
        self.channel.publish(self._board_locked())  # what a page that connects now is shown

    # ------------------------------------------------------------------ page side
    @property
    def spec(self) -> ExerciseSpec:
        return self._spec

    def set_spec(self, spec: ExerciseSpec, hold_target_s: float | None = None) -> None:
        """Switch exercise (or hold target). A session in progress goes on with the new exercise; what
        was done of the old one is finished into a report that `take_switched()` hands out, so a
        routine's earlier exercises are not lost."""
        with self._lock:
            if spec == self._spec and hold_target_s == self._hold_target_s:
                return
            if self._active and self._analyzer is not None and self._analyzer.frames_with_pose > 0:
                self._switched.append((self._session, self._analyzer.finish(fps=self._fps_locked(),
                                                                            source="live camera")))
            self._spec = spec
            self._hold_target_s = hold_target_s
            self._annotator = Annotator(spec)
            self._reset_session(active=self._active)
            self._report = None
            board = self._board_locked()
        self.channel.publish(board)

    def take_switched(self) -> list[tuple[int, Report]]:
        """(session number, report) of each exercise left by `set_spec` since the last call."""
        with self._lock:
            switched, self._switched = self._switched, []
            return switched

    def start(self) -> None:
        """Open a session if none is open (idempotent: called on every rerun while playing)."""
        with self._lock:
            if self._active:
                return
            self._frame_size = None
            self._reset_session(active=True)
            self._report = None
            self._error = None
            board = self._board_locked()
        self.channel.publish(board)
        self.announce(safety_utterance())

    def announce(self, utterance: Utterance) -> None:
        """Say something that no frame prompted (a routine's rest countdown, the safety note)."""
        with self._lock:
            message = self._say_locked(utterance, None, None)
        self.channel.publish(message)
        self._write_log([_say_log(message)])

    def stop(self) -> Report | None:
        """Close the session and return its report (None if no frame was analysed)."""
        with self._lock:
            if not self._active:
                return self._report
            self._active = False
            if self._analyzer is not None and self._analyzer.frames > 0:
                self._report = self._analyzer.finish(fps=self._fps_locked(), source="live camera")
            self._analyzer = None
            report, board = self._report, self._board_locked()
        self.channel.publish(board)
        return report

    def snapshot(self) -> LiveSnapshot:
        with self._lock:
            return LiveSnapshot(
                session=self._session, active=self._active, frames=self._frames, frames_with_pose=self._frames_with_pose,
                fps=self._fps_locked(), state=self._state, events=tuple(self._events), error=self._error,
                report=self._report, series=tuple(self._series) if not self._active else (),
            )

    def close(self) -> None:
        with self._lock:
            if self._estimator is not None:
                self._estimator.close()
                self._estimator = None

    # ------------------------------------------------------------------ worker side
    async def on_frames(self, frames: list) -> list:
        """streamlit-webrtc's queued_video_frames_callback: the frames that arrived while the last one
        was analysed. Only the newest is analysed (staying live matters more than every frame; the
        engine times by timestamps, so skipped frames are like a camera's dropped ones)."""
        return [self.on_frame(frames[-1], skipped=len(frames) - 1)]

    def on_frame(self, frame, skipped: int = 0):  # av.VideoFrame -> av.VideoFrame (av is imported lazily)
        """Analyse one camera frame; never raises: a failure is kept for the page to show, and the
        camera picture is passed through."""
        import av

        received = self._wall()
        image = frame.to_ndarray(format="rgb24")
        try:
            shown = self.process(image, frame.time, received, skipped=skipped)
        except Exception as exc:  # anything raised here would silently kill the stream
            with self._lock:
                self._error = _one_line(exc)
            shown = _mirrored(image, self.mirror)
        out = av.VideoFrame.from_ndarray(shown, format="rgb24")
        out.pts, out.time_base = frame.pts, frame.time_base
        return out

    def process(self, image_rgb: np.ndarray, stream_time_s: float | None, received_wall: float | None = None,
                skipped: int = 0) -> np.ndarray:
        """Analyse one camera frame and return the picture to show (annotated, mirrored if asked).
        `skipped`: frames that arrived since the last one and were not analysed."""
        received_wall = self._wall() if received_wall is None else received_wall
        mirror = self.mirror
        received_size = (image_rgb.shape[1], image_rgb.shape[0])
        with self._lock:
            if not self._active:
                return _mirrored(image_rgb, mirror)
            self._frame_size = self._frame_size or received_size
            image_rgb = _at_size(image_rgb, self._frame_size)
            if self._estimator is not None and self._estimator_segments != self._spec.needs_silhouette:
                self._estimator.close()  # the next exercise needs (or no longer needs) the outline
                self._estimator = None
            if self._estimator is None:
                # Built here, in the worker thread, so that opening the page stays quick.
                self._estimator_segments = self._spec.needs_silhouette
                self._estimator = self._estimator_factory(self._estimator_segments)
            previous_t, previous_wall = self._last_session_t, self._last_received_wall
            session_t = self._session_time(stream_time_s, received_wall)
            self._last_received_wall = received_wall
            estimator_t = self._advance_estimator_clock(session_t - previous_t if previous_t >= 0 else None)
            landmarks = self._estimator.detect(image_rgb, estimator_t)
            if landmarks is not None:
                # The engine times the session from its start, whatever the estimator's clock says.
                landmarks = replace(landmarks, timestamp_s=session_t)
            assert self._analyzer is not None
            previous = self._state
            state = self._analyzer.update(landmarks, session_t)
            self._state = state
            self._frames += 1
            self._frames_with_pose += landmarks is not None
            self._series.append((session_t, state.primary_value))
            annotator = self._annotator
            said = [self._say_locked(u, received_wall, session_t) for u in self._coach.update(state)]
            board = self._board_locked(frame_wall=received_wall)
        # Sent before the frame is drawn: the page shows and says it while the picture is encoded.
        for message in said:
            self.channel.publish(message)
        self.channel.publish(board)
        shown = annotator.draw(*_for_display(image_rgb, landmarks, mirror), state)
        draw_set_progress(shown, state.reps, set_target(annotator.spec))
        done_wall = self._wall()
        with self._lock:
            self._frame_walls.append(done_wall)
            new = self._new_events(previous, state, received_wall, done_wall)
            fps = self._fps_locked()
        if self._log_path:  # the timing log, for the latency measurements
            lines = [{"kind": "frame", "t": round(session_t, 3), "stream_t": stream_time_s,
                      "size": list(received_size),
                      "received_wall": received_wall, "done_wall": done_wall, "skipped": skipped,
                      "phase": state.phase, "value": state.primary_value,
                      "count": state.reps + state.steps_forward + state.steps_backward}]
            if previous_wall is None:
                lines.insert(0, {"kind": "first_frame", "received_wall": received_wall})
            elif received_wall - previous_wall > _STALL_S:
                # No frame skipped means the picture stopped coming (the camera or its stream paused);
                # skipped frames mean they came but the analysis was slow: where a slow machine loses time.
                lines.append({"kind": "stall", "received_wall": received_wall,
                              "wall_gap_s": round(received_wall - previous_wall, 3),
                              "stream_gap_s": round(session_t - previous_t, 3), "frames_skipped": skipped})
            lines += [_say_log(message) for message in said]
            self._write_log(lines)
        self._log(new, fps)
        return shown

    # ------------------------------------------------------------------ internals (lock held)
    def _reset_session(self, active: bool) -> None:
        # Live, subtle movements (a pelvic tilt) are paced by formcheck where the spec offers it.
        self._analyzer = Analyzer(self._spec, hold_target_s=self._hold_target_s, paced=True)
        self._active = active
        self._session += 1
        self._session_t0 = None
        self._last_session_t = -1.0
        self._last_received_wall = None
        self._state = None
        self._frames = 0
        self._frames_with_pose = 0
        self._frame_walls.clear()
        self._events = []
        self._series = []
        self._coach = Coach(self._spec)

    def _session_time(self, stream_time_s: float | None, received_wall: float) -> float:
        """Seconds since the session's first frame, from the frame's own timestamp (its pts) when it
        has one; strictly increasing whatever the stream does (the engine requires it)."""
        t = received_wall if stream_time_s is None else float(stream_time_s)
        if self._session_t0 is None:
            self._session_t0 = t
        session_t = t - self._session_t0
        if session_t <= self._last_session_t:
            session_t = self._last_session_t + 0.001
        self._last_session_t = session_t
        return session_t

    def _advance_estimator_clock(self, step_s: float | None) -> float:
        """MediaPipe's VIDEO mode needs increasing timestamps for as long as the estimator lives, which
        spans sessions: its clock moves on by the frame step and never restarts."""
        step = 1 / 30 if step_s is None else max(0.001, step_s)
        self._estimator_t = 0.0 if self._estimator_t < 0 else self._estimator_t + step
        return self._estimator_t

    def _board_locked(self, frame_wall: float | None = None) -> dict:
        return board_message(self._state, self._spec, session=self._session, active=self._active,
                             fps=self._fps_locked(), frame_wall=frame_wall)

    def _say_locked(self, utterance: Utterance, frame_wall: float | None, frame_time_s: float | None) -> dict:
        self._said += 1
        return say_message(utterance, self._said, frame_wall, frame_time_s)

    def _fps_locked(self) -> float | None:
        if len(self._frame_walls) < 2:
            return None
        span = self._frame_walls[-1] - self._frame_walls[0]
        return (len(self._frame_walls) - 1) / span if span > 0 else None

    def _new_events(self, previous: FrameState | None, state: FrameState, received: float, done: float
                    ) -> list[LiveEvent]:
        found: list[tuple[str, str]] = []
        if state.last_event:
            found.append((state.last_event, state.last_event))
        before = {f.fault for f in previous.active_faults} if previous is not None else set()
        found += [("fault", f.fault) for f in state.active_faults if f.fault not in before]
        new = []
        for kind, detail in found:
            event = LiveEvent(len(self._events) + 1, kind, detail, state.timestamp_s, received, done)
            self._events.append(event)
            new.append(event)
        return new

    def _log(self, events: list[LiveEvent], fps: float | None) -> None:
        if not self._log_path or not events:
            return
        self._write_log([{"seq": e.seq, "kind": e.kind, "detail": e.detail, "frame_time_s": round(e.frame_time_s, 3),
                          "received_wall": e.received_wall, "done_wall": e.done_wall, "fps": fps} for e in events])

    def _write_log(self, lines: list[dict]) -> None:
        if not self._log_path:
            return
        with open(self._log_path, "a", encoding="utf-8") as log:
            for line in lines:
                log.write(json.dumps(line) + "\n")


def _say_log(message: dict) -> dict:
    return {"kind": "say", "cue": message["kind"], **{k: v for k, v in message.items() if k not in ("kind", "type")}}


def draw_set_progress(image: np.ndarray, done: int, target: int | None) -> None:
    """'Set 3 / 10' with a bar in the top-right corner (the overlay's own panel is top-left)."""
    if not target:
        return
    import cv2

    height, width = image.shape[:2]
    scale = max(0.5, height / 720)
    text = f"Set {min(done, target)} / {target}"
    size = 0.6 * scale
    (text_w, text_h), _ = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, size, 1)
    pad = int(8 * scale)
    box_w, box_h = max(text_w, int(120 * scale)) + 2 * pad, text_h + 3 * pad + int(6 * scale)
    x0 = width - box_w
    region = image[:box_h, x0:]
    region[:] = (region * 0.45).astype(np.uint8)  # darken behind the text, as the overlay's panel does
    cv2.putText(image, text, (x0 + pad, pad + text_h), cv2.FONT_HERSHEY_SIMPLEX, size, (255, 255, 255), 1,
                cv2.LINE_AA)
    bar_y = 2 * pad + text_h
    fraction = min(1.0, done / target)
    cv2.rectangle(image, (x0 + pad, bar_y), (width - pad, bar_y + int(6 * scale)), (90, 90, 90), -1)
    cv2.rectangle(image, (x0 + pad, bar_y), (x0 + pad + int((box_w - 2 * pad) * fraction), bar_y + int(6 * scale)),
                  (60, 200, 90), -1)


def _at_size(image_rgb: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """The frame at the stream's size. A browser lowers the resolution it sends while the computer is
    busy (WebRTC's CPU adaptation: 640x480, 480x360, 320x240 and back), and the engine measures in
    pixels from its calibration: a picture that shrank mid-session would read as the person moving."""
    if (image_rgb.shape[1], image_rgb.shape[0]) == size:
        return image_rgb
    import cv2

    return cv2.resize(image_rgb, size, interpolation=cv2.INTER_LINEAR)


def _for_display(image_rgb: np.ndarray, landmarks: Landmarks | None, mirror: bool
                 ) -> tuple[np.ndarray, Landmarks | None]:
    """The picture and landmarks to draw on. Mirroring moves the points with the picture but keeps
    each point's name, so the person's left stays labelled left."""
    if not mirror:
        return image_rgb, landmarks
    flipped = _mirrored(image_rgb, mirror)
    if landmarks is None:
        return flipped, None
    points = landmarks.points.copy()
    points[:, 0] = landmarks.image_width - 1 - points[:, 0]
    return flipped, replace(landmarks, points=points)


def _mirrored(image_rgb: np.ndarray, mirror: bool) -> np.ndarray:
    return np.ascontiguousarray(image_rgb[:, ::-1]) if mirror else image_rgb


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__
