"""`formcheck eval DIR`: the analyzer over every clip with a ground-truth sidecar."""

from __future__ import annotations

import argparse
import contextlib
import itertools
import json
import multiprocessing
import statistics
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict
from pathlib import Path

from ..batch.local import default_workers
from ..engine import FrameState
from ..landmarks import Landmarks
from ..pipeline import analyze_video
from ..pose import create_pose_estimator
from ..signals import FloorFrame, Frame, SignalComputer, side_roles
from ..specs import find_spec
from ..specs.schema import AngleSignal, InclineSignal
from .groundtruth import GroundTruth, find_clips
from .scoring import ClipScore, Totals, score_clip, totals, totals_by_exercise


class _AngleErrors:
    """Per frame, the spec's angle signals measured on the detected landmarks and on the true joints."""

    def __init__(self, truth: GroundTruth) -> None:
        self.truth = truth
        self.spec = find_spec(truth.exercise)
        self.names = [n for n, s in self.spec.signals.items()
                      if isinstance(s, AngleSignal) or (isinstance(s, InclineSignal) and s.reference == "floor")]
        self.computer = SignalComputer(self.spec)
        # Per-side roles follow the camera: the true joints say which side faces it.
        self.roles = side_roles(truth.camera.facing_side or "left")
        self.errors: dict[str, list[float]] = {n: [] for n in self.names}
        self._index = 0

    def __call__(self, state: FrameState, landmarks: Landmarks | None) -> None:
        index, self._index = self._index, self._index + 1
        true = self.truth.landmarks_at(index)
        if landmarks is None or true is None or not self.names:
            return
        floor = FloorFrame()
        measured = self.computer.compute(Frame(floor.to_floor(landmarks.xy), landmarks.visibility),
                                         self.roles, floor, None, self.names)
        actual = self.computer.compute(Frame(floor.to_floor(true.xy), true.visibility),
                                       self.roles, floor, None, self.names)
        for name in self.names:
            a, b = measured.get(name), actual.get(name)
            if a is not None and b is not None:
                self.errors[name].append(abs(a - b))

    def medians(self) -> dict[str, float]:
        return {n: round(statistics.median(v), 2) for n, v in self.errors.items() if v}


def evaluate_clip(video: Path, truth: GroundTruth, model_path: str | None = None) -> ClipScore:
    angles = _AngleErrors(truth)
    started = time.perf_counter()
    with create_pose_estimator(model_path, segmentation=angles.spec.needs_silhouette) as estimator:
        report = analyze_video(video, angles.spec, estimator=estimator, on_frame=angles)
    score = score_clip(truth, report)
    score.angle_errors_deg = angles.medians()
    score.seconds = round(time.perf_counter() - started, 1)
    return score


def evaluate_clips(clips: list[tuple[Path, GroundTruth]], model_path: str | None = None, log=None,
                   workers: int = 1) -> tuple[list[ClipScore], dict]:
    """Scores in the clips' order. With several workers the clips are analysed in parallel processes
    (each clip's analysis is the same as alone: one pose model per clip)."""
    parallel = workers > 1 and len(clips) > 1
    with contextlib.ExitStack() as stack:
        if parallel:
            from ..pose.bundle import ensure_bundled_model

            # Built once here rather than by every worker as it starts.
            model_path = model_path or str(ensure_bundled_model())
            pool = stack.enter_context(ProcessPoolExecutor(max_workers=min(workers, len(clips)),
                                                           mp_context=multiprocessing.get_context("spawn")))
        videos, truths = zip(*clips) if clips else ((), ())
        results = (pool.map if parallel else map)(evaluate_clip, videos, truths, itertools.repeat(model_path))
        scores = []
        for score in results:
            scores.append(score)
            if log is not None:
                log(_row(score))
    return scores, asdict(totals(scores))


def evaluate_folder(directory: Path, model_path: str | None = None, log=None, workers: int = 1
                    ) -> tuple[list[ClipScore], dict]:
    """Every clip with a ground-truth sidecar in the folder."""
    return evaluate_clips(find_clips(directory), model_path, log, workers)


def _fmt_counts(counts: dict[str, int]) -> str:
    return " ".join(f"{k}={v}" for k, v in counts.items())


def _row(s: ClipScore) -> str:
    mark = "ok  " if s.exact and not s.missed_faults and not s.spurious_faults else "MISS"
    hold = f" hold_err={statistics.fmean(s.hold_errors_s):.2f}s" if s.hold_errors_s else ""
    angles = " ".join(f"{k}={v:.1f}" for k, v in s.angle_errors_deg.items())
    line = (f"{mark} {s.clip:<40} expected {_fmt_counts(s.expected):<22} found {_fmt_counts(s.found):<22}"
            f" faults expected [{', '.join(s.faults_expected)}] found [{', '.join(s.faults_found)}]{hold}"
            f" angle_err_deg {angles} pose {s.frames_with_pose}/{s.frames} ({s.seconds:.0f}s)")
    if s.missed_faults:
        line += f" missed {s.missed_faults}"
    if s.spurious_faults:
        line += f" spurious {s.spurious_faults}"
    return line


def run_cli(args: argparse.Namespace) -> int:
    directory = Path(args.directory)
    if not directory.is_dir():
        print(f"error: not a folder: '{directory}'", file=sys.stderr)
        return 2
    clips = find_clips(directory)
    if not clips:
        print(f"error: no clips with ground-truth sidecars in '{directory}'", file=sys.stderr)
        return 2
    log = None if args.json else print
    scores, summary = evaluate_clips(clips, args.model, log=log, workers=args.workers or default_workers())
    by_exercise = totals_by_exercise(scores)
    if args.json:
        rows = []
        for s in scores:
            row = asdict(s)
            row.update(count_error=s.count_error, exact=s.exact)
            rows.append(row)
        print(json.dumps({"clips": rows, "totals": summary,
                          "by_exercise": {k: asdict(v) for k, v in by_exercise.items()}}, indent=2))
    else:
        print()
        print(exercise_table(by_exercise))
        print("totals: " + ", ".join(f"{k}={v}" for k, v in summary.items()))
    return 0


def exercise_table(by_exercise: dict[str, Totals]) -> str:
    """A Markdown table of the figures per exercise, as the README gives them."""
    lines = ["| exercise | clips | counts exact | fault precision | fault recall | clean clips with a fault "
             "| hold error (s) |", "|---|---|---|---|---|---|---|"]
    for name, t in by_exercise.items():
        exact = round(t.exact_count_rate * t.clips)
        hold = "-" if t.hold_time_mae_s is None else f"{t.hold_time_mae_s:.2f}"
        lines.append(f"| {name} | {t.clips} | {exact} of {t.clips} | {t.fault_precision:.2f} | {t.fault_recall:.2f} "
                     f"| {t.clean_clips_with_faults} | {hold} |")
    return "\n".join(lines)
