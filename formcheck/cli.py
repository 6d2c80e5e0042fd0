"""The `formcheck` command line: analyze, batch, exercises, validate, bench, history, export (and eval for
sample clips)."""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Sequence, TextIO

if TYPE_CHECKING:
    from .report import Report

EXIT_BAD_INPUT = 2
_BENCH_REPLAY_FRAMES = 3000
# With the silhouette mask (a picture-sized array per frame) kept for the replay, fewer frames: the
# replay times the engine per frame, and 300 are plenty; more would make the bench's memory its own.
_BENCH_REPLAY_MASKED_FRAMES = 300
_MAX_HOLD_S = 600


class _Progress:
    """A one-line progress bar on stderr, shown only on a terminal."""

    def __init__(self, stream: TextIO, label: str) -> None:
        self.stream = stream
        self.label = label
        self.enabled = stream.isatty()
        self._last = -1

    def __call__(self, fraction: float) -> None:
        if not self.enabled:
            return
        percent = int(fraction * 100)
        if percent == self._last:
            return
        self._last = percent
        filled = percent * 30 // 100
        self.stream.write(f"\r{self.label} [{'#' * filled}{'.' * (30 - filled)}] {percent:3d}%")
        if percent >= 100:
            self.stream.write("\n")
        self.stream.flush()


def _cmd_analyze(args: argparse.Namespace) -> int:
    from .pipeline import analyze_video

    to_stdout = args.json == "-"
    human = sys.stderr if to_stdout else sys.stdout
    if args.hold is not None and not 0 < args.hold <= _MAX_HOLD_S:
        raise UsageError(f"--hold {args.hold:g}: give the hold target in seconds, above 0 and at most {_MAX_HOLD_S}")
    # Found before a long analysis, not after it.
    for option, out in (("--json", None if to_stdout else args.json), ("--annotated", args.annotated)):
        if out is not None:
            _check_writable(out, option)
    report = analyze_video(
        args.video, args.exercise, model_path=args.model, annotated_path=args.annotated,
        hold_target_s=args.hold, progress=_Progress(sys.stderr, "analysing"),
    )
    if to_stdout:
        sys.stdout.write(report.to_json() + "\n")
    elif args.json:
        Path(args.json).write_text(report.to_json() + "\n", encoding="utf-8")
    for line in report.summary_lines():
        print(line, file=human)
    if args.json and not to_stdout:
        print(f"report written to {args.json}", file=human)
    if args.annotated:
        print(f"annotated video written to {args.annotated}", file=human)
    if args.save:
        _save_to_history(report, args, human)
    if not report.complete:
        message = next((w.message for w in report.warnings if w.kind == "input"), "the video is incomplete")
        print(f"error: {message}", file=sys.stderr)
        return EXIT_BAD_INPUT
    return 0


class UsageError(Exception):
    """A bad option value; printed as one `error:` line with exit code 2."""


def _check_writable(path: str, option: str) -> None:
    target = Path(path)
    folder = target.parent
    if target.is_dir():
        raise UsageError(f"{option} {path}: is a folder; give a file name")
    if not folder.is_dir():
        raise UsageError(f"{option} {path}: the folder {str(folder)!r} does not exist")
    if not os.access(folder, os.W_OK):
        raise UsageError(f"{option} {path}: the folder {str(folder)!r} is not writable")


def _save_to_history(report: "Report", args: argparse.Namespace, human: TextIO) -> None:
    """Keep the analysed session in the history database. The analysis is done and shown by now, so a
    database that cannot be written costs only this warning, never the result."""
    from .storage import SessionStore, StorageError, video_source_key
    from .ui.samples import default_samples_dir
    from .video import recording_started_at

    if not report.practised:
        print("nothing was counted, so this video was not saved to the history", file=human)
        return
    if Path(args.video).resolve().parent == default_samples_dir().resolve():
        print("a bundled sample clip is not your practice: not saved to the history", file=human)
        return
    try:
        key = video_source_key(args.video, report.exercise)
        with SessionStore.open(args.db) as store:
            session_id = store.save_report(report, source_kind="video", source_key=key,
                                           started_at=recording_started_at(args.video))
        print(f"saved to history as session {session_id} ({store.path})", file=human)
    except (StorageError, OSError) as exc:
        print(f"warning: not saved to the history: {exc}", file=sys.stderr)


