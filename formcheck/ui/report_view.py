"""How a report is shown: the same for an analysed video and a finished live session."""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

import streamlit as st

from formcheck.report import Report
from formcheck.specs import ExerciseSpec

from .charts import events_frame, fault_timeline, signal_chart, timeline_height
from .text import sentence


def verdict(report: Report) -> str:
    """One sentence a patient can act on."""
    counted = [e for e in report.events if e.kind in ("rep", "hold")]
    if report.steps is not None:
        total = sum(report.steps.values())
        return f"{total} step{'s' if total != 1 else ''} counted" + (
            "; form faults were flagged, see the cues below." if report.faults else " with no form fault flagged.")
    if not counted:
        if report.partials:
            return (f"No complete repetition or hold was counted: {report.partials} attempt"
                    f"{'s' if report.partials != 1 else ''} moved too little to count (the table says how far).")
        return "No complete repetition or hold was counted." + (
            " Check the warnings below and the camera placement in the sidebar." if report.warnings else "")
    faulty = [e for e in counted if e.faults]
    noun = "hold" if counted[0].kind == "hold" else "repetition"
    text = f"{len(faulty)} of {len(counted)} {noun}s had a form fault; the cues below say what to change."
    if not faulty:
        text = f"Good form on all {len(counted)} {noun}s." if len(counted) > 1 else f"Good form on the {noun}."
    if report.partials:
        text += f" {report.partials} more attempt{'s' if report.partials != 1 else ''} moved too little to count."
    return text


def show_report(report: Report, spec: ExerciseSpec, times: Sequence[float] = (), values: Sequence[float | None] = (),
                key: str = "report", video: bytes | None = None) -> None:
    """Metrics, then the annotated video (if any) beside the verdict and cues, then the details."""
    show_metrics(report)
    if video is not None:
        left, right = st.columns([3, 2])
        left.video(video)
        left.caption("The video as formcheck saw it: skeleton, key angles, the counter and the cues.")
        with right:
            show_verdict(report)
            show_checks(spec)
    else:
        show_verdict(report)
    show_details(report, spec, times, values, key)


def show_checks(spec: ExerciseSpec) -> None:
    """What formcheck watches for in this exercise, in the words of its cues."""
    cues = [rule.cue for rule in spec.faults] + [rule.cue for rule in spec.event_faults]
    if cues:
        st.markdown("**What formcheck watches for**")
        st.markdown("\n".join(f"- {sentence(cue)}" for cue in dict.fromkeys(cues)))


def show_verdict(report: Report) -> None:
    if not report.complete:
        reason = next((w.message for w in report.warnings if w.kind == "input"), "the input broke off")
        st.warning(f"Only part of the video could be read: {reason}")
    (st.success if not report.faults and report.reps else st.info)(verdict(report))
    for w in report.warnings:
        if w.kind == "input":
            continue
        span = "" if w.start_s is None else f" ({w.start_s:.1f}-{(w.end_s or w.start_s):.1f} s)"
        st.warning(f"{sentence(w.message)}{span}")
    if report.faults:
        st.markdown("**Form cues**")
        st.markdown("\n".join(f"- {f.start_s:.1f}-{f.end_s:.1f} s: **{sentence(f.message)}** ({f.fault})"
                              for f in report.faults))


def show_details(report: Report, spec: ExerciseSpec, times: Sequence[float], values: Sequence[float | None],
                 key: str) -> None:
    st.markdown("**Repetitions, holds and steps**")
    table = events_frame(report)
    if table.empty:
        st.caption("Nothing was counted.")
    else:
        # Columns that say nothing for this exercise (e.g. "direction" outside butt walks) are left out,
        # and "kind", which the event's own name already says.
        table = table.drop(columns=["outcome", "kind"])
        table = table[[c for c in table.columns if table[c].replace("", None).notna().any()]]
        st.dataframe(table, hide_index=True,
                     width="stretch", key=f"{key}-events")
    if report.events or report.faults:
        # Streamlit sizes the frame from this, so it must include the title and the axis.
        st.altair_chart(fault_timeline(report), width="stretch", height=timeline_height(report) + 110)
    if any(v is not None for v in values):
        st.altair_chart(signal_chart(times, values, spec, report), width="stretch")
    elif times:
        st.caption(f"No {spec.motion.signal.replace('_', ' ')} to plot: formcheck never started measuring "
                   "(see the warnings above).")
    with st.expander("The report as text (as `formcheck analyze` prints it)"):
        st.code("\n".join(report.summary_lines()), language=None)
    _downloads(report, key)


def show_metrics(report: Report) -> None:
    cols = st.columns(5)
    if report.steps is not None:
        cols[0].metric("Steps", f"{report.steps.get('forward', 0)} fwd / {report.steps.get('backward', 0)} back")
    else:
        label = "Holds" if any(e.kind == "hold" for e in report.events) else "Repetitions"
        value = str(report.reps)
        if report.reps_by_side:
            value += " (" + ", ".join(f"{k[0].upper()} {v}" for k, v in sorted(report.reps_by_side.items())) + ")"
        cols[0].metric(label, value)
    cols[1].metric("Partial attempts", report.partials)
    cols[2].metric("Form faults", len(report.faults))
    cols[3].metric("Duration", f"{report.duration_s:.1f} s")
    found = report.frames_with_pose / report.frames if report.frames else 0.0
    cols[4].metric("Frames with a person", f"{found:.0%}")


def _downloads(report: Report, key: str) -> None:
    stem = Path(report.source).stem if report.source and report.source != "live camera" else "live"
    base = f"formcheck_{report.exercise}_{stem}"
    left, right = st.columns(2)
    left.download_button("Download the report (JSON)", report.to_json(), file_name=f"{base}.json",
                         mime="application/json", key=f"{key}-json", on_click="ignore")
    right.download_button("Download the events (CSV)", report.events_csv(), file_name=f"{base}_events.csv",
                          mime="text/csv", key=f"{key}-csv", on_click="ignore")
