"""Running a routine on the live page: which exercise, which set, how many to go, and the rest
countdown between sets.

`RoutineRunner` is a pure state machine (no Streamlit, no clock of its own): it is fed the engine's
FrameStates and the current time, and every time-dependent answer takes `now`. Use one clock for
every call (e.g. time.monotonic(), or the frame timestamps alone). The Streamlit widgets at the
bottom only display a runner and forward button presses to it.

A routine runs hands-free: a set ends when its count is reached or when the person leaves the
picture for AWAY_ENDS_SET_S after doing part of it, the rest is counted down, the next exercise is
announced and counting starts when the person is in position. What to say aloud is collected in
order and handed out by `take_announcements()`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from formcheck.engine import FrameState
from formcheck.routines import CountRange, Routine, RoutineStep
from formcheck.specs import ExerciseSpec, StepMotion

from .text import facing_text

Phase = Literal["exercise", "rest", "done"]
EndedBy = Literal["target", "advance", "skip", "away"]
# Out of the picture this long, after doing some of the set, ends it (hands-free "end"); shorter
# absences only pause it, as nothing is counted while nobody is seen.
AWAY_ENDS_SET_S = 5.0
_REST_MARKS_S = (10, 3, 2, 1)  # the rest is counted down aloud at these seconds left


@dataclass(frozen=True)
class SetResult:
    step_index: int
    exercise: str
    set_number: int
    counts: dict[str, int]  # per counted part: {"reps": n}, {"left": n, "right": n} or {"forward": n, "backward": n}
    met: bool  # every part reached at least the low end of the prescribed range
    ended_by: EndedBy
    ended_at: float


@dataclass(frozen=True)
class RunnerView:
    """Everything the widget shows, at one moment."""

    phase: Phase
    routine_title: str
    step_index: int
    step_count: int
    exercise: str
    title: str
    set_number: int
    set_count: CountRange
    reps: CountRange
    hold_s: float | None
    note: str | None
    counts: dict[str, int]  # in the current set so far
    rest_s: float | None  # length of the rest in progress
    rest_remaining_s: float | None
    results: tuple[SetResult, ...]

    @property
    def part_labels(self) -> dict[str, str]:
        return {"reps": "done", "left": "left", "right": "right", "forward": "forward", "backward": "back"}


class RoutineRunner:
    def __init__(self, routine: Routine, specs: dict[str, ExerciseSpec]) -> None:
        missing = sorted({s.exercise for s in routine.steps} - set(specs))
        if missing:
            raise ValueError(f"routine {routine.id} needs exercise specs that are not loaded: {', '.join(missing)}")
        self.routine = routine
        self.specs = specs
        self._titles = {s.exercise: specs[s.exercise].title for s in routine.steps}
        self._walking = {s.exercise for s in routine.steps if isinstance(specs[s.exercise].motion, StepMotion)}
        # A routine built without the loader may leave per_side unset: the spec decides then.
        self._per_side_default = {s.exercise: bool(getattr(specs[s.exercise].motion, "per_side", False))
                                  for s in routine.steps}
        self._phase: Phase = "exercise"
        self._step_index = 0
        self._set_number = 1
        self._rest_started: float | None = None
        self._rest_until: float | None = None
        self._latest: dict[str, int] | None = None  # counts of the newest state for the current exercise
        self._baseline: dict[str, int] = {}
        self._results: list[SetResult] = []
        self._away_since: float | None = None
        self._rest_marks: set[int] = set()
        self._announcements: list[str] = []
        self._started = False

    # ------------------------------------------------------------------ where we are
    @property
    def phase(self) -> Phase:
        return self._phase

    @property
    def step(self) -> RoutineStep:
        return self.routine.steps[self._step_index]

    @property
    def exercise(self) -> str:
        """The exercise being done, or (while resting before it) the one coming next: the live page
        should be analysing this one, so the person can set up and calibrate during the rest."""
        return self.step.exercise

    @property
    def hold_s(self) -> float | None:
        return self.step.hold_s

    @property
    def results(self) -> tuple[SetResult, ...]:
        return tuple(self._results)

    def parts(self, step: RoutineStep | None = None) -> tuple[str, ...]:
        step = step or self.step
        if step.exercise in self._walking:
            return ("forward", "backward")
        per_side = step.per_side if step.per_side is not None else self._per_side_default[step.exercise]
        return ("left", "right") if per_side else ("reps",)

    def _counts(self, state: FrameState) -> dict[str, int]:
        parts = self.parts()
        if parts == ("forward", "backward"):
            return {"forward": state.steps_forward, "backward": state.steps_backward}
        if parts == ("left", "right"):
            return {side: state.reps_by_side.get(side, 0) for side in parts}
        return {"reps": state.reps}

    def set_counts(self) -> dict[str, int]:
        """What has been done in the current set so far."""
        if self._phase != "exercise" or self._latest is None:
            return {part: 0 for part in self.parts()}
        return {part: max(0, self._latest.get(part, 0) - self._baseline.get(part, 0)) for part in self.parts()}

    # ------------------------------------------------------------------ inputs
    def on_frame_state(self, state: FrameState, exercise: str | None = None, now: float | None = None) -> None:
        """Feed the newest engine state. `exercise` is the exercise the state's analyzer runs: a
        state of another one (a stale frame from before a switch) is ignored. `now` defaults to
        the state's timestamp. Feeding the same state twice changes nothing."""
        now = state.timestamp_s if now is None else now
        self.tick(now)
        if self._phase == "done" or (exercise is not None and exercise != self.exercise):
            return
        if not self._started:
            self._started = True
            self._say(f"{self.routine.title}. First: {self._titles[self.exercise]}, {self._dose()}.")
        if state.phase == "no_person":
            self._away_since = now if self._away_since is None else self._away_since
        else:
            self._away_since = None
        counts = self._counts(state)
        if self._latest is not None and any(counts[p] < self._latest.get(p, 0) for p in counts):
            # Counts went down: the analyzer was restarted and counts from zero. What this set had
            # already done stays done.
            done = self.set_counts()
            self._baseline = {p: -n for p, n in done.items()}
        self._latest = counts
        if self._phase == "exercise":
            done = self.set_counts()
            if all(done[p] >= self.step.reps.high for p in done):
                self._finish_set(now, "target")
            elif (self._away_since is not None and now - self._away_since >= AWAY_ENDS_SET_S
                  and any(done.values())):
                self._finish_set(now, "away")

    def tick(self, now: float) -> None:
        """Let time pass: the rest is counted down, and a rest that is over starts the next set."""
        if self._phase != "rest" or self._rest_until is None or self._rest_started is None:
            return
        if now >= self._rest_until:
            self._start_set()
            return
        remaining, length = self._rest_until - now, self._rest_until - self._rest_started
        due = [m for m in _REST_MARKS_S if remaining <= m < length - 1 and m not in self._rest_marks]
        if due:
            self._rest_marks.update(due)
            self._say("ten seconds" if min(due) == 10 else str(min(due)))

    def take_announcements(self) -> list[str]:
        """What to say aloud since the last call, in order."""
        said, self._announcements = self._announcements, []
        return said

    def advance(self, now: float) -> None:
        """The person's "next": ends the current set as it is, or skips the rest."""
        if self._phase == "exercise":
            self._finish_set(now, "advance")
        elif self._phase == "rest":
            self._start_set()

    def skip_exercise(self, now: float) -> None:
        """No more sets of this exercise (e.g. 2 of "2-3" sets are enough): on to the next one."""
        if self._phase == "done":
            return
        if self._phase == "exercise":
            self._record_set(now, "skip")
        # Resting before a new exercise (set 1), this skips that exercise: the rest goes on before the next.
        self._next_step(now)

    # ------------------------------------------------------------------ transitions
    def _record_set(self, now: float, ended_by: EndedBy) -> None:
        counts = self.set_counts()
        self._results.append(SetResult(
            step_index=self._step_index, exercise=self.exercise, set_number=self._set_number, counts=counts,
            met=all(n >= self.step.reps.low for n in counts.values()), ended_by=ended_by, ended_at=now,
        ))

    def _finish_set(self, now: float, ended_by: EndedBy) -> None:
        self._record_set(now, ended_by)
        self._say(f"Set over: {self._done_text(self._results[-1].counts)}.")
        if self._set_number < self.step.sets.high:
            self._set_number += 1
            self._rest(now, self.step.rest_s)
        else:
            self._next_step(now)

    def _next_step(self, now: float) -> None:
        rest_s = self.step.rest_s
        if self._step_index + 1 >= len(self.routine.steps):
            self._phase, self._rest_until, self._rest_started = "done", None, None
            self._say("Routine finished. Well done.")
            return
        previous = self.exercise
        self._step_index += 1
        self._set_number = 1
        if self.exercise != previous:
            self._latest, self._baseline = None, {}  # the live page starts a fresh analyzer for it
        spec = self.specs[self.exercise]
        self._say(f"Next: {self._titles[self.exercise]}, {self._dose()}, {facing_text(spec)} the camera.")
        self._rest(now, rest_s)

    def _rest(self, now: float, seconds: float) -> None:
        self._phase, self._rest_started, self._rest_until = "rest", now, now + seconds
        self._rest_marks = set()
        if seconds <= 0:
            self._start_set()
        else:
            self._say(f"Rest {seconds:.0f} seconds.")

    def _start_set(self) -> None:
        # Whatever was counted before the set began (warming up, moving during the rest) is not part of it.
        self._phase, self._rest_started, self._rest_until = "exercise", None, None
        self._baseline = dict(self._latest or {})
        self._away_since = None
        if self._set_number == 1:
            self._say(f"{self._titles[self.exercise]}: get into the start position.")
        else:
            self._say(f"Set {self._set_number} of {str(self.step.sets).replace('-', ' to ')}: go.")

    def _say(self, text: str) -> None:
        self._announcements.append(text)

    def _dose(self) -> str:
        """"3 to 5 per side", "8 to 10 each way", "10 times, holding 5 seconds"."""
        step = self.step
        reps = str(step.reps).replace("-", " to ")
        each = {"forward": " each way", "left": " per side"}.get(self.parts()[0], " times")
        hold = f", holding {step.hold_s:g} seconds" if step.hold_s else ""
        return f"{reps}{each}{hold}"

    def _done_text(self, counts: dict[str, int]) -> str:
        if tuple(counts) == ("reps",):
            return f"{counts['reps']} done"
        labels = {"left": "left", "right": "right", "forward": "forward", "backward": "back"}
        return ", ".join(f"{n} {labels[part]}" for part, n in counts.items())

    # ------------------------------------------------------------------ output
    def view(self, now: float) -> RunnerView:
        step = self.step
        resting = self._phase == "rest" and self._rest_until is not None
        return RunnerView(
            phase=self._phase, routine_title=self.routine.title, step_index=self._step_index,
            step_count=len(self.routine.steps), exercise=step.exercise, title=self._titles[step.exercise],
            set_number=self._set_number, set_count=step.sets, reps=step.reps, hold_s=step.hold_s, note=step.note,
            counts=self.set_counts(),
            rest_s=(self._rest_until - self._rest_started) if resting and self._rest_started is not None else None,
            rest_remaining_s=max(0.0, self._rest_until - now) if resting else None,
            results=tuple(self._results),
        )


