"""Backend-neutral pose landmarks: the one type everything after the pose backend speaks.

A `Landmarks` holds the 33 body points of the BlazePose topology for one frame, in image pixels,
with the frame's timestamp. Backends convert their own output with a `from_*` constructor, so a new
backend is a new constructor and nothing downstream changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import Any, Sequence

import numpy as np


class Landmark(IntEnum):
    NOSE = 0
    LEFT_EYE_INNER = 1
    LEFT_EYE = 2
    LEFT_EYE_OUTER = 3
    RIGHT_EYE_INNER = 4
    RIGHT_EYE = 5
    RIGHT_EYE_OUTER = 6
    LEFT_EAR = 7
    RIGHT_EAR = 8
    MOUTH_LEFT = 9
    MOUTH_RIGHT = 10
    LEFT_SHOULDER = 11
    RIGHT_SHOULDER = 12
    LEFT_ELBOW = 13
    RIGHT_ELBOW = 14
    LEFT_WRIST = 15
    RIGHT_WRIST = 16
    LEFT_PINKY = 17
    RIGHT_PINKY = 18
    LEFT_INDEX = 19
    RIGHT_INDEX = 20
    LEFT_THUMB = 21
    RIGHT_THUMB = 22
    LEFT_HIP = 23
    RIGHT_HIP = 24
    LEFT_KNEE = 25
    RIGHT_KNEE = 26
    LEFT_ANKLE = 27
    RIGHT_ANKLE = 28
    LEFT_HEEL = 29
    RIGHT_HEEL = 30
    LEFT_FOOT_INDEX = 31
    RIGHT_FOOT_INDEX = 32


LANDMARK_NAMES: tuple[str, ...] = tuple(lm.name.lower() for lm in Landmark)
NUM_LANDMARKS = len(LANDMARK_NAMES)

# Lines drawn for the skeleton; also the joints ground truth is given for.
SKELETON_EDGES: tuple[tuple[Landmark, Landmark], ...] = (
    (Landmark.LEFT_SHOULDER, Landmark.RIGHT_SHOULDER),
    (Landmark.LEFT_SHOULDER, Landmark.LEFT_ELBOW),
    (Landmark.LEFT_ELBOW, Landmark.LEFT_WRIST),
    (Landmark.RIGHT_SHOULDER, Landmark.RIGHT_ELBOW),
    (Landmark.RIGHT_ELBOW, Landmark.RIGHT_WRIST),
    (Landmark.LEFT_SHOULDER, Landmark.LEFT_HIP),
    (Landmark.RIGHT_SHOULDER, Landmark.RIGHT_HIP),
    (Landmark.LEFT_HIP, Landmark.RIGHT_HIP),
    (Landmark.LEFT_HIP, Landmark.LEFT_KNEE),
    (Landmark.LEFT_KNEE, Landmark.LEFT_ANKLE),
    (Landmark.RIGHT_HIP, Landmark.RIGHT_KNEE),
    (Landmark.RIGHT_KNEE, Landmark.RIGHT_ANKLE),
    (Landmark.LEFT_ANKLE, Landmark.LEFT_HEEL),
    (Landmark.LEFT_HEEL, Landmark.LEFT_FOOT_INDEX),
    (Landmark.LEFT_ANKLE, Landmark.LEFT_FOOT_INDEX),
    (Landmark.RIGHT_ANKLE, Landmark.RIGHT_HEEL),
    (Landmark.RIGHT_HEEL, Landmark.RIGHT_FOOT_INDEX),
    (Landmark.RIGHT_ANKLE, Landmark.RIGHT_FOOT_INDEX),
)


def landmark_index(name: str) -> int:
    """Index of a landmark by its snake_case name (e.g. "left_knee"); KeyError names the unknown one."""
    try:
        return Landmark[name.upper()].value
    except KeyError:
        raise KeyError(f"unknown landmark {name!r}") from None


@dataclass(frozen=True)
class Landmarks:
    """One person's landmarks in one frame.

    points: float array (33, 4) of [x_px, y_px, z, visibility]; x to the right, y down, z relative
    depth (MediaPipe scale, unreliable for lying poses), visibility in 0..1.
    mask: the person's silhouette when the backend was asked for it, (height, width) floats in 0..1
    (1 = person), in the same pixels; None otherwise. Only outline signals read it.
    """

    points: np.ndarray
    timestamp_s: float
    image_width: int
    image_height: int
    mask: np.ndarray | None = None

    def __post_init__(self) -> None:
        if self.points.shape != (NUM_LANDMARKS, 4):
            raise ValueError(f"landmarks must have shape ({NUM_LANDMARKS}, 4), got {self.points.shape}")

    @property
    def xy(self) -> np.ndarray:
        """Pixel positions, shape (33, 2)."""
        return self.points[:, :2]

    @property
    def visibility(self) -> np.ndarray:
        return self.points[:, 3]

    def __getitem__(self, landmark: int | str) -> np.ndarray:
        idx = landmark_index(landmark) if isinstance(landmark, str) else int(landmark)
        return self.points[idx]

    @classmethod
    def from_array(
        cls,
        points: Sequence[Sequence[float]] | np.ndarray,
        timestamp_s: float,
        image_width: int,
        image_height: int,
    ) -> "Landmarks":
        arr = np.asarray(points, dtype=np.float64)
        if arr.shape == (NUM_LANDMARKS, 3):
            arr = np.concatenate([arr, np.ones((NUM_LANDMARKS, 1))], axis=1)
        return cls(arr, float(timestamp_s), int(image_width), int(image_height))

    @classmethod
    def from_mediapipe(
        cls, pose_landmarks: Sequence[Any], timestamp_s: float, image_width: int, image_height: int,
        mask: np.ndarray | None = None,
    ) -> "Landmarks":
        """From one person's MediaPipe landmarks (Tasks API `NormalizedLandmark` list or legacy
        `landmark` field): normalised x, y become pixels so that angles are not distorted by the
        image's aspect ratio. `mask`: the matching segmentation mask, if one was made."""
        arr = np.empty((NUM_LANDMARKS, 4), dtype=np.float64)
        for i, lm in enumerate(pose_landmarks):
            vis = getattr(lm, "visibility", None)
            arr[i] = (
                lm.x * image_width,
                lm.y * image_height,
                lm.z * image_width,
                1.0 if vis is None else float(vis),
            )
        return cls(arr, float(timestamp_s), int(image_width), int(image_height), mask)
