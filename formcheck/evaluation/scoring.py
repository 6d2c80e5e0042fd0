"""Comparing a report with a clip's ground truth: counts, faults per event, hold times, angles."""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass, field

from ..report import Event, Report
from .groundtruth import GroundTruth, TruthEvent

FAULT_TOLERANCE_S = 0.5  # a fault is found when flagged in the same event or within this of its window


@dataclass
class ClipScore:
    clip: str
    exercise: str
    description: str
    expected: dict[str, int]
    found: dict[str, int]
    faults_expected: list[str]
    faults_found: list[str]
    fault_true_positives: int = 0
    fault_false_negatives: int = 0
    fault_false_positives: int = 0
    missed_faults: list[str] = field(default_factory=list)
    spurious_faults: list[str] = field(default_factory=list)
    hold_errors_s: list[float] = field(default_factory=list)
    angle_errors_deg: dict[str, float] = field(default_factory=dict)
    frames: int = 0
    frames_with_pose: int = 0
    seconds: float = 0.0
    confidence: str | None = None  # of a real recording's annotation

    @property
    def count_error(self) -> int:
        return sum(abs(self.found.get(k, 0) - v) for k, v in self.expected.items())

    @property
    def exact(self) -> bool:
        return self.count_error == 0

    @property
    def clean(self) -> bool:
        return not self.faults_expected


def _counts_expected(truth: GroundTruth) -> dict[str, int]:
    if truth.steps is not None:
        return {"forward": truth.steps.get("forward", 0), "backward": truth.steps.get("backward", 0)}
    counts = {"reps": truth.reps, "partials": sum(1 for e in truth.events if e.kind == "partial")}
    if any(e.side for e in truth.events):
        # Per side where the exercise has sides; an event of both sides at once counts in reps only.
        for side in ("left", "right"):
            counts[side] = sum(1 for e in truth.events if e.kind != "partial" and e.side == side)
    return counts


def _counts_found(report: Report, expected: dict[str, int]) -> dict[str, int]:
    if "forward" in expected:
        steps = report.steps or {}
        return {"forward": steps.get("forward", 0), "backward": steps.get("backward", 0)}
    found = {"reps": report.reps, "partials": report.partials}
    if "left" in expected:
        for side in ("left", "right"):
            found[side] = sum(1 for e in report.events if e.kind != "partial" and e.side == side)
    return found


def _overlap(a_start: float, a_end: float, b_start: float, b_end: float) -> float:
    return min(a_end, b_end) - max(a_start, b_start)


def match_events(truth: list[TruthEvent], found: list[Event]) -> dict[int, int]:
    """Pairs (truth index -> found index) of the same kind, greedily by largest time overlap."""
    pairs = []
    for i, t in enumerate(truth):
        for j, f in enumerate(found):
            same_kind = t.kind == f.kind or {t.kind, f.kind} <= {"rep", "hold"}
            overlap = _overlap(t.start_s, t.end_s, f.start_s, f.end_s)
            if same_kind and overlap > 0:
                pairs.append((overlap, i, j))
    matched: dict[int, int] = {}
    used: set[int] = set()
    for _, i, j in sorted(pairs, reverse=True):
        if i not in matched and j not in used:
            matched[i] = j
            used.add(j)
    return matched


def score_clip(truth: GroundTruth, report: Report) -> ClipScore:
    expected = _counts_expected(truth)
    score = ClipScore(
        clip=truth.clip, exercise=truth.exercise, description=truth.description,
        expected=expected, found=_counts_found(report, expected),
        faults_expected=sorted({w.fault for w in truth.fault_windows}),
        faults_found=sorted({f.fault for f in report.faults}),
        frames=report.frames, frames_with_pose=report.frames_with_pose, confidence=truth.confidence,
    )
    matched = match_events(truth.events, report.events)
    found_by_truth = {i: report.events[j] for i, j in matched.items()}

    def truth_events_near(start: float, end: float) -> list[int]:
        return [i for i, e in enumerate(truth.events) if _overlap(e.start_s, e.end_s, start, end) > 0]

    # Recall: every ground-truth fault window.
    for window in truth.fault_windows:
        lo, hi = window.start_s - FAULT_TOLERANCE_S, window.end_s + FAULT_TOLERANCE_S
        in_time = any(f.fault == window.fault and _overlap(f.start_s, f.end_s, lo, hi) >= 0 for f in report.faults)
        in_event = any(
            window.fault in found_by_truth[i].faults
            for i in truth_events_near(window.start_s, window.end_s) if i in found_by_truth
        )
        if in_time or in_event:
            score.fault_true_positives += 1
        else:
            score.fault_false_negatives += 1
            score.missed_faults.append(f"{window.fault}@{window.start_s:.1f}s")
    # Precision: every fault span the report flagged.
    for span in report.faults:
        lo, hi = span.start_s - FAULT_TOLERANCE_S, span.end_s + FAULT_TOLERANCE_S
        in_time = any(w.fault == span.fault and _overlap(w.start_s, w.end_s, lo, hi) >= 0 for w in truth.fault_windows)
        in_event = any(span.fault in truth.events[i].faults for i in truth_events_near(span.start_s, span.end_s))
        if not (in_time or in_event):
            score.fault_false_positives += 1
            score.spurious_faults.append(f"{span.fault}@{span.start_s:.1f}s")
    for i, event in found_by_truth.items():
        expected_hold = truth.events[i].duration_s
        if expected_hold is not None and event.duration_s is not None and event.kind != "partial":
            score.hold_errors_s.append(abs(event.duration_s - expected_hold))
    return score


@dataclass
class Totals:
    clips: int
    exact_count_rate: float
    mean_abs_count_error: float
    fault_precision: float
    fault_recall: float
    hold_time_mae_s: float | None
    median_angle_error_deg: float | None
    clean_clips_with_faults: int
    detection_rate: float


def totals(scores: list[ClipScore]) -> Totals:
    tp = sum(s.fault_true_positives for s in scores)
    fn = sum(s.fault_false_negatives for s in scores)
    fp = sum(s.fault_false_positives for s in scores)
    holds = [e for s in scores for e in s.hold_errors_s]
    angles = [v for s in scores for v in s.angle_errors_deg.values() if not math.isnan(v)]
    frames = sum(s.frames for s in scores)
    return Totals(
        clips=len(scores),
        exact_count_rate=round(sum(s.exact for s in scores) / len(scores), 3) if scores else 0.0,
        mean_abs_count_error=round(statistics.fmean(s.count_error for s in scores), 3) if scores else 0.0,
        fault_precision=round(tp / (tp + fp), 3) if tp + fp else 1.0,
        fault_recall=round(tp / (tp + fn), 3) if tp + fn else 1.0,
        hold_time_mae_s=round(statistics.fmean(holds), 2) if holds else None,
        median_angle_error_deg=round(statistics.median(angles), 2) if angles else None,
        clean_clips_with_faults=sum(1 for s in scores if s.clean and s.faults_found),
        detection_rate=round(sum(s.frames_with_pose for s in scores) / frames, 3) if frames else 0.0,
    )


def totals_by_exercise(scores: list[ClipScore]) -> dict[str, Totals]:
    """The totals of each exercise's clips, by exercise id."""
    exercises = sorted({s.exercise for s in scores})
    return {name: totals([s for s in scores if s.exercise == name]) for name in exercises}