def follow_live_state(runner: RoutineRunner, state: FrameState | None, analysed_exercise: str, now: float) -> bool:
    """One poll of the live page: feed the newest state (or just let time pass) and say whether the
    live analysis must switch to `runner.exercise` (True), e.g. at the start of the rest before it."""
    if state is not None:
        runner.on_frame_state(state, exercise=analysed_exercise, now=now)
    else:
        runner.tick(now)
    return runner.phase != "done" and runner.exercise != analysed_exercise


# ---------------------------------------------------------------------- Streamlit widgets
RUNNER_KEY = "routine_runner"
ROUTINE_KEY = "routine"  # the live page's routine chooser
NO_ROUTINE = "No routine: one exercise"


def pick_routine(routines: dict[str, Routine], specs: dict[str, ExerciseSpec], key: str = "routine"
                 ) -> RoutineRunner | None:
    """A routine chooser; returns the runner kept in session_state for the chosen routine (a new
    one when the choice changes), or None for single-exercise use."""
    import streamlit as st

    options = [NO_ROUTINE, *routines]
    choice = st.selectbox("Routine", options, key=key,
                          format_func=lambda rid: rid if rid == NO_ROUTINE else routines[rid].title)
    runner = st.session_state.get(RUNNER_KEY)
    if choice == NO_ROUTINE:
        st.session_state.pop(RUNNER_KEY, None)
        return None
    if not isinstance(runner, RoutineRunner) or runner.routine.id != choice:
        runner = RoutineRunner(routines[choice], specs)
        st.session_state[RUNNER_KEY] = runner
    return runner


