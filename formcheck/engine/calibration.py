"""Calibration: a stretch in the start position gives the floor line, body scale and baselines.

The analyzer looks for it as frames arrive; when the person never holds the start position for
long (they start moving at once, or the clip is short), it takes the longest stretch it kept in
its look-back buffer instead, so a recording is calibrated from itself.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import numpy as np

from ..landmarks import Landmark
from ..signals import FloorFrame, floor_angle, point_indices
from ..specs import Condition, ExerciseSpec


# A longer gap between frames breaks a calibration window. Not shorter: a live stream on a busy
# computer can go most of a second between analysed frames while the person holds perfectly still.
MAX_WINDOW_GAP_S = 1.0

# Values of the relative signals for one frame of landmarks, given the floor frame.
BaselineFunction = Callable[[np.ndarray, FloorFrame], dict[str, float | None]]


@dataclass(frozen=True)
class CalibrationResult:
    floor: FloorFrame
    base_xy: np.ndarray  # (33, 2) landmark positions in floor coordinates, median over the window
    baselines: dict[str, float]  # absolute values of relative signals in the start position
    start_s: float = 0.0  # the window the calibration was taken from
    end_s: float = 0.0


def _mid(xy: np.ndarray, left: Landmark, right: Landmark) -> np.ndarray:
    return (xy[left] + xy[right]) / 2


def torso_length(xy: np.ndarray) -> float:
    """Mid-shoulder to mid-hip, in the units of xy."""
    shoulder = _mid(xy, Landmark.LEFT_SHOULDER, Landmark.RIGHT_SHOULDER)
    return float(np.linalg.norm(shoulder - _mid(xy, Landmark.LEFT_HIP, Landmark.RIGHT_HIP)))


def body_lengths(image_xy: np.ndarray) -> tuple[float, float]:
    """Torso (mid-shoulder to mid-hip) and leg (mid-hip to mid-knee to mid-ankle) lengths in pixels."""
    hip = _mid(image_xy, Landmark.LEFT_HIP, Landmark.RIGHT_HIP)
    knee = _mid(image_xy, Landmark.LEFT_KNEE, Landmark.RIGHT_KNEE)
    ankle = _mid(image_xy, Landmark.LEFT_ANKLE, Landmark.RIGHT_ANKLE)
    leg = float(np.linalg.norm(hip - knee) + np.linalg.norm(knee - ankle))
    return torso_length(image_xy), leg


class Calibrator:
    """Collects frames while the person holds the start position; ready after `duration_s` of them
    without interruption. `calibrate` turns any such window into a calibration, so a window found
    later in a look-back buffer serves as well."""

    def __init__(self, spec: ExerciseSpec) -> None:
        self.spec = spec
        self.duration_s = spec.calibration.duration_s
        self.conditions = [Condition.parse(c) for c in spec.calibration.start_position]
        self.frames: list[tuple[float, np.ndarray]] = []

    @property
    def progress(self) -> float:
        if len(self.frames) < 2:
            return 0.0
        return min(1.0, (self.frames[-1][0] - self.frames[0][0]) / self.duration_s)

    def in_start_position(self, absolute_signals: dict[str, float | None]) -> bool:
        """Every condition that can be measured holds, and at least one can: a part of the body
        out of a tight picture (the feet, say) does not keep the start position from being seen."""
        measured = [(cond, absolute_signals.get(cond.signal)) for cond in self.conditions]
        measured = [(cond, value) for cond, value in measured if value is not None]
        if self.conditions and not measured:
            return False
        return all(cond.holds(value) for cond, value in measured)

    def reset(self) -> None:
        self.frames.clear()

    def add(self, timestamp_s: float, points: np.ndarray) -> None:
        if self.frames and timestamp_s - self.frames[-1][0] > MAX_WINDOW_GAP_S:
            self.frames.clear()  # a dropout breaks the stretch we need
        self.frames.append((timestamp_s, points))

    def ready(self) -> bool:
        return len(self.frames) >= 3 and self.progress >= 1.0

    def calibrate(self, frames: list[tuple[float, np.ndarray]], near_side: str,
                  baselines_of: BaselineFunction) -> CalibrationResult:
        """The floor line, body lengths and baselines from frames in the start position."""
        image_xy = np.median(np.stack([f[1][:, :2] for f in frames]), axis=0)
        angle = 0.0
        if self.spec.calibration.floor_line is not None:
            a, b = (self._resolve(n, near_side) for n in self.spec.calibration.floor_line)
            angle = floor_angle(image_xy[a].mean(axis=0), image_xy[b].mean(axis=0))
            # A floor line steeper than this is not a floor: trust the image horizontal instead.
            if abs(angle) > math.radians(25):
                angle = 0.0
        torso, leg = body_lengths(image_xy)
        floor = FloorFrame(floor_angle_rad=angle, torso_px=max(torso, 1.0), leg_px=max(leg, 1.0))
        base_xy = floor.to_floor(image_xy)
        if self.spec.calibration.forward is not None:
            a, b = (self._resolve(n, near_side) for n in self.spec.calibration.forward)
            dx = base_xy[b].mean(axis=0)[0] - base_xy[a].mean(axis=0)[0]
            floor = FloorFrame(angle, 1.0 if dx >= 0 else -1.0, floor.torso_px, floor.leg_px)
        samples: dict[str, list[float]] = {}
        for _, points in frames:
            for name, value in baselines_of(points, floor).items():
                if value is not None:
                    samples.setdefault(name, []).append(value)
        baselines = {name: float(np.median(values)) for name, values in samples.items()}
        return CalibrationResult(floor, base_xy, baselines, start_s=frames[0][0], end_s=frames[-1][0])

    @staticmethod
    def _resolve(name: str, side: str) -> list[int]:
        return list(point_indices(name, side))  # type: ignore[arg-type]


def longest_run(flags: list[bool], times: list[float]) -> tuple[int, int] | None:
    """Indices [first, last] of the longest stretch of True flags (by time; a gap between frames
    longer than MAX_WINDOW_GAP_S breaks a stretch), or None when no flag is True."""
    best: tuple[float, int, int] | None = None
    first: int | None = None
    for i, flag in enumerate(flags):
        if flag and first is not None and times[i] - times[i - 1] > MAX_WINDOW_GAP_S:
            first = None
        if flag:
            first = i if first is None else first
            span = times[i] - times[first]
            if best is None or span > best[0]:
                best = (span, first, i)
        else:
            first = None
    return None if best is None else (best[1], best[2])


_BODY = [Landmark.LEFT_SHOULDER, Landmark.RIGHT_SHOULDER, Landmark.LEFT_ELBOW, Landmark.RIGHT_ELBOW,
         Landmark.LEFT_WRIST, Landmark.RIGHT_WRIST, Landmark.LEFT_HIP, Landmark.RIGHT_HIP,
         Landmark.LEFT_KNEE, Landmark.RIGHT_KNEE, Landmark.LEFT_ANKLE, Landmark.RIGHT_ANKLE]
_MOTION_WINDOW_S = 0.25
# Of the seen body joints, the speed exceeded by a quarter of them: one reaching arm (two joints)
# is movement, a single jittering joint is not.
_MOTION_PERCENTILE = 75


class MotionMeter:
    """How fast the body is moving, in torso lengths per second, from smoothed landmark positions:
    calibration wants the start position held still, not passed through."""

    def __init__(self) -> None:
        self._recent: list[tuple[float, np.ndarray]] = []

    def update(self, t: float, points: np.ndarray) -> float | None:
        """The body's speed over the last moments, or None until there is enough to tell."""
        xy = points[_BODY, :2].copy()
        seen = points[_BODY, 3] > 0
        # Sparse frames (a busy live stream) are measured over the gap between them, up to a window's.
        keep = max(_MOTION_WINDOW_S * 2, MAX_WINDOW_GAP_S)
        self._recent = [(rt, rxy) for rt, rxy in self._recent if t - rt <= keep]
        self._recent.append((t, xy))
        earlier = next(((rt, rxy) for rt, rxy in reversed(self._recent) if t - rt >= _MOTION_WINDOW_S), None)
        if earlier is None or not seen.any():
            return None
        torso = torso_length(points[:, :2])
        speeds = np.linalg.norm(xy - earlier[1], axis=1)[seen] / (t - earlier[0]) / max(torso, 1.0)
        return float(np.percentile(speeds, _MOTION_PERCENTILE))

    def reset(self) -> None:
        self._recent.clear()
