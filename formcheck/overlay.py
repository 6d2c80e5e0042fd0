"""Drawing of the skeleton, key angles, counters and the current cue on a frame.

Used by the annotated video and the live page alike; it only reads a FrameState and never
changes the analysis.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from .engine import FrameState
from .landmarks import SKELETON_EDGES, Landmarks
from .signals import SignalComputer, side_roles
from .specs import Condition, ExerciseSpec
from .specs.schema import AngleSignal

_FONT = cv2.FONT_HERSHEY_SIMPLEX
_WHITE, _BLACK = (255, 255, 255), (0, 0, 0)
_GREEN, _RED, _AMBER, _GREY = (60, 200, 90), (235, 60, 50), (250, 190, 40), (170, 170, 170)


@dataclass(frozen=True)
class _Label:
    signal: str
    at: tuple[int, ...]  # landmark indices the value is written next to


class Annotator:
    """Draws one exercise's frame states. Create one per analysis (it caches the spec's geometry)."""

    def __init__(self, spec: ExerciseSpec, min_visibility: float | None = None) -> None:
        self.spec = spec
        self.min_visibility = spec.min_visibility if min_visibility is None else min_visibility
        self._signals = SignalComputer(spec)
        self._fault_signals = {
            rule.id: sorted({Condition.parse(c).signal for c in rule.when}) for rule in spec.faults
        }

    def _points_of(self, signal: str, state: FrameState) -> list[tuple[int, ...]]:
        role = self.spec.signals[signal].side
        side = side_roles(state.side or "left", state.working_side).get(role, role)
        return self._signals.landmarks_of(signal, side)  # type: ignore[arg-type]

    def draw(self, image_rgb: np.ndarray, landmarks: Landmarks | None, state: FrameState) -> np.ndarray:
        out = image_rgb.copy()
        scale = max(0.5, out.shape[0] / 720)
        if landmarks is not None:
            faulty: set[int] = set()
            for fault in state.active_faults:
                for signal in self._fault_signals.get(fault.fault, []):
                    for group in self._points_of(signal, state):
                        faulty.update(group)
            self._skeleton(out, landmarks, state, faulty, scale)
            self._angle_labels(out, landmarks, state, scale)
        self._panel(out, state, scale)
        self._cue(out, state, scale)
        return out

    def _skeleton(self, img, lm: Landmarks, state: FrameState, faulty: set[int], scale: float) -> None:
        xy = lm.xy
        vis = lm.visibility
        near_prefix = f"{state.side}_" if state.side else ""
        thickness = max(2, int(3 * scale))
        for a, b in SKELETON_EDGES:
            if vis[a] < self.min_visibility or vis[b] < self.min_visibility:
                continue
            near = a.name.lower().startswith(near_prefix) or b.name.lower().startswith(near_prefix)
            colour = _RED if (a in faulty and b in faulty) else (_GREEN if near else _GREY)
            cv2.line(img, _pt(xy[a]), _pt(xy[b]), colour, thickness if near else max(1, thickness - 1), cv2.LINE_AA)
        for i in range(11, len(xy)):
            if vis[i] >= self.min_visibility:
                cv2.circle(img, _pt(xy[i]), max(3, int(4 * scale)), _RED if i in faulty else _WHITE, -1, cv2.LINE_AA)

    def _angle_labels(self, img, lm: Landmarks, state: FrameState, scale: float) -> None:
        for name in self.spec.display_signals:
            value = state.signals.get(name)
            if value is None:
                continue
            sig = self.spec.signals[name]
            groups = self._points_of(name, state)
            anchor = groups[1] if isinstance(sig, AngleSignal) else groups[0]
            x, y = lm.xy[list(anchor)].mean(axis=0)
            text = f"{value:.0f} deg" if isinstance(sig, AngleSignal) or getattr(sig, "kind", "") == "incline" \
                else f"{value:+.2f}"
            _text(img, text, (int(x) + 8, int(y) - 8), 0.55 * scale, _AMBER)

    def _panel(self, img, state: FrameState, scale: float) -> None:
        lines = [self.spec.title]
        motion = self.spec.motion
        if motion.kind == "steps":
            lines.append(f"Steps  fwd {state.steps_forward}  back {state.steps_backward}")
        elif getattr(motion, "per_side", False):
            noun = "Holds" if motion.kind == "holds" else "Reps"
            lines.append(f"{noun}  L {state.reps_by_side.get('left', 0)}  R {state.reps_by_side.get('right', 0)}")
        else:
            lines.append(f"{'Holds' if motion.kind == 'holds' else 'Reps'} {state.reps}"
                         + (f"  (partial {state.partials})" if state.partials else ""))
        if state.phase == "calibrating":
            lines.append(f"Calibrating {state.calibration_progress * 100:.0f}%")
        elif state.phase in ("top", "rising", "lowering") and state.hold_target_s:
            # The countdown runs on time held in good form: it stands still while a fault is seen.
            paused = "  paused" if state.active_faults and state.phase == "top" else ""
            lines.append(f"Hold {state.hold_good_s:4.1f} / {state.hold_target_s:.0f} s{paused}")
        if state.range_fraction is not None and state.phase in ("rising", "top", "lowering"):
            lines.append(f"Range {state.range_fraction:.0%} of target")
        size = 0.6 * scale
        height = int(26 * scale)
        width = int(max(cv2.getTextSize(t, _FONT, size, 1)[0][0] for t in lines) + 16 * scale)
        overlay = img.copy()
        cv2.rectangle(overlay, (0, 0), (width, height * len(lines) + int(10 * scale)), _BLACK, -1)
        cv2.addWeighted(overlay, 0.55, img, 0.45, 0, dst=img)
        for i, text in enumerate(lines):
            _text(img, text, (int(8 * scale), height * (i + 1)), size, _WHITE if i else _AMBER)
        if state.phase in ("top", "lowering") and state.hold_target_s:
            frac = min(1.0, state.hold_good_s / state.hold_target_s)
            y = height * len(lines) + int(6 * scale)
            cv2.rectangle(img, (int(8 * scale), y), (int(8 * scale + (width - 16 * scale) * frac), y + 4),
                          _GREEN if frac >= 1 else _AMBER, -1)

    def _cue(self, img, state: FrameState, scale: float) -> None:
        """The cue at the bottom; a set-up problem (camera view, framing) just above it."""
        y = img.shape[0] - int(18 * scale)
        if state.message:
            colour = _RED if state.active_faults else (
                _AMBER if not state.calibrated or state.phase == "adjust_view" else _GREEN)
            y = _banner(img, state.message, y, 0.75 * scale, colour)
        if state.guidance and state.guidance != state.message:
            _banner(img, state.guidance, y, 0.6 * scale, _AMBER)


def _banner(img, text: str, y: int, size: float, colour) -> int:
    """A line of text centred on a dark band with its baseline at y; returns the y for a line above."""
    (w, h), _ = cv2.getTextSize(text, _FONT, size, 2)
    x = max(4, (img.shape[1] - w) // 2)
    overlay = img.copy()
    cv2.rectangle(overlay, (x - 10, y - h - 10), (x + w + 10, y + 10), _BLACK, -1)
    cv2.addWeighted(overlay, 0.6, img, 0.4, 0, dst=img)
    cv2.putText(img, text, (x, y), _FONT, size, colour, 2, cv2.LINE_AA)
    return y - h - 24


def _pt(p: np.ndarray) -> tuple[int, int]:
    return int(round(float(p[0]))), int(round(float(p[1])))


def _text(img, text: str, org: tuple[int, int], size: float, colour) -> None:
    cv2.putText(img, text, org, _FONT, size, _BLACK, 3, cv2.LINE_AA)
    cv2.putText(img, text, org, _FONT, size, colour, 1, cv2.LINE_AA)


__all__ = ["Annotator"]