def _parse_day(text: str | None, option: str) -> date | None:
    if text is None:
        return None
    try:
        # fromisoformat alone would also take 20261101 or 2026-W45-1; ask for one clear form.
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"{option} {text!r}: not a date; write it as YYYY-MM-DD") from None


def _date_range(args: argparse.Namespace) -> tuple[date | None, date | None]:
    start, end = _parse_day(args.date_from, "--from"), _parse_day(args.date_to, "--to")
    if start and end and start > end:
        raise UsageError(f"--from {start} is after --to {end}")
    return start, end


def _cmd_history(args: argparse.Namespace) -> int:
    from .export import count_text
    from .storage import SessionStore

    start, end = _date_range(args)
    if args.last is not None and args.last < 1:
        raise UsageError(f"--last {args.last}: give a number of sessions, 1 or more")
    with SessionStore.open(args.db) as store:
        if args.delete is not None:
            record = store.session(args.delete)
            if record is None or not store.delete_session(args.delete):
                raise UsageError(f"there is no session {args.delete} in {store.path}")
            print(f"session {args.delete} deleted ({record.started_at:%Y-%m-%d %H:%M}, {record.title}, "
                  f"{count_text(record)})")
            return 0
        if args.show is not None:
            report = store.report(args.show)
            if report is None:
                raise UsageError(f"there is no session {args.show} in {store.path}")
            record = store.session(args.show)
            print(f"session {args.show}: {record.started_at:%Y-%m-%d %H:%M}, {record.source_kind}"
                  + (f" ({record.source})" if record.source else ""))
            for line in report.summary_lines():
                print(line)
            return 0
        records = store.sessions(date_from=start, date_to=end, exercise=args.exercise, source_kind=args.source,
                                 limit=args.last, patient=args.patient)
    if args.json:
        rows = [{"id": r.id, "started_at": r.started_at.isoformat(), "exercise": r.exercise,
                 "source_kind": r.source_kind, "source": r.source, "duration_s": r.duration_s, "reps": r.reps,
                 "partials": r.partials, "reps_by_side": r.reps_by_side, "steps": r.steps, "sets": r.sets,
                 "hold_total_s": r.hold_total_s, "fault_counts": r.fault_counts, "fault_rate": r.fault_rate,
                 "complete": r.complete, "routine": r.routine, "patient": r.patient} for r in records]
        print(json.dumps(rows, indent=2))
        return 0
    if not records:
        print("no sessions saved" + (" that match" if any((start, end, args.exercise, args.source, args.patient))
                                     else ""))
        return 0
    for r in records:
        held = f", held {r.hold_total_s:.0f} s" if r.hold_total_s else ""
        faults = ", ".join(f"{f} x{n}" for f, n in sorted(r.fault_counts.items())) or "no faults"
        print(f"{r.id:>5}  {r.started_at:%Y-%m-%d %H:%M}  {r.exercise:<20} {r.source_kind:<5}  "
              f"{count_text(r)}{held}; {faults}")
    return 0


def _cmd_export(args: argparse.Namespace) -> int:
    from .export import collect, html_report, sessions_csv
    from .storage import SessionStore

    start, end = _date_range(args)
    fmt = args.format or ("html" if args.out and Path(args.out).suffix.lower() in (".html", ".htm") else "csv")
    if args.out not in (None, "-"):
        _check_writable(args.out, "--out")
    with SessionStore.open(args.db) as store:
        data = collect(store, start, end, exercise=args.exercise, weekly_targets=_weekly_targets())
    text = sessions_csv(data.sessions) if fmt == "csv" else html_report(data)
    if args.out in (None, "-"):
        sys.stdout.write(text)
    else:
        Path(args.out).write_text(text, encoding="utf-8", newline="")
        print(f"{len(data.sessions)} session{'s' if len(data.sessions) != 1 else ''} written to {args.out}",
              file=sys.stderr)
    return 0


def _weekly_targets() -> dict[str, int | None]:
    """Each exercise's prescribed practice days a week, from the specs (none if they cannot be read:
    the export goes on without adherence)."""
    from .specs import SpecError, load_all_specs
    from .storage import weekly_targets

    try:
        return weekly_targets(load_all_specs())
    except SpecError:
        return {}


