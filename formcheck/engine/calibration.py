"""Calibration: a short stretch in the start position gives the floor line, body scale and baselines."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import numpy as np

from ..landmarks import Landmark
from ..signals import FloorFrame, floor_angle, point_indices
from ..specs import Condition, ExerciseSpec


# Values of the relative signals for one frame of landmarks, given the floor frame.
BaselineFunction = Callable[[np.ndarray, FloorFrame], dict[str, float | None]]


@dataclass(frozen=True)
class CalibrationResult:
    floor: FloorFrame
    base_xy: np.ndarray  # (33, 2) landmark positions in floor coordinates, median over the window
    baselines: dict[str, float]  # absolute values of relative signals in the start position


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
    """Collects frames while the person holds the start position; done after `duration_s` of them
    without interruption."""

    def __init__(self, spec: ExerciseSpec) -> None:
        self.spec = spec
        self.duration_s = spec.calibration.duration_s
        self.conditions = [Condition.parse(c) for c in spec.calibration.start_position]
        self._frames: list[tuple[float, np.ndarray]] = []

    @property
    def progress(self) -> float:
        if len(self._frames) < 2:
            return 0.0
        return min(1.0, (self._frames[-1][0] - self._frames[0][0]) / self.duration_s)

    def in_start_position(self, absolute_signals: dict[str, float | None]) -> bool:
        for cond in self.conditions:
            value = absolute_signals.get(cond.signal)
            if value is None or not cond.holds(value):
                return False
        return True

    def reset(self) -> None:
        self._frames.clear()

    def add(self, timestamp_s: float, points: np.ndarray) -> None:
        if self._frames and timestamp_s - self._frames[-1][0] > 0.5:
            self._frames.clear()  # a dropout breaks the stillness we need
        self._frames.append((timestamp_s, points.copy()))

    def ready(self) -> bool:
        return len(self._frames) >= 3 and self.progress >= 1.0

    def finish(self, near_side: str, baselines_of: BaselineFunction) -> CalibrationResult:
        image_xy = np.median(np.stack([f[1][:, :2] for f in self._frames]), axis=0)
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
        for _, points in self._frames:
            for name, value in baselines_of(points, floor).items():
                if value is not None:
                    samples.setdefault(name, []).append(value)
        baselines = {name: float(np.median(values)) for name, values in samples.items()}
        self._frames.clear()
        return CalibrationResult(floor, base_xy, baselines)

    @staticmethod
    def _resolve(name: str, side: str) -> list[int]:
        return list(point_indices(name, side))  # type: ignore[arg-type]
