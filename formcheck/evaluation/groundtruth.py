"""Ground-truth sidecars (`<clip>.json` beside `<clip>.mp4`): of the rendered sample clips and of real
recordings annotated in the same format (their extra keys, such as the source, are ignored)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from ..landmarks import NUM_LANDMARKS, Landmarks, landmark_index


class TruthEvent(BaseModel):
    model_config = ConfigDict(extra="ignore")

    kind: Literal["rep", "partial", "hold", "step"]
    index: int
    start_s: float
    end_s: float
    side: Literal["left", "right"] | None = None
    duration_s: float | None = None
    direction: Literal["forward", "backward"] | None = None
    faults: list[str] = Field(default_factory=list)


class TruthFault(BaseModel):
    fault: str
    start_s: float
    end_s: float


class TruthCamera(BaseModel):
    model_config = ConfigDict(extra="ignore")

    view: Literal["side", "front"]
    facing_side: Literal["left", "right"] | None = None


class Joints2D(BaseModel):
    names: list[str]
    frames: list[list[list[float]]]  # per frame, per joint: [x, y, visible]


class GroundTruth(BaseModel):
    model_config = ConfigDict(extra="ignore")

    clip: str
    exercise: str
    description: str = ""
    fps: float
    frames: int
    width: int
    height: int
    duration_s: float
    camera: TruthCamera
    reps: int
    steps: dict[str, int] | None = None
    events: list[TruthEvent]
    fault_windows: list[TruthFault] = Field(default_factory=list)
    joints_2d: Joints2D | None = None
    # Real recordings: how sure the annotator was (high / medium / low); rendered clips are exact.
    confidence: Literal["high", "medium", "low"] | None = None

    def landmarks_at(self, frame_index: int) -> Landmarks | None:
        """The ground-truth joints of one frame as Landmarks (visibility 1 where seen, else 0)."""
        if self.joints_2d is None or frame_index >= len(self.joints_2d.frames):
            return None
        points = np.zeros((NUM_LANDMARKS, 4))
        for name, (x, y, visible) in zip(self.joints_2d.names, self.joints_2d.frames[frame_index]):
            points[landmark_index(name)] = (x, y, 0.0, 1.0 if visible else 0.0)
        return Landmarks(points, frame_index / self.fps, self.width, self.height)


def load_truth(path: Path) -> GroundTruth:
    return GroundTruth.model_validate(json.loads(path.read_text(encoding="utf-8")))


def find_clips(directory: Path) -> list[tuple[Path, GroundTruth]]:
    """Every clip in the folder that has a sidecar, in name order."""
    found = []
    for sidecar in sorted(directory.glob("*.json")):
        try:
            truth = load_truth(sidecar)
        except (ValueError, OSError):
            continue  # not a ground-truth sidecar
        video = directory / truth.clip
        if video.is_file():
            found.append((video, truth))
    return found
