"""The streaming analyzer: one frame of landmarks in, the current state out; a report at the end.

Pure and deterministic: no I/O, no clock (time comes from the frames' timestamps), no drawing.
The same object serves a recorded video and the live webcam.
"""

from __future__ import annotations

import numpy as np

from ..filters import OneEuroFilter
from ..landmarks import Landmarks
from ..report import Event, FaultSpan, Report
from ..signals import FloorFrame, Frame, SignalComputer, side_roles
from ..specs import Condition, ExcursionMotion, ExerciseSpec, PacedMotion, StepMotion
from ..specs.schema import needs_calibration
from .calibration import CalibrationResult, Calibrator
from .excursions import REST, Excursion, ExcursionTracker
from .paced import PacedHold, PacedTimer
from .faults import FaultWindow, PostureFaultMonitor
from .side import NearSideSelector
from .state import ActiveFault, FrameState
from .steps import Step, StepTracker
from .view import ViewCheck, ViewChecker
from .warnings import WarningLog

_VIEW_DEBOUNCE_S = 0.7  # a view/framing problem must last this long to stop the analysis
_HOLD_TOLERANCE = 0.1  # a hold within 10 % of its target is not "short"
_WARNING_MIN_S = 0.5


class Analyzer:
    def __init__(self, spec: ExerciseSpec, hold_target_s: float | None = None) -> None:
        self.spec = spec
        self.motion = spec.motion
        self.is_excursion = isinstance(spec.motion, ExcursionMotion)
        if hold_target_s is not None and isinstance(spec.motion, (ExcursionMotion, PacedMotion)):
            field = "hold_target_s" if self.is_excursion else "hold_s"
            self.motion = spec.motion.model_copy(update={field: hold_target_s})
        self.hold_target_s = getattr(self.motion, "hold_target_s", None)
        self.signals = SignalComputer(spec)
        self._absolute_signals = [n for n, s in spec.signals.items() if not needs_calibration(s)]
        self._smoother = OneEuroFilter()
        self._sides = NearSideSelector()
        self._view = ViewChecker(spec.camera.view, spec.camera.required_landmarks, spec.min_visibility)
        self._calibrator = Calibrator(spec)
        self.calibration: CalibrationResult | None = None
        self._excursions = ExcursionTracker(self.motion) if self.is_excursion else None
        self._steps = StepTracker(self.motion) if isinstance(self.motion, StepMotion) else None
        self._paced = PacedTimer(self.motion) if isinstance(self.motion, PacedMotion) else None
        if isinstance(self.motion, PacedMotion):
            self.hold_target_s = self.motion.hold_s
        self._faults = PostureFaultMonitor(spec.faults)
        self._complete_when = [Condition.parse(c) for c in getattr(self.motion, "complete_when", [])]
        self._warnings = WarningLog()
        self.events: list[Event] = []
        self._event_faults: list[FaultWindow] = []
        self._counts = {"rep": 0, "partial": 0, "hold": 0, "step": 0}
        self._by_side = {"left": 0, "right": 0}
        self._steps_by_direction = {"forward": 0, "backward": 0}
        self._side_frames = {"left": 0, "right": 0}
        self.frames = 0
        self.frames_with_pose = 0
        self._first_t: float | None = None
        self._last_t: float | None = None
        self._last_progress: float | None = None
        self._view_bad_since: float | None = None
        self._view_good_since: float | None = None
        self._view_blocked: ViewCheck | None = None
        self._ever_view_ok = False

    # ----------------------------------------------------------------- per frame
    def update(self, landmarks: Landmarks | None, timestamp_s: float | None = None) -> FrameState:
        if landmarks is not None:
            timestamp_s = landmarks.timestamp_s
        if timestamp_s is None:
            raise ValueError("a frame without landmarks needs its timestamp")
        t = float(timestamp_s)
        if self._last_t is not None and t <= self._last_t:
            raise ValueError(f"timestamps must increase: got {t:.3f} s after {self._last_t:.3f} s")
        self.frames += 1
        self._first_t = t if self._first_t is None else self._first_t
        self._last_t = t
        if landmarks is None:
            return self._without_measurement(t, "no_person", "step into the picture")
        self.frames_with_pose += 1
        points = landmarks.points.copy()
        points[:, :2] = self._smoother(points[:, :2], t)
        near = self._sides.update(points, t)
        self._side_frames[near] += 1
        view = self._checked_view(points, near, landmarks.image_width, landmarks.image_height, t)
        if not view.ok:
            return self._without_measurement(t, "adjust_view", view.message, side=near)
        if self.calibration is None:
            return self._calibrate(points, near, t)
        return self._measure(points, near, t)

    def _checked_view(self, points: np.ndarray, side: str, width: int, height: int, t: float) -> ViewCheck:
        """The view check, debounced: a problem must persist before it blocks, and so must its fix."""
        check = self._view.check(points, side, width, height)
        if check.ok:
            self._view_bad_since = None
            if self._view_blocked is not None:
                self._view_good_since = self._view_good_since if self._view_good_since is not None else t
                if t - self._view_good_since < _VIEW_DEBOUNCE_S:
                    return self._view_blocked
                self._view_blocked = None
            self._view_good_since = None
            self._ever_view_ok = True
            return check
        self._view_good_since = None
        if self._view_blocked is None:
            self._view_bad_since = self._view_bad_since if self._view_bad_since is not None else t
            if t - self._view_bad_since < _VIEW_DEBOUNCE_S and self._ever_view_ok:
                return ViewCheck(True)
        self._view_blocked = check
        return check

    def _without_measurement(self, t: float, phase: str, message: str | None, side: str | None = None) -> FrameState:
        kind = "no_person" if phase == "no_person" else (self._view_blocked.problem if self._view_blocked else "view")
        text = "no person visible" if phase == "no_person" else f"{message}"
        self._warnings.note(kind, text, t)
        if self._excursions is not None:
            self._excursions.pause()
        if self._steps is not None:
            self._steps.pause()
        if self._paced is not None:
            self._paced.pause()
        if self.calibration is None:
            self._calibrator.reset()
        return self._state(t, has_pose=phase != "no_person", phase=phase, side=side, message=message)

    def _frame(self, points: np.ndarray, floor: FloorFrame) -> Frame:
        return Frame(xy=floor.to_floor(points[:, :2]), visibility=points[:, 3])

    # ----------------------------------------------------------------- calibration
    def _calibrate(self, points: np.ndarray, near: str, t: float) -> FrameState:
        roles = side_roles(near)
        frame = self._frame(points, FloorFrame())
        raw = self.signals.compute(frame, roles, FloorFrame(), None, names=self._absolute_signals)
        if self._calibrator.in_start_position(raw):
            self._calibrator.add(t, points)
        else:
            self._calibrator.reset()
        if self._calibrator.ready():
            self.calibration = self._calibrator.finish(near, self._baselines_for(roles))
            self._sides.lock(near)
            return self._state(t, True, REST, near, raw, message="ready: start the exercise")
        message = (
            "hold still in the start position"
            if self._calibrator.progress > 0
            else "get into the start position"
        )
        return self._state(t, True, "calibrating", near, raw, message=message)

    def _baselines_for(self, roles: dict[str, str]):
        relative = [n for n, s in self.spec.signals.items() if s.relative]

        def baselines(points: np.ndarray, floor: FloorFrame) -> dict[str, float | None]:
            return self.signals.compute(self._frame(points, floor), roles, floor, None, names=relative)

        return baselines

    # ----------------------------------------------------------------- measurement
    def _signals(self, frame: Frame, roles: dict[str, str], names: list[str] | None = None
                 ) -> dict[str, float | None]:
        calib = self.calibration
        assert calib is not None
        values = self.signals.compute(frame, roles, calib.floor, calib.base_xy, names)
        for name in values:
            if self.spec.signals[name].relative and values[name] is not None:
                base = calib.baselines.get(name)
                values[name] = None if base is None else values[name] - base  # type: ignore[operator]
        return values

    def _working_side(self, frame: Frame, near: str) -> str:
        """For per-side exercises: the side whose primary signal has moved furthest, or the side of
        the attempt under way."""
        tracker = self._excursions
        if tracker is not None and tracker.side is not None:
            return tracker.side
        best, best_value = near, None
        sign = 1.0 if self.motion.direction == "increase" else -1.0  # type: ignore[union-attr]
        for side in ("left", "right"):
            value = self._signals(frame, side_roles(near, side), [self.motion.signal])[self.motion.signal]
            if value is not None and (best_value is None or sign * value > best_value):
                best, best_value = side, sign * value
        return best

    def _measure(self, points: np.ndarray, near: str, t: float) -> FrameState:
        per_side = self.is_excursion and self.motion.per_side  # type: ignore[union-attr]
        assert self.calibration is not None
        frame = self._frame(points, self.calibration.floor)  # once per frame, for every side tried
        working = self._working_side(frame, near) if per_side else None
        values = self._signals(frame, side_roles(near, working))
        primary = values.get(self.motion.signal)
        completed: str | None = None
        if self._excursions is not None:
            tracker = self._excursions
            if primary is None:
                tracker.pause()
                self._warnings.note("visibility", f"cannot see the body parts for {self.motion.signal}", t)
            else:
                top_ok = all(values.get(c.signal) is not None and c.holds(values[c.signal])  # type: ignore[arg-type]
                             for c in self._complete_when)
                done = tracker.update(t, primary, side=working, top_ok=top_ok,
                                      far_side=working is not None and working != near)
                if done is not None:
                    completed = self._record_excursion(done)
            phase = tracker.phase
        elif self._paced is not None:
            # Faults are judged before the hold can end on this frame, so they are attached to it.
            self._faults.update(t, self._paced.phase, values)
            held = self._paced.update(t, in_view=primary is not None)
            if held is not None:
                completed = self._record_paced(held)
            phase = self._paced.phase
            message = self._cue(phase, t)
            return self._state(t, True, phase, near, values, message=message, working=working, last_event=completed)
        else:
            steps = self._steps
            assert steps is not None
            if primary is None:
                steps.pause()
                self._warnings.note("visibility", f"cannot see the body parts for {self.motion.signal}", t)
            else:
                self._last_progress = primary
                step = steps.update(t, primary)
                if step is not None:
                    completed = self._record_step(step)
            phase = steps.phase
        self._faults.update(t, phase, values)
        message = self._cue(phase, t)
        return self._state(t, True, phase, near, values, message=message, working=working, last_event=completed)

    def _cue(self, phase: str, t: float) -> str | None:
        active = self._faults.active
        if active:
            return active[-1].cue
        if self._paced is not None:
            motion = self.motion
            cue = motion.hold_cue if phase == "top" else motion.relax_cue  # type: ignore[union-attr]
            return f"{cue} ({self._paced.remaining_s(t):.0f} s)"
        if self._excursions is not None and phase == "top" and self.hold_target_s:
            remaining = self.hold_target_s - self._excursions.held_s
            return f"hold {remaining:.0f} s more" if remaining > 0.5 else "well held: come back down slowly"
        return None

    def _record_excursion(self, done: Excursion) -> str:
        kind = ("hold" if self.motion.kind == "holds" else "rep") if done.complete else "partial"  # type: ignore[union-attr]
        self._counts[kind] += 1
        if done.complete and done.side:
            self._by_side[done.side] += 1
        self._event_faults.extend(self._timing_faults(done))
        self.events.append(Event(
            kind=kind, index=self._counts[kind], start_s=round(done.start_s, 3), end_s=round(done.end_s, 3),
            side=done.side, duration_s=round(done.held_s, 2) if done.complete else None,
            peak=round(done.peak, 3), rise_s=None if done.rise_s is None else round(done.rise_s, 2),
            faults=self._faults_within(done.start_s, done.end_s),
        ))
        return kind

    def _timing_faults(self, done: Excursion) -> list[FaultWindow]:
        if not done.complete:
            return []
        found = []
        for rule in self.spec.event_faults:
            if rule.check == "hold_shorter_than_target" and self.hold_target_s is not None:
                if done.held_s < self.hold_target_s * (1 - _HOLD_TOLERANCE):
                    start = done.top_start_s if done.top_start_s is not None else done.start_s
                    end = done.top_end_s if done.top_end_s is not None else done.end_s
                    found.append(FaultWindow(rule.id, start, end, rule.cue))
            elif rule.check == "rise_faster_than" and done.rise_s is not None and done.rise_s < rule.seconds:
                found.append(FaultWindow(rule.id, done.start_s, done.start_s + done.rise_s, rule.cue))
            elif rule.check == "lower_faster_than" and done.lower_s is not None and done.lower_s < rule.seconds:
                found.append(FaultWindow(rule.id, done.end_s - done.lower_s, done.end_s, rule.cue))
            elif rule.check == "cycle_faster_than" and done.end_s - done.start_s < rule.seconds:
                found.append(FaultWindow(rule.id, done.start_s, done.end_s, rule.cue))
        return found

    def _record_paced(self, held: PacedHold) -> str:
        self._counts["hold"] += 1
        self.events.append(Event(
            kind="hold", index=self._counts["hold"], start_s=round(held.start_s, 3), end_s=round(held.end_s, 3),
            duration_s=round(held.held_s, 2), faults=self._faults_within(held.start_s, held.end_s),
        ))
        return "hold"

    def _record_step(self, step: Step) -> str:
        self._counts["step"] += 1
        self._steps_by_direction[step.direction] += 1
        self.events.append(Event(
            kind="step", index=self._counts["step"], start_s=round(step.start_s, 3), end_s=round(step.end_s, 3),
            direction=step.direction, peak=round(step.distance, 3),
            faults=self._faults_within(step.start_s, step.end_s),
        ))
        return "step"

    def _all_fault_windows(self) -> list[FaultWindow]:
        return self._faults.windows + self._event_faults

    def _faults_within(self, start: float, end: float) -> list[str]:
        ids = [w.fault for w in self._all_fault_windows() if w.start_s <= end and w.end_s >= start]
        ids += [r.id for r in self._faults.active]
        return sorted(set(ids))

    def _state(self, t, has_pose, phase, side=None, values=None, message=None, working=None, last_event=None):
        values = values or {}
        hold = self._excursions.held_s if self._excursions is not None else (
            self._paced.held_s if self._paced is not None else 0.0)
        return FrameState(
            timestamp_s=t, has_pose=has_pose, phase=phase, side=side, calibrated=self.calibration is not None,
            calibration_progress=1.0 if self.calibration is not None else self._calibrator.progress,
            signals=values, primary_signal=self.motion.signal, primary_value=values.get(self.motion.signal),
            reps=self._counts["rep"] + self._counts["hold"], partials=self._counts["partial"],
            reps_by_side=dict(self._by_side), steps_forward=self._steps_by_direction["forward"],
            steps_backward=self._steps_by_direction["backward"], hold_s=hold, hold_target_s=self.hold_target_s,
            working_side=working,
            active_faults=tuple(ActiveFault(r.id, r.cue) for r in self._faults.active),
            message=message, last_event=last_event,
        )

    # ----------------------------------------------------------------- end
    def finish(self, fps: float | None = None, source: str | None = None) -> Report:
        """Close what is open and build the report. The analyzer should not be fed afterwards."""
        end = self._last_t if self._last_t is not None else 0.0
        if self._excursions is not None:
            # A repetition or hold still under way when the input ends is not counted: the live
            # page only counts on the way back down, and the report must agree with what it showed.
            if self._excursions.finish_open(end) is not None:
                noun = "hold" if self.motion.kind == "holds" else "repetition"  # type: ignore[union-attr]
                self._warnings.add("unfinished", f"the recording ended during a {noun}; it was not counted")
        elif self._steps is not None:
            step = self._steps.finish_open(end, self._last_progress)
            if step is not None:
                self._record_step(step)
        self._faults.finish(end)
        windows = sorted(self._all_fault_windows(), key=lambda w: (w.start_s, w.fault))
        # Attribute faults again now every window is closed.
        events = [
            replace_faults(e, sorted({w.fault for w in windows if w.start_s <= e.end_s and w.end_s >= e.start_s}))
            for e in self.events
        ]
        duration = 0.0 if self._first_t is None else end - self._first_t
        if fps is None:
            fps = (self.frames - 1) / duration if duration > 0 and self.frames > 1 else 0.0
        if self.frames > 1 and fps > 0:
            duration += 1.0 / fps  # the last frame lasts a frame too
        if self.calibration is None and self.frames_with_pose:
            self._warnings.add("calibration", "never saw the start position held still, so nothing was counted: "
                               + self.spec.instructions[0])
        side = None
        if self.frames_with_pose:
            side = "left" if self._side_frames["left"] >= self._side_frames["right"] else "right"
        per_side = self.is_excursion and self.motion.per_side  # type: ignore[union-attr]
        counts: dict[str, int] = {}
        for w in windows:
            counts[w.fault] = counts.get(w.fault, 0) + 1
        return Report(
            exercise=self.spec.id, title=self.spec.title, source=source, fps=round(float(fps), 3),
            frames=self.frames, frames_with_pose=self.frames_with_pose, duration_s=round(duration, 3),
            side=side, calibrated=self.calibration is not None, primary_signal=self.motion.signal,
            hold_target_s=self.hold_target_s,
            reps=self._counts["rep"] + self._counts["hold"], partials=self._counts["partial"],
            reps_by_side=dict(self._by_side) if per_side else None,
            steps=dict(self._steps_by_direction) if self._steps is not None else None,
            sets=self._sets() if self._steps is not None else None,
            events=events,
            faults=[FaultSpan(fault=w.fault, start_s=round(w.start_s, 3), end_s=round(w.end_s, 3), message=w.message)
                    for w in windows],
            fault_counts=counts,
            warnings=self._warnings.spans(_WARNING_MIN_S),
        )

    def _sets(self) -> int:
        """One set = a run of forward steps followed by a run of backward steps (or either alone)."""
        directions = [e.direction for e in self.events if e.kind == "step"]
        runs = [d for i, d in enumerate(directions) if i == 0 or d != directions[i - 1]]
        sets, i = 0, 0
        while i < len(runs):
            sets += 1
            i += 2 if i + 1 < len(runs) and runs[i] == "forward" and runs[i + 1] == "backward" else 1
        return sets


def replace_faults(event: Event, faults: list[str]) -> Event:
    return event.model_copy(update={"faults": faults})
