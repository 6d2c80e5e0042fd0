"""Steps of a shuffling travel (butt walks): each burst of movement of the progress signal that
covers enough ground is one step, forward or backward."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from ..specs import StepMotion

STILL, MOVING = "rest", "moving"
_SPEED_WINDOW_S = 0.15
_DIP_FRACTION = 0.4  # a fall of the speed below this share of the step's peak speed ends the step


@dataclass(frozen=True)
class Step:
    direction: str  # "forward" | "backward"
    start_s: float
    end_s: float
    distance: float  # in the progress signal's unit (leg lengths)


class StepTracker:
    def __init__(self, motion: StepMotion) -> None:
        self.motion = motion
        self.phase = STILL
        self._recent: deque[tuple[float, float]] = deque()
        self._burst_start: tuple[float, float] | None = None
        self._slow_since: float | None = None
        self._burst_peak_speed = 0.0

    def pause(self) -> None:
        self._recent.clear()

    def _speed(self, t: float, value: float) -> float | None:
        self._recent.append((t, value))
        while self._recent and t - self._recent[0][0] > _SPEED_WINDOW_S:
            self._recent.popleft()
        t0, v0 = self._recent[0]
        return None if t - t0 <= 0 else (value - v0) / (t - t0)

    def update(self, t: float, value: float) -> Step | None:
        speed = self._speed(t, value)
        if speed is None:
            return None
        if self.phase == STILL:
            if abs(speed) > self.motion.moving_speed:
                # The burst began where the speed window began.
                self._burst_start = self._recent[0]
                self._burst_peak_speed = abs(speed)
                self._slow_since = None
                self.phase = MOVING
            return None
        self._burst_peak_speed = max(self._burst_peak_speed, abs(speed))
        # A step ends when the hips (nearly) stop, or slow down a lot before the next shift:
        # shuffling steps follow each other with only a brief pause.
        stopping = abs(speed) < max(self.motion.still_speed, _DIP_FRACTION * self._burst_peak_speed)
        if stopping:
            if self._slow_since is None:
                self._slow_since = t
            if t - self._slow_since >= self.motion.min_pause_s:
                return self._end_burst(self._slow_since, value)
        else:
            self._slow_since = None
        return None

    def finish_open(self, t: float, value: float | None) -> Step | None:
        if self.phase != MOVING or value is None:
            return None
        return self._end_burst(t, value)

    def _end_burst(self, end_s: float, value: float) -> Step | None:
        assert self._burst_start is not None
        start_s, start_value = self._burst_start
        self.phase = STILL
        self._burst_start = None
        self._slow_since = None
        distance = value - start_value
        if abs(distance) < self.motion.min_step:
            return None
        return Step("forward" if distance > 0 else "backward", start_s, end_s, distance)
