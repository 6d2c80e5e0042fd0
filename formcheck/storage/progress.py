"""Progress over days and weeks from saved sessions: totals, streaks, and this week against the
prescribed frequency. Pure functions of SessionRecords, so the progress page and the exports agree."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Iterable, Literal, Mapping

from ..specs import ExerciseSpec
from .store import SessionRecord

Period = Literal["day", "week"]

_TIMES_A_WEEK = re.compile(r"(\d+)\s*(?:(?:-|–|to)\s*(\d+)\s*)?times?\s*(?:a|per|each)\s*week", re.IGNORECASE)
_DAILY = re.compile(r"\b(daily|every day|each day)\b", re.IGNORECASE)
_MOST_DAYS = re.compile(r"\bmost days\b", re.IGNORECASE)


def weekly_target(frequency: str | None) -> int | None:
    """Practice days a week asked for by a spec's free-text frequency ("3-4 times a week" -> 3, the
    lower bound: meeting it counts as on track); None when the text gives no weekly number."""
    if not frequency:
        return None
    found = _TIMES_A_WEEK.search(frequency)
    if found:
        return int(found.group(1))
    if _DAILY.search(frequency):
        return 7
    if _MOST_DAYS.search(frequency):
        return 4
    return None


def weekly_targets(specs: Mapping[str, ExerciseSpec]) -> dict[str, int | None]:
    """Each exercise's prescribed practice days a week (see weekly_target)."""
    return {spec_id: weekly_target(spec.dosage.frequency) for spec_id, spec in specs.items()}


def week_start(day: date) -> date:
    """The Monday of the ISO week `day` is in."""
    return day - timedelta(days=day.weekday())


@dataclass(frozen=True)
class PeriodTotals:
    """One exercise over one day or one week (period_start is the day, or the week's Monday)."""

    period_start: date
    exercise: str
    sessions: int
    practice_days: int
    reps: int  # repetitions and holds
    steps: int  # forward plus backward (butt walks)
    hold_s: float
    counted_events: int
    faulty_events: int

    @property
    def fault_rate(self) -> float | None:
        return self.faulty_events / self.counted_events if self.counted_events else None


def period_totals(records: Iterable[SessionRecord], period: Period = "day",
                  span: tuple[date, date] | None = None) -> list[PeriodTotals]:
    """Totals per exercise and period, oldest first: only periods with sessions, or with `span`
    (first and last day) every period of it for each exercise, a period without practice as zeros
    (a missed week is part of the picture)."""
    groups: dict[tuple[date, str], list[SessionRecord]] = defaultdict(list)
    for r in records:
        start = r.day if period == "day" else week_start(r.day)
        groups[(start, r.exercise)].append(r)
    if span is not None:
        step = timedelta(days=1 if period == "day" else 7)
        first = span[0] if period == "day" else week_start(span[0])
        for exercise in {e for _, e in groups}:
            cursor = first
            while cursor <= span[1]:
                groups.setdefault((cursor, exercise), [])
                cursor += step
    return [
        PeriodTotals(
            period_start=start, exercise=exercise, sessions=len(rs), practice_days=len({r.day for r in rs}),
            reps=sum(r.reps for r in rs), steps=sum(sum((r.steps or {}).values()) for r in rs),
            hold_s=round(sum(r.hold_total_s for r in rs), 2), counted_events=sum(r.counted_events for r in rs),
            faulty_events=sum(r.faulty_events for r in rs),
        )
        for (start, exercise), rs in sorted(groups.items())
    ]


@dataclass(frozen=True)
class Streaks:
    current_days: int  # consecutive practice days up to today (or yesterday, if today is still open)
    longest_days: int
    current_weeks: int  # consecutive weeks meeting the weekly target, up to this week (or last week)
    weekly_target: int | None


def practice_streaks(days: Iterable[date], today: date, weekly_target: int | None = None) -> Streaks:
    practised = set(days)
    longest = run = 0
    for day in sorted(practised):
        run = run + 1 if day - timedelta(days=1) in practised else 1
        longest = max(longest, run)
    # Today without practice yet does not break the streak: the day is not over.
    cursor = today if today in practised else today - timedelta(days=1)
    current = 0
    while cursor in practised:
        current += 1
        cursor -= timedelta(days=1)
    weeks = 0
    if weekly_target:
        per_week: dict[date, int] = defaultdict(int)
        for day in practised:
            per_week[week_start(day)] += 1
        week = week_start(today)
        if per_week.get(week, 0) < weekly_target:
            week -= timedelta(weeks=1)  # this week may still be met
        while per_week.get(week, 0) >= weekly_target:
            weeks += 1
            week -= timedelta(weeks=1)
    return Streaks(current_days=current, longest_days=longest, current_weeks=weeks, weekly_target=weekly_target)


@dataclass(frozen=True)
class WeekStatus:
    exercise: str
    sessions: int
    practice_days: int
    target_days: int | None

    @property
    def on_track(self) -> bool | None:
        return None if self.target_days is None else self.practice_days >= self.target_days


def this_week(records: Iterable[SessionRecord], today: date, targets: dict[str, int | None]) -> list[WeekStatus]:
    """Practice this week (Monday to today) per exercise: every exercise with a target or a session."""
    start = week_start(today)
    days: dict[str, set[date]] = defaultdict(set)
    sessions: dict[str, int] = defaultdict(int)
    for r in records:
        if start <= r.day <= today:
            days[r.exercise].add(r.day)
            sessions[r.exercise] += 1
    exercises = sorted(set(days) | {e for e, t in targets.items() if t})
    return [WeekStatus(e, sessions.get(e, 0), len(days.get(e, ())), targets.get(e)) for e in exercises]
