"""A batch from start to end: jobs from the items, what earlier runs finished skipped, the rest run
on a local process pool or on Ray, each outcome's files written as it arrives, the summary table.

Only this driver writes: reports, annotated videos, the journal, the summary and the history
database. Workers just analyse, so a worker killed at any point loses nothing that was written.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import sys
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime, time as day_time, timezone
from pathlib import Path
from typing import Iterator, Protocol, TextIO

from ..report import Report
from ..specs import ExerciseSpec
from .jobs import Job, JobOutcome, WorkerContext, file_sha256, job_key
from .manifest import BatchItem
from .progress import BatchProgress, duration_text
from .state import Journal, exclusive, write_atomic
from .summary import report_columns, status_of, write_summary

_HASH_THREADS = 4  # hashing reads files; sha256 releases the GIL


class Runner(Protocol):
    def run(self, jobs: list[Job], context: WorkerContext) -> Iterator[JobOutcome | None]: ...


@dataclass
class BatchOptions:
    out: Path
    annotated: bool = False
    hold_target_s: float | None = None
    model_path: str | None = None
    save: bool = False  # save each session in the history database
    db: str | None = None
    stream: TextIO = field(default_factory=lambda: sys.stderr)


@dataclass
class BatchResult:
    rows: list[dict]
    analysed: int = 0  # videos analysed by this run
    skipped: int = 0  # finished by an earlier run with the same content, spec, options and version
    frames: int = 0  # analysed by this run
    elapsed_s: float = 0.0
    summary_paths: tuple[Path, Path] | None = None
    history_saved: int = 0

    @property
    def statuses(self) -> Counter:
        return Counter(row["status"] for row in self.rows)

    def summary_line(self) -> str:
        counts = self.statuses
        parts = [f"{counts[s]} {s.replace('_', ' ')}" for s in ("ok", "nothing_counted", "incomplete", "failed")
                 if counts[s]]
        rate = f", {self.frames / self.elapsed_s:.1f} frames/s" if self.elapsed_s > 0 and self.frames else ""
        line = (f"{len(self.rows)} video{'s' if len(self.rows) != 1 else ''}: {', '.join(parts) or 'none'} "
                f"({self.analysed} analysed, {self.skipped} already done); {self.frames} frames in "
                f"{duration_text(self.elapsed_s)}{rate}")
        if self.summary_paths:
            line += f"; summary: {self.summary_paths[0]} and {self.summary_paths[1].name}"
        return line


def formcheck_version() -> str:
    from .. import __version__

    return __version__


def model_identity(model_path: str | None) -> str:
    if model_path is None:
        try:
            import importlib.metadata

            return "bundled mediapipe " + importlib.metadata.version("mediapipe")
        except Exception:
            return "bundled"
    return "file " + file_sha256(model_path)


def make_jobs(items: list[BatchItem], specs: dict[str, ExerciseSpec], options: BatchOptions) -> list[Job]:
    """Hash and probe every video (a few threads: this reads the files once); a file that cannot be
    read gets an empty hash, so it is never taken for done and its analysis says what is wrong."""
    from ..video import probe_video

    model_id = model_identity(options.model_path)
    version = formcheck_version()

    def prepare(index: int) -> Job:
        item = items[index]
        absolute = str(Path(item.video).expanduser().resolve())
        try:
            content = file_sha256(absolute)
        except OSError:
            content = ""
        try:
            expected = probe_video(absolute).frame_count if content else 0
        except Exception:
            expected = 0
        key = job_key(content, specs[item.exercise], hold_target_s=options.hold_target_s, model_id=model_id,
                      version=version) if content else ""
        return Job(index=index, video=str(item.video), video_abs=absolute, exercise=item.exercise,
                   content_hash=content, key=key, annotated=options.annotated, expected_frames=expected)

    with ThreadPoolExecutor(_HASH_THREADS) as pool:
        return list(pool.map(prepare, range(len(items))))


def output_names(jobs: list[Job], taken: dict[str, tuple[str, str]] | None = None) -> dict[int, str]:
    """Each job's output name (without suffix): its path below the folder common to all the videos,
    so a folder layout (alice/bridge/clip.mp4) is kept; the exercise is added where one video is
    analysed as two exercises. `taken`: names already holding another video's report (an earlier
    batch into the same folder, whose videos shared another folder), which get a distinct suffix."""
    taken = taken or {}
    folders = [os.path.dirname(j.video_abs) for j in jobs]
    try:
        root = os.path.commonpath(folders) if folders else ""
    except ValueError:  # different drives (Windows)
        root = ""
    names: dict[int, str] = {}
    per_video = Counter(j.video_abs for j in jobs)
    for job in jobs:
        relative = os.path.relpath(job.video_abs, root) if root else job.video_abs.lstrip(os.sep)
        stem = str(Path(relative).with_suffix(""))
        name = f"{stem}.{job.exercise}" if per_video[job.video_abs] > 1 else stem
        if taken.get(name, (job.video_abs, job.exercise)) != (job.video_abs, job.exercise):
            name += "." + hashlib.sha256(f"{job.video_abs}\0{job.exercise}".encode()).hexdigest()[:8]
        names[job.index] = name
    return names


def run_batch(items: list[BatchItem], specs: dict[str, ExerciseSpec], runner: Runner,
              options: BatchOptions) -> BatchResult:
    out = options.out
    with exclusive(out):
        store = _open_history(options)
        try:
            return _run(items, specs, runner, options, store)
        finally:
            if store is not None:
                store.close()


def _run(items, specs, runner, options, store) -> BatchResult:
    out = options.out
    for stale in out.glob("**/.*.tmp"):  # half-written by a run that was killed (this one holds the lock)
        stale.unlink(missing_ok=True)
    jobs = make_jobs(items, specs, options)
    journal = Journal(out)
    earlier = journal.load()
    names = output_names(jobs, taken={str(Path(r["report"]).with_suffix("")).removeprefix("reports/"): key
                                      for key, r in earlier.items() if r.get("report")})
    records: dict[int, dict] = {}
    todo: list[Job] = []
    for job in jobs:
        record = earlier.get((job.video_abs, job.exercise))
        if record is not None and _still_done(record, job, out):
            records[job.index] = record
        else:
            todo.append(job)
    # Longest first: a long video started last would keep one worker busy while the others idle.
    todo.sort(key=lambda job: -job.expected_frames)
    result = BatchResult(rows=[], skipped=len(records))
    if store is not None:  # asked to save now, perhaps not when these were analysed: the save is idempotent
        for index, record in records.items():
            if record.get("report"):
                report = Report.model_validate_json((out / record["report"]).read_text(encoding="utf-8"))
                result.history_saved += _save_session(store, items[index], jobs[index], report, options.stream)
    progress = BatchProgress(options.stream, total=len(jobs), done_before=len(records),
                             frames_to_do=sum(j.expected_frames for j in todo))
    context = WorkerContext(specs={e: specs[e] for e in {j.exercise for j in todo}},
                            model_path=options.model_path, hold_target_s=options.hold_target_s)
    by_index = {job.index: job for job in jobs}
    try:
        if todo:
            for outcome in runner.run(todo, context):
                if outcome is None:
                    progress.draw()
                    continue
                job = by_index[outcome.index]
                record = _finish(outcome, job, names[job.index], out)
                journal.append(record)
                records[job.index] = record
                result.analysed += 1
                result.frames += outcome.frames
                if store is not None and record["status"] != "failed":
                    report = outcome.report()
                    assert report is not None
                    result.history_saved += _save_session(store, items[job.index], job, report, options.stream)
                progress.video_done(_label(record, job), outcome.frames, job.expected_frames)
    finally:
        progress.close()
        result.elapsed_s = progress.elapsed_s
        # Written on the way out of an interrupted run too, with what is finished so far.
        result.rows = [_row(records[job.index], items[job.index], job) for job in jobs if job.index in records]
        if result.rows:
            result.summary_paths = write_summary(out, result.rows)
        # One line per video; videos of other batches written to this folder keep theirs.
        ours = {(job.video_abs, job.exercise) for job in jobs}
        journal.rewrite([r for key, r in earlier.items() if key not in ours]
                        + [records[job.index] for job in jobs if job.index in records])
    return result


def _still_done(record: dict, job: Job, out: Path) -> bool:
    """Done before with what this run would use, and its files are still there; a failure is always
    tried again (the file may have been fixed, the worker may have been killed by something else)."""
    if not job.key or record.get("key") != job.key or record.get("status") == "failed":
        return False
    if not record.get("report") or not (out / record["report"]).is_file():
        return False
    if job.annotated and record.get("frames_with_pose", 1) and not (
            record.get("annotated") and (out / record["annotated"]).is_file()):
        return False
    return True


def _finish(outcome: JobOutcome, job: Job, name: str, out: Path) -> dict:
    """Write one outcome's files (atomically) and return its journal record."""
    report = outcome.report()
    record = {"video_abs": job.video_abs, "exercise": job.exercise, "key": job.key, "status": status_of(report),
              "error": outcome.error, "frames": outcome.frames, "seconds": round(outcome.seconds, 2),
              "worker": outcome.worker, "finished_utc": datetime.now(timezone.utc).isoformat(timespec="seconds"),
              "report": None, "annotated": None, "columns": {}}
    if report is not None:
        report_path = f"reports/{name}.json"
        write_atomic(out / report_path, outcome.report_json or "")
        record["report"] = report_path
        record["columns"] = report_columns(report)
        record["frames_with_pose"] = report.frames_with_pose
        if record["status"] == "nothing_counted" and not record["error"]:
            # Often the wrong exercise, or the camera in the wrong place: the report's first warning says.
            record["error"] = next((w.message for w in report.warnings), "nothing was counted")
    if outcome.annotated:
        annotated_path = f"annotated/{name}.mp4"
        write_atomic(out / annotated_path, outcome.annotated)
        record["annotated"] = annotated_path
    return record


