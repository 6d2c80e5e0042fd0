"""What formcheck says aloud in a live session, decided frame by frame from the engine's states.

`Coach` is pure (no clock, no I/O): it is fed every FrameState of a session and returns what to say
now, each utterance with a priority. It says the count ("three"), counts a hold down as a physio
would ("hold", "three, two, one", "and relax"), each fault's cue once when the fault starts, and
the set-up guidance ("turn side-on to the camera", "hold still in the start position") when it
appears and again while it lasts. The page's player speaks one utterance at a time, the most
urgent first, and drops one that waited too long (a stale count is noise); with speech off it
plays the utterance's tone instead.
"""

from __future__ import annotations

from dataclasses import dataclass

from formcheck.engine import FrameState
from formcheck.specs import ExerciseSpec

# Priorities, most urgent first: stopping for pain and the set-up, then a form fault, then counting.
SAFETY, SETUP, FAULT, COUNT = 0, 1, 2, 3
SAFETY_TEXT = "Stop at once if you feel sharp pain."

_SETUP_SETTLE_S = 0.6  # a set-up problem must last this long before it is said (no flicker)
_SETUP_REPEAT_S = 12.0  # said again while it lasts
_FAULT_REPEAT_S = 8.0  # the same fault starting again within this long is not said again
_COUNTDOWN_FROM = 5  # a hold is counted down aloud over its last seconds
_TEN_MORE_FROM_S = 15.0  # holds this long also hear "ten more seconds"
_HOLD_PHASES = ("top", "lowering")

_NUMBERS = ("zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
            "sixteen seventeen eighteen nineteen twenty").split()


def number_word(n: int) -> str:
    """Numbers as words up to twenty (a voice reads "3" well, a word better); digits beyond."""
    return _NUMBERS[n] if 0 <= n < len(_NUMBERS) else str(n)


@dataclass(frozen=True)
class Utterance:
    text: str
    priority: int  # SAFETY, SETUP, FAULT or COUNT
    kind: str  # "safety" | "setup" | "fault" | "count" | "hold" | "routine"
    tone: str | None = None  # the tone that stands for it when speech is off ("count" | "fault")
    max_wait_s: float = 3.0  # not started within this long, it is dropped


