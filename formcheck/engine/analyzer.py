"""The streaming analyzer: one frame of landmarks in, the current state out; a report at the end.

Pure and deterministic: no I/O, no clock (time comes from the frames' timestamps), no drawing.
The same object serves a recorded video and the live webcam.

Nothing is lost while it waits for its reference: until the person has been seen in the start
position, the frames are kept in a bounded look-back buffer (a few numbers each, at most
LOOKBACK_S of them). Once calibrated, from a still stretch as it arrives or, failing that, from
the longest stretch in the start position the buffer holds, the buffered frames are measured in
order, so repetitions done before the first rest still count.
"""

from __future__ import annotations

import dataclasses
from collections import deque
from dataclasses import dataclass

import numpy as np

from ..filters import OneEuroFilter
from ..landmarks import Landmarks
from ..report import Event, FaultSpan, Report, ReportWarning
from ..signals import FloorFrame, Frame, SignalComputer, side_roles
from ..specs import Condition, ExcursionMotion, ExerciseSpec, StepMotion
from ..specs.schema import needs_calibration
from .calibration import CalibrationResult, Calibrator, MotionMeter, longest_run
from .excursions import RISING, TOP, Excursion, ExcursionTracker
from .faults import FaultWindow, PostureFaultMonitor
from .paced import PacedHold, PacedTimer
from .side import NearSideSelector
from .state import ActiveFault, FrameState
from .steps import Step, StepTracker
from .view import ViewCheck, ViewChecker, well_off_side_on
from .visibility import VisibilityGate
from .warnings import WarningLog

LOOKBACK_S = 45.0  # frames kept while waiting for the start position (holds last up to 30 s)
_VIEW_DEBOUNCE_S = 0.7  # a view/framing problem must last this long to be reported, and so must its fix
_HOLD_TOLERANCE = 0.1  # a hold within 10 % of its target is not "short"
_WARNING_MIN_S = 0.5
_LEAVE_DWELL_S = 0.5  # out of the exercise's position this long: the person has left it
_SHORT_OF_TARGET = 0.8  # a range under this share of the target gets the spec's range cue
_BOTH_SIDES_SHARE = 0.5  # of a hold's first moments, the share with both limbs at the top: "both sides"
_BOTH_SIDES_WINDOW_S = 2.0
_BOTH_SIDES_REACH = 0.6  # the other limb's range, as a share of the working limb's, to be at its top too
_RELIABILITY_MIN_SHARE = 0.05
# An attempt short of the minimum is reported as partial once it went half of the minimum: less is a
# stir at rest (shifting, adjusting), not an attempt.
_PARTIAL_SHARE = 0.5
_MAX_FRAME_GAP_S = 1.0
_AWAY_S = 2.5  # out of the picture this long, the person may come back elsewhere: calibrate again
# Body speed (torso lengths per second) under which the person is holding still: breathing and the
# pose model's jitter stay well below it, any deliberate movement goes well above.
_STILL_SPEED = 0.25
# A joint hidden behind another limb still gets a placement from the pose model, with a visibility
# this low or lower; it is trusted only to tell whether both limbs are at their top.
_OCCLUDED_VISIBILITY = 0.2  # longer gaps between frames are not counted as time with or without a problem


def _inside(points: np.ndarray, width: int, height: int, margin_px: float = 2.0) -> np.ndarray:
    x, y = points[:, 0], points[:, 1]
    return (x >= -margin_px) & (x <= width + margin_px) & (y >= -margin_px) & (y <= height + margin_px)


def _judged(values: dict[str, float | None], outside: set[str]) -> dict[str, float | None]:
    """The values form is judged on: a signal measured on a landmark the pose model placed beyond
    the edge of the picture counts as unmeasured (a fault is never flagged on a guess)."""
    return {name: None if name in outside else value for name, value in values.items()} if outside else values


@dataclass(frozen=True)
class _Sample:
    """One frame as the analyzer keeps it: smoothed positions with gated visibility, the near side,
    the (debounced) view check and the outline signals, which need the silhouette it does not keep."""

    t: float
    points: np.ndarray
    near: str
    view: ViewCheck
    outlines: dict[str, float | None]
    inside: np.ndarray  # (33,) whether each landmark lies inside the picture
    oblique: bool = False  # seen well off side-on (an exercise filmed side-on)
    in_start: bool = False  # in the start position (only looked at before calibration)
    still: bool = False  # the body is not moving (ditto)


