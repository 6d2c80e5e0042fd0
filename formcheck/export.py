"""Clinician exports of the session history: a CSV of sessions and a printable HTML report.

The HTML is one self-contained file (inline CSS with a print stylesheet, inline SVG trend lines,
no scripts, no external assets) so it can be e-mailed, opened offline and printed to PDF.
"""

from __future__ import annotations

import csv
import html
import io
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import PurePath

from .report import FaultSpan
from .storage import PeriodTotals, SessionRecord, SessionStore, period_totals

CSV_COLUMNS = (
    "session_id", "date", "start_time", "exercise", "title", "source_kind", "source", "duration_s", "reps",
    "partials", "reps_left", "reps_right", "steps_forward", "steps_backward", "sets", "hold_target_s",
    "hold_total_s", "counted", "with_faults", "fault_rate", "faults", "complete", "routine",
)
# A spreadsheet runs a cell starting with one of these as a formula; file names are user-chosen.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class ExportData:
    date_from: date | None
    date_to: date | None
    sessions: list[SessionRecord]
    fault_spans: dict[int, list[FaultSpan]]  # per session id, in time order
    generated_at: datetime
    weekly_targets: dict[str, int | None] = field(default_factory=dict)  # prescribed practice days a week

    @property
    def span(self) -> tuple[date, date] | None:
        """The days the report covers: the range asked for, not past today; without one, the
        first to the last session."""
        today = self.generated_at.date()
        first = self.date_from or (self.sessions[0].day if self.sessions else None)
        last = self.date_to or (self.sessions[-1].day if self.sessions else today)
        if first is None:
            return None
        last = min(last, max(today, self.sessions[-1].day if self.sessions else first))
        return first, max(first, last)


def collect(store: SessionStore, date_from: date | None = None, date_to: date | None = None,
            exercise: str | None = None, weekly_targets: dict[str, int | None] | None = None) -> ExportData:
    """`weekly_targets`: each exercise's prescribed practice days a week (see weekly_target), to
    show adherence week by week."""
    sessions = store.sessions(date_from=date_from, date_to=date_to, exercise=exercise)
    spans = store.fault_spans([record.id for record in sessions])
    return ExportData(date_from, date_to, sessions, spans, datetime.now().astimezone(), dict(weekly_targets or {}))


def _file_name(source: str | None) -> str:
    """A recording by its file name: where it sits on the user's disk is nobody else's business."""
    return PurePath(source).name if source else ""


def _safe_cell(value: object) -> object:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _faults_text(fault_counts: dict[str, int]) -> str:
    return "; ".join(f"{fault} x{n}" for fault, n in sorted(fault_counts.items(), key=lambda kv: (-kv[1], kv[0])))


def sessions_csv(sessions: list[SessionRecord]) -> str:
    """One row per session, oldest first."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for r in sessions:
        by_side, steps = r.reps_by_side or {}, r.steps or {}
        row = [
            r.id, r.day.isoformat(), r.started_at.strftime("%H:%M"), r.exercise, r.title, r.source_kind,
            _file_name(r.source), f"{r.duration_s:.1f}", r.reps, r.partials, by_side.get("left", ""),
            by_side.get("right", ""), steps.get("forward", ""), steps.get("backward", ""),
            "" if r.sets is None else r.sets, "" if r.hold_target_s is None else f"{r.hold_target_s:g}",
            f"{r.hold_total_s:.1f}", r.counted_events, r.faulty_events,
            "" if r.fault_rate is None else f"{r.fault_rate:.2f}", _faults_text(r.fault_counts),
            "yes" if r.complete else "no", r.routine or "",
        ]
        writer.writerow([_safe_cell(v) for v in row])
    return buffer.getvalue()


# ---------------------------------------------------------------------- HTML
_CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; color: #1d1d1f; margin: 2em auto;
       max-width: 60em; padding: 0 1em; line-height: 1.4; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; } h2 { font-size: 1.2em; margin-top: 1.6em;
     border-bottom: 1px solid #ccc; } h3 { font-size: 1.05em; margin-bottom: 0.3em; }
.meta, .note { color: #555; font-size: 0.9em; }
table { border-collapse: collapse; width: 100%; font-size: 0.9em; margin: 0.5em 0 1em; }
th, td { border: 1px solid #d0d0d0; padding: 0.25em 0.5em; text-align: left; vertical-align: top; }
th { background: #f2f2f2; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
svg.spark { vertical-align: middle; } .empty { font-style: italic; color: #666; }
@media print {
  body { margin: 0; max-width: none; font-size: 10pt; }
  h2 { break-after: avoid; } tr, .exercise { break-inside: avoid; }
  thead { display: table-header-group; }
}
@page { margin: 15mm; }
"""


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _sparkline(values: list[float | None], label: str, top: float | None = None, width: int = 140,
               height: int = 32) -> str:
    """A small line of the values in order (inline SVG, no axes): the trend at a glance. A None (a
    week with nothing to measure) is a gap in the line. `top` fixes the scale (a rate's 100 %), so
    that lines of different exercises compare; else the largest value."""
    known = [v for v in values if v is not None]
    if not known:
        return ""
    top = top or max(known) or 1.0
    pad = 3
    step = (width - 2 * pad) / max(1, len(values) - 1)
    runs: list[list[tuple[float, float]]] = [[]]
    for i, v in enumerate(values):
        if v is None:
            runs.append([])
        else:
            runs[-1].append((pad + i * step, height - pad - (v / top) * (height - 2 * pad)))
    shapes = "".join(
        f'<polyline points="{" ".join(f"{x:.1f},{y:.1f}" for x, y in run)}" fill="none" stroke="#2a6fdb" '
        'stroke-width="1.5"/>' if len(run) > 1 else f'<circle cx="{run[0][0]:.1f}" cy="{run[0][1]:.1f}" r="1.5" '
        'fill="#2a6fdb"/>' for run in runs if run)
    last_x, last_y = next(run for run in reversed(runs) if run)[-1]
    return (f'<svg class="spark" width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" '
            f'aria-label="{_e(label)}"><title>{_e(label)}</title>{shapes}'
            f'<circle cx="{last_x:.1f}" cy="{last_y:.1f}" r="2.5" fill="#2a6fdb"/></svg>')


