"""A posture in sagittal terms, turned into per-bone world rotations for the anny rig.

Body frame = the rest frame of the standing person: front -Y, up +Z, the person's left +X.
Sagittal angle phi of a limb segment: its direction rotated from "up" (+Z) toward the front (-Y),
so a hanging thigh or arm is 180, a thigh pointing forward (hip flexed 90) is 90, a shin of a knee
bent 90 under a thigh at 90 is 180 again. Spine, neck and head are bent by relative flexion angles
(negative = extension) so the natural curvature of the rest mesh is kept.
`orientation` maps the body frame to world axes (prone, supine, seated).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from tools.render.body import Body, frame_from


def rot_x(deg):
    a = np.radians(deg)
    c, s = np.cos(a), np.sin(a)
    # Tilts +Z toward -Y (the front) for positive angles: flexion of the trunk.
    return np.array([[1, 0, 0], [0, c, -s], [0, s, c]])


def rot_y(deg):
    a = np.radians(deg)
    c, s = np.cos(a), np.sin(a)
    return np.array([[c, 0, s], [0, 1, 0], [-s, 0, c]])


def rot_z(deg):
    a = np.radians(deg)
    c, s = np.cos(a), np.sin(a)
    return np.array([[c, -s, 0], [s, c, 0], [0, 0, 1]])


def sagittal_dir(phi_deg, lateral_deg=0.0, side="L"):
    """Unit direction at sagittal angle phi, tilted outward (away from the midline) by lateral_deg."""
    p, q = np.radians(phi_deg), np.radians(lateral_deg)
    out = 1.0 if side == "L" else -1.0
    return np.array([out * np.sin(q), -np.sin(p) * np.cos(q), np.cos(p) * np.cos(q)])


def _orientation(left, up):
    """Body->world rotation whose columns are the images of body X (left), Y (back), Z (up)."""
    left, up = np.asarray(left, float), np.asarray(up, float)
    back = np.cross(up, left)  # body +Y = back; body Y = Z x X
    return np.stack([left, back, up], axis=1)


# Head toward world +Y in both lying orientations; the sagittal plane is the world Y-Z plane.
PRONE = _orientation(left=[-1, 0, 0], up=[0, 1, 0])    # front faces down
SUPINE = _orientation(left=[1, 0, 0], up=[0, 1, 0])    # front faces up
UPRIGHT = np.eye(3)                                    # sitting/standing, facing world -Y


# How a lateral trunk bend is shared along the spine (the lumbar and lower thoracic do most of it).
SIDE_BEND_SHARE = {"spine_low": 0.35, "spine_mid": 0.35, "chest": 0.2, "neck": 0.1}
# Posture.spine_joints: the spine bone that starts each segment, and the joint inside a two-bone segment.
SEGMENT_JOINT = {"spine_low": "spine05", "spine_mid": "spine03", "chest": "spine01"}
INNER_JOINT = {"spine_low": "spine04", "spine_mid": "spine02"}


@dataclass
class Limb:
    upper: float            # sagittal angle of thigh / upper arm
    lower: float            # sagittal angle of shin / forearm
    end: float | None = None  # sagittal angle of foot / hand direction (None = follow the lower segment)
    lateral: float = 0.0    # outward tilt of the whole limb (abduction), degrees
    end_normal: np.ndarray | None = None  # hands: palm normal in body frame (None = default)
    # Explicit 3D solution from ik_3d (body frame); overrides the sagittal angles when set.
    upper_vec: np.ndarray | None = None
    lower_vec: np.ndarray | None = None
    hinge: np.ndarray | None = None


@dataclass
class Posture:
    orientation: np.ndarray = field(default_factory=lambda: UPRIGHT.copy())
    root: np.ndarray = field(default_factory=lambda: np.zeros(3))  # world position of the root bone head
    pelvis: float = 0.0      # pelvis flexion (anterior tilt +)
    spine_low: float = 0.0   # relative flexion of lumbar segments (extension negative)
    spine_mid: float = 0.0
    chest: float = 0.0
    neck: float = 0.0
    head: float = 0.0
    pelvis_roll: float = 0.0  # rotation about the body's front axis (one hip up), degrees
    pelvis_yaw: float = 0.0
    chest_yaw: float = 0.0    # counter-rotation of the chest about the trunk axis, degrees
    side_bend: float = 0.0    # lateral trunk bend toward the person's left (+) or right (-), degrees
    # Extra relative flexion (extension negative) at single spine joints, degrees, on top of the
    # segment angles: "spine04" bends between spine05 and spine04 (inside spine_low), "spine02" inside
    # spine_mid; "spine05", "spine03", "spine01" add to the segment's own joint. Lets a movement curve
    # the back evenly along the spine instead of kinking it at the three segment joints.
    spine_joints: dict = field(default_factory=dict)
    legs: dict = field(default_factory=dict)  # "L"/"R" -> Limb
    arms: dict = field(default_factory=dict)


class Poser:
    """Turns postures into world bone rotations for one body; also gives body-frame joint positions for IK."""

    def __init__(self, body: Body):
        self.body = body
        b = body
        self.rest = {}
        for s in ("L", "R"):
            thigh = b.rest_dir(f"thigh.{s}")
            shin = b.rest_dir(f"shin.{s}")
            foot = b.rest_dir(f"foot.{s}")
            x = np.array([1.0, 0, 0])
            self.rest[f"thigh.{s}"] = frame_from(thigh, x)
            self.rest[f"shin.{s}"] = frame_from(shin, x)
            self.rest[f"foot.{s}"] = frame_from(foot, x)
            up = b.rest_dir(f"upperarm.{s}")
            fo = b.rest_dir(f"forearm.{s}")
            # The rest elbow is already bent: its hinge axis is the flexion axis; flexion brings the
            # hand forward, which for a hanging arm is a rotation about -X, so "left" = -(u x f).
            hinge = -np.cross(up, fo)
            hinge /= np.linalg.norm(hinge)
            self.rest[f"upperarm.{s}"] = frame_from(up, hinge)
            self.rest[f"forearm.{s}"] = frame_from(fo, hinge)
            hand = b.rest_dir(f"hand.{s}")
            across = b.head(f"finger2-1.{s}") - b.head(f"finger5-1.{s}")  # pinky -> index knuckles
            palm = np.cross(hand, across) if s == "L" else np.cross(across, hand)
            self.rest[f"hand.{s}"] = frame_from(hand, palm)
            self.rest_palm = palm
        self.lengths = {k: b.length(k) for k in ("thigh.L", "shin.L", "upperarm.L", "forearm.L",
                                                  "thigh.R", "shin.R", "upperarm.R", "forearm.R")}

    def _aim(self, seg, direction, left):
        return frame_from(direction, left) @ self.rest[seg].T

    def body_rotations(self, p: Posture):
        """Segment -> rotation in the body frame."""
        out = {}
        pelvis = rot_x(p.pelvis) @ rot_y(p.pelvis_roll) @ rot_z(p.pelvis_yaw)
        out["pelvis"] = pelvis
        acc = pelvis
        for seg, ang in (("spine_low", p.spine_low), ("spine_mid", p.spine_mid), ("chest", p.chest),
                         ("neck", p.neck), ("head", p.head)):
            acc = acc @ rot_x(ang + p.spine_joints.get(SEGMENT_JOINT.get(seg), 0.0))
            if p.side_bend and seg in SIDE_BEND_SHARE:
                # rot_y(+) lowers the person's left side: bending to the left is a negative rotation.
                acc = acc @ rot_y(-SIDE_BEND_SHARE[seg] * p.side_bend)
            if seg == "chest" and p.chest_yaw:
                acc = acc @ rot_z(p.chest_yaw)
            out[seg] = acc
            inner = INNER_JOINT.get(seg)
            if inner in p.spine_joints:
                # A joint inside the segment: its second bone and everything above bend on from it.
                acc = acc @ rot_x(p.spine_joints[inner])
                out[f"bone:{inner}"] = acc
        x = np.array([1.0, 0, 0])
        for s, limb in p.legs.items():
            if limb.upper_vec is not None:
                # Knee hinge axis: perpendicular to thigh and shin (the person's left for sagittal bends).
                hinge = np.cross(limb.upper_vec, limb.lower_vec)
                hinge = hinge / np.linalg.norm(hinge) if np.linalg.norm(hinge) > 1e-3 else x
                if hinge[0] < 0:
                    hinge = -hinge
                out[f"thigh.{s}"] = self._aim(f"thigh.{s}", limb.upper_vec, hinge)
                out[f"shin.{s}"] = self._aim(f"shin.{s}", limb.lower_vec, hinge)
            else:
                out[f"thigh.{s}"] = self._aim(f"thigh.{s}", sagittal_dir(limb.upper, limb.lateral, s), x)
                out[f"shin.{s}"] = self._aim(f"shin.{s}", sagittal_dir(limb.lower, limb.lateral, s), x)
            foot_phi = limb.end if limb.end is not None else limb.lower - 90.0
            out[f"foot.{s}"] = self._aim(f"foot.{s}", sagittal_dir(foot_phi, 0.0, s), x)
        for s, limb in p.arms.items():
            if limb.upper_vec is not None:
                out[f"upperarm.{s}"] = self._aim(f"upperarm.{s}", limb.upper_vec, limb.hinge)
                out[f"forearm.{s}"] = self._aim(f"forearm.{s}", limb.lower_vec, limb.hinge)
            else:
                out[f"upperarm.{s}"] = self._aim(f"upperarm.{s}", sagittal_dir(limb.upper, limb.lateral, s), x)
                out[f"forearm.{s}"] = self._aim(f"forearm.{s}", sagittal_dir(limb.lower, limb.lateral, s), x)
            if limb.end is not None:
                normal = limb.end_normal if limb.end_normal is not None else np.array([0.0, 1.0, 0.0])
                out[f"hand.{s}"] = self._aim(f"hand.{s}", sagittal_dir(limb.end, 0.0, s), normal)
        return out

    def world_rotations(self, p: Posture):
        seg_rot = {k: p.orientation @ v for k, v in self.body_rotations(p).items()}
        return self.body.world_rotations(seg_rot)

    def joint_positions(self, p: Posture):
        """World positions of bone heads for this posture (FK only, no skinning)."""
        G = self.world_rotations(p)
        return self.body.posed_heads(G, p.root)

    def lowest_z(self, p: Posture):
        """Height of the lowest skinned vertex for this posture (to rest a body on the floor)."""
        verts, _ = self.body.skin(self.world_rotations(p)[None], p.root[None])
        return float(verts[0, :, 2].min())

    def to_body(self, p: Posture, world_points):
        return (np.asarray(world_points) - p.root) @ p.orientation


def ik_3d(start, target, l1, l2, pole):
    """Two-bone IK in 3D: middle joint on the side of `pole` (a direction from the start).

    Returns (upper_dir, lower_dir, hinge) with hinge = the flexion axis as Poser expects it for arms
    (-(u x f)), falling back to a pole-based axis when the chain is nearly straight.
    """
    s, t = np.asarray(start, float), np.asarray(target, float)
    d = t - s
    dist = float(np.clip(np.linalg.norm(d), abs(l1 - l2) + 1e-4, l1 + l2 - 1e-4))
    axis = d / np.linalg.norm(d)
    pole = np.asarray(pole, float)
    perp = pole - np.dot(pole, axis) * axis
    perp /= np.linalg.norm(perp)
    a = (l1 ** 2 + dist ** 2 - l2 ** 2) / (2 * dist)
    h = np.sqrt(max(l1 ** 2 - a ** 2, 0.0))
    mid = s + axis * a + perp * h
    end = s + axis * dist
    u = (mid - s) / np.linalg.norm(mid - s)
    f = (end - mid) / np.linalg.norm(end - mid)
    hinge = -np.cross(u, f)
    if np.linalg.norm(hinge) < 1e-3:
        hinge = -np.cross(u, perp)
    hinge /= np.linalg.norm(hinge)
    return u, f, hinge
