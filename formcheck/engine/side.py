"""Which side of the body faces the camera, decided with hysteresis so it does not flicker."""

from __future__ import annotations

import numpy as np

from ..landmarks import Landmark
from ..signals import BodySide

_LEFT = [Landmark.LEFT_SHOULDER, Landmark.LEFT_ELBOW, Landmark.LEFT_WRIST, Landmark.LEFT_HIP,
         Landmark.LEFT_KNEE, Landmark.LEFT_ANKLE]
_RIGHT = [Landmark.RIGHT_SHOULDER, Landmark.RIGHT_ELBOW, Landmark.RIGHT_WRIST, Landmark.RIGHT_HIP,
          Landmark.RIGHT_KNEE, Landmark.RIGHT_ANKLE]


def side_preference(points: np.ndarray) -> float:
    """Positive when the left side looks nearer: mean visibility gap, with relative depth (z) as a
    tie-break because in clean side views both sides can be reported as visible."""
    vis_gap = float(points[_LEFT, 3].mean() - points[_RIGHT, 3].mean())
    if abs(vis_gap) >= 0.05:
        return vis_gap
    depth_gap = float(points[_RIGHT, 2].mean() - points[_LEFT, 2].mean())  # smaller z = nearer
    return float(np.clip(depth_gap / 200.0, -0.049, 0.049))


class NearSideSelector:
    def __init__(self, switch_margin: float = 0.15, switch_after_s: float = 1.0) -> None:
        self.switch_margin = switch_margin
        self.switch_after_s = switch_after_s
        self.side: BodySide | None = None
        self._challenger_since: float | None = None

    def update(self, points: np.ndarray, timestamp_s: float) -> BodySide:
        preference = side_preference(points)
        best: BodySide = "left" if preference >= 0 else "right"
        if self.side is None:
            self.side = best
            return self.side
        gap = preference if self.side == "right" else -preference  # how much the other side leads
        if gap > self.switch_margin:
            if self._challenger_since is None:
                self._challenger_since = timestamp_s
            elif timestamp_s - self._challenger_since >= self.switch_after_s:
                self.side = "left" if self.side == "right" else "right"
                self._challenger_since = None
        else:
            self._challenger_since = None
        return self.side

    def lock(self, side: BodySide) -> None:
        self.side = side
        self._challenger_since = None
