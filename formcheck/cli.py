"""The `formcheck` command line: analyze, exercises, validate, bench (and eval for sample clips)."""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
from pathlib import Path
from typing import Sequence, TextIO

EXIT_BAD_INPUT = 2
_BENCH_REPLAY_FRAMES = 3000


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
    if not report.complete:
        message = next((w.message for w in report.warnings if w.kind == "input"), "the video is incomplete")
        print(f"error: {message}", file=sys.stderr)
        return EXIT_BAD_INPUT
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
    estimator = create_pose_estimator(args.model)
    startup = time.perf_counter() - started
    times = StageTimes()
    recorded: list = []

    def record(state, landmarks) -> None:
        if len(recorded) < _BENCH_REPLAY_FRAMES:  # bounded, so memory stays flat in video length
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

    p = sub.add_parser("eval", help="measure accuracy on clips with ground-truth sidecars")
    p.add_argument("directory")
    p.add_argument("--json", action="store_true", help="print the results as JSON")
    p.add_argument("--model", metavar="PATH")
    p.set_defaults(func=_cmd_eval)
    return parser


def _cmd_eval(args: argparse.Namespace) -> int:
    from .evaluation import run_cli

    return run_cli(args)


def main(argv: Sequence[str] | None = None) -> int:
    from .pipeline import NoPersonError
    from .pose.bundle import PoseModelError
    from .specs import SpecError
    from .video import VideoError

    parser = _build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except (VideoError, SpecError, PoseModelError, NoPersonError) as exc:
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
