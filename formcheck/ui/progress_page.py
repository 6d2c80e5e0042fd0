"""The "Progress" page: per exercise, repetitions, hold time and fault rate over days and weeks,
streaks, and this week's practice against the prescribed frequency.

The data preparation (`progress_frame`, `weekly_targets`) is plain pandas so it can be checked
without Streamlit; `render_progress_page(store, specs)` draws it.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Sequence

import altair as alt
import pandas as pd
import streamlit as st

from formcheck.export import count_text
from formcheck.specs import ExerciseSpec
from formcheck.report import Report
from formcheck.storage import (Period, SessionRecord, SessionStore, StorageError, default_db_path, period_totals,
                               practice_streaks, this_week, weekly_targets)

# Seeds 001/002 ask for practice "at least 3 to 4 times weekly": the overall weekly streak uses 3.
OVERALL_WEEKLY_TARGET = 3
_RANGES = {"Last 4 weeks": 28, "Last 12 weeks": 84, "Last year": 365, "Everything": None}
_PROGRESS_COLUMNS = ["period", "exercise", "sessions", "practice days", "count", "held (s)", "average hold (s)",
                     "fault rate (%)"]


HISTORY_TOKEN_KEY = "history_token"


# ---------------------------------------------------------------------- the app's history database
@st.cache_resource(show_spinner=False)
def _open_store(path: str) -> SessionStore:
    # One store per process: it is thread-safe (one lock) and every browser session shares the file.
    return SessionStore.open(path)


def history_store() -> SessionStore | None:
    """The history database ($FORMCHECK_DB or the user's data folder), opened once per process;
    None, with a warning on the page, when it cannot be opened (the app still works without it)."""
    try:
        return _open_store(str(default_db_path()))
    except StorageError as exc:
        st.warning(f"Sessions are not being saved: {exc}")
        return None


def save_live_report(store: SessionStore, report: Report, live_session: int, routine: str | None = None
                     ) -> int | None:
    """Save a finished live session once, however often the page reruns: `live_session` is the
    LiveSnapshot.session counter, made unique per browser session by a token kept in session_state.
    A session in which nothing was done is not practice: it is not saved (None)."""
    if not report.practised:
        return None
    token = st.session_state.setdefault(HISTORY_TOKEN_KEY, uuid.uuid4().hex)
    started = datetime.now() - timedelta(seconds=report.duration_s)
    return store.save_report(report, source_kind="live", started_at=started, routine=routine,
                             source_key=f"live:{token}:{live_session}")


def save_video_report(store: SessionStore, report: Report, source_key: str, recorded_at: datetime | None = None
                      ) -> int | None:
    """Save the analysis of the user's own video (not the bundled samples: they are not the user's
    practice) as one session per recording, dated when it was recorded if the video says; an
    analysis in which nothing was done is not saved (None)."""
    if not report.practised:
        return None
    return store.save_report(report, source_kind="video", started_at=recorded_at, source_key=source_key)


# ---------------------------------------------------------------------- the page
def progress_frame(records: Sequence[SessionRecord], period: Period = "day",
                   span: tuple[date, date] | None = None) -> pd.DataFrame:
    """One row per exercise and day (or week): sessions, count (repetitions and holds, or steps),
    seconds held and the share of counted movements with a form fault; with `span`, every day (or
    week) of it, those without practice as zeros."""
    rows = [{
        "period": pd.Timestamp(t.period_start), "exercise": t.exercise, "sessions": t.sessions,
        "practice days": t.practice_days, "count": t.reps + t.steps, "held (s)": t.hold_s,
        "average hold (s)": round(t.hold_s / t.reps, 1) if t.hold_s and t.reps else None,
        "fault rate (%)": None if t.fault_rate is None else round(100 * t.fault_rate, 1),
    } for t in period_totals(records, period, span)]
    return pd.DataFrame(rows, columns=_PROGRESS_COLUMNS)


def hold_target(spec: ExerciseSpec | None) -> float | None:
    """The seconds each hold should last, as prescribed (None if the exercise has no hold)."""
    if spec is None:
        return None
    return spec.dosage.hold_s or getattr(spec.motion, "hold_target_s", None) or getattr(spec.motion, "hold_s", None)


def _chart(frame: pd.DataFrame, column: str, title: str, period: Period, bars: bool,
           target: float | None = None) -> alt.Chart | alt.LayerChart:
    """One place per day (or week, from its Monday) of the whole span, in order, so the charts line
    up and a day without practice is an empty place (a gap in a line)."""
    one_year = frame["period"].dt.year.nunique() <= 1  # else the year too: 05 Jan must not mean two days
    data = frame.assign(label=frame["period"].dt.strftime("%d %b" if one_year else "%d %b %Y"))
    places = list(dict.fromkeys(data["label"]))
    x = alt.X("label:O", title="day" if period == "day" else "week starting", sort=places,
              scale=alt.Scale(domain=places), axis=alt.Axis(labelOverlap=True, labelAngle=0))
    top = max([v for v in data[column] if pd.notna(v)] + ([target] if target else []) + [0.0])
    y = alt.Y(f"{column}:Q", title=title, scale=alt.Scale(domain=[0, (top or 1.0) * 1.15]))
    if bars:
        mark = alt.Chart(data).mark_bar()
    else:
        # A missing value breaks the line: each unbroken run is its own line, not joined across a gap.
        runs = data.assign(run=data[column].isna().cumsum()).dropna(subset=[column])
        mark = alt.Chart(runs).mark_line(point=True).encode(detail="run:N")
    chart = mark.encode(
        x=x, y=y,
        tooltip=[alt.Tooltip("period:T", title="from"), alt.Tooltip(f"{column}:Q", title=title),
                 alt.Tooltip("sessions:Q")],
    ).properties(height=200)
    if target is None:
        return chart
    prescribed = pd.DataFrame({"target": [target], "text": [f"prescribed {target:g} s"]})
    rule = alt.Chart(prescribed).mark_rule(strokeDash=[6, 3], color="#2a9d8f", strokeWidth=2).encode(y="target:Q")
    label = alt.Chart(prescribed).mark_text(align="left", dx=4, dy=-7, color="#2a9d8f").encode(
        y="target:Q", text="text:N", x=alt.value(0))
    return alt.layer(chart, rule, label)


def render_progress_page(store: SessionStore, specs: dict[str, ExerciseSpec], today: date | None = None) -> None:
    """The page; `specs` give the exercises' titles and prescribed frequencies."""
    today = today or date.today()
    targets = weekly_targets(specs)
    span_label = st.selectbox("Period", list(_RANGES), index=1, key="progress_range")
    days = _RANGES[span_label]
    since = today - timedelta(days=days - 1) if days else None
    everything = store.sessions()
    records = [r for r in everything if since is None or r.day >= since]
    if not everything:
        st.info("No sessions saved yet. Finished live sessions and analysed videos are kept here, "
                "so you can follow your practice over the weeks.")
        return

    streaks = practice_streaks((r.day for r in everything), today, OVERALL_WEEKLY_TARGET)
    cols = st.columns(3)
    cols[0].metric("Practice days in a row", streaks.current_days)
    cols[1].metric("Longest run of days", streaks.longest_days)
    cols[2].metric(f"Weeks in a row with {OVERALL_WEEKLY_TARGET}+ practice days", streaks.current_weeks)

    st.subheader("This week")
    practised = {r.exercise for r in everything}
    week = this_week(everything, today, {e: t for e, t in targets.items() if e in practised})
    titles = {spec_id: spec.title for spec_id, spec in specs.items()}
    st.dataframe(pd.DataFrame([{
        "exercise": titles.get(w.exercise, w.exercise), "sessions": w.sessions, "practice days": w.practice_days,
        "prescribed": "-" if w.target_days is None else f"{w.target_days}+ days a week",
        "on track": "" if w.on_track is None else ("yes" if w.on_track else f"{w.target_days - w.practice_days} to go"),
    } for w in week]), hide_index=True, width="stretch")

    if not records:
        st.info(f"No sessions in the {span_label.lower()}.")
        return
    practised = sorted({r.exercise for r in records})
    exercise = st.selectbox("Exercise", practised, key="progress_exercise",
                            format_func=lambda e: titles.get(e, e))
    period: Period = "week" if st.radio("Totals per", ["day", "week"], horizontal=True,
                                        key="progress_period") == "week" else "day"
    chosen = [r for r in records if r.exercise == exercise]
    frame = progress_frame(chosen, period, span=(chosen[0].day, today))  # from the first session shown
    walking = any(r.steps is not None for r in chosen)
    held = frame["held (s)"].sum() > 0
    st.altair_chart(_chart(frame, "count", "Steps (forward and back)" if walking else "Count", period, bars=True),
                    width="stretch")
    if held:
        st.altair_chart(_chart(frame, "average hold (s)", "Average hold (s)", period, bars=True,
                               target=hold_target(specs.get(exercise))), width="stretch")
    if frame["fault rate (%)"].fillna(0).sum() > 0:
        st.altair_chart(_chart(frame, "fault rate (%)", "% with a form fault", period, bars=False), width="stretch")
    elif frame["fault rate (%)"].notna().any():
        st.caption("No form faults in this period.")
    st.subheader("Sessions")
    shown = chosen[::-1]  # newest first
    table = pd.DataFrame([{
        "When": r.started_at.strftime("%Y-%m-%d %H:%M"), "Source": r.source_kind + (
            f": {Path(r.source).name}" if r.source and r.source_kind == "video" else ""),
        "Count": count_text(r),
        "Held (s)": round(r.hold_total_s, 1),
        "Faults": ", ".join(f"{f.replace('_', ' ')} x{n}" for f, n in sorted(r.fault_counts.items())) or "none",
    } for r in shown])
    st.dataframe(table if held else table.drop(columns=["Held (s)"]), hide_index=True, width="stretch")
    _removal(store, shown)


def _removal(store: SessionStore, sessions: list[SessionRecord]) -> None:
    """Take a session out of the history, e.g. one recorded by mistake."""
    with st.expander("Remove a session"):
        labels = {r.id: f"{r.started_at:%Y-%m-%d %H:%M}, {r.source_kind}, count {count_text(r)}" for r in sessions}
        chosen = st.selectbox("Session", list(labels), format_func=labels.get, key="progress_remove_choice")
        if st.button("Remove this session from the history", key="progress_remove", disabled=chosen is None):
            try:
                store.delete_session(chosen)
            except StorageError as exc:
                st.warning(f"The session could not be removed: {exc}")
                return
            st.rerun()
