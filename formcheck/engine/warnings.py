"""Warnings about the recording (view, framing, missing person), merged into time spans."""

from __future__ import annotations

from ..report import ReportWarning

_MERGE_GAP_S = 1.0


class WarningLog:
    def __init__(self) -> None:
        self._spans: list[ReportWarning] = []
        self._open: dict[tuple[str, str], ReportWarning] = {}

    def note(self, kind: str, message: str, t: float) -> None:
        key = (kind, message)
        span = self._open.get(key)
        if span is not None and span.end_s is not None and t - span.end_s <= _MERGE_GAP_S:
            span.end_s = t
            return
        span = ReportWarning(kind=kind, message=message, start_s=t, end_s=t)  # type: ignore[arg-type]
        self._spans.append(span)
        self._open[key] = span

    def add(self, kind: str, message: str) -> None:
        self._spans.append(ReportWarning(kind=kind, message=message))  # type: ignore[arg-type]

    def spans(self, min_duration_s: float = 0.0) -> list[ReportWarning]:
        """Spans shorter than min_duration_s (a blink of the detector) are left out."""
        return [
            w for w in self._spans
            if w.start_s is None or (w.end_s or w.start_s) - w.start_s >= min_duration_s
        ]
