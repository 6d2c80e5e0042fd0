"""Which landmarks are seen, with hysteresis, so a joint whose visibility hovers around the limit
does not come and go from frame to frame (and take its signals with it)."""

from __future__ import annotations

import numpy as np

# Once seen, a landmark stays seen until its visibility falls this far below the limit.
_RELEASE_MARGIN = 0.15


class VisibilityGate:
    def __init__(self, min_visibility: float) -> None:
        self.on = min_visibility
        self.off = max(0.05, min_visibility - _RELEASE_MARGIN)
        self._seen: np.ndarray | None = None

    def __call__(self, visibility: np.ndarray) -> np.ndarray:
        """1.0 for each landmark seen in this frame, 0.0 for the others."""
        if self._seen is None:
            self._seen = visibility >= self.on
        else:
            self._seen = np.where(self._seen, visibility >= self.off, visibility >= self.on)
        return self._seen.astype(np.float64)

    def reset(self) -> None:
        """After a frame without a person, start again from what the next frame shows."""
        self._seen = None