def _cmd_routines(args: argparse.Namespace) -> int:
    from .routines import load_all_routines, load_routine
    from .specs import StepMotion, load_all_specs

    specs = load_all_specs()
    if args.files:
        for path in args.files:
            routine = load_routine(path, specs)
            print(f"{path}: ok ({routine.id}: {len(routine.steps)} exercises)")
        return 0
    for routine in load_all_routines(specs=specs).values():
        print(f"{routine.id}: {routine.title}" + (f" ({routine.frequency})" if routine.frequency else ""))
        for step in routine.steps:
            walking = isinstance(specs[step.exercise].motion, StepMotion)
            each = " each way" if walking else (" per side" if step.per_side else "")
            hold = f", hold {step.hold_s:g} s" if step.hold_s else ""
            print(f"  {step.exercise}: {step.sets} x {step.reps}{each}{hold}, rest {step.rest_s:g} s")
    return 0


def _cmd_exercises(args: argparse.Namespace) -> int:
    from .specs import load_all_specs

    specs = load_all_specs(args.specs_dir)
    if args.markdown:
        from .catalogue import catalogue_markdown

        sys.stdout.write(catalogue_markdown(specs.values()))
        return 0
    width = max(len(i) for i in specs) if specs else 0
    for spec in specs.values():
        print(f"{spec.id:<{width}}  {spec.title} ({spec.camera.view} view)")
    return 0


def _cmd_validate(args: argparse.Namespace) -> int:
    from .specs import load_spec

    for path in args.files:
        spec = load_spec(path)
        print(f"{path}: ok ({spec.id}: {len(spec.signals)} signals, {len(spec.faults) + len(spec.event_faults)} faults)")
    return 0


