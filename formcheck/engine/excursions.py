"""Repetitions and holds as excursions of one signal away from the person's own rest level and back.

rest --(leaves rest by `start`)--> rising --(range reaches `minimum`)--> top
     --(falls back from its peak)--> lowering --(back near rest)--> rest

Every threshold is measured from the person's rest level, which follows them while they rest, and
from the attempt's own peak: never from fixed positions. A person who moves less far than a
textbook still completes repetitions, each with the range it reached; a movement that never goes
`minimum` from rest is a partial attempt. Every transition must hold for a minimum dwell time and
the way back needs a clear fall from the peak (hysteresis), so jitter cannot create or split
repetitions. Time at the top accumulates only while the signal stays there and is measured; gaps
(no pose, invisible landmarks) pause it.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from ..specs import ExcursionMotion
from ..specs.schema import Thresholds

REST, RISING, TOP, LOWERING = "rest", "rising", "top", "lowering"
# Longer gaps between measured frames are not counted as time held and restart dwell streaks. A
# live stream on a busy computer can go most of a second between analysed frames; a gap in which
# the person was not seen (no pose, hidden joints) counts only up to DROPOUT_COUNTED_S.
MAX_COUNTED_GAP_S = 1.0
DROPOUT_COUNTED_S = 0.5
# A rise or lowering is timed only where no two readings around it lie further apart than this: one
# that happened between two readings cannot be told quick from slow.
_TIMING_MAX_GAP_S = 0.25
# A rise is timed from 10 % to 80 % of the attempt's range (the ends of a movement are slow and its
# start is blurred by the departure threshold); a lowering from 80 % until back near rest.
_TIMING_LOW, _TIMING_HIGH = 0.1, 0.8
# Leaving the top: the signal has fallen this share of the attempt's range below its peak.
_EXIT_FRACTION = 0.25
# Back at rest: within this share of the attempt's range of the rest level (and within most of
# `start`), so a person who comes most of the way down between repetitions completes each one.
_RETURN_FRACTION = 0.45
_RETURN_OF_START = 0.6
# The held position: the signal is in the upper half of the attempt's range (within this share of the
# range of its sustained peak, or half of `start`, the spec's statement of the signal's noise, if
# wider) and not moving (slower than _SLOW_FRACTION of the range, or `start`, per second, over
# _SPEED_WINDOW_S). People holding still sink slowly, a third of the way down over a long hold, and a
# hidden limb's estimate drifts; one on the way up or down moves several times faster than that.
_HOLD_BAND = 0.5
_SLOW_FRACTION = 0.25
_SPEED_WINDOW_S = 0.3
# How quickly the rest level follows the signal while no attempt is under way (time constants):
# at once down to wherever the person settles (the level a repetition starts from is the lowest they
# rest at: a first reference taken mid-movement is corrected by the next rest), slowly up within
# the rest band (a drifting camera, a settled position).
_REST_DROP_S = 0.3
_REST_FOLLOW_S = 1.5


@dataclass(frozen=True)
class Excursion:
    complete: bool
    start_s: float
    end_s: float
    side: str | None
    held_s: float
    held_good_s: float  # of held_s, the time held with no posture fault
    top_start_s: float | None  # start and end of the held position
    top_end_s: float | None
    rise_s: float | None  # from 10 % to 80 % of the range, on the way up
    lower_s: float | None  # from 80 % of the range until back near rest, on the way down
    rise_start_s: float | None
    lower_start_s: float | None
    peak: float  # furthest value, in the signal's own unit
    rest: float  # the rest level the range is measured from, same unit
    range: float  # distance from rest to peak in the direction of movement (>= 0)
    ended_by_input: bool = False  # the input ended before the return to rest
    requirement_met: bool = True  # the spec's required_at_top held at the top


@dataclass
class _Attempt:
    start_s: float
    side: str | None
    rest: float  # signed rest level when the attempt began
    peak: float  # signed, the furthest single reading
    levels: Thresholds
    top_start_s: float | None = None
    requirement_missed: bool = False  # far enough, but the spec's required_at_top did not hold
    # The furthest level held for at least the dwell time: a momentary jump of the reading is no peak.
    sustained_peak: float | None = None
    # (t, signed value) per measured frame
    samples: deque = field(default_factory=lambda: deque(maxlen=6000))
    # Frames moving slowly enough to be holding: (t, signed value, unmeasured time before it in total)
    still: list[tuple[float, float, float]] = field(default_factory=list)
    gaps_s: float = 0.0  # unmeasured time in the attempt so far
    hold_first: int = 0  # index in `still` of the held position's first frame
    hold_last: int | None = None  # index in `still` of its last frame
    # (t, counted time since the previous sample) of the frames with a posture fault: usually none
    faulty: list[tuple[float, float]] = field(default_factory=list)
    previous_t: float | None = None  # the last reading at rest before the departure

    @property
    def range(self) -> float:
        peak = self.peak if self.sustained_peak is None else self.sustained_peak
        return max(0.0, peak - self.rest)

    @property
    def hold_level(self) -> float:
        """Readings at or beyond this level (and still) are the held position."""
        return self.rest + self.range - max(_HOLD_BAND * self.range, self.levels.start / 2)

    @property
    def plateau_start_s(self) -> float | None:
        return None if self.hold_last is None else self.still[self.hold_first][0]

    @property
    def plateau_end_s(self) -> float | None:
        return None if self.hold_last is None else self.still[self.hold_last][0]

    @property
    def held_s(self) -> float:
        if self.hold_last is None:
            return 0.0
        (t0, _, gaps0), (t1, _, gaps1) = self.still[self.hold_first], self.still[self.hold_last]
        return max(0.0, t1 - t0 - (gaps1 - gaps0))

    @property
    def held_good_s(self) -> float:
        start, end = self.plateau_start_s, self.plateau_end_s
        if start is None or end is None:
            return 0.0
        faulty = sum(dt for t, dt in self.faulty if start < t <= end)
        return max(0.0, self.held_s - faulty)


class RestLevel:
    """The level the signal sits at while the person rests (signed: greater = further).

    `both_ways`: the movement goes the other way from rest too, so a reading below the rest level
    is part of the exercise, not a lower rest: the level then follows only within the rest band."""

    def __init__(self, level: float, both_ways: bool = False) -> None:
        self.level = level
        self.both_ways = both_ways
        self._last_t: float | None = None

    def follow(self, t: float, v: float, band: float) -> None:
        dt = 0.0 if self._last_t is None else t - self._last_t
        self._last_t = t
        if not 0 < dt <= MAX_COUNTED_GAP_S or v > self.level + band:
            return
        if self.both_ways and v < self.level - band:
            return
        tau = _REST_DROP_S if v < self.level and not self.both_ways else _REST_FOLLOW_S
        self.level += (v - self.level) * dt / (tau + dt)

    def interrupt(self) -> None:
        self._last_t = None


class ExcursionTracker:
    def __init__(self, motion: ExcursionMotion) -> None:
        self.motion = motion
        self._sign = 1.0 if motion.direction == "increase" else -1.0
        self.phase = REST
        self.attempt: _Attempt | None = None
        self._rest: dict[str | None, RestLevel] = {}
        self._pending: dict[str, float] = {}
        self._leaving: list[tuple[float, float]] = []  # samples of a departure from rest still in its dwell
        self._last_t: float | None = None
        self._dropout = False  # the person went unseen since the last reading
        self._rest_t: float | None = None  # the last reading at rest
        # The lowest reading since the last attempt ended, until the signal is back at rest: a new
        # attempt must rise from there, so the tail of a slow lowering is not a new departure.
        self._floor: float | None = None

    # ----------------------------------------------------------------- rest levels
    def set_rest(self, side: str | None, value: float) -> None:
        """The rest level of a side (None when the exercise has no sides), in the signal's unit."""
        self._rest[side] = RestLevel(self._sign * value, self.motion.both_ways)

    def rest_level(self, side: str | None) -> float | None:
        rest = self._rest.get(side)
        return None if rest is None else self._sign * rest.level

    def excursion(self, side: str | None, value: float) -> float | None:
        """How far a value lies from the side's rest level in the direction of movement."""
        rest = self._rest.get(side)
        return None if rest is None else self._sign * value - rest.level

    def observe_rest(self, t: float, side: str | None, value: float, far_side: bool = False) -> None:
        """While no attempt is under way, the rest level follows the person (drift of a hand-held
        camera, a settled position)."""
        rest = self._rest.get(side)
        if rest is not None and self.phase == REST:
            rest.follow(t, self._sign * value, self.motion.thresholds(far_side).start)

    # ----------------------------------------------------------------- state
    @property
    def held_s(self) -> float:
        return self.attempt.held_s if self.attempt else 0.0

    @property
    def side(self) -> str | None:
        return self.attempt.side if self.attempt else None

    @property
    def current_range(self) -> float:
        """The range of the attempt under way (signal units, >= 0), 0 at rest."""
        return self.attempt.range if self.attempt else 0.0

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
        """No measurement this frame: hold time does not run, and after a long gap dwell streaks
        start again (a brief one, such as a limb flickering out of sight, does not break them)."""
        for rest in self._rest.values():
            rest.interrupt()
        self._dropout = True

    def retarget(self, side: str | None, far_side: bool = False) -> None:
        """The attempt on its way up is the other side's: it goes on from now with that side's rest
        level and thresholds, keeping its start."""
        attempt = self.attempt
        if attempt is None or self.phase != RISING:
            return
        rest = self._rest.get(side)
        self.attempt = _Attempt(start_s=attempt.start_s, side=side,
                                rest=rest.level if rest is not None else attempt.rest,
                                peak=float("-inf"), levels=self.motion.thresholds(far_side))
        self._pending.clear()

    def abandon(self) -> _Attempt | None:
        """Drop the attempt under way (the person left the exercise); returns it."""
        attempt, self.attempt = self.attempt, None
        self._enter(REST)
        self._leaving.clear()
        return attempt

    # ----------------------------------------------------------------- per frame
    def update(self, t: float, value: float, side: str | None = None, top_ok: bool = True,
               far_side: bool = False, good_form: bool = True) -> Excursion | None:
        """`side`: the side whose rest level applies (None without sides). `far_side`: the moving
        limb is the one farther from the camera (its own thresholds, if the spec has them; fixed for
        an attempt once it has started). `top_ok`: the spec's required_at_top holds now."""
        v = self._sign * value
        gap = t - self._last_t if self._last_t is not None else None
        self._last_t = t
        longest = DROPOUT_COUNTED_S if self._dropout else MAX_COUNTED_GAP_S
        self._dropout = False
        counted_dt = gap if gap is not None and gap <= longest else 0.0
        if gap is not None and gap > longest:
            self._pending.clear()
            self._leaving.clear()
        if self.phase == REST:
            rest = self._rest.setdefault(side, RestLevel(v, self.motion.both_ways))
            levels = self.motion.thresholds(far_side)
            if self._floor is not None:
                self._floor = None if v <= rest.level + levels.start else min(self._floor, v)
            leaving = v > rest.level + levels.start and (self._floor is None or v > self._floor + levels.start)
            if not leaving:
                self._leaving.clear()
                self._rest_t = t
                rest.follow(t, v, levels.start)
            else:
                # Kept from the first frame past start, so that the rise is timed from there even
                # when the movement is quicker than the dwell.
                self._leaving.append((t, v))
            since = self._dwell("leave", leaving, t)
            if since is not None:
                self.attempt = _Attempt(start_s=since, side=side, rest=rest.level,
                                        peak=max(x for _, x in self._leaving), levels=levels,
                                        previous_t=self._rest_t)
                self.attempt.samples.extend(self._leaving)
                self._leaving.clear()
                self._enter(RISING)
            return None
        attempt = self.attempt
        assert attempt is not None
        levels = attempt.levels
        attempt.peak = max(attempt.peak, v)
        if gap is not None and gap > longest:
            attempt.gaps_s += gap
        attempt.samples.append((t, v))
        if not good_form:
            attempt.faulty.append((t, counted_dt))
        self._follow_hold(attempt, t, v)
        span = attempt.range
        back = attempt.rest + max(_RETURN_FRACTION * span, _RETURN_OF_START * levels.start)
        if self.phase == RISING:
            far_enough = v - attempt.rest >= levels.minimum
            attempt.requirement_missed = attempt.requirement_missed or (far_enough and not top_ok)
            at_top = far_enough and top_ok
            since = self._dwell("top", at_top, t)
            if since is not None:
                attempt.top_start_s = since
                self._enter(TOP)
                return None
            since = self._dwell("back", v < back, t)
            if since is not None:
                return self._finish(since, complete=False)
        elif self.phase == TOP:
            exit_level = attempt.rest + span - max(_EXIT_FRACTION * span, levels.start)
            if self._dwell("leave_top", v < exit_level, t) is not None:
                self._enter(LOWERING)
        elif self.phase == LOWERING:
            if self._dwell("top", v >= attempt.hold_level, t) is not None:
                self._enter(TOP)
                return None
            since = self._dwell("back", v < back, t)
            if since is not None:
                return self._finish(since, complete=True)
        return None

    def _follow_hold(self, attempt: _Attempt, t: float, v: float) -> None:
        """Keep the sustained peak and the held position up to date with this frame."""
        dwell = self.motion.min_dwell_s
        lowest, spans_dwell, earlier = v, False, None
        for sample_t, sample_v in reversed(attempt.samples):
            if earlier is None and sample_t <= t - _SPEED_WINDOW_S:
                earlier = (sample_t, sample_v)
            if sample_t < t - dwell:
                spans_dwell = True
                if earlier is not None:
                    break
                continue
            lowest = min(lowest, sample_v)
            spans_dwell = spans_dwell or sample_t <= t - dwell
        if spans_dwell and (attempt.sustained_peak is None or lowest > attempt.sustained_peak):
            attempt.sustained_peak = lowest
        if earlier is None:
            return
        speed = abs(v - earlier[1]) / (t - earlier[0])
        if speed <= max(_SLOW_FRACTION * attempt.range, attempt.levels.start):
            attempt.still.append((t, v, attempt.gaps_s))
        self._place_hold(attempt)

    @staticmethod
    def _place_hold(attempt: _Attempt) -> None:
        """The held position runs from the first to the last still frame at the hold level. The level
        only rises as the peak does, so its first frame is found by moving forward."""
        level = attempt.hold_level
        still = attempt.still
        while attempt.hold_first < len(still) and still[attempt.hold_first][1] < level:
            attempt.hold_first += 1
        last = attempt.hold_last
        if last is not None and (last < attempt.hold_first or still[last][1] < level):
            last = None
        if still and still[-1][1] >= level and len(still) - 1 >= attempt.hold_first:
            last = len(still) - 1
        elif last is None:
            last = next((i for i in range(len(still) - 1, attempt.hold_first - 1, -1) if still[i][1] >= level), None)
        attempt.hold_last = last

    # ----------------------------------------------------------------- end
    def finish_open(self, t: float) -> Excursion | None:
        """At the end of the input: the attempt under way counts if it reached its top (the
        recording stopped before the return); one still on its way up is dropped (None)."""
        if self.attempt is None:
            return None
        if self.attempt.top_start_s is None:
            self.abandon()
            return None
        return self._finish(t, complete=True, ended_by_input=True)

    def restart(self) -> None:
        """Forget the rest levels (the person left the picture and may come back elsewhere)."""
        self._rest.clear()
        self._pending.clear()
        self._leaving.clear()
        self._floor = None
        self._last_t = None

    def _finish(self, end_s: float, complete: bool, ended_by_input: bool = False) -> Excursion:
        attempt = self.attempt
        assert attempt is not None
        (rise_start, rise_s), (lower_start, lower_s) = self._timings(attempt, end_s, ended_by_input)
        result = Excursion(
            complete=complete,
            start_s=attempt.start_s,
            end_s=end_s,
            side=attempt.side,
            held_s=attempt.held_s if complete else 0.0,
            held_good_s=attempt.held_good_s if complete else 0.0,
            top_start_s=attempt.plateau_start_s,
            top_end_s=attempt.plateau_end_s,
            rise_s=rise_s,
            lower_s=lower_s,
            rise_start_s=rise_start,
            lower_start_s=lower_start,
            peak=self._sign * attempt.peak,
            rest=self._sign * attempt.rest,
            range=attempt.range,
            ended_by_input=ended_by_input,
            requirement_met=attempt.top_start_s is not None or not attempt.requirement_missed,
        )
        self.attempt = None
        self._floor = attempt.samples[-1][1]
        self._rest_t = attempt.samples[-1][0]  # the reading that ended it is back near rest
        self._enter(REST)
        return result

    def _timings(self, attempt: _Attempt, end_s: float, ended_by_input: bool
                 ) -> tuple[tuple[float | None, float | None], tuple[float | None, float | None]]:
        """(start, duration) of the rise and of the lowering."""
        none = (None, None)
        if not attempt.samples:
            return none, none
        low = attempt.rest + _TIMING_LOW * attempt.range
        high = attempt.rest + _TIMING_HIGH * attempt.range
        samples = list(attempt.samples)
        top = next((i for i, (_, v) in enumerate(samples) if v >= high), None)
        if top is None:
            return none, none
        # The rise: from the last reading under 10 % before the first at 80 %, to that one.
        below = next((i for i in range(top, -1, -1) if samples[i][1] <= low), None)
        first = below or 0
        times = [t for t, _ in samples[first:top + 1]]
        rise = (samples[first][0], samples[top][0] - samples[first][0])
        if not _closely_read(times if below is not None else [attempt.previous_t, *times]):
            rise = none
        if ended_by_input:
            return rise, none
        # The lowering: from the last reading at 80 % until back near rest, where the attempt ends.
        last_top = next(i for i in range(len(samples) - 1, -1, -1) if samples[i][1] >= high)
        lower = (samples[last_top][0], max(0.0, end_s - samples[last_top][0]))
        after = [t for t, _ in samples[last_top:]]
        if not _closely_read(after[:next((i for i, t in enumerate(after) if t >= end_s), len(after)) + 1]):
            lower = none
        return rise, lower


def _closely_read(times: list[float | None]) -> bool:
    """Whether readings at these times follow a movement closely enough to time it."""
    if any(t is None for t in times):
        return False
    return all(b - a <= _TIMING_MAX_GAP_S for a, b in zip(times, times[1:]))  # type: ignore[operator]
