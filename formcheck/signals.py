"""Signals: the numbers a spec judges, computed from one frame's landmarks.

Pure geometry. Positions are first turned into floor coordinates (x along the floor line, y up,
in pixels), so that heights and inclines do not depend on a slightly tilted camera. Sided landmark
names ("knee") are resolved to the side a signal is measured on.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal, Mapping

import numpy as np

from .landmarks import Landmark, landmark_index
from .specs.schema import (
    COMBINED_SIGNALS,
    AngleSignal,
    DifferenceSignal,
    DistanceSignal,
    LeastSignal,
    ElevationSignal,
    ExerciseSpec,
    HeightSignal,
    InclineSignal,
    LineOffsetSignal,
    MeanSignal,
    OutlineSignal,
    ProgressSignal,
)

BodySide = Literal["left", "right"]
ConcreteSide = Literal["left", "right", "mid"]
# Role of a signal's side -> the concrete side it is measured on in this frame.
SideAssignment = Mapping[str, ConcreteSide]


def side_roles(near: str, working: str | None = None) -> dict[str, str]:
    """The side each role means in this frame: near/far by the camera, working/other by the moving limb."""
    working = working or near
    return {"near": near, "far": _other_side(near), "working": working, "other": _other_side(working)}


def _other_side(side: str) -> str:
    return "right" if side == "left" else "left"


def point_indices(name: str, side: ConcreteSide) -> tuple[int, ...]:
    """Landmark indices whose mean is the named point: one index, or two for a midpoint."""
    if name.startswith("mid_"):
        base = name.removeprefix("mid_")
        return (landmark_index(f"left_{base}"), landmark_index(f"right_{base}"))
    try:
        return (landmark_index(name),)  # a sided name (left_ankle) or one without sides (nose)
    except KeyError:
        pass
    if side == "mid":
        return (landmark_index(f"left_{name}"), landmark_index(f"right_{name}"))
    return (landmark_index(f"{side}_{name}"),)


@dataclass(frozen=True)
class Frame:
    """Calibration-independent view of one frame: floor coordinates and visibility per landmark."""

    xy: np.ndarray  # (33, 2) floor coordinates, y up
    visibility: np.ndarray  # (33,)
    # (33,) whether each landmark lies inside the picture; None when not known. The pose model
    # places landmarks beyond the edge too, often with a confident visibility: a good guess of where
    # a limb went, not a measurement to judge form by.
    inside: np.ndarray | None = None

    def all_inside(self, indices: tuple[int, ...]) -> bool:
        return self.inside is None or bool(all(self.inside[i] for i in indices))

    def point(self, indices: tuple[int, ...]) -> np.ndarray:
        if len(indices) == 1:
            return self.xy[indices[0]]
        return self.xy[list(indices)].mean(axis=0)

    def person_left_sign(self) -> float:
        """+1 when the person's left side appears toward +x (a person facing the camera in an
        unmirrored image), -1 when toward -x."""
        left = self.xy[Landmark.LEFT_SHOULDER, 0] + self.xy[Landmark.LEFT_HIP, 0]
        right = self.xy[Landmark.RIGHT_SHOULDER, 0] + self.xy[Landmark.RIGHT_HIP, 0]
        return 1.0 if left >= right else -1.0

    def point_visibility(self, indices: tuple[int, ...]) -> float:
        # A midpoint is usable when either side is seen: the hidden side is estimated well enough
        # for a midpoint and in side views the far side is always partly hidden.
        return float(max(self.visibility[i] for i in indices))


@dataclass(frozen=True)
class FloorFrame:
    """The floor line and scales measured during calibration."""

    floor_angle_rad: float = 0.0
    forward_sign: float = 1.0  # +1 if the person faces +x in floor coordinates
    torso_px: float = 1.0
    leg_px: float = 1.0

    def to_floor(self, image_xy: np.ndarray) -> np.ndarray:
        """Image pixels (y down) -> floor coordinates (x along the floor line, y up)."""
        c, s = math.cos(self.floor_angle_rad), math.sin(self.floor_angle_rad)
        x, y = image_xy[..., 0], -image_xy[..., 1]
        # Rotate by -floor_angle so the floor line becomes horizontal.
        return np.stack([c * x + s * y, -s * x + c * y], axis=-1)

    def scale(self, normaliser: str) -> float:
        return self.torso_px if normaliser == "torso" else self.leg_px


def floor_angle(a_image: np.ndarray, b_image: np.ndarray) -> float:
    """Angle (radians, y up) of the line a-b, folded into (-90, 90] so direction does not matter."""
    dx, dy = b_image[0] - a_image[0], -(b_image[1] - a_image[1])
    angle = math.atan2(dy, dx)
    if angle > math.pi / 2:
        angle -= math.pi
    elif angle <= -math.pi / 2:
        angle += math.pi
    return angle


def angle_at(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> float:
    """Inside angle ABC in degrees, 0..180."""
    v1, v2 = a - b, c - b
    n1, n2 = math.hypot(v1[0], v1[1]), math.hypot(v2[0], v2[1])
    if n1 < 1e-9 or n2 < 1e-9:
        return float("nan")
    cos = (v1[0] * v2[0] + v1[1] * v2[1]) / (n1 * n2)
    return math.degrees(math.acos(max(-1.0, min(1.0, cos))))


class SignalComputer:
    """Computes every signal of a spec for one frame; a signal whose landmarks are not visible is None.

    Outline signals read the silhouette mask, which is not kept: they are computed once per frame by
    `outline_values` as the frame arrives and handed back to `compute` with the rest.
    """

    def __init__(self, spec: ExerciseSpec) -> None:
        self.spec = spec
        self.min_visibility = spec.min_visibility
        self._defs = dict(spec.signals)
        self.outline_names = [n for n, sig in self._defs.items() if isinstance(sig, OutlineSignal)]
        # Precomputed point indices per signal and concrete side.
        self._points: dict[tuple[str, ConcreteSide], list[tuple[int, ...]]] = {}
        for name, sig in self._defs.items():
            for side in ("left", "right", "mid"):
                self._points[(name, side)] = [point_indices(n, side) for n in _landmarks_of(sig)]

    def landmarks_of(self, name: str, side: ConcreteSide) -> list[tuple[int, ...]]:
        return self._points[(name, side)]

    def compute(
        self,
        frame: Frame,
        sides: SideAssignment,
        floor: FloorFrame,
        base_xy: np.ndarray | None,
        names: list[str] | None = None,
        outlines: Mapping[str, float | None] | None = None,
        baselines: Mapping[str, float] | None = None,
        outside: set[str] | None = None,
    ) -> dict[str, float | None]:
        """Values of the named signals (all by default). Signals that need calibration are None while
        base_xy (calibrated landmark positions in floor coordinates) is missing. Relative signals are
        given as their change from `baselines` (their values in the start position) when given,
        else as absolute values. Outline signals come from `outline_values`, passed in `outlines`.
        `outside`, if given, receives the names of the signals measured on a landmark placed beyond
        the edge of the picture."""
        wanted = list(names) if names is not None else list(self._defs)
        parts = [p for n in wanted if isinstance(self._defs[n], COMBINED_SIGNALS) for p in self._defs[n].of]
        out: dict[str, float | None] = {}
        for name in dict.fromkeys(parts + wanted):
            sig = self._defs[name]
            if outside is not None and isinstance(sig, COMBINED_SIGNALS) and outside & set(sig.of):
                outside.add(name)
            if isinstance(sig, (MeanSignal, LeastSignal)):
                found = [out[p] for p in sig.of if out.get(p) is not None and baselines is not None]
                out[name] = (float(np.mean(found)) if isinstance(sig, MeanSignal) else min(found)) if found else None
                continue
            if isinstance(sig, DifferenceSignal):
                first, second = (out.get(p) for p in sig.of)
                out[name] = None if first is None or second is None or baselines is None else first - second
                continue
            if isinstance(sig, OutlineSignal):
                out[name] = outlines.get(name) if outlines is not None else None
                continue
            side = sides.get(sig.side, sig.side)  # left/right/mid map to themselves
            pts = self._points[(name, side)]
            if any(frame.point_visibility(p) < self.min_visibility for p in pts):
                out[name] = None
                continue
            if outside is not None and not all(frame.all_inside(p) for p in pts):
                outside.add(name)
            value = self._value(sig, [frame.point(p) for p in pts], pts, floor, base_xy, frame, side)
            if sig.relative and baselines is not None and value is not None:
                base = baselines.get(name)
                value = None if base is None else value - base
            out[name] = value
        return {name: out[name] for name in wanted}

    def _value(self, sig, p, idx, floor: FloorFrame, base_xy, frame: Frame, side: str) -> float | None:
        if isinstance(sig, AngleSignal):
            value = angle_at(p[0], p[1], p[2])
            return None if math.isnan(value) else value
        if isinstance(sig, InclineSignal):
            dx, dy = p[1][0] - p[0][0], p[1][1] - p[0][1]
            if sig.reference == "floor":
                return math.degrees(math.atan2(dy, abs(dx)))
            if sig.reference == "lateral":
                toward = frame.person_left_sign() * (-1.0 if side == "right" else 1.0)
                return math.degrees(math.atan2(dx * toward, dy))
            return math.degrees(math.atan2(dx * floor.forward_sign, dy))
        if isinstance(sig, LineOffsetSignal):
            point, a, b = p
            direction = b - a
            length = math.hypot(direction[0], direction[1])
            if length < 1e-9:
                return None
            normal = np.array([-direction[1], direction[0]]) / length
            if normal[1] < 0:
                normal = -normal
            return float(np.dot(point - a, normal)) / floor.scale(sig.normalize)
        if isinstance(sig, DistanceSignal):
            return float(np.hypot(*(p[0] - p[1]))) / floor.scale(sig.normalize)
        if isinstance(sig, ElevationSignal):
            return float(p[0][1] - p[1][1]) / floor.scale(sig.normalize)
        if base_xy is None:
            return None
        base = np.mean(base_xy[list(idx[0])], axis=0)
        if isinstance(sig, HeightSignal):
            return float(p[0][1] - base[1]) / floor.scale(sig.normalize)
        if isinstance(sig, ProgressSignal):
            return float(p[0][0] - base[0]) * floor.forward_sign / floor.scale(sig.normalize)
        raise TypeError(f"unsupported signal {type(sig).__name__}")


    def outline_values(self, image_points: np.ndarray, mask: np.ndarray | None, side: ConcreteSide
                       ) -> dict[str, float | None]:
        """The outline signals of one frame, from its landmarks (image pixels, with visibility) and
        the silhouette mask; None where the mask or the landmarks are missing."""
        out: dict[str, float | None] = {}
        for name in self.outline_names:
            sig = self._defs[name]
            pts = self._points[(name, side)]
            if mask is None or any(max(image_points[i, 3] for i in p) < self.min_visibility for p in pts):
                out[name] = None
                continue
            a, b = (image_points[list(p), :2].mean(axis=0) for p in pts)
            out[name] = outline_offset(mask, a, b, sig.edge, sig.at, sig.ends)
        return out


_OUTLINE_REACH = 0.8  # how far across the line the outline is looked for, in lengths of the line
_MAX_OUTLINE_TILT = math.radians(60)  # a line steeper than this has no upper or lower edge


def outline_offset(mask: np.ndarray, a: np.ndarray, b: np.ndarray, edge: str, at: list[float],
                   ends: tuple[float, float]) -> float | None:
    """How far the silhouette's edge bulges from straight between image points a and b (see
    OutlineSignal), in lengths of a-b; positive = toward the top of the image."""
    along = b - a
    length = math.hypot(along[0], along[1])
    if length < 4.0:
        return None
    unit = along / length
    normal = np.array([unit[1], -unit[0]])
    if normal[1] > 0:
        normal = -normal  # image y grows downward: "up" is negative y
    if -normal[1] < math.cos(_MAX_OUTLINE_TILT):
        return None
    fractions = np.array([ends[0], ends[1], *at])
    # One pixel apart, or 400 steps across for a very large person: enough for a tenth of a percent.
    offsets = np.linspace(-_OUTLINE_REACH * length, _OUTLINE_REACH * length,
                          int(min(2 * _OUTLINE_REACH * length, 400)) + 1)
    rays = (a + fractions[:, None] * along)[:, None, :] + offsets[None, :, None] * normal  # (rays, steps, 2)
    x = np.rint(rays[..., 0]).astype(np.intp)
    y = np.rint(rays[..., 1]).astype(np.intp)
    height, width = mask.shape[:2]
    inside = (x >= 0) & (x < width) & (y >= 0) & (y < height)
    person = np.zeros(x.shape, dtype=bool)
    person[inside] = mask[y[inside], x[inside]] >= 0.5
    if not person.any(axis=1).all():
        return None
    steps = person.shape[1]
    edge_index = steps - 1 - np.argmax(person[:, ::-1], axis=1) if edge == "upper" else np.argmax(person, axis=1)
    found = list(offsets[edge_index])
    first, last, *middle = found
    chord = [first + (f - ends[0]) / (ends[1] - ends[0]) * (last - first) for f in at]
    return float(np.mean(np.array(middle) - np.array(chord))) / length


def _landmarks_of(sig) -> list[str]:
    if isinstance(sig, AngleSignal):
        return list(sig.points)
    if isinstance(sig, InclineSignal):
        return [sig.from_, sig.to]
    if isinstance(sig, LineOffsetSignal):
        return [sig.landmark, *sig.line]
    if isinstance(sig, DistanceSignal):
        return list(sig.between)
    if isinstance(sig, ElevationSignal):
        return [sig.landmark, sig.above]
    if isinstance(sig, (HeightSignal, ProgressSignal)):
        return [sig.landmark]
    if isinstance(sig, OutlineSignal):
        return list(sig.along)
    if isinstance(sig, COMBINED_SIGNALS):
        return []
    raise TypeError(f"unsupported signal {type(sig).__name__}")