def _row(record: dict, item: BatchItem, job: Job) -> dict:
    recorded = item.recorded.isoformat() if item.recorded is not None else None
    return {"video": job.video, "exercise": job.exercise, "patient": item.patient, "recorded": recorded,
            "status": record["status"], "error": record.get("error"), **record.get("columns", {}),
            "report": record.get("report"), "annotated": record.get("annotated"), "worker": record.get("worker"),
            "analysis_s": record.get("seconds")}


def _label(record: dict, job: Job) -> str:
    detail = record.get("error") or ""
    columns = record.get("columns", {})
    if record["status"] in ("ok", "incomplete") and "counted" in columns:
        detail = f"{columns['counted']} counted" + (f"; {detail}" if detail else "")
    return f"{record['status']:<15} {job.video}" + (f": {detail}" if detail else "")


def _open_history(options: BatchOptions):
    if not options.save:
        return None
    from ..storage import SessionStore

    return SessionStore.open(options.db)  # StorageError: the batch does not start


def _save_session(store, item: BatchItem, job: Job, report: Report, stream: TextIO) -> int:
    """Save one video's session, keyed by its content (the same recording is one session, whoever
    analyses it again) and filed under its patient. A database that refuses costs a warning, not the
    batch."""
    from ..storage import StorageError, content_source_key

    if not report.practised or not job.content_hash:
        return 0
    try:
        store.save_report(report, source_kind="video", source_key=content_source_key(job.content_hash, job.exercise),
                          started_at=_started_at(item, job), patient=item.patient)
        return 1
    except (StorageError, OSError, sqlite3.Error) as exc:
        stream.write(f"warning: {job.video}: not saved to the history: {exc}\n")
        return 0


def _started_at(item: BatchItem, job: Job) -> datetime | None:
    """When the session was: the manifest's date and time; with a date alone, the recording's own
    time if it was made that day, else midday of that day; without a date, the recording's own time."""
    from ..video import recording_started_at

    if isinstance(item.recorded, datetime):
        return item.recorded
    own = recording_started_at(job.video_abs)
    if isinstance(item.recorded, date):
        if own is not None and own.astimezone().date() == item.recorded:
            return own
        return datetime.combine(item.recorded, day_time(12, 0))
    return own
