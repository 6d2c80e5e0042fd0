"""One video's analysis as a unit of work that a process pool or a Ray cluster can run.

A job carries everything a worker needs (the video's path, the exercise spec itself, the options),
so a worker on another machine uses the driver's specs, and its outcome carries everything the
driver writes (the report as JSON, the annotated video's bytes), so workers need no access to the
output folder. Only the videos must be readable by the workers, at the same path.

Each video gets a fresh pose landmarker: MediaPipe's landmarker in VIDEO mode tracks the person from
frame to frame, and one reused across videos was measured to change the reports of the videos after
the first (the counts stayed, the peaks and timings moved), even with a gap in time between videos.
What is built once per worker process is the rest: the imports of MediaPipe, TF-Lite and PyAV, the
offline model bundle, and the exercise specs.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from ..report import Report
from ..specs import ExerciseSpec

_HASH_CHUNK = 1 << 20


@dataclass(frozen=True)
class Job:
    index: int  # the video's place in the batch: the summary keeps this order
    video: str  # the path as the user gave it: the report's source, and messages
    video_abs: str  # the absolute path the worker reads
    exercise: str
    content_hash: str  # sha256 of the video file
    key: str  # content, spec, options and formcheck version: a finished job with the same key is not redone
    annotated: bool  # also make the annotated video
    expected_frames: int = 0  # from the container, for the time-left estimate only


@dataclass(frozen=True)
class WorkerContext:
    """What every job of a batch shares; sent to each worker once."""

    specs: dict[str, ExerciseSpec]
    model_path: str | None = None  # None: the offline model bundled with mediapipe
    hold_target_s: float | None = None


@dataclass
class JobOutcome:
    index: int
    key: str
    report_json: str | None  # None when the analysis failed
    error: str | None  # why it failed, or why the report is incomplete
    annotated: bytes | None = None
    frames: int = 0
    seconds: float = 0.0
    worker: str = ""  # host:pid, to tell which machine did what

    @property
    def failed(self) -> bool:
        return self.report_json is None

    def report(self) -> Report | None:
        return None if self.report_json is None else Report.model_validate_json(self.report_json)


def file_sha256(path: str | os.PathLike[str]) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(_HASH_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def spec_fingerprint(spec: ExerciseSpec) -> str:
    """Changes whenever anything in the spec changes (a threshold, a fault, a cue)."""
    return hashlib.sha256(spec.model_dump_json().encode()).hexdigest()


def job_key(content_hash: str, spec: ExerciseSpec, *, hold_target_s: float | None, model_id: str,
            version: str) -> str:
    """Everything a report depends on: the same key means the same report."""
    parts = {"content": content_hash, "spec": spec_fingerprint(spec), "hold_target_s": hold_target_s,
             "model": model_id, "formcheck": version}
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


# --------------------------------------------------------------------------- in the worker process
_prepared: dict[str, object] = {}


def prepare_worker() -> None:
    """Once per worker process: load what every analysis uses (MediaPipe, TF-Lite, PyAV and the
    pipeline) and build the offline model bundle if this machine has none yet, so the first video
    pays no more than the others. Errors are left for the jobs to report, one row each."""
    if _prepared:
        return
    _prepared["host"] = f"{socket.gethostname()}:{os.getpid()}"
    try:
        import mediapipe.tasks.python.vision  # noqa: F401  (the slow import)

        from ..pipeline import analyze_video  # noqa: F401
        from ..pose.bundle import ensure_bundled_model

        _prepared["bundled_model"] = str(ensure_bundled_model())
    except Exception as exc:  # reported by each job that needs the model
        _prepared["error"] = exc


def analyse_job(job: Job, context: WorkerContext) -> JobOutcome:
    """Analyse one video exactly as `formcheck analyze` does. Never raises: a video that cannot be
    analysed gives an outcome with its error."""
    prepare_worker()
    started = time.perf_counter()
    worker = str(_prepared.get("host", ""))
    annotated_tmp: Path | None = None
    try:
        from ..pipeline import analyze_video

        model_path = context.model_path or _prepared.get("bundled_model")
        if model_path is None:
            raise _prepared.get("error") or RuntimeError("the pose model could not be prepared")
        if job.annotated:
            fd, name = tempfile.mkstemp(prefix="formcheck-annotated-", suffix=".mp4")
            os.close(fd)
            annotated_tmp = Path(name)
        report = analyze_video(job.video_abs, context.specs[job.exercise], model_path=model_path,
                               annotated_path=annotated_tmp, hold_target_s=context.hold_target_s)
        # The source as the user named the video, as `formcheck analyze` writes it.
        report.source = job.video
        annotated = annotated_tmp.read_bytes() if annotated_tmp is not None and annotated_tmp.stat().st_size else None
        error = None if report.complete else next(
            (w.message for w in report.warnings if w.kind == "input"), "the video is incomplete")
        return JobOutcome(index=job.index, key=job.key, report_json=report.to_json() + "\n", error=error,
                          annotated=annotated, frames=report.frames, seconds=time.perf_counter() - started,
                          worker=worker)
    except Exception as exc:  # any failure is this video's row, never the batch's end
        return JobOutcome(index=job.index, key=job.key, report_json=None, error=_one_line(exc, job),
                          seconds=time.perf_counter() - started, worker=worker)
    finally:
        if annotated_tmp is not None:
            annotated_tmp.unlink(missing_ok=True)


def _one_line(exc: BaseException, job: Job) -> str:
    from ..pipeline import NoPersonError
    from ..pose.bundle import PoseModelError
    from ..specs import SpecError
    from ..video import VideoError

    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    if not isinstance(exc, (VideoError, NoPersonError, PoseModelError, SpecError, OSError)):
        text = f"{type(exc).__name__}: {text}" if text else type(exc).__name__
    return text.replace(job.video_abs, job.video)