class Analyzer:
    def __init__(self, spec: ExerciseSpec, hold_target_s: float | None = None, paced: bool = False) -> None:
        """`paced`: the live page's formcheck-led holds, for a spec with motion.pacing (a recorded
        video is always counted from the movement itself)."""
        self.spec = spec
        self.motion = spec.motion
        self.is_excursion = isinstance(spec.motion, ExcursionMotion)
        if hold_target_s is not None and self.is_excursion:
            self.motion = spec.motion.model_copy(update={"hold_target_s": hold_target_s})
        pacing = getattr(self.motion, "pacing", None) if paced else None
        if pacing is not None and hold_target_s is not None:
            pacing = pacing.model_copy(update={"hold_s": hold_target_s})
        self.pacing = pacing
        self.hold_target_s = pacing.hold_s if pacing is not None else getattr(self.motion, "hold_target_s", None)
        self.signals = SignalComputer(spec)
        self._absolute_signals = [n for n, s in spec.signals.items() if not needs_calibration(s)]
        self._smoother = OneEuroFilter()
        self._outline_smoothers: dict[str, OneEuroFilter] = {}
        self._gate = VisibilityGate(spec.min_visibility)
        self._sides = NearSideSelector()
        self._view = ViewChecker(spec.camera.view, spec.camera.required_landmarks, spec.min_visibility)
        self._calibrator = Calibrator(spec)
        self._motion = MotionMeter()
        self.calibration: CalibrationResult | None = None
        self._calibrated_near: str | None = None
        self._lookback: deque[_Sample] = deque()
        self._lost_before_calibration: tuple[float, float] | None = None
        self._last_lookback_try = float("-inf")
        self._excursions = ExcursionTracker(self.motion) if self.is_excursion and pacing is None else None
        self._steps = StepTracker(self.motion) if isinstance(self.motion, StepMotion) else None
        self._paced = PacedTimer(pacing) if pacing is not None else None
        self._faults = PostureFaultMonitor(spec.faults)
        # Whether frames must be told side-on or well off it: only for rules that need a side-on view.
        self._judges_obliqueness = spec.camera.view == "side" and any(r.needs_side_on_view for r in spec.faults)
        self._required = [Condition.parse(c) for c in getattr(self.motion, "required_at_top", [])]
        self._leave_when = [Condition.parse(c) for c in spec.left_exercise_when]
        self._leaving_since: float | None = None
        self._left = False
        self._both_sides: list[tuple[float, bool]] = []  # during the attempt's top: is the other limb there too
        self._raw_visibility = np.zeros(33)
        self._warnings = WarningLog()
        self.events: list[Event] = []
        self._event_faults: list[FaultWindow] = []
        self._counts = {"rep": 0, "partial": 0, "hold": 0, "step": 0}
        self._by_side = {"left": 0, "right": 0}
        self._best_range: dict[str | None, float] = {}
        self._steps_by_direction = {"forward": 0, "backward": 0}
        self._side_frames = {"left": 0, "right": 0}
        self._problem_s = {"view": 0.0, "framing": 0.0, "no_person": 0.0}
        self.frames = 0
        self.frames_with_pose = 0
        self._first_t: float | None = None
        self._last_t: float | None = None
        self._last_person_t: float | None = None
        self._away_since: float | None = None  # first frame without the person, while they are missing
        self._last_progress: float | None = None
        self._view_bad_since: float | None = None
        self._view_good_since: float | None = None
        self._view_blocked: ViewCheck | None = None

    # ----------------------------------------------------------------- per frame
    def update(self, landmarks: Landmarks | None, timestamp_s: float | None = None) -> FrameState:
        if landmarks is not None:
            timestamp_s = landmarks.timestamp_s
        if timestamp_s is None:
            raise ValueError("a frame without landmarks needs its timestamp")
        t = float(timestamp_s)
        if self._last_t is not None and t <= self._last_t:
            raise ValueError(f"timestamps must increase: got {t:.3f} s after {self._last_t:.3f} s")
        dt = 0.0 if self._last_t is None or t - self._last_t > _MAX_FRAME_GAP_S else t - self._last_t
        self.frames += 1
        self._first_t = t if self._first_t is None else self._first_t
        self._last_t = t
        if landmarks is None:
            self._problem_s["no_person"] += dt
            if self._away_since is None:
                self._away_since = t
            return self._no_person(t)
        # Seen missing for a while (not merely a pause of the frames: a busy machine drops some).
        if self.calibration is not None and self._away_since is not None and t - self._away_since >= _AWAY_S:
            self._start_over()
        self._away_since = None
        self._last_person_t = t
        self.frames_with_pose += 1
        points = landmarks.points.copy()
        points[:, :2] = self._smoother(points[:, :2], t)
        near = self._sides.update(points, t)
        self._raw_visibility = landmarks.points[:, 3]
        points[:, 3] = self._gate(points[:, 3])
        self._side_frames[near] += 1
        view = self._checked_view(points, near, landmarks.image_width, landmarks.image_height, t)
        if not view.ok and view.problem is not None:
            self._problem_s[view.problem] = self._problem_s.get(view.problem, 0.0) + dt
            self._warnings.note(view.problem, view.message or "", t)
        outlines = self._smoothed_outlines(points, landmarks.mask, near, t)
        oblique = self._judges_obliqueness and well_off_side_on(points)
        sample = _Sample(t, points, near, view, outlines, _inside(points, landmarks.image_width,
                                                                  landmarks.image_height), oblique)
        if self.calibration is None:
            return self._before_calibration(sample)
        return self._measure(sample)

    def _smoothed_outlines(self, points: np.ndarray, mask: np.ndarray | None, near: str, t: float
                           ) -> dict[str, float | None]:
        """The outline signals of this frame, smoothed over time like the landmarks: the silhouette's
        edge shifts by a pixel or two from frame to frame, which is most of a subtle movement."""
        values = self.signals.outline_values(points, mask, near) if self.signals.outline_names else {}
        for name, value in values.items():
            smoother = self._outline_smoothers.setdefault(name, OneEuroFilter())
            if value is None:
                smoother.reset()
            else:
                values[name] = float(smoother(np.array([value]), t)[0])
        return values

    def _checked_view(self, points: np.ndarray, side: str, width: int, height: int, t: float) -> ViewCheck:
        """The view check, debounced: a problem must persist before it counts, and so must its fix."""
        check = self._view.check(points, side, width, height)
        if check.ok:
            self._view_bad_since = None
            if self._view_blocked is not None:
                self._view_good_since = self._view_good_since if self._view_good_since is not None else t
                if t - self._view_good_since < _VIEW_DEBOUNCE_S:
                    return self._view_blocked
                self._view_blocked = None
            self._view_good_since = None
            return check
        self._view_good_since = None
        if self._view_blocked is None:
            self._view_bad_since = self._view_bad_since if self._view_bad_since is not None else t
            if t - self._view_bad_since < _VIEW_DEBOUNCE_S:
                return ViewCheck(True)
        self._view_blocked = check
        return check

    def _no_person(self, t: float) -> FrameState:
        self._warnings.note("no_person", "no person visible", t)
        self._gate.reset()
        self._pause()
        if self.calibration is None:
            self._calibrator.reset()
            self._motion.reset()
        return self._state(t, has_pose=False, phase="no_person", message="step into the picture")

    def _start_over(self) -> None:
        """After the person was away from the picture for a while they may come back elsewhere (the
        mat moved, the camera picked up and put down): the reference is taken again. A repetition
        left at its top counts, as at the end of a recording."""
        end = self._last_person_t
        assert end is not None
        if self._excursions is not None:
            if self._excursions.attempt is not None:
                done = self._excursions.finish_open(end)
                if done is not None:
                    self._record_excursion(done, note="the person left the picture before the return to rest")
            self._excursions.restart()
        self._faults.finish(end)
        self.calibration = None
        self._calibrator.reset()
        self._motion.reset()
        self._lookback.clear()
        self._warnings.add("calibration", f"left the picture at {end:.1f} s and came back: the start position "
                                          "was taken again")

    def _pause(self) -> None:
        for tracker in (self._excursions, self._steps, self._paced):
            if tracker is not None:
                tracker.pause()

    def _frame(self, points: np.ndarray, floor: FloorFrame, inside: np.ndarray | None = None) -> Frame:
        return Frame(xy=floor.to_floor(points[:, :2]), visibility=points[:, 3], inside=inside)

    # ----------------------------------------------------------------- calibration
    def _absolute(self, sample: _Sample) -> dict[str, float | None]:
        """The signals that need no calibration, for checking the start position."""
        frame = self._frame(sample.points, FloorFrame())
        return self.signals.compute(frame, side_roles(sample.near), FloorFrame(), None,
                                    names=self._absolute_signals, outlines=sample.outlines)

    def _before_calibration(self, sample: _Sample) -> FrameState:
        raw = self._absolute(sample)
        speed = self._motion.update(sample.t, sample.points)
        sample = dataclasses.replace(sample, in_start=self._calibrator.in_start_position(raw),
                                     still=speed is not None and speed <= _STILL_SPEED)
        self._lookback.append(sample)
        while sample.t - self._lookback[0].t > LOOKBACK_S:
            lost = self._lookback.popleft()
            start = lost.t if self._lost_before_calibration is None else self._lost_before_calibration[0]
            self._lost_before_calibration = (start, lost.t)
        if sample.view.ok and sample.in_start and sample.still:
            self._calibrator.add(sample.t, sample.points)
        else:
            self._calibrator.reset()
        if self._calibrator.ready():
            self._calibrate(list(self._calibrator.frames), sample.near)
            return self._replay()
        full = sample.t - self._lookback[0].t >= LOOKBACK_S
        if full and sample.t - self._last_lookback_try >= 1.0:
            self._last_lookback_try = sample.t
            if self._calibrate_from_lookback():
                return self._replay()
        if not sample.view.ok:
            return self._state(sample.t, True, "adjust_view", sample.near, raw, message=sample.view.message,
                               guidance=sample.view.message)
        message = "hold still in the start position" if self._calibrator.progress > 0 else "get into the start position"
        return self._state(sample.t, True, "calibrating", sample.near, raw, message=message)

    def _calibrate_from_lookback(self) -> bool:
        """Calibrate from the longest stretch in the start position among the kept frames, still and
        with a good view if there is one; False when the person was never in the start position."""
        samples = list(self._lookback)
        if not samples:
            return False
        times = [s.t for s in samples]
        run = (longest_run([s.in_start and s.still and s.view.ok for s in samples], times)
               or longest_run([s.in_start and s.view.ok for s in samples], times)
               or longest_run([s.in_start for s in samples], times))
        if run is None:
            return False
        window = samples[run[0]:run[1] + 1]
        nears = [s.near for s in window]
        self._calibrate([(s.t, s.points) for s in window], max(set(nears), key=nears.count))
        return True

    def _calibrate(self, frames: list[tuple[float, np.ndarray]], near: str) -> None:
        roles = side_roles(near)
        self.calibration = self._calibrator.calibrate(frames, near, self._baselines_for(roles))
        self._calibrator.reset()
        self._calibrated_near = near
        self._sides.lock(near)  # type: ignore[arg-type]
        if self._excursions is not None:
            self._set_rest_levels(near)

    def _set_rest_levels(self, near: str) -> None:
        """The primary signal's level in the calibration window, per side: where the person rests."""
        calib = self.calibration
        assert calib is not None and self._excursions is not None
        window = [s for s in self._lookback if calib.start_s <= s.t <= calib.end_s]
        sides = ("left", "right") if self.motion.per_side else (None,)  # type: ignore[union-attr]
        name = self.motion.signal
        levels: dict[str | None, float] = {}
        for side in sides:
            values = []
            for s in window:
                value = self._signals(self._frame(s.points, calib.floor), side_roles(near, side), [name],
                                      s.outlines)[name]
                if value is not None:
                    values.append(value)
            if values:
                levels[side] = float(np.median(values))
        for side in sides:
            # A limb hidden throughout the window rests where its partner does.
            level = levels.get(side, next(iter(levels.values()), None))
            if level is not None:
                self._excursions.set_rest(side, level)

    def _replay(self) -> FrameState:
        """Measure the kept frames now the reference is known; the state of the last one."""
        samples = list(self._lookback)
        self._lookback.clear()
        state: FrameState | None = None
        event: str | None = None
        for sample in samples:
            state = self._measure(sample, self._calibrated_near)
            event = state.last_event or event
        assert state is not None
        return dataclasses.replace(state, last_event=event)

    def _baselines_for(self, roles: dict[str, str]):
        relative = [n for n, s in self.spec.signals.items() if s.relative]

        def baselines(points: np.ndarray, floor: FloorFrame) -> dict[str, float | None]:
            return self.signals.compute(self._frame(points, floor), roles, floor, None, names=relative)

        return baselines

    # ----------------------------------------------------------------- measurement
    def _signals(self, frame: Frame, roles: dict[str, str], names: list[str] | None = None,
                 outlines: dict[str, float | None] | None = None, outside: set[str] | None = None
                 ) -> dict[str, float | None]:
        calib = self.calibration
        assert calib is not None
        return self.signals.compute(frame, roles, calib.floor, calib.base_xy, names, outlines, calib.baselines,
                                    outside)

    def _working_side(self, frame: Frame, near: str, outlines: dict[str, float | None]) -> str:
        """For per-side exercises: the side of the attempt under way, else the side whose primary
        signal is furthest from its own rest level."""
        tracker = self._excursions
        assert tracker is not None
        if tracker.side is not None and tracker.phase != RISING:
            return tracker.side
        best, best_excursion = near, None
        name = self.motion.signal
        for side in ("left", "right"):
            value = self._signals(frame, side_roles(near, side), [name], outlines)[name]
            excursion = None if value is None else tracker.excursion(side, value)
            if excursion is not None and (best_excursion is None or excursion > best_excursion):
                best, best_excursion = side, excursion
        if tracker.side is not None and best != tracker.side:
            # On the way up the other limb has gone clearly further: the attempt is that limb's
            # (the one that moved first can be the resting limb shifting as the other one lifts).
            own = tracker.excursion(tracker.side, self._signals(frame, side_roles(near, tracker.side), [name],
                                                                outlines)[name] or 0.0)
            if best_excursion is not None and (own is None or best_excursion > own + self.motion.start):  # type: ignore[union-attr]
                tracker.retarget(best, far_side=best != near)
                return best
            return tracker.side
        return best

    def _measure(self, sample: _Sample, near: str | None = None) -> FrameState:
        t = sample.t
        near = near or sample.near
        assert self.calibration is not None
        if not sample.view.ok and sample.view.problem == "view":
            # Seen from the wrong side nothing measured means what the spec says: nothing is
            # counted or judged until the view is right again (the report gives the share).
            self._pause()
            return self._state(t, True, "adjust_view", near, message=sample.view.message,
                               guidance=sample.view.message)
        guidance = None if sample.view.ok else sample.view.message
        frame = self._frame(sample.points, self.calibration.floor, sample.inside)
        per_side = self.is_excursion and self.motion.per_side and self._excursions is not None  # type: ignore[union-attr]
        working = self._working_side(frame, near, sample.outlines) if per_side else None
        outside: set[str] = set()
        values = self._signals(frame, side_roles(near, working), outlines=sample.outlines, outside=outside)
        if self._has_left_exercise(values, t):
            return self._state(t, True, "left_exercise", near, values, message="back into position to go on",
                               guidance=guidance)
        primary = values.get(self.motion.signal)
        completed: str | None = None
        if self._excursions is not None:
            tracker = self._excursions
            if primary is None:
                tracker.pause()
                self._warnings.note("visibility", f"cannot see the body parts for {self.motion.signal}", t)
            else:
                # A requirement that cannot be measured now (a limb out of the picture) does not void it.
                top_ok = all(values.get(c.signal) is None or c.holds(values[c.signal])  # type: ignore[arg-type]
                             for c in self._required)
                if per_side and self._observe_other_side(frame, near, working, sample.outlines, t):
                    # Both limbs are working: there is no resting one to judge.
                    values = {n: None if self.spec.signals[n].side == "other" else v for n, v in values.items()}
                started = tracker.attempt is None
                done = tracker.update(t, primary, side=working, top_ok=top_ok,
                                      far_side=working is not None and working != near,
                                      good_form=not self._faults.active)
                if started and tracker.attempt is not None:
                    self._both_sides = []
                if done is not None:
                    completed = self._record_excursion(done)
            phase = tracker.phase
        elif self._paced is not None:
            # Faults are judged before the hold can end on this frame, so they are attached to it.
            self._faults.update(t, self._paced.phase, _judged(values, outside), sample.oblique)
            # Paced holds time the person, not the movement (which may be too subtle to see).
            held = self._paced.update(t, in_view=any(v is not None for v in values.values()))
            if held is not None:
                completed = self._record_paced(held)
            phase = self._paced.phase
            return self._state(t, True, phase, near, values, message=self._cue(phase, t), working=working,
                               last_event=completed, guidance=guidance)
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
        self._faults.update(t, phase, _judged(values, outside), sample.oblique)
        return self._state(t, True, phase, near, values, message=self._cue(phase, t), working=working,
                           last_event=completed, guidance=guidance)

    def _observe_other_side(self, frame: Frame, near: str, working: str | None, outlines, t: float) -> bool:
        """The resting side's level follows it too. Whether the other limb is at its top as well
        (both knees pulled in is one hold, not two): its reading may then be hidden behind the
        working limb, so the pose model's placement is trusted at a lower visibility."""
        tracker = self._excursions
        assert tracker is not None and working is not None
        other = "left" if working == "right" else "right"
        name = self.motion.signal
        roles = side_roles(near, other)
        value = self._signals(frame, roles, [name], outlines)[name]
        if value is not None:
            tracker.observe_rest(t, other, value, far_side=other != near)
        if tracker.phase != TOP:
            return False
        if value is None:
            hidden = Frame(frame.xy, np.maximum(frame.visibility, (self._raw_visibility >= _OCCLUDED_VISIBILITY)))
            value = self._signals(hidden, roles, [name], outlines)[name]
        excursion = None if value is None else tracker.excursion(other, value)
        attempt = tracker.attempt
        # Most of the way the working limb went, and clearly away from rest by the near side's
        # measure: a hidden limb misplaced toward the working one does not reach that.
        both = (excursion is not None and attempt is not None
                and excursion >= max(self.motion.minimum, _BOTH_SIDES_REACH * attempt.range))  # type: ignore[union-attr]
        self._both_sides.append((t, both))
        return both

    def _has_left_exercise(self, values: dict[str, float | None], t: float) -> bool:
        """Whether the person has left the exercise's position (sat up, got up): an attempt under
        way then does not count, with the faults seen since it began."""
        if not self._leave_when:
            return False
        out = any(values.get(c.signal) is not None and c.holds(values[c.signal])  # type: ignore[arg-type]
                  for c in self._leave_when)
        if not out:
            self._leaving_since = None
            self._left = False
            return False
        self._leaving_since = t if self._leaving_since is None else self._leaving_since
        if t - self._leaving_since < _LEAVE_DWELL_S and not self._left:
            return False
        if not self._left:
            self._left = True
            tracker = self._excursions
            since = self._leaving_since
            if tracker is not None and tracker.attempt is not None:
                since = min(since, tracker.abandon().start_s)  # type: ignore[union-attr]
            self._faults.discard_since(since)
            self._pause()
        self._warnings.note("left_exercise", "left the exercise position; nothing was counted or judged", t)
        return True

    def _cue(self, phase: str, t: float) -> str | None:
        active = self._faults.active
        if active:
            return active[-1].cue
        if self._paced is not None:
            pacing = self.pacing
            assert pacing is not None
            cue = pacing.hold_cue if phase == "top" else pacing.relax_cue
            return f"{cue} ({self._paced.remaining_s(t):.0f} s)"
        tracker = self._excursions
        if tracker is not None and tracker.attempt is not None:
            attempt = tracker.attempt
            if phase == "top" and self.hold_target_s:
                remaining = self.hold_target_s - attempt.held_good_s
                return f"hold {remaining:.0f} s more" if remaining > 0.5 else "well held: come back down slowly"
            if phase == "rising" and t - attempt.start_s > 1.5 and attempt.range >= attempt.levels.minimum:
                return self.motion.required_reason  # type: ignore[union-attr]
        return None

    # ----------------------------------------------------------------- events
    def _amount(self, value: float) -> str:
        return self.spec.signals[self.motion.signal].amount(float(f"{value:.2g}") if abs(value) < 10 else round(value))

    def _range_note(self, done: Excursion, target: float) -> str | None:
        fraction = done.range / target
        if fraction >= _SHORT_OF_TARGET:
            return None
        unit = self.spec.signals[self.motion.signal].unit
        if unit == "°":
            reached = f"{done.range:.0f} of {target:g} degrees"
        else:
            reached = f"{fraction:.0%} of the target range"
        return f"{self.motion.range_cue}: {reached}"  # type: ignore[union-attr]

    def _record_excursion(self, done: Excursion, note: str | None = None) -> str | None:
        motion = self.motion
        assert isinstance(motion, ExcursionMotion)
        if not done.complete and not done.requirement_met:
            # Far enough, but not the exercise as the spec defines it (legs without the chest in a
            # superman, a bent arm in a bird-dog): said, not counted as an attempt at it.
            self._warnings.add("not_counted", f"{done.start_s:.1f}-{done.end_s:.1f} s: a movement was not "
                                              f"counted: {motion.required_reason}")
            return None
        levels = motion.thresholds(done.side is not None and done.side != self._calibrated_near)
        if not done.complete and done.range < _PARTIAL_SHARE * levels.minimum:
            return None  # a stir at rest (shifting, adjusting), not an attempt
        kind = ("hold" if motion.kind == "holds" else "rep") if done.complete else "partial"
        side = None if done.complete and self._both_limbs(done) else done.side
        notes = []
        best_before = self._best_range.get(side)
        if done.complete:
            self._counts[kind] += 1
            if side:
                self._by_side[side] += 1
            self._best_range[side] = max(self._best_range.get(side, 0.0), done.range)
            if (note := self._range_note(done, levels.target)) is not None:
                notes.append(note)
            if (self.hold_target_s and not done.ended_by_input
                    and done.held_s < self.hold_target_s * (1 - _HOLD_TOLERANCE)):
                notes.append(f"held {done.held_s:.1f} s of {self.hold_target_s:g} s: {motion.hold_cue}")
            if self._first_t is not None and done.start_s <= self._first_t + 0.05:
                notes.append("the recording started during this movement")
            if done.ended_by_input:
                notes.append(note or "the recording ended before the return to rest")
        else:
            self._counts[kind] += 1
            if done.range >= levels.minimum:
                notes.append("not counted: it reached its top only for a moment")
            else:
                notes.append(f"not counted: it went {self._amount(done.range)} from rest, and "
                             f"{self._amount(levels.minimum)} counts")
        self._event_faults.extend(self._timing_faults(done))
        self.events.append(Event(
            kind=kind, index=self._counts[kind], start_s=round(done.start_s, 3), end_s=round(done.end_s, 3),
            side=side, duration_s=round(done.held_s, 2) if done.complete else None,
            good_form_s=round(done.held_good_s, 2) if done.complete else None,
            peak=round(done.peak, 3), range=round(done.range, 3),
            range_fraction=round(done.range / levels.target, 2),
            best_before=None if best_before is None else round(best_before, 3),
            rise_s=None if done.rise_s is None else round(done.rise_s, 2),
            faults=self._faults_within(done.start_s, done.end_s), notes=notes,
        ))
        return kind

    def _both_limbs(self, done: Excursion) -> bool:
        """Whether both limbs arrived at the top together: judged on the first moments of the hold,
        as a limb hidden later (a close-up, a turn) can seem to join the working one."""
        start = done.top_start_s
        if start is None:
            return False
        marks = [both for t, both in self._both_sides if start <= t <= start + _BOTH_SIDES_WINDOW_S]
        return bool(marks) and sum(marks) >= _BOTH_SIDES_SHARE * len(marks)

    def _timing_faults(self, done: Excursion) -> list[FaultWindow]:
        if not done.complete:
            return []
        found = []
        for rule in self.spec.event_faults:
            if rule.check == "hold_shorter_than":
                # A hold cut off by the end of the recording was not short, only not seen to its end.
                if done.held_s < rule.seconds and not done.ended_by_input:
                    start = done.top_start_s if done.top_start_s is not None else done.start_s
                    end = done.top_end_s if done.top_end_s is not None else done.end_s
                    found.append(FaultWindow(rule.id, start, end, rule.cue))
            elif rule.check == "rise_faster_than" and done.rise_s is not None and done.rise_s < rule.seconds:
                assert done.rise_start_s is not None
                found.append(FaultWindow(rule.id, done.rise_start_s, done.rise_start_s + done.rise_s, rule.cue))
            elif rule.check == "lower_faster_than" and done.lower_s is not None and done.lower_s < rule.seconds:
                assert done.lower_start_s is not None
                found.append(FaultWindow(rule.id, done.lower_start_s, done.lower_start_s + done.lower_s, rule.cue))
            elif (rule.check == "cycle_faster_than" and not done.ended_by_input
                  and done.end_s - done.start_s < rule.seconds):
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

    def _state(self, t, has_pose, phase, side=None, values=None, message=None, working=None, last_event=None,
               guidance=None):
        values = values or {}
        hold = hold_good = 0.0
        fraction = None
        tracker = self._excursions
        if tracker is not None and tracker.attempt is not None:
            attempt = tracker.attempt
            hold, hold_good = attempt.held_s, attempt.held_good_s
            fraction = round(attempt.range / attempt.levels.target, 2)
        elif self._paced is not None:
            hold = hold_good = self._paced.held_s
        return FrameState(
            timestamp_s=t, has_pose=has_pose, phase=phase, side=side, calibrated=self.calibration is not None,
            calibration_progress=1.0 if self.calibration is not None else self._calibrator.progress,
            signals=values, primary_signal=self.motion.signal, primary_value=values.get(self.motion.signal),
            reps=self._counts["rep"] + self._counts["hold"], partials=self._counts["partial"],
            reps_by_side=dict(self._by_side), steps_forward=self._steps_by_direction["forward"],
            steps_backward=self._steps_by_direction["backward"], hold_s=hold, hold_good_s=hold_good,
            hold_target_s=self.hold_target_s, range_fraction=fraction, working_side=working,
            active_faults=tuple(ActiveFault(r.id, r.cue) for r in self._faults.active),
            message=message, guidance=guidance, last_event=last_event,
        )

    # ----------------------------------------------------------------- end
    def finish(self, fps: float | None = None, source: str | None = None) -> Report:
        """Close what is open and build the report. The analyzer should not be fed afterwards."""
        end = self._last_t if self._last_t is not None else 0.0
        if self.calibration is None and self._calibrate_from_lookback():
            self._replay()
        if self._excursions is not None:
            under_way = self._excursions.attempt is not None
            done = self._excursions.finish_open(end)
            if done is not None:
                self._record_excursion(done)
            elif under_way:
                noun = "hold" if self.motion.kind == "holds" else "repetition"  # type: ignore[union-attr]
                self._warnings.add("unfinished", f"the recording ended during a {noun} that had not reached "
                                                 "its top; it was not counted")
        elif self._steps is not None:
            step = self._steps.finish_open(end, self._last_progress)
            if step is not None:
                self._record_step(step)
        self._faults.finish(end)
        windows = sorted(self._all_fault_windows(), key=lambda w: (w.start_s, w.fault))
        # Attribute faults again now every window is closed.
        events = [
            e.model_copy(update={"faults": sorted({w.fault for w in windows
                                                   if w.start_s <= e.end_s and w.end_s >= e.start_s})})
            for e in self.events
        ]
        duration = 0.0 if self._first_t is None else end - self._first_t
        if fps is None:
            fps = (self.frames - 1) / duration if duration > 0 and self.frames > 1 else 0.0
        if self.frames > 1 and fps > 0:
            duration += 1.0 / fps  # the last frame lasts a frame too
        if self.calibration is None and self.frames_with_pose:
            self._warnings.add("calibration", "never saw the start position, so nothing was counted: "
                               + self.spec.instructions[0])
        elif self._lost_before_calibration is not None:
            start, stop = self._lost_before_calibration
            self._warnings.add("calibration", f"{start:.1f}-{stop:.1f} s were not analysed: the start position "
                               "was not seen within a minute of it")
        side = None
        if self.frames_with_pose:
            side = "left" if self._side_frames["left"] >= self._side_frames["right"] else "right"
        per_side = self.is_excursion and self.motion.per_side  # type: ignore[union-attr]
        counts: dict[str, int] = {}
        for w in windows:
            counts[w.fault] = counts.get(w.fault, 0) + 1
        target = getattr(self.motion, "target", None)
        best = max(self._best_range.values()) if self._best_range else None
        return Report(
            exercise=self.spec.id, title=self.spec.title, source=source, fps=round(float(fps), 3),
            frames=self.frames, frames_with_pose=self.frames_with_pose, duration_s=round(duration, 3),
            side=side, calibrated=self.calibration is not None, primary_signal=self.motion.signal,
            primary_unit=self.spec.signals[self.motion.signal].unit,
            target_range=target, best_range=None if best is None else round(best, 3),
            hold_target_s=self.hold_target_s,
            reps=self._counts["rep"] + self._counts["hold"], partials=self._counts["partial"],
            reps_by_side=dict(self._by_side) if per_side else None,
            steps=dict(self._steps_by_direction) if self._steps is not None else None,
            sets=self._sets() if self._steps is not None else None,
            events=events,
            faults=[FaultSpan(fault=w.fault, start_s=round(w.start_s, 3), end_s=round(w.end_s, 3), message=w.message)
                    for w in windows],
            fault_counts=counts,
            warnings=self._warnings.spans(_WARNING_MIN_S) + self._reliability(duration),
        )

    def _reliability(self, duration: float) -> list[ReportWarning]:
        """How much of the recording had a view, framing or missing-person problem, when enough to matter."""
        if duration <= 0:
            return []
        view = "side-on" if self.spec.camera.view == "side" else "facing you"
        texts = {
            "view": f"the camera was not {view} for {{share}} of the recording; movements then were not "
                    "counted or judged",
            "framing": "part of the body was out of the picture for {share} of the recording; counts and "
                       "faults then rest on the joints that could be seen",
            "no_person": "nobody was found in {share} of the recording",
        }
        found = []
        for kind, text in texts.items():
            share = min(1.0, self._problem_s.get(kind, 0.0) / duration)
            if share >= _RELIABILITY_MIN_SHARE:
                found.append(ReportWarning(kind="reliability", message=text.format(share=f"{share:.0%}"),
                                           share=round(share, 3)))
        return found

    def _sets(self) -> int:
        """One set = a run of forward steps followed by a run of backward steps (or either alone)."""
        directions = [e.direction for e in self.events if e.kind == "step"]
        runs = [d for i, d in enumerate(directions) if i == 0 or d != directions[i - 1]]
        sets, i = 0, 0
        while i < len(runs):
            sets += 1
            i += 2 if i + 1 < len(runs) and runs[i] == "forward" and runs[i + 1] == "backward" else 1
        return sets
