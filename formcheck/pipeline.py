"""Source -> pose -> engine -> report, for a recorded video. The same engine serves the live page."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Callable

from .engine import Analyzer, FrameState
from .landmarks import Landmarks
from .overlay import Annotator
from .pose import PoseEstimator, create_pose_estimator
from .report import Report, ReportWarning
from .specs import ExerciseSpec, find_spec
from .video import VideoError, VideoTruncatedError, VideoWriter, iter_frames, probe_video

ProgressCallback = Callable[[float], None]


class NoPersonError(Exception):
    """No person was found in any frame of the video."""


@dataclass
class StageTimes:
    """Seconds spent per stage, for the benchmark."""

    decode_s: float = 0.0
    pose_s: float = 0.0
    engine_s: float = 0.0
    annotate_s: float = 0.0
    engine_per_frame_s: list[float] = field(default_factory=list)


def resolve_spec(exercise: str | ExerciseSpec) -> ExerciseSpec:
    return exercise if isinstance(exercise, ExerciseSpec) else find_spec(exercise)


def analyze_video(
    path: str | os.PathLike[str],
    exercise: str | ExerciseSpec,
    *,
    model_path: str | os.PathLike[str] | None = None,
    annotated_path: str | os.PathLike[str] | None = None,
    hold_target_s: float | None = None,
    progress: ProgressCallback | None = None,
    on_frame: Callable[[FrameState, Landmarks | None], None] | None = None,
    estimator: PoseEstimator | None = None,
    times: StageTimes | None = None,
) -> Report:
    """Analyse one video and return its report; optionally write the annotated video.

    Raises VideoError (unreadable input), PoseModelError, SpecError, NoPersonError. A video that
    breaks off part-way still gives a report of what was read, marked incomplete.
    """
    spec = resolve_spec(exercise)
    info = probe_video(path)
    analyzer = Analyzer(spec, hold_target_s=hold_target_s)
    annotator = Annotator(spec) if annotated_path is not None else None
    # A container without a frame rate still has timestamps; the writer's rate is then only nominal.
    nominal_fps = Fraction(info.fps).limit_denominator(1001) if info.fps > 0 else Fraction(30)
    writer = VideoWriter(annotated_path, fps=nominal_fps) if annotated_path else None
    own_estimator = estimator is None
    estimator = estimator or create_pose_estimator(model_path, segmentation=spec.needs_silhouette)
    incomplete: str | None = None
    try:
        frames = iter_frames(path)
        while True:
            t0 = time.perf_counter()
            try:
                frame = next(frames)
            except StopIteration:
                break
            except VideoTruncatedError as exc:
                incomplete = str(exc)
                break
            t1 = time.perf_counter()
            landmarks = estimator.detect(frame.image, frame.timestamp_s)
            t2 = time.perf_counter()
            state = analyzer.update(landmarks, frame.timestamp_s)
            t3 = time.perf_counter()
            if writer is not None and annotator is not None:
                writer.write(annotator.draw(frame.image, landmarks, state), frame.timestamp_s)
            if times is not None:
                times.decode_s += t1 - t0
                times.pose_s += t2 - t1
                times.engine_s += t3 - t2
                times.annotate_s += time.perf_counter() - t3
                times.engine_per_frame_s.append(t3 - t2)
            if on_frame is not None:
                on_frame(state, landmarks)
            if progress is not None and info.duration_s > 0:
                progress(min(1.0, frame.timestamp_s / info.duration_s))
    finally:
        if own_estimator:
            estimator.close()
        if writer is not None and analyzer.frames_with_pose:
            writer.close()
        elif writer is not None:
            writer.discard()  # a video in which nobody was found is no result: nothing is written
    if analyzer.frames == 0:
        raise VideoError(incomplete or f"no frames could be decoded from '{path}'")
    if analyzer.frames_with_pose == 0:
        raise NoPersonError(f"no person found in '{Path(path).name}': film the whole body, well lit, 2-4 m away")
    report = analyzer.finish(fps=info.fps if info.fps > 0 else None, source=str(path))
    if incomplete is not None:
        report.complete = False
        report.warnings.append(ReportWarning(kind="input", message=f"{incomplete}; the report covers what was read"))
    if progress is not None:
        progress(1.0)
    return report
