"""A paced hold timer for the live page, for subtle movements (a pelvic tilt): formcheck calls hold,
relax, hold, ... and counts the holds it paced. A recorded video is counted from the movement.

A hold's time runs while the person can be seen (a dropout pauses it). A fault during a hold does
not stop the timer: as with every counted repetition, the hold counts and carries the fault.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..specs import Pacing
from .excursions import MAX_COUNTED_GAP_S

RELAX, HOLD = "rest", "top"


@dataclass(frozen=True)
class PacedHold:
    start_s: float
    end_s: float
    held_s: float


class PacedTimer:
    def __init__(self, motion: Pacing) -> None:
        self.motion = motion
        self.phase = RELAX
        self._phase_start: float | None = None
        self._last_t: float | None = None
        self.held_s = 0.0

    def pause(self) -> None:
        self._last_t = None

    def remaining_s(self, t: float) -> float:
        if self.phase == HOLD:
            return max(0.0, self.motion.hold_s - self.held_s)
        start = t if self._phase_start is None else self._phase_start
        return max(0.0, self.motion.relax_s - (t - start))

    def update(self, t: float, in_view: bool) -> PacedHold | None:
        dt = 0.0 if self._last_t is None else t - self._last_t
        self._last_t = t
        if self._phase_start is None:
            self._phase_start = t  # a first rest gives time to get ready
        if self.phase == RELAX:
            if t - self._phase_start >= self.motion.relax_s:
                self.phase, self._phase_start, self.held_s = HOLD, t, 0.0
            return None
        if in_view and 0 < dt <= MAX_COUNTED_GAP_S:
            self.held_s += dt
        if self.held_s >= self.motion.hold_s:
            done = PacedHold(self._phase_start, t, self.held_s)
            self.phase, self._phase_start, self.held_s = RELAX, t, 0.0
            return done
        return None
