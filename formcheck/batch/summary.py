"""The batch's summary table: one row per video, as CSV and as Parquet.

The analysis columns are read from the Report object's fields, not from a fixed list, so a field
the report gains (a range per repetition, a new count) reaches the table without a change here:
scalar fields become columns, counts by key become one column per key, and each numeric field of
the counted events (repetitions, holds, steps) becomes its mean over them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..report import Event, Report
from .state import atomic_target

STATUSES = ("ok", "nothing_counted", "incomplete", "failed")
COUNTED_KINDS = ("rep", "hold", "step")
# Row columns that come first, in this order; the analysis columns follow in the report's order.
IDENTITY = ("video", "exercise", "patient", "recorded", "status", "error")
TRAILING = ("report", "annotated", "worker", "analysis_s")
# Report fields that are the row's identity or are summarised in their own way below.
_NOT_COLUMNS = {"exercise", "source", "title", "events", "faults", "warnings"}
# Per-key counts are named by what they count: reps_left, steps_forward, fault_knees_bent.
_PREFIX = {"reps_by_side": "reps", "fault_counts": "fault"}
_EVENT_NOT_MEANS = {"index", "start_s", "end_s"}


def status_of(report: Report | None) -> str:
    if report is None:
        return "failed"
    if not report.complete:
        return "incomplete"
    return "ok" if report.practised else "nothing_counted"


def report_columns(report: Report) -> dict[str, Any]:
    """The analysis columns of one video's row."""
    row: dict[str, Any] = {}
    for name, value in report:
        if name in _NOT_COLUMNS:
            continue
        if "dict" in str(Report.model_fields[name].annotation):  # counts by key, perhaps none at all
            value = value or {}
            prefix = _PREFIX.get(name, name)
            if name == "fault_counts":
                row["fault_total"] = sum(value.values())
            for key, count in sorted(value.items()):
                row[f"{prefix}_{key}"] = count
        elif value is None or isinstance(value, (bool, int, float, str)):
            row[name] = value
    counted = [e for e in report.events if e.kind in COUNTED_KINDS]
    row["counted"] = len(counted)
    row["faulty"] = sum(1 for e in counted if e.faults)
    row.setdefault("fault_total", 0)
    for field in _numeric_event_fields():
        values = [v for e in counted if (v := getattr(e, field)) is not None]
        row[f"{field}_mean"] = round(sum(values) / len(values), 4) if values else None
    row["warnings"] = len(report.warnings)
    row["warning_messages"] = " | ".join(w.message for w in report.warnings)
    return row


def _numeric_event_fields() -> list[str]:
    fields = []
    for name, info in Event.model_fields.items():
        if name in _EVENT_NOT_MEANS:
            continue
        annotation = str(info.annotation)
        if "float" in annotation and "list" not in annotation:
            fields.append(name)
    return fields


def summary_frame(rows: list[dict[str, Any]]):
    """The rows as a table: identity first, then the analysis columns, per-fault counts last (0 for a
    video analysed without that fault, empty for a failed one)."""
    import pandas as pd

    frame = pd.DataFrame(rows)
    for column in frame.columns:
        # Counts stay whole numbers, and flags true or false, beside the empty cells of failed videos
        # (not 5.0, not an untyped column).
        values = [row[column] for row in rows if row.get(column) is not None]
        if values and all(isinstance(v, bool) for v in values):
            frame[column] = frame[column].astype("boolean")
        elif values and all(isinstance(v, int) and not isinstance(v, bool) for v in values):
            frame[column] = frame[column].astype("Int64")
    for column in IDENTITY + TRAILING:
        if column not in frame:
            frame[column] = None
    faults = sorted(c for c in frame.columns if c.startswith("fault_") and c != "fault_total")
    analysed = frame["status"] != "failed"
    for column in faults:
        frame[column] = frame[column].astype("Int64")
        frame.loc[analysed, column] = frame.loc[analysed, column].fillna(0)
    middle = [c for c in frame.columns if c not in IDENTITY and c not in TRAILING and c not in faults]
    return frame[list(IDENTITY) + middle + faults + list(TRAILING)]


def write_summary(out: Path, rows: list[dict[str, Any]]) -> tuple[Path, Path]:
    """summary.csv and summary.parquet in `out`, each written atomically."""
    frame = summary_frame(rows)
    csv_path, parquet_path = out / "summary.csv", out / "summary.parquet"
    with atomic_target(csv_path) as tmp:
        frame.to_csv(tmp, index=False)
    with atomic_target(parquet_path) as tmp:
        frame.to_parquet(tmp, index=False, engine="pyarrow")
    return csv_path, parquet_path
