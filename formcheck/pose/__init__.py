"""Pose backends: turn an RGB image into `Landmarks`.

Everything after this step speaks only `Landmarks`, so another backend is one more module here
and one more branch in `create_pose_estimator`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal, Protocol, runtime_checkable

import numpy as np

from formcheck.landmarks import Landmarks
from formcheck.pose.bundle import PoseModelError

__all__ = ["PoseEstimator", "PoseModelError", "create_pose_estimator"]


@runtime_checkable
class PoseEstimator(Protocol):
    """Finds one person's landmarks per frame. Use as a context manager or call `close()`."""

    def detect(self, image_rgb: np.ndarray, timestamp_s: float) -> Landmarks | None:
        """Landmarks (in pixels) for an (H, W, 3) uint8 RGB image, or None when no person is found.

        In video mode timestamps must increase from call to call (the estimator tracks the person).
        """
        ...

    def close(self) -> None: ...

    def __enter__(self) -> "PoseEstimator": ...

    def __exit__(self, *exc_info: object) -> None: ...


def create_pose_estimator(
    model_path: str | Path | None = None,
    running_mode: Literal["video", "image"] = "video",
    segmentation: bool = False,
) -> PoseEstimator:
    """The MediaPipe pose estimator: the offline bundled full model, or a given `.task` file.
    With `segmentation`, each Landmarks also carries the person's silhouette mask.

    Raises PoseModelError with a one-line message when the model cannot be found or loaded.
    """
    # Imported here so that importing formcheck.pose does not load mediapipe.
    from formcheck.pose.mediapipe_tasks import MediaPipePoseEstimator

    return MediaPipePoseEstimator(model_path=model_path, running_mode=running_mode, segmentation=segmentation)
