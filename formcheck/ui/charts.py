"""Altair charts of a report: the fault timeline and the primary signal with its thresholds.

Plain functions from data to charts (no Streamlit), so they can be built and checked in tests.
"""

from __future__ import annotations

from typing import Sequence

import altair as alt
import pandas as pd

from formcheck.report import Report
from formcheck.specs import ExcursionMotion, ExerciseSpec

from .text import sentence

_EVENT_COLOURS = {"good form": "#3cb45a", "with a fault": "#eb3c32", "partial": "#f0b428"}
# Each repetition's levels, measured from where the person rested, named for the person reading the plot.
_LEVEL_NAMES = ("your rest", "counts from", "target")
_LEVEL_COLOURS = ["#8c8c8c", "#e9a23b", "#2a9d8f"]


def event_outcome(kind: str, faults: Sequence[str]) -> str:
    if kind == "partial":
        return "partial"
    return "with a fault" if faults else "good form"


def events_frame(report: Report) -> pd.DataFrame:
    """One row per repetition, hold or step: what the table shows and the charts shade."""
    rows = []
    for e in report.events:
        rows.append({
            "event": f"{e.kind} {e.index}",
            "kind": e.kind,
            "start (s)": round(e.start_s, 2),
            "end (s)": round(e.end_s, 2),
            "side": e.side or "",
            "held (s)": None if e.duration_s is None else round(e.duration_s, 1),
            "in good form (s)": None if e.good_form_s is None else round(e.good_form_s, 1),
            "direction": e.direction or "",
            "range": None if e.range_fraction is None else f"{e.range_fraction:.0%} of target" + (
                f", {e.range / e.best_before:.0%} of best" if e.best_before and e.range is not None else ""),
            "faults": ", ".join(e.faults) if e.faults else ("not counted" if e.kind == "partial" else "good form"),
            "notes": "; ".join(e.notes),
            "outcome": event_outcome(e.kind, e.faults),
        })
    columns = ["event", "kind", "start (s)", "end (s)", "side", "held (s)", "in good form (s)", "direction", "range",
               "faults", "notes", "outcome"]
    return pd.DataFrame(rows, columns=columns)


def fault_timeline(report: Report) -> alt.Chart:
    """Events on the top row (green: good form, red: with a fault, amber: partial), then one row
    per fault with the spans it was seen in; hovering shows the cue."""
    rows = [{"row": "events", "start": e.start_s, "end": max(e.end_s, e.start_s + 0.05),
             "label": f"{e.kind} {e.index}", "colour": event_outcome(e.kind, e.faults),
             "detail": ", ".join(e.faults) or ("partial attempt" if e.kind == "partial" else "good form")}
            for e in report.events if e.kind != "step"]
    rows += [{"row": f.fault, "start": f.start_s, "end": max(f.end_s, f.start_s + 0.05), "label": f.fault,
              "colour": "with a fault", "detail": f.message} for f in report.faults]
    data = pd.DataFrame(rows, columns=["row", "start", "end", "label", "colour", "detail"])
    order = ["events"] + sorted({f.fault for f in report.faults})
    return (
        alt.Chart(data)
        .mark_bar(cornerRadius=3, height=16)
        .encode(
            x=alt.X("start:Q", title="time (s)", scale=time_scale(report)),
            x2="end:Q",
            y=alt.Y("row:N", title=None, sort=order),
            color=alt.Color("colour:N", title=None,
                            scale=alt.Scale(domain=list(_EVENT_COLOURS), range=list(_EVENT_COLOURS.values()))),
            tooltip=[alt.Tooltip("label:N", title="what"), alt.Tooltip("start:Q", format=".1f", title="from (s)"),
                     alt.Tooltip("end:Q", format=".1f", title="to (s)"), alt.Tooltip("detail:N", title="cue")],
        )
        .properties(height=timeline_height(report), title="Fault timeline")
    )


def time_scale(report: Report) -> alt.Scale:
    """The whole recording, exactly: the fault timeline and the signal plot line up."""
    return alt.Scale(domain=[0, max(report.duration_s, 0.1)], nice=False)


