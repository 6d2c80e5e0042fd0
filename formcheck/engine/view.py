"""Is the person filmed from the view the exercise needs, and fully in the picture?"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..landmarks import Landmark, landmark_index

# Shoulder plus hip width relative to torso length: about 0.1-0.3 side-on, 0.6-0.9 facing the camera.
_SIDE_VIEW_MAX = 0.5
_FRONT_VIEW_MIN = 0.35
_EDGE_MARGIN_PX = 2.0

_HEAD = {"nose", "eye", "ear", "mouth"}
_FEET = {"ankle", "heel", "foot_index"}


@dataclass(frozen=True)
class ViewCheck:
    ok: bool
    problem: str | None = None  # "view" or "framing"
    message: str | None = None


def body_width_ratio(points: np.ndarray) -> float:
    xy = points[:, :2]
    shoulders = np.linalg.norm(xy[Landmark.LEFT_SHOULDER] - xy[Landmark.RIGHT_SHOULDER])
    hips = np.linalg.norm(xy[Landmark.LEFT_HIP] - xy[Landmark.RIGHT_HIP])
    mid_shoulder = (xy[Landmark.LEFT_SHOULDER] + xy[Landmark.RIGHT_SHOULDER]) / 2
    mid_hip = (xy[Landmark.LEFT_HIP] + xy[Landmark.RIGHT_HIP]) / 2
    torso = np.linalg.norm(mid_shoulder - mid_hip)
    return float((shoulders + hips) / 2 / max(torso, 1e-6))


def _framing_message(missing: list[str]) -> str:
    bases = {m.removeprefix("left_").removeprefix("right_").removeprefix("mid_") for m in missing}
    if bases & _FEET:
        return "move back so your feet are in view"
    if bases & _HEAD:
        return "move back so your head is in view"
    return "move so your whole body is in view"


class ViewChecker:
    def __init__(self, expected_view: str, required: list[str], min_visibility: float) -> None:
        self.expected_view = expected_view
        self.required = required
        self.min_visibility = min_visibility

    def check(self, points: np.ndarray, side: str, width: int, height: int) -> ViewCheck:
        missing: list[str] = []
        for name in self.required:
            names = [name] if name.startswith(("left_", "right_")) or name == "nose" else (
                [f"left_{name.removeprefix('mid_')}", f"right_{name.removeprefix('mid_')}"]
                if name.startswith("mid_") or self.expected_view == "front"
                else [f"{side}_{name}"]
            )
            for full in names:
                x, y, _, vis = points[landmark_index(full)]
                inside = -_EDGE_MARGIN_PX <= x <= width + _EDGE_MARGIN_PX and -_EDGE_MARGIN_PX <= y <= height + _EDGE_MARGIN_PX
                if vis < self.min_visibility or not inside:
                    missing.append(full)
        if missing:
            return ViewCheck(False, "framing", _framing_message(missing))
        ratio = body_width_ratio(points)
        if self.expected_view == "side" and ratio > _SIDE_VIEW_MAX:
            return ViewCheck(False, "view", "turn side-on to the camera")
        if self.expected_view == "front" and ratio < _FRONT_VIEW_MIN:
            return ViewCheck(False, "view", "face the camera")
        return ViewCheck(True)
