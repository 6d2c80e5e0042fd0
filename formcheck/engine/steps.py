"""Steps of a shuffling travel (butt walks): each burst of movement of the progress signal that
covers enough ground is one step, forward or backward.

Steps are told apart by the dip of speed between them, not by a pause: people shuffle on without
stopping, and quicker than a textbook. A burst ends where its speed falls well below its own peak
and then either rises again (the next step, which starts at that dip) or stays low (a stop).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from ..specs import StepMotion

STILL, MOVING = "rest", "moving"
_SPEED_WINDOW_S = 0.15
_DIP_FRACTION = 0.5  # a fall of the speed below this share of the step's peak speed is a dip
# After a dip, the speed must climb back to this multiple of the dip's lowest speed (and above the
# spec's moving speed) for a new step. Not to a share of the last step's peak: seen from one side,
# the far hip's shifts move the hips' midpoint less than the near hip's, so steps alternate big and
# small.
_RISE_OVER_DIP = 2.0


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
        self._burst_peak_speed = 0.0
        self._dip: tuple[float, float, float] | None = None  # (t, value, speed) at the lowest point of a dip
        self._slow_since: float | None = None

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
        moving = abs(speed)
        if self.phase == STILL:
            if moving > self.motion.moving_speed:
                # The burst began where the speed window began.
                self._start_burst(self._recent[0], moving)
                self.phase = MOVING
            return None
        if self._dip is None:
            self._burst_peak_speed = max(self._burst_peak_speed, moving)
            if moving < max(self.motion.still_speed, _DIP_FRACTION * self._burst_peak_speed):
                self._dip = (t, value, moving)
                self._slow_since = t if moving < self.motion.still_speed else None
            return None
        dip_t, dip_value, dip_speed = self._dip
        if moving < dip_speed:
            self._dip = (t, value, moving)
        if moving > max(self.motion.moving_speed, _RISE_OVER_DIP * dip_speed):
            # The next step: this one ended at the bottom of the dip, where the next begins.
            bottom = self._dip[0], self._dip[1]
            step = self._end_burst(*bottom)
            self._start_burst(bottom, moving)
            self.phase = MOVING
            return step
        if moving < self.motion.still_speed:
            self._slow_since = t if self._slow_since is None else self._slow_since
            if t - self._slow_since >= self.motion.min_pause_s:
                return self._end_burst(self._dip[0], self._dip[1])
        else:
            self._slow_since = None
        return None

    def _start_burst(self, start: tuple[float, float], speed: float) -> None:
        self._burst_start = start
        self._burst_peak_speed = speed
        self._dip = None
        self._slow_since = None

    def finish_open(self, t: float, value: float | None) -> Step | None:
        if self.phase != MOVING or value is None:
            return None
        return self._end_burst(t, value)

    def _end_burst(self, end_s: float, value: float) -> Step | None:
        assert self._burst_start is not None
        start_s, start_value = self._burst_start
        self.phase = STILL
        self._burst_start = None
        self._dip = None
        self._slow_since = None
        distance = value - start_value
        if abs(distance) < self.motion.min_step:
            return None
        return Step("forward" if distance > 0 else "backward", start_s, end_s, distance)
