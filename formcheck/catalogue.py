"""The exercise catalogue, generated from the specs so it can never drift from them."""

from __future__ import annotations

from typing import Iterable

from .specs import ExerciseSpec


def dosage_text(spec: ExerciseSpec) -> str:
    """The prescribed dose as one sentence, e.g. "10 repetitions, 1-3 sets, hold 10 s; ...";
    shared by the catalogue and the app."""
    d = spec.dosage
    parts = []
    if d.reps:
        parts.append(f"{d.reps} repetitions" + (" per side" if d.per_side else ""))
    if d.sets:
        parts.append(f"{d.sets} set" + ("" if d.sets.strip() == "1" else "s"))
    if d.hold_s:
        parts.append(f"hold {d.hold_s:g} s")
    text = ", ".join(parts) or "as advised by your clinician"
    if d.frequency:
        text += f"; {d.frequency}"
    if d.notes:
        text += f". {d.notes}"
    return text


def _motion(spec: ExerciseSpec) -> str:
    m = spec.motion
    signal = spec.signals[m.signal]
    if m.kind == "steps":
        return f"steps on `{m.signal}` (at least {signal.amount(m.min_step)} per step)"
    hold = f", held {m.hold_target_s:g} s" if m.hold_target_s else ""
    side = ", per side" if m.per_side else ""
    paced = (f"; live, formcheck can pace them ({m.pacing.hold_s:g} s hold, {m.pacing.relax_s:g} s relax)"
             if m.pacing else "")
    required = f"; needs {', '.join(f'`{c}`' for c in m.required_at_top)} at the top" if m.required_at_top else ""
    return (f"{m.kind} on `{m.signal}` ({m.direction}, from your own rest: leaves rest at "
            f"{signal.amount(m.start)}, counts from {signal.amount(m.minimum)}, target "
            f"{signal.amount(m.target)}{hold}{side}){required}{paced}")


def catalogue_markdown(specs: Iterable[ExerciseSpec]) -> str:
    return "\n".join([
        "# Exercise catalogue",
        "",
        "Generated from `exercise_specs/` by `formcheck exercises --markdown`; do not edit by hand.",
        "",
        catalogue_table(specs),
    ])


def catalogue_table(specs: Iterable[ExerciseSpec]) -> str:
    """One Markdown table row per exercise (the app shows the same table)."""
    lines = [
        "| Exercise | View | Dosage | Counts | Signals | Faults (cue) |",
        "|---|---|---|---|---|---|",
    ]
    for spec in sorted(specs, key=lambda s: s.id):
        signals = ", ".join(f"`{n}`" for n in spec.signals)
        faults = "<br>".join(f"`{r.id}` ({r.cue})" for r in [*spec.faults, *spec.event_faults]) or "-"
        lines.append(
            f"| **{spec.title}** (`{spec.id}`) | {spec.camera.view} | {dosage_text(spec)} | {_motion(spec)} "
            f"| {signals} | {faults} |"
        )
    lines.append("")
    return "\n".join(lines)
