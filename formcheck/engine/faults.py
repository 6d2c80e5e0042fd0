"""Posture faults: a rule's conditions must hold for a minimum time before it is flagged, and a
rule whose signals cannot be measured pauses instead of guessing."""

from __future__ import annotations

from dataclasses import dataclass

from ..specs import Condition, FaultRule

_RELEASE_S = 0.25  # a fault ends once its conditions have been false this long
_ACTIVE_PHASES = {"rising", "top", "lowering", "moving"}


@dataclass(frozen=True)
class FaultWindow:
    fault: str
    start_s: float
    end_s: float
    message: str


def phase_matches(rule_phase: str, phase: str) -> bool:
    if rule_phase == "any":
        return True
    if rule_phase == "active":
        return phase in _ACTIVE_PHASES
    return rule_phase == phase


class _RuleState:
    def __init__(self, rule: FaultRule) -> None:
        self.rule = rule
        self.conditions = [Condition.parse(c) for c in rule.when]
        self.true_since: float | None = None
        self.false_since: float | None = None
        self.open_since: float | None = None


class PostureFaultMonitor:
    def __init__(self, rules: list[FaultRule]) -> None:
        self._states = [_RuleState(r) for r in rules]
        self.windows: list[FaultWindow] = []

    @property
    def active(self) -> list[FaultRule]:
        return [s.rule for s in self._states if s.open_since is not None]

    def update(self, t: float, phase: str, signals: dict[str, float | None], oblique: bool = False) -> None:
        """`oblique`: the camera is well off side-on, so rules that need a side-on view cannot be judged."""
        for state in self._states:
            if not phase_matches(state.rule.phase, phase):
                self._close(state, t)
                continue
            holds = None if oblique and state.rule.needs_side_on_view else self._evaluate(state, signals)
            if holds is None:
                # Missing data: no new evidence either way. A fault not yet flagged must start over.
                if state.open_since is None:
                    state.true_since = None
                continue
            if holds:
                state.false_since = None
                if state.true_since is None:
                    state.true_since = t
                if state.open_since is None and t - state.true_since >= state.rule.min_duration_s:
                    state.open_since = state.true_since
            else:
                state.true_since = None
                if state.open_since is not None:
                    if state.false_since is None:
                        state.false_since = t
                    if t - state.false_since >= _RELEASE_S:
                        self._close(state, state.false_since)

    @staticmethod
    def _evaluate(state: _RuleState, signals: dict[str, float | None]) -> bool | None:
        """Whether the rule's conditions hold; None when that cannot be known from what is measured."""
        results = [None if (v := signals.get(c.signal)) is None else c.holds(v) for c in state.conditions]
        if state.rule.match == "any":
            if any(r is True for r in results):
                return True
            return None if any(r is None for r in results) else False
        if any(r is False for r in results):
            return False
        return None if any(r is None for r in results) else True

    def discard_since(self, t: float) -> None:
        """Forget what was seen from time t on (the person was leaving the exercise, not doing it)."""
        self.windows = [w for w in self.windows if w.start_s < t]
        for state in self._states:
            if state.open_since is not None and state.open_since >= t:
                state.open_since = state.false_since = None
            state.true_since = None

    def finish(self, t: float) -> None:
        for state in self._states:
            self._close(state, t)

    def _close(self, state: _RuleState, end_s: float) -> None:
        if state.open_since is not None:
            end = end_s if state.false_since is None else min(end_s, state.false_since)
            self.windows.append(FaultWindow(state.rule.id, state.open_since, max(end, state.open_since),
                                            state.rule.cue))
        state.open_since = state.true_since = state.false_since = None