def count_text(r: SessionRecord) -> str:
    if r.steps is not None:
        text = f"{r.steps.get('forward', 0)} forward, {r.steps.get('backward', 0)} back"
        return text + (f" ({r.sets} set{'s' if r.sets != 1 else ''})" if r.sets else "")
    text = str(r.reps)
    if r.reps_by_side:
        text += f" (L {r.reps_by_side.get('left', 0)}, R {r.reps_by_side.get('right', 0)})"
    if r.partials:
        text += f", {r.partials} partial"
    return text


def _rate(rate: float | None) -> str:
    return "-" if rate is None else f"{rate:.0%}"


def _table(headers: list[str], rows: list[list[str]], numeric: set[int] = frozenset()) -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in headers)
    body = "".join(
        "<tr>" + "".join(f'<td class="num">{c}</td>' if i in numeric else f"<td>{c}</td>" for i, c in enumerate(row))
        + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _fault_name(fault: str) -> str:
    return fault.replace("_", " ")


def _adherence(weeks: list[PeriodTotals], target: int, today: date) -> str:
    """How many of the weeks that are over had the prescribed practice days."""
    over = [w for w in weeks if w.period_start + timedelta(days=6) < today]
    if not over:
        return f"prescribed: {target}+ days a week"
    met = sum(1 for w in over if w.practice_days >= target)
    return f"the prescribed {target}+ days a week met in {met} of {len(over)} full week{'s' if len(over) != 1 else ''}"


def _exercise_section(exercise: str, records: list[SessionRecord], weeks: list[PeriodTotals], target: int | None,
                      today: date) -> str:
    title = records[-1].title
    counts = [w.reps + w.steps for w in weeks]
    rates = [w.fault_rate for w in weeks]
    faults: dict[str, int] = defaultdict(int)
    for r in records:
        for fault, n in r.fault_counts.items():
            faults[fault] += n
    counted = sum(r.counted_events for r in records)
    faulty = sum(r.faulty_events for r in records)
    hold = sum(r.hold_total_s for r in records)
    reps, steps = sum(r.reps for r in records), sum(sum((r.steps or {}).values()) for r in records)
    done = [f"{reps} repetitions or holds"] if reps or not steps else []
    done += [f"{steps} steps"] if steps else []
    done += [f"{hold:.0f} s held in total"] if hold else []
    days = len({r.day for r in records})
    summary = (f"{len(records)} session{'s' if len(records) != 1 else ''} on {days} day{'s' if days != 1 else ''}; "
               + ", ".join(done) + f"; with a form fault: {_rate(faulty / counted if counted else None)}"
               + (f"; {_adherence(weeks, target, today)}" if target else ""))
    days_header = f"Days (aim {target}+)" if target else "Days"
    headers = ["Week of", "Sessions", days_header, "Count"] + (["Held (s)"] if hold else []) + ["With a fault"]
    rows = [[_e(w.period_start.isoformat()), str(w.sessions),
             str(w.practice_days) + (" *" if target and w.practice_days < target else ""), str(w.reps + w.steps)]
            + ([f"{w.hold_s:.0f}"] if hold else []) + [_rate(w.fault_rate)] for w in weeks]
    trend = _sparkline([float(c) for c in counts], f"{title}: count per week, oldest to newest")
    rate_trend = _sparkline([None if r is None else 100 * r for r in rates],  # no practice, no rate: a gap
                            f"{title}: fault rate per week (0-100 %), oldest to newest", top=100.0)
    top = ", ".join(f"{_e(_fault_name(f))} ({n})"
                    for f, n in sorted(faults.items(), key=lambda kv: (-kv[1], kv[0]))[:5])
    return (f'<section class="exercise"><h3>{_e(title)}</h3>'
            f"<p>{_e(summary)}</p>"
            f"<p>Count per week {trend} &nbsp; Fault rate per week {rate_trend}</p>"
            + (f"<p>Most frequent faults: {top}</p>" if top else "<p>No form faults recorded.</p>")
            + _table(headers, rows, set(range(1, len(headers))))
            + ('<p class="note">* fewer practice days than prescribed.</p>' if target and any(
                w.practice_days < target for w in weeks) else "")
            + "</section>")


def html_report(data: ExportData) -> str:
    """The printable report for a date range: per-exercise summaries with weekly trends, every
    session, and when each fault happened."""
    covered = data.span
    first = covered[0] if covered else None  # date_from, or the first session
    last = data.date_to or (data.sessions[-1].day if data.sessions else None)
    span = f"{first or 'the first session'} to {last or 'today'}" if first or last else "all time"
    parts = [
        "<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
        f"<title>formcheck practice report: {_e(span)}</title><style>{_CSS}</style></head><body>",
        "<h1>formcheck practice report</h1>",
        f'<p class="meta">Period: {_e(span)}. Generated {_e(data.generated_at.strftime("%Y-%m-%d %H:%M"))}.'
        "</p>",
        '<p class="note">Counts and faults are measured from one camera by formcheck, a practice aid, not a '
        "medical device; angles are approximate. \"With a fault\" is the share of counted repetitions, holds "
        "or steps during which at least one form fault was flagged.</p>",
    ]
    if not data.sessions:
        parts.append('<p class="empty">No sessions were saved in this period.</p></body></html>')
        return "\n".join(parts)
    by_exercise: dict[str, list[SessionRecord]] = defaultdict(list)
    for r in data.sessions:
        by_exercise[r.exercise].append(r)
    weekly = period_totals(data.sessions, "week", span=covered)
    parts.append("<h2>By exercise</h2>")
    for exercise, records in sorted(by_exercise.items()):
        parts.append(_exercise_section(exercise, records, [w for w in weekly if w.exercise == exercise],
                                       data.weekly_targets.get(exercise), data.generated_at.date()))
    parts.append("<h2>Sessions</h2>")
    rows = [[_e(r.started_at.strftime("%Y-%m-%d %H:%M")),
             _e(r.title + (f" (routine: {r.routine.replace('_', ' ')})" if r.routine else "")),
             _e(r.source_kind + (f": {_file_name(r.source)}" if r.source else "")),
             f"{r.duration_s:.0f} s", _e(count_text(r)),
             "-" if not r.hold_total_s else _e(f"{r.hold_total_s:.0f} s" + (
                 f" (target {r.hold_target_s:g} s each)" if r.hold_target_s else "")),
             _e(_fault_name(_faults_text(r.fault_counts)) or "none"), _rate(r.fault_rate)
             + ("" if r.complete else " (video incomplete)")] for r in data.sessions]
    parts.append(_table(["When", "Exercise", "Source", "Length", "Count", "Held", "Faults", "With a fault"], rows,
                        {3}))
    parts.append("<h2>When the faults happened</h2>")
    detail_rows = [[_e(r.started_at.strftime("%Y-%m-%d %H:%M")), _e(r.title), _e(f"{f.start_s:.1f}-{f.end_s:.1f} s"),
                    _e(_fault_name(f.fault)), _e(f.message)]
                   for r in data.sessions for f in data.fault_spans.get(r.id, [])]
    parts.append(_table(["Session", "Exercise", "Time in session", "Fault", "Cue given"], detail_rows) if detail_rows
                 else '<p class="empty">No form faults in this period.</p>')
    parts.append("</body></html>")
    return "\n".join(parts)
