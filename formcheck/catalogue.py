"""The exercise catalogue, generated from the specs so it can never drift from them."""

from __future__ import annotations

from typing import Iterable

from .specs import ExerciseSpec


def _dosage(spec: ExerciseSpec) -> str:
    d = spec.dosage
    parts = []
    if d.reps:
        parts.append(f"{d.reps} {'holds' if spec.motion.kind == 'holds' else 'reps'}" + (" per side" if d.per_side else ""))
    if d.sets:
        parts.append(f"sets {d.sets}")
    if d.hold_s:
        parts.append(f"hold {d.hold_s:g} s")
    if d.frequency:
        parts.append(d.frequency)
    return "; ".join(parts) or "-"


def _motion(spec: ExerciseSpec) -> str:
    m = spec.motion
    if m.kind == "steps":
        return f"steps on `{m.signal}` (at least {m.min_step:g} per step)"
    if m.kind == "paced":
        return f"paced holds: {m.hold_s:g} s hold, {m.relax_s:g} s relax, counted while the posture is right"
    word = {"repetitions": "repetitions", "holds": "holds"}[m.kind]
    target = f", hold {m.hold_target_s:g} s" if m.hold_target_s else ""
    side = ", per side" if m.per_side else ""
    return f"{word} on `{m.signal}` ({m.direction}: start {m.start:g}, top {m.top:g}{target}{side})"


def catalogue_markdown(specs: Iterable[ExerciseSpec]) -> str:
    specs = sorted(specs, key=lambda s: s.id)
    lines = [
        "# Exercise catalogue",
        "",
        "Generated from `exercise_specs/` by `formcheck exercises --markdown`; do not edit by hand.",
        "",
        "| Exercise | View | Dosage | Counts | Signals | Faults (cue) |",
        "|---|---|---|---|---|---|",
    ]
    for spec in specs:
        signals = ", ".join(f"`{n}`" for n in spec.signals)
        faults = "<br>".join(f"`{r.id}` ({r.cue})" for r in [*spec.faults, *spec.event_faults]) or "-"
        lines.append(
            f"| **{spec.title}** (`{spec.id}`) | {spec.camera.view} | {_dosage(spec)} | {_motion(spec)} "
            f"| {signals} | {faults} |"
        )
    lines.append("")
    return "\n".join(lines)
