"""The report of one analysed session: the single schema every surface (CLI, app, exports) shows."""

from __future__ import annotations

import csv
import io
import json
from typing import Literal

from pydantic import BaseModel, Field


class Event(BaseModel):
    kind: Literal["rep", "partial", "hold", "step"]
    index: int
    start_s: float
    end_s: float
    side: Literal["left", "right"] | None = None
    duration_s: float | None = None  # time held at the top / in the hold
    good_form_s: float | None = None  # of duration_s, the time held with no posture fault
    direction: Literal["forward", "backward"] | None = None  # steps only
    peak: float | None = None  # furthest value of the primary signal
    # How far the movement went from the person's rest level, in the primary signal's unit, and that
    # as a share of the spec's target range.
    range: float | None = None
    range_fraction: float | None = None
    best_before: float | None = None  # the person's best range (same side) before this one
    rise_s: float | None = None
    faults: list[str] = Field(default_factory=list)
    # Plain-language notes: a range short of the target, why an attempt was not counted, a
    # repetition cut off by the start or end of the recording.
    notes: list[str] = Field(default_factory=list)


class FaultSpan(BaseModel):
    fault: str
    start_s: float
    end_s: float
    message: str


class ReportWarning(BaseModel):
    kind: Literal["view", "framing", "visibility", "no_person", "calibration", "input", "unfinished",
                  "reliability", "left_exercise", "not_counted"]
    message: str
    start_s: float | None = None
    end_s: float | None = None
    share: float | None = None  # reliability: the share of the recording affected (0..1)


class Report(BaseModel):
    exercise: str
    title: str
    source: str | None = None
    complete: bool = True  # False when the input broke off and only part of it was analysed
    fps: float
    frames: int
    frames_with_pose: int
    duration_s: float
    side: Literal["left", "right"] | None
    calibrated: bool
    primary_signal: str
    primary_unit: str | None = None  # "°" or "torso lengths" / "leg lengths"
    target_range: float | None = None  # the spec's target range of the primary signal
    best_range: float | None = None  # the furthest range of any repetition or hold
    hold_target_s: float | None = None
    reps: int
    partials: int = 0
    reps_by_side: dict[str, int] | None = None
    steps: dict[str, int] | None = None
    sets: int | None = None
    events: list[Event]
    faults: list[FaultSpan]
    fault_counts: dict[str, int] = Field(default_factory=dict)
    warnings: list[ReportWarning]

    @property
    def practised(self) -> bool:
        """Something was done: a repetition, hold or step, or at least an attempt. Only such a
        session is practice worth keeping in the history."""
        return bool(self.events)

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.model_dump(mode="json"), indent=indent)

    def events_csv(self) -> str:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(["kind", "index", "start_s", "end_s", "side", "duration_s", "good_form_s", "range",
                         "range_fraction", "direction", "faults", "notes"])
        for e in self.events:
            writer.writerow([
                e.kind, e.index, f"{e.start_s:.2f}", f"{e.end_s:.2f}", e.side or "",
                "" if e.duration_s is None else f"{e.duration_s:.1f}",
                "" if e.good_form_s is None else f"{e.good_form_s:.1f}",
                "" if e.range is None else f"{e.range:.3g}",
                "" if e.range_fraction is None else f"{e.range_fraction:.2f}",
                e.direction or "", ";".join(e.faults), " ".join(e.notes),
            ])
        return buffer.getvalue()

    def summary_lines(self) -> list[str]:
        """A short human-readable summary, used by the CLI."""
        lines = [f"{self.title}: {self.duration_s:.1f} s analysed, pose found in "
                 f"{self.frames_with_pose}/{self.frames} frames"
                 + (f", {self.side} side toward the camera" if self.side else "")]
        if self.steps is not None:
            lines.append(f"steps: {self.steps.get('forward', 0)} forward, {self.steps.get('backward', 0)} backward"
                         + (f" ({self.sets} set{'s' if self.sets != 1 else ''})" if self.sets else ""))
        else:
            noun = "holds" if any(e.kind == "hold" for e in self.events) else "repetitions"
            line = f"{noun}: {self.reps}"
            if self.reps_by_side:
                line += " (" + ", ".join(f"{k} {v}" for k, v in sorted(self.reps_by_side.items())) + ")"
            if self.partials:
                line += f", partial attempts: {self.partials}"
            lines.append(line)
        for e in self.events:
            if e.kind == "step":
                continue
            parts = [f"  {e.kind} {e.index}: {e.start_s:.1f}-{e.end_s:.1f} s"]
            if e.side:
                parts.append(e.side)
            if e.duration_s is not None and e.kind != "partial":
                held = f"held {e.duration_s:.1f} s"
                if e.good_form_s is not None and e.good_form_s < e.duration_s - 0.05:
                    held += f" ({e.good_form_s:.1f} s in good form)"
                parts.append(held)
            if e.range_fraction is not None:
                best = "" if not e.best_before else f", {e.range / e.best_before:.0%} of your best so far"
                parts.append(f"range {e.range_fraction:.0%} of target{best}")
            parts.append("faults: " + ", ".join(e.faults) if e.faults else "good form")
            lines.append(", ".join(parts))
            lines.extend(f"      {note}" for note in e.notes)
        if self.faults:
            lines.append("form faults:")
            for f in self.faults:
                lines.append(f"  {f.start_s:6.1f}-{f.end_s:.1f} s  {f.fault}: {f.message}")
        for w in self.warnings:
            span = "" if w.start_s is None else f" ({w.start_s:.1f}-{(w.end_s or w.start_s):.1f} s)"
            lines.append(f"warning: {w.message}{span}")
        return lines