class Coach:
    """One per live session and exercise: feed it every state, in order."""

    def __init__(self, spec: ExerciseSpec) -> None:
        self.spec = spec
        self._paced = getattr(spec.motion, "pacing", None) is not None
        self._previous: FrameState | None = None
        self._setup_text: str | None = None  # the set-up problem showing now
        self._setup_since: float | None = None
        self._setup_said_at: float | None = None
        self._fault_said_at: dict[str, float] = {}
        self._hold_said: set[str] = set()  # what this hold has heard: "hold", numbers, "relax"

    def update(self, state: FrameState) -> list[Utterance]:
        previous, self._previous = self._previous, state
        said = self._setup(state)
        said += self._faults(previous, state)
        counting = self._hold(previous, state) + self._count(previous, state)
        if counting:
            # Said together ("and relax, three"), so the count never waits behind the relax.
            said.append(Utterance(", ".join(u.text for u in counting), COUNT,
                                  "count" if any(u.kind == "count" for u in counting) else "hold",
                                  tone="count" if any(u.tone for u in counting) else None,
                                  max_wait_s=min(u.max_wait_s for u in counting)))
        return said

    # ------------------------------------------------------------------ set-up
    def _setup(self, state: FrameState) -> list[Utterance]:
        text = setup_text(state)
        t = state.timestamp_s
        if text != self._setup_text:
            self._setup_text, self._setup_since = text, t
            return []
        if text is None or self._setup_since is None or t - self._setup_since < _SETUP_SETTLE_S:
            return []
        if self._setup_said_at is not None and self._setup_said_at >= self._setup_since \
                and t - self._setup_said_at < _SETUP_REPEAT_S:
            return []
        self._setup_said_at = t
        return [Utterance(text, SETUP, "setup", max_wait_s=4.0)]

    # ------------------------------------------------------------------ faults
    def _faults(self, previous: FrameState | None, state: FrameState) -> list[Utterance]:
        before = {f.fault for f in previous.active_faults} if previous is not None else set()
        said = []
        for fault in state.active_faults:
            if fault.fault in before:
                continue
            last = self._fault_said_at.get(fault.fault)
            if last is not None and state.timestamp_s - last < _FAULT_REPEAT_S:
                continue
            self._fault_said_at[fault.fault] = state.timestamp_s
            said.append(Utterance(fault.cue, FAULT, "fault", tone="fault", max_wait_s=2.5))
        return said

    # ------------------------------------------------------------------ holds
    def _hold(self, previous: FrameState | None, state: FrameState) -> list[Utterance]:
        target = state.hold_target_s
        if not target or not state.calibrated or state.phase not in _HOLD_PHASES:
            self._hold_said.clear()
            return []
        said: list[Utterance] = []
        if "hold" not in self._hold_said and (state.hold_good_s > 0 or self._paced):
            self._hold_said.add("hold")
            said.append(Utterance(self._hold_cue(state), COUNT, "hold", max_wait_s=2.5))
        remaining = target - state.hold_good_s
        if remaining <= 0:
            if "relax" not in self._hold_said:
                self._hold_said.add("relax")
                said = [Utterance("and relax", COUNT, "hold", max_wait_s=1.5)]
            return said
        if target >= _TEN_MORE_FROM_S and remaining <= 10 and "ten more" not in self._hold_said:
            self._hold_said.add("ten more")
            if remaining > 9:
                said.append(Utterance("ten more seconds", COUNT, "hold", max_wait_s=1.0))
        due = [n for n in range(1, min(_COUNTDOWN_FROM, int(target - 0.5)) + 1)
               if remaining <= n and str(n) not in self._hold_said]
        if due:
            self._hold_said.update(str(n) for n in due)
            # After a pause (a fault stopped the clock) only the number that is due now.
            said.append(Utterance(number_word(min(due)), COUNT, "hold", max_wait_s=0.9))
        return said

    def _hold_cue(self, state: FrameState) -> str:
        if self._paced and state.message and not state.active_faults:
            return state.message.split(" (")[0]  # the pacing's own words, without the seconds left
        return "hold"

    # ------------------------------------------------------------------ counts
    def _count(self, previous: FrameState | None, state: FrameState) -> list[Utterance]:
        if previous is None:
            return []
        said = []
        if state.steps_forward + state.steps_backward > previous.steps_forward + previous.steps_backward:
            n = state.steps_forward if state.steps_forward > previous.steps_forward else state.steps_backward
            said.append(number_word(n))
        elif getattr(self.spec.motion, "per_side", False) and state.reps_by_side != previous.reps_by_side:
            for side in ("left", "right"):
                n = state.reps_by_side.get(side, 0)
                if n > previous.reps_by_side.get(side, 0):
                    said.append(f"{side} {number_word(n)}")
            if not said and state.reps > previous.reps:  # both sides at once: one hold, counted as one
                said.append(number_word(state.reps))
        elif state.reps > previous.reps:
            said.append(number_word(state.reps))
        return [Utterance(text, COUNT, "count", tone="count", max_wait_s=2.0) for text in said[-1:]]


def setup_text(state: FrameState) -> str | None:
    """The set-up problem to say now, if any: the camera view or framing, nobody in the picture,
    the start position to take and hold."""
    if state.phase == "adjust_view":
        return state.guidance or state.message
    if state.phase in ("no_person", "left_exercise", "calibrating"):
        return state.message
    return state.guidance


def safety_utterance() -> Utterance:
    return Utterance(SAFETY_TEXT, SAFETY, "safety", max_wait_s=10.0)