def show_routine_runner(runner: RoutineRunner, now: float, key: str = "routine") -> None:
    """The routine panel: exercise and set, what is left to do, the rest countdown, and buttons.
    Call it inside a fragment that reruns every half second so the countdown moves."""
    import streamlit as st

    v = runner.view(now)
    st.caption(v.routine_title)
    if v.phase == "done":
        st.success(f"Routine finished: {len(v.results)} sets done, "
                   f"{sum(r.met for r in v.results)} of them to the prescribed count.")
        if st.button("Start the routine again", key=f"{key}-restart"):
            st.session_state[RUNNER_KEY] = RoutineRunner(runner.routine, runner.specs)
            st.rerun()
        return
    hold = f", hold {v.hold_s:g} s" if v.hold_s else ""
    each = {"forward": " each way", "left": " per side"}.get(runner.parts()[0], "")
    st.markdown(f"**Exercise {v.step_index + 1} of {v.step_count}: {v.title}**  \n"
                f"Set {v.set_number} of {v.set_count}: {v.reps}{each}{hold}")
    if v.note:
        st.caption(v.note)
    if v.phase == "rest":
        remaining = v.rest_remaining_s or 0.0
        st.metric("Rest", f"{remaining:.0f} s")
        st.progress(1.0 - remaining / v.rest_s if v.rest_s else 1.0,
                    text="Get ready: " + ("next set" if v.set_number > 1 else f"next up, {v.title}"))
    else:
        target = v.reps.high
        for part, done in v.counts.items():
            label = v.part_labels[part]
            st.progress(min(1.0, done / target), text=f"{label}: {done} of {v.reps}")
    cols = st.columns(2)
    if cols[0].button("Skip the rest" if v.phase == "rest" else "End this set", key=f"{key}-advance"):
        runner.advance(now)
        st.rerun()
    if cols[1].button("Next exercise", key=f"{key}-skip"):
        runner.skip_exercise(now)
        st.rerun()
