"""Analysing a video file for the app: cached, with a progress bar, and errors as one-line messages."""

from __future__ import annotations

import contextlib
import hashlib
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Callable, ContextManager, Iterator

import streamlit as st

from formcheck.pipeline import NoPersonError, analyze_video
from formcheck.pose import PoseModelError
from formcheck.report import Report
from formcheck.specs import ExerciseSpec, SpecError
from formcheck.video import VideoError, recording_started_at

from . import sample_cache


class UnusableVideo(Exception):
    """A video the analysis could not use, with a message that names it as the user knows it."""


# Failures a user can cause or fix; anything else is a bug, still shown as one line (never a traceback).
USER_ERRORS = (VideoError, NoPersonError, SpecError, PoseModelError, UnusableVideo)


@dataclass(frozen=True)
class VideoAnalysis:
    report: Report
    annotated_mp4: bytes | None
    times: tuple[float, ...]  # the primary signal, frame by frame, for the signal plot
    values: tuple[float | None, ...]
    recorded_at: datetime | None = None  # an upload's recording start, if it says (see recording_started_at)


def error_message(exc: BaseException) -> str:
    """One readable line for the page."""
    lines = str(exc).strip().splitlines()
    text = lines[0] if lines else ""
    if isinstance(exc, USER_ERRORS):
        return text or type(exc).__name__
    return f"the analysis failed unexpectedly ({type(exc).__name__}: {text or 'no details'})"


def spec_key(spec: ExerciseSpec) -> str:
    """Changes whenever the spec's content does, so an edited spec is not served a stale analysis."""
    return hashlib.sha256(spec.model_dump_json().encode()).hexdigest()[:16]


def analyse(path: Path, spec: ExerciseSpec, label: str) -> VideoAnalysis:
    """The cached analysis of a bundled sample at `path` as `spec`: kept in memory (keyed on path,
    size and modification time) and on disk (sample_cache.py), so a new start of the app finds it."""
    stat = path.stat()
    key = spec_key(spec)
    return _analyse_cached(f"file:{path.resolve()}:{stat.st_size}:{stat.st_mtime_ns}", spec.id, key,
                           label, upload=False, _spec=spec, _open=lambda: contextlib.nullcontext(path),
                           _disk_key=sample_cache.entry_key(path, key))


@dataclass(frozen=True)
class Upload:
    name: str  # the user's own file name
    data: bytes
    digest: str  # of the content: the same video uploaded again is the same upload

    @classmethod
    def of(cls, name: str, data: bytes) -> "Upload":
        return cls(name, data, hashlib.sha256(data).hexdigest())


def analyse_upload(upload: Upload, spec: ExerciseSpec) -> VideoAnalysis:
    """The cached analysis of an uploaded video (keyed on its content). The video is on disk only
    while it is analysed, in a private folder, and the report names the user's file, not that copy."""
    return _analyse_cached(f"upload:{upload.digest}", spec.id, spec_key(spec), upload.name, upload=True,
                           _spec=spec, _open=lambda: _upload_on_disk(upload))


@contextlib.contextmanager
def _upload_on_disk(upload: Upload) -> Iterator[Path]:
    safe_name = Path(upload.name.replace("\x00", "")).name
    if safe_name in ("", ".", ".."):
        safe_name = "upload.mp4"
    with tempfile.TemporaryDirectory(prefix="formcheck-upload-") as folder:  # mode 0700, removed after
        path = Path(folder) / safe_name
        path.write_bytes(upload.data)
        yield path


@st.cache_data(show_spinner=False, max_entries=12)  # each holds an annotated mp4
def _analyse_cached(source: str, exercise_id: str, spec_hash: str, label: str, upload: bool, *,
                    _spec: ExerciseSpec, _open: Callable[[], ContextManager[Path]],
                    _disk_key: str | None = None) -> VideoAnalysis:
    """`source` identifies the video for the cache; `_open()` gives a path to read it from. An
    upload is named `label` in its report and dated by its recording (it goes to the history).
    With `_disk_key` the analysis is also kept on disk under that key."""
    if _disk_key is not None and (kept := sample_cache.load(_disk_key)) is not None:
        return VideoAnalysis(kept.report, kept.annotated_mp4, kept.times, kept.values)
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
        with tempfile.TemporaryDirectory(prefix="formcheck-") as tmp, _open() as path:
            annotated = Path(tmp) / "annotated.mp4"
            try:
                report = analyze_video(path, _spec, annotated_path=annotated, progress=progress, on_frame=on_frame)
            except USER_ERRORS as exc:
                # The message names the user's file, not the copy it was read from.
                raise UnusableVideo(str(exc).replace(str(path), label)) from None
            video = annotated.read_bytes() if annotated.is_file() and annotated.stat().st_size else None
            # A fresh copy: its file time is the upload's, not the recording's.
            recorded_at = recording_started_at(path, file_time=False) if upload else None
    finally:
        bar.empty()
    if upload:
        report = report.model_copy(update={"source": label})
    if _disk_key is not None:
        sample_cache.store(_disk_key, sample_cache.CachedAnalysis(report, video, tuple(times), tuple(values)))
    return VideoAnalysis(report, video, tuple(times), tuple(values), recorded_at)