def _cmd_bench(args: argparse.Namespace) -> int:
    import resource
    import time

    from .engine import Analyzer
    from .pipeline import StageTimes, analyze_video, resolve_spec
    from .pose import create_pose_estimator

    spec = resolve_spec(args.exercise)
    started = time.perf_counter()
    estimator = create_pose_estimator(args.model, segmentation=spec.needs_silhouette)
    startup = time.perf_counter() - started
    times = StageTimes()
    recorded: list = []

    limit = _BENCH_REPLAY_MASKED_FRAMES if spec.needs_silhouette else _BENCH_REPLAY_FRAMES

    def record(state, landmarks) -> None:
        if len(recorded) < limit:  # bounded, so memory stays flat in video length
            recorded.append((landmarks, state.timestamp_s))

    try:
        started = time.perf_counter()
        report = analyze_video(args.video, spec, estimator=estimator, times=times, on_frame=record)
        total = time.perf_counter() - started
    finally:
        estimator.close()
    # The same landmarks once more through a fresh engine: its own cost, without the pose model's
    # threads competing for the two cores.
    analyzer, alone = Analyzer(spec), []
    for landmarks, timestamp in recorded:
        t0 = time.perf_counter()
        analyzer.update(landmarks, timestamp)
        alone.append(time.perf_counter() - t0)
    frames = report.frames
    pose_only = times.decode_s + times.pose_s
    in_pipeline = sorted(times.engine_per_frame_s)
    result = {
        "video": str(args.video),
        "exercise": report.exercise,
        "frames": frames,
        "model_startup_s": round(startup, 2),
        "pose_only_fps": round(frames / pose_only, 2) if pose_only else None,
        "pipeline_fps": round(frames / total, 2) if total else None,
        "engine_ms_per_frame": round(statistics.median(in_pipeline) * 1000, 4),
        "engine_ms_per_frame_p95": round(in_pipeline[int(0.95 * (len(in_pipeline) - 1))] * 1000, 4),
        "engine_ms_per_frame_alone": round(statistics.median(alone) * 1000, 4),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
    print(json.dumps(result, indent=2))
    return 0


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="formcheck",
        description="Counts repetitions, times holds and flags form faults in low-back-pain exercises.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("analyze", help="analyse a recorded video of one exercise")
    p.add_argument("video", help="video file (mp4, mov, webm, avi, ...)")
    p.add_argument("--exercise", "-e", required=True, help="exercise id (see `formcheck exercises`)")
    p.add_argument("--json", metavar="OUT.json", help="write the JSON report here ('-' for stdout)")
    p.add_argument("--annotated", metavar="OUT.mp4", help="write an annotated H.264 video here")
    p.add_argument("--model", metavar="PATH", help="a pose_landmarker_{lite,full,heavy}.task file to use instead "
                   "of the model bundled with mediapipe")
    p.add_argument("--hold", type=float, metavar="SECONDS", help="hold target in seconds (default: the spec's)")
    p.add_argument("--save", action=argparse.BooleanOptionalAction, default=True,
                   help="save the session to the history database (default: save; the same video is saved once)")
    _add_db_option(p)
    p.set_defaults(func=_cmd_analyze)

    p = sub.add_parser("exercises", help="list the exercises")
    p.add_argument("--markdown", action="store_true", help="print the exercise catalogue as Markdown")
    p.add_argument("--specs-dir", metavar="DIR", help="folder of exercise specs (default: the bundled ones)")
    p.set_defaults(func=_cmd_exercises)

    p = sub.add_parser("validate", help="check exercise spec files")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.set_defaults(func=_cmd_validate)

    p = sub.add_parser("bench", help="measure speed and memory on a video (prints JSON)")
    p.add_argument("video")
    p.add_argument("--exercise", "-e", default="prone_press_up")
    p.add_argument("--model", metavar="PATH")
    p.set_defaults(func=_cmd_bench)

    p = sub.add_parser("routines", help="list the routines, or check routine files")
    p.add_argument("files", nargs="*", metavar="FILE", help="routine files to check (default: list the bundled ones)")
    p.set_defaults(func=_cmd_routines)

    p = sub.add_parser("history", help="list saved sessions (filter by date, exercise, source)")
    _add_date_options(p)
    p.add_argument("--exercise", "-e", help="only this exercise id")
    p.add_argument("--source", choices=["video", "live"], help="only analysed videos or live sessions")
    p.add_argument("--patient", help="only this patient's sessions (saved by `formcheck batch --save`)")
    p.add_argument("--last", type=int, metavar="N", help="only the N most recent sessions")
    p.add_argument("--show", type=int, metavar="ID", help="print the full summary of one session")
    p.add_argument("--delete", type=int, metavar="ID", help="remove one session (e.g. recorded by mistake)")
    p.add_argument("--json", action="store_true", help="print the sessions as JSON")
    _add_db_option(p)
    p.set_defaults(func=_cmd_history)

    p = sub.add_parser("export", help="export sessions for a clinician: CSV or a printable HTML report")
    _add_date_options(p)
    p.add_argument("--format", choices=["csv", "html"], help="default: from --out's suffix, else csv")
    p.add_argument("--out", "-o", metavar="FILE", help="write here (default: stdout)")
    p.add_argument("--exercise", "-e", help="only this exercise id")
    _add_db_option(p)
    p.set_defaults(func=_cmd_export)

    p = sub.add_parser("eval", help="measure accuracy on clips with ground-truth sidecars")
    p.add_argument("directory")
    p.add_argument("--json", action="store_true", help="print the results as JSON")
    p.add_argument("--model", metavar="PATH")
    p.add_argument("--workers", type=int, metavar="N",
                   help="clips analysed at once, in parallel processes (default: one per core)")
    p.set_defaults(func=_cmd_eval)

    from .batch.command import add_batch_parser  # its options live beside the command

    add_batch_parser(sub)
    return parser


def _add_db_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--db", metavar="PATH", help="history database file (default: $FORMCHECK_DB, else "
                   "history.sqlite3 in the user's data folder, e.g. ~/.local/share/formcheck)")


def _add_date_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--from", dest="date_from", metavar="YYYY-MM-DD", help="first day included")
    p.add_argument("--to", dest="date_to", metavar="YYYY-MM-DD", help="last day included")


def _cmd_eval(args: argparse.Namespace) -> int:
    from .evaluation import run_cli

    return run_cli(args)


def main(argv: Sequence[str] | None = None) -> int:
    from .pipeline import NoPersonError
    from .pose.bundle import PoseModelError
    from .specs import SpecError
    from .storage import StorageError
    from .video import VideoError

    parser = _build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except (VideoError, SpecError, PoseModelError, NoPersonError, StorageError, UsageError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except OSError as exc:
        print(f"error: {exc.strerror or exc}: {exc.filename or ''}".rstrip(": "), file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
