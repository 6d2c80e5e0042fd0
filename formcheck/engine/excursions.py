"""Repetitions and holds as excursions of one signal away from rest and back.

rest --(passes start)--> rising --(reaches top)--> top --(drops below top_exit)--> lowering --(back below rest)--> rest

Every transition must hold for a minimum dwell time, and thresholds differ on the way up and down
(hysteresis), so jitter cannot create or split repetitions. An attempt that returns to rest without
ever reaching the top is a partial. Time at the top accumulates only while the signal stays there
and is measured; gaps (no pose, invisible landmarks) pause it.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from ..specs import ExcursionMotion
from ..specs.schema import Thresholds

REST, RISING, TOP, LOWERING = "rest", "rising", "top", "lowering"
MAX_COUNTED_GAP_S = 0.5  # longer gaps between measured frames are not counted as time held
_TIMING_LEVEL = 0.8  # rise/lower times are measured to 80 % of the attempt's peak
# The held position is where the signal stays within this fraction of the attempt's range of its peak
# (or within half the top/top_exit hysteresis band, if wider):
# crossing the top threshold is not yet being in the position a person holds.
_PLATEAU_FRACTION = 0.06


@dataclass(frozen=True)
class Excursion:
    complete: bool
    start_s: float
    end_s: float
    side: str | None
    held_s: float
    top_start_s: float | None  # start and end of the held position
    top_end_s: float | None
    rise_s: float | None
    lower_s: float | None
    peak: float  # in the signal's own unit


@dataclass
class _Attempt:
    start_s: float
    side: str | None
    peak: float
    levels: Thresholds  # signed (see _signed)
    top_start_s: float | None = None
    plateau_start_s: float | None = None
    plateau_end_s: float | None = None
    plateau_peak: float = 0.0
    gaps_s: float = 0.0  # unmeasured time inside the plateau since it began
    # Each sample higher than every one before it since the plateau began, as (t, v, gaps_s then):
    # the held position starts at the first of them within tolerance of the plateau's level. Only
    # a few, as new highs on a steady hold are rare.
    records: list[tuple[float, float, float]] = field(default_factory=list)
    gaps_at_start_s: float = 0.0  # gaps_s up to the held position's first sample
    further_since: float | None = None  # when the signal went beyond the plateau (not yet for the dwell)
    settle_until: float = float("-inf")  # after such a short jump, the plateau's level is not raised
    samples: deque = field(default_factory=lambda: deque(maxlen=4000))

    @property
    def held_s(self) -> float:
        if self.plateau_start_s is None or self.plateau_end_s is None:
            return 0.0
        return max(0.0, self.plateau_end_s - self.plateau_start_s - (self.gaps_s - self.gaps_at_start_s))


class ExcursionTracker:
    def __init__(self, motion: ExcursionMotion) -> None:
        self.motion = motion
        self._sign = 1.0 if motion.direction == "increase" else -1.0
        self._levels = {far: self._signed(far) for far in (False, True)}
        self.phase = REST
        self.attempt: _Attempt | None = None
        self._pending: dict[str, float] = {}
        self._leaving: list[tuple[float, float]] = []  # samples of a departure from rest still in its dwell

    def _signed(self, far_side: bool) -> Thresholds:
        """The thresholds times the direction's sign, so that every comparison reads "greater = further"."""
        return Thresholds(**{k: self._sign * x for k, x in self.motion.thresholds(far_side).model_dump().items()})

    @property
    def held_s(self) -> float:
        return self.attempt.held_s if self.attempt else 0.0

    @property
    def side(self) -> str | None:
        return self.attempt.side if self.attempt else None

    def _dwell(self, key: str, condition: bool, t: float) -> float | None:
        """Time the condition started if it has now held for the minimum dwell, else None."""
        if not condition:
            self._pending.pop(key, None)
            return None
        since = self._pending.setdefault(key, t)
        return since if t - since >= self.motion.min_dwell_s else None

    def _enter(self, phase: str) -> None:
        self.phase = phase
        self._pending.clear()

    def pause(self) -> None:
        """No measurement this frame: hold time does not run and dwell streaks are broken."""
        self._pending.clear()
        self._leaving.clear()

    def update(self, t: float, value: float, side: str | None = None, top_ok: bool = True,
               far_side: bool = False) -> Excursion | None:
        """`far_side`: the moving limb is the one farther from the camera (its own thresholds, if the
        spec has them; fixed for an attempt once it has started)."""
        v = self._sign * value
        # Time since the attempt's last measurement (longer across a dropout).
        dt = t - self.attempt.samples[-1][0] if self.attempt is not None else 0.0
        if self.phase == REST:
            levels = self._levels[far_side]
            leaving = v > levels.start
            if not leaving:
                self._leaving.clear()
            else:
                # Kept from the first frame past start, so that the rise is timed from there even
                # when the movement is quicker than the dwell.
                self._leaving.append((t, v))
            since = self._dwell("leave", leaving, t)
            if since is not None:
                self.attempt = _Attempt(start_s=since, side=side, peak=max(x for _, x in self._leaving), levels=levels)
                self.attempt.samples.extend(self._leaving)
                self._leaving.clear()
                self._enter(RISING)
            return None
        attempt = self.attempt
        assert attempt is not None
        levels = attempt.levels
        attempt.peak = max(attempt.peak, v)
        attempt.samples.append((t, v))
        if self.phase == RISING:
            since = self._dwell("top", v >= levels.top and top_ok, t)
            if since is not None:
                attempt.top_start_s = since
                self._enter(TOP)
                self._track_plateau(attempt, t, v, dt)
                return None
            since = self._dwell("back", v < levels.rest, t)
            if since is not None:
                return self._finish(since, complete=False)
        elif self.phase == TOP:
            self._track_plateau(attempt, t, v, dt)
            if self._dwell("leave_top", v < levels.top_exit, t) is not None:
                self._enter(LOWERING)
        elif self.phase == LOWERING:
            if self._dwell("top", v >= levels.top, t) is not None:
                self._enter(TOP)
                self._track_plateau(attempt, t, v, dt)
                return None
            since = self._dwell("back", v < levels.rest, t)
            if since is not None:
                return self._finish(since, complete=True)
        return None

    def _track_plateau(self, attempt: _Attempt, t: float, v: float, dt: float) -> None:
        levels = attempt.levels
        # A wobble within half the spec's hysteresis band (its statement of the signal's noise) is
        # still the same position, however small the attempt's range.
        tolerance = max(_PLATEAU_FRACTION * (max(attempt.peak, v) - levels.start), (levels.top - levels.top_exit) / 2)
        if attempt.plateau_start_s is None:
            self._start_plateau(attempt, attempt.top_start_s if attempt.top_start_s is not None else t, v, tolerance)
            return
        if v > attempt.plateau_peak + tolerance:
            # The position moved on further: the hold starts again there -- once it has stayed there
            # for the dwell time, so that a momentary jump of the estimate does not restart it.
            if attempt.further_since is None:
                attempt.further_since = t
            if t - attempt.further_since >= self.motion.min_dwell_s:
                self._start_plateau(attempt, attempt.further_since, v, tolerance)
                return
        else:
            if attempt.further_since is not None:  # a jump that did not last: its smoothed tail is no level
                attempt.settle_until = t + self.motion.min_dwell_s
                attempt.further_since = None
            if t >= attempt.settle_until:
                attempt.plateau_peak = max(attempt.plateau_peak, v)
        if v >= attempt.plateau_peak - tolerance:
            if dt > MAX_COUNTED_GAP_S:
                attempt.gaps_s += dt
            attempt.plateau_end_s = t
        self._add_record(attempt, t, v)
        self._place_start(attempt, tolerance)

    def _start_plateau(self, attempt: _Attempt, since: float, v: float, tolerance: float) -> None:
        """The plateau (re)starts with the samples from `since` on, at the level `v` reached now."""
        attempt.plateau_peak = v
        attempt.gaps_s = 0.0
        attempt.further_since = None
        attempt.records = []
        for sample_t, sample_v in attempt.samples:
            if sample_t >= since:
                self._add_record(attempt, sample_t, sample_v)
        attempt.plateau_end_s = attempt.samples[-1][0]
        self._place_start(attempt, tolerance)

    @staticmethod
    def _add_record(attempt: _Attempt, t: float, v: float) -> None:
        if not attempt.records or v > attempt.records[-1][1]:
            attempt.records.append((t, v, attempt.gaps_s))

    @staticmethod
    def _place_start(attempt: _Attempt, tolerance: float) -> None:
        """The held position starts where the signal first came within tolerance of the plateau's
        level, not where it crossed the top threshold on the way: symmetric with its end."""
        level = attempt.plateau_peak - tolerance
        t, _, gaps = next((r for r in attempt.records if r[1] >= level), attempt.records[-1])
        attempt.plateau_start_s, attempt.gaps_at_start_s = t, gaps

    def finish_open(self, t: float) -> Excursion | None:
        """At the end of the input: the attempt still under way, if any, for the caller to judge."""
        if self.attempt is None:
            return None
        attempt = self.attempt
        return self._finish(t, complete=attempt.top_start_s is not None)

    def _finish(self, end_s: float, complete: bool) -> Excursion:
        attempt = self.attempt
        assert attempt is not None
        rise_s, lower_s = self._timings(attempt, end_s)
        result = Excursion(
            complete=complete,
            start_s=attempt.start_s,
            end_s=end_s,
            side=attempt.side,
            held_s=attempt.held_s if complete else 0.0,
            top_start_s=attempt.plateau_start_s,
            top_end_s=attempt.plateau_end_s,
            rise_s=rise_s,
            lower_s=lower_s,
            peak=self._sign * attempt.peak,
        )
        self.attempt = None
        self._enter(REST)
        return result

    def _timings(self, attempt: _Attempt, end_s: float) -> tuple[float | None, float | None]:
        if not attempt.samples:
            return None, None
        level = attempt.levels.start + _TIMING_LEVEL * (attempt.peak - attempt.levels.start)
        first = next((t for t, v in attempt.samples if v >= level), None)
        last = next((t for t, v in reversed(attempt.samples) if v >= level), None)
        rise = None if first is None else max(0.0, first - attempt.start_s)
        lower = None if last is None else max(0.0, end_s - last)
        return rise, lower