def timeline_height(report: Report) -> int:
    """Plot height of the fault timeline: one 34 px row for the events and one per fault."""
    return 34 * (1 + len({f.fault for f in report.faults}))


def signal_frame(times: Sequence[float], values: Sequence[float | None]) -> pd.DataFrame:
    return pd.DataFrame({"time (s)": list(times), "value": [float("nan") if v is None else v for v in values]})


def event_levels(spec: ExerciseSpec, report: Report) -> pd.DataFrame:
    """For each repetition or hold, the levels it was judged by: where the person rested before it,
    the range from there that counts, and the target range (the far limb's own, where the spec
    has them). Thresholds follow the person, so they are drawn per repetition, not across the plot."""
    motion = spec.motion
    rows = []
    if isinstance(motion, ExcursionMotion):
        sign = 1.0 if motion.direction == "increase" else -1.0
        for e in report.events:
            if e.peak is None or e.range is None:
                continue
            levels = motion.thresholds(far_side=e.side is not None and e.side != report.side)
            rest = e.peak - sign * e.range
            for name, value in zip(_LEVEL_NAMES, (rest, rest + sign * levels.minimum, rest + sign * levels.target)):
                rows.append({"event": f"{e.kind} {e.index}", "start": e.start_s, "end": e.end_s, "level": name,
                             "value": round(value, 4)})
    return pd.DataFrame(rows, columns=["event", "start", "end", "level", "value"])


def signal_chart(times: Sequence[float], values: Sequence[float | None], spec: ExerciseSpec,
                 report: Report) -> alt.LayerChart:
    """The primary signal over time, each event shaded from its start to its end (coloured by its
    outcome) with the levels it was judged by drawn across it."""
    signal = spec.signals[spec.motion.signal]
    description = signal.description or spec.motion.signal
    line = (
        alt.Chart(signal_frame(times, values))
        .mark_line(strokeWidth=2, color="#2a6fdb")
        .encode(x=alt.X("time (s):Q", title="time (s)", scale=time_scale(report)),
                y=alt.Y("value:Q", title=f"{spec.motion.signal.replace('_', ' ')} ({signal.unit})",
                        scale=alt.Scale(zero=False)),
                tooltip=[alt.Tooltip("time (s):Q", format=".2f"), alt.Tooltip("value:Q", format=".2f")])
    )
    events = pd.DataFrame(
        [{"start": e.start_s, "end": e.end_s, "event": f"{e.kind} {e.index}",
          "outcome": event_outcome(e.kind, e.faults), "faults": ", ".join(e.faults) or "none"}
         for e in report.events],
        columns=["start", "end", "event", "outcome", "faults"],
    )
    shading = (
        alt.Chart(events)
        .mark_rect(opacity=0.15)
        .encode(x="start:Q", x2="end:Q",
                color=alt.Color("outcome:N", title="events",
                                scale=alt.Scale(domain=list(_EVENT_COLOURS), range=list(_EVENT_COLOURS.values()))),
                tooltip=["event:N", "faults:N", alt.Tooltip("start:Q", format=".1f"), alt.Tooltip("end:Q", format=".1f")])
    )
    ends = alt.Chart(events).mark_rule(strokeDash=[2, 2], color="#555").encode(x="end:Q", tooltip=["event:N"])
    layers: list[alt.Chart] = [shading, ends, line]
    levels = event_levels(spec, report)
    if not levels.empty:
        layers.append(
            alt.Chart(levels).mark_rule(strokeDash=[6, 3], strokeWidth=2).encode(
                x="start:Q", x2="end:Q", y="value:Q",
                color=alt.Color("level:N", title="levels", sort=list(_LEVEL_NAMES),
                                scale=alt.Scale(domain=list(_LEVEL_NAMES), range=_LEVEL_COLOURS)),
                tooltip=["event:N", "level:N", alt.Tooltip("value:Q", format=".3g")],
            )
        )
    return alt.layer(*layers).resolve_scale(color="independent").properties(
        height=280, title=sentence(description))
