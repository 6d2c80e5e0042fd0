"""Shared supine (lying on the back) pieces: hook-lying legs with planted feet, arms on the floor.

Supine body frame to world: head toward world +Y, front up. A body-frame sagittal angle phi points
head-ward at 0, straight up at 90, toward the feet at 180 and into the floor at 270.
"""
from __future__ import annotations

import numpy as np

from tools.render.posture import SUPINE, Limb, Posture, ik_3d

ANKLE_ABOVE_FLOOR = 0.075  # ankle joint height with the foot flat
FOOT_FLAT_PHI = 197.0      # foot direction (ankle -> ball) with the sole flat on the floor when supine
SOLE_PHI_FROM_DOWN = 73.0


def supine_base(root, pelvis=0.0):
    p = Posture(orientation=SUPINE, root=np.asarray(root, float))
    p.pelvis = pelvis
    for s in ("L", "R"):
        # Arms alongside the body, resting on the floor, palms down (palm normal = body +Y = world down).
        p.arms[s] = Limb(upper=186.0, lower=182.0, end=182.0, lateral=9.0, end_normal=np.array([0.0, 1.0, 0.0]))
        p.legs[s] = Limb(upper=180.0, lower=180.0, lateral=3.0)
    return p


def plant_leg(poser, p: Posture, side, ankle_world, knee_out=0.0):
    """Two-bone IK from the hip to a planted ankle, knee pointing up (and slightly out)."""
    b = poser.body
    heads = poser.joint_positions(p)
    hip = poser.to_body(p, heads[b.index[f"upperleg01.{side}"]][None])[0]
    ankle = poser.to_body(p, np.asarray(ankle_world)[None])[0]
    out = 1.0 if side == "L" else -1.0
    pole = np.array([out * knee_out, -1.0, 0.0])  # body -Y = world up when supine
    u, f, _ = ik_3d(hip, ankle, poser.lengths[f"thigh.{side}"], poser.lengths[f"shin.{side}"], pole)
    p.legs[side] = Limb(upper=0.0, lower=0.0, end=FOOT_FLAT_PHI)
    p.legs[side].upper_vec, p.legs[side].lower_vec = u, f
    return u, f


def angle_at(a, b, c):
    """Inside angle ABC in degrees (3D)."""
    u, v = np.asarray(a) - b, np.asarray(c) - b
    return float(np.degrees(np.arccos(np.clip(np.dot(u, v) / (np.linalg.norm(u) * np.linalg.norm(v)), -1, 1))))
