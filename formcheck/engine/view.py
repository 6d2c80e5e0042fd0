"""Is the person filmed from the view the exercise needs, and fully in the picture?"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..landmarks import LANDMARK_NAMES, Landmark
from ..signals import point_indices
from .calibration import torso_length

# Shoulder plus hip width relative to torso length: 0.05-0.38 side-on (up to 30 degrees oblique),
# up to about 0.5 at 45-60 degrees, 0.45-0.8 facing the camera (MediaPipe's shoulders sit close to
# the neck, so facing is not much wider).
_SIDE_VIEW_MAX = 0.6
_FRONT_VIEW_MIN = 0.35
# Between the two the shoulders' depth gap decides: MediaPipe's relative depth (z, in the scale of
# x) of the far shoulder lies 1.4-2.6 torso lengths behind the near one side-on and still 1.3-1.6
# at 45-60 degrees oblique, under 0.3 facing.
_AMBIGUOUS_WIDTH = 0.3
_SIDE_DEPTH_GAP_MIN = 1.0
# Beyond this width a side view is well off side-on (about 30 degrees round): still counted, but a
# 2D angle such as the head's no longer says what it measures.
_OBLIQUE_WIDTH = 0.25
_EDGE_MARGIN_PX = 2.0

_TORSO = [Landmark.LEFT_SHOULDER, Landmark.RIGHT_SHOULDER, Landmark.LEFT_HIP, Landmark.RIGHT_HIP]
_HEAD = {"nose", "eye", "ear", "mouth"}
_FEET = {"ankle", "heel", "foot_index"}


@dataclass(frozen=True)
class ViewCheck:
    ok: bool
    problem: str | None = None  # "view" or "framing"
    message: str | None = None


def body_width_ratio(points: np.ndarray, torso: float | None = None) -> float:
    """Mean of shoulder and hip width, in torso lengths."""
    xy = points[:, :2]
    torso = torso_length(xy) if torso is None else torso
    shoulders = np.linalg.norm(xy[Landmark.LEFT_SHOULDER] - xy[Landmark.RIGHT_SHOULDER])
    hips = np.linalg.norm(xy[Landmark.LEFT_HIP] - xy[Landmark.RIGHT_HIP])
    return float((shoulders + hips) / 2 / max(torso, 1e-6))


def shoulder_depth_gap(points: np.ndarray, torso: float | None = None) -> float:
    """How far one shoulder lies behind the other (MediaPipe's relative z), in torso lengths."""
    torso = torso_length(points[:, :2]) if torso is None else torso
    return float(abs(points[Landmark.LEFT_SHOULDER, 2] - points[Landmark.RIGHT_SHOULDER, 2]) / max(torso, 1e-6))


def looks_side_on(points: np.ndarray) -> bool:
    torso = torso_length(points[:, :2])
    ratio = body_width_ratio(points, torso)
    if ratio <= _AMBIGUOUS_WIDTH:
        return True
    return ratio <= _SIDE_VIEW_MAX and shoulder_depth_gap(points, torso) >= _SIDE_DEPTH_GAP_MIN


def well_off_side_on(points: np.ndarray) -> bool:
    return body_width_ratio(points) > _OBLIQUE_WIDTH


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
        self.min_visibility = min_visibility
        # The landmarks to see, by the side facing the camera; a front view needs both sides of each.
        self._required = {
            side: sorted({i for name in required
                          for i in point_indices(name, "mid" if expected_view == "front" else side)})
            for side in ("left", "right")
        }

    def check(self, points: np.ndarray, side: str, width: int, height: int) -> ViewCheck:
        # A wrong view is the first thing to say when the torso is in the picture: it is also why
        # the far side's landmarks look missing, and turning round fixes both.
        torso_in_picture = all(_inside(points[i], width, height) for i in _TORSO)
        if torso_in_picture and (wrong := self._wrong_view(points)) is not None:
            return wrong
        missing = [LANDMARK_NAMES[i] for i in self._required[side]
                   if points[i, 3] < self.min_visibility or not _inside(points[i], width, height)]
        if missing:
            return ViewCheck(False, "framing", _framing_message(missing))
        return (None if torso_in_picture else self._wrong_view(points)) or ViewCheck(True)

    def _wrong_view(self, points: np.ndarray) -> ViewCheck | None:
        if self.expected_view == "side" and not looks_side_on(points):
            return ViewCheck(False, "view", "turn side-on to the camera")
        if self.expected_view == "front" and body_width_ratio(points) < _FRONT_VIEW_MIN:
            return ViewCheck(False, "view", "face the camera")
        return None


def _inside(point: np.ndarray, width: int, height: int) -> bool:
    x, y = point[0], point[1]
    return -_EDGE_MARGIN_PX <= x <= width + _EDGE_MARGIN_PX and -_EDGE_MARGIN_PX <= y <= height + _EDGE_MARGIN_PX
