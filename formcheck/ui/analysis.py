"""Analysing a video file for the app: cached, with a progress bar, and errors as one-line messages."""

from __future__ import annotations

import hashlib
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

import streamlit as st

from formcheck.pipeline import NoPersonError, analyze_video
from formcheck.pose import PoseModelError
from formcheck.report import Report
from formcheck.specs import ExerciseSpec, SpecError
from formcheck.video import VideoError

# Failures a user can cause or fix; anything else is a bug, still shown as one line (never a traceback).
USER_ERRORS = (VideoError, NoPersonError, SpecError, PoseModelError)
UPLOADS_DIR = Path(tempfile.gettempdir()) / "formcheck-uploads"


@dataclass(frozen=True)
class VideoAnalysis:
    report: Report
    annotated_mp4: bytes | None
    times: tuple[float, ...]  # the primary signal, frame by frame, for the signal plot
    values: tuple[float | None, ...]


def error_message(exc: BaseException, renames: Mapping[str, str] | None = None) -> str:
    """One readable line for the page; `renames` puts the user's own file name in place of the
    path the app stored an upload under."""
    lines = str(exc).strip().splitlines()
    text = lines[0] if lines else ""
    for stored, shown in (renames or {}).items():
        text = text.replace(stored, shown)
    if isinstance(exc, USER_ERRORS):
        return text or type(exc).__name__
    return f"the analysis failed unexpectedly ({type(exc).__name__}: {text or 'no details'})"


def spec_key(spec: ExerciseSpec) -> str:
    """Changes whenever the spec's content does, so an edited spec is not served a stale analysis."""
    return hashlib.sha256(spec.model_dump_json().encode()).hexdigest()[:16]


def analyse(path: Path, spec: ExerciseSpec, label: str) -> VideoAnalysis:
    """The cached analysis of `path` (keyed on path, size and modification time) as `spec`."""
    stat = path.stat()
    return _analyse_cached(str(path.resolve()), stat.st_mtime_ns, stat.st_size, spec.id, spec_key(spec),
                           label, _spec=spec)


@st.cache_data(show_spinner=False, max_entries=12)  # each holds an annotated mp4
def _analyse_cached(path: str, mtime_ns: int, size: int, exercise_id: str, spec_hash: str, label: str, *,
                    _spec: ExerciseSpec) -> VideoAnalysis:
    # The bar lives inside the cached function so Streamlit can replay it (ending empty) on a hit.
    bar = st.progress(0.0, text=f"Analysing {label} ...")
    shown = [-1]

    def progress(fraction: float) -> None:
        percent = int(fraction * 100)
        if percent != shown[0]:  # about 100 updates at most, whatever the frame count
            shown[0] = percent
            bar.progress(min(1.0, max(0.0, fraction)), text=f"Analysing {label} ... {percent}%")

    times: list[float] = []
    values: list[float | None] = []

    def on_frame(state, _landmarks) -> None:
        times.append(state.timestamp_s)
        values.append(state.primary_value)

    try:
        with tempfile.TemporaryDirectory(prefix="formcheck-") as tmp:
            annotated = Path(tmp) / "annotated.mp4"
            report = analyze_video(path, _spec, annotated_path=annotated, progress=progress, on_frame=on_frame)
            video = annotated.read_bytes() if annotated.is_file() and annotated.stat().st_size else None
    finally:
        bar.empty()
    return VideoAnalysis(report, video, tuple(times), tuple(values))


def save_upload(name: str, data: bytes) -> Path:
    """Keep an upload on disk, in a folder named by its content hash: the analysis reads a file, the
    same upload twice is the same path (so the cache serves it), and messages name the user's file."""
    safe_name = Path(name.replace("\x00", "")).name
    if safe_name in ("", ".", ".."):
        safe_name = "upload"
    folder = UPLOADS_DIR / hashlib.sha256(data).hexdigest()[:24]
    path = folder / safe_name
    if not path.is_file():
        folder.mkdir(parents=True, exist_ok=True)
        partial = folder / (safe_name + ".part")
        partial.write_bytes(data)
        partial.replace(path)
    return path
