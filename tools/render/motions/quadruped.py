"""Shared all-fours (quadruped) pieces: hands under shoulders, knees under hips, feet resting behind.

Uses the prone body frame (front faces down, head toward world +Y): sagittal angle 0 = toward the head,
90 = straight down, 180 = toward the feet, -90 = straight up.
"""
from __future__ import annotations

import numpy as np

from tools.render.motions.base import bisect, limb_reach, torso_length
from tools.render.posture import PRONE, Limb, Posture, ik_3d

WRIST_ABOVE_FLOOR = 0.03
KNEE_ABOVE_FLOOR = 0.05


class Quadruped:
    """Solves the neutral table-top for one body and plants hands, knees and feet."""

    def __init__(self, poser, floor_z, elbow=176.0):
        self.poser = poser
        self.floor_z = floor_z
        b = poser.body
        self.thigh = poser.lengths["thigh.L"]
        self.shin = poser.lengths["shin.L"]
        self._arm = (poser.lengths["upperarm.L"], poser.lengths["forearm.L"])
        self.reach = self.arm_reach(elbow)
        # Hip joint height: thigh vertical over a knee resting on the floor.
        hip_h = floor_z + KNEE_ABOVE_FLOOR + self.thigh
        probe = self.trunk(0.0)
        heads = poser.joint_positions(probe)
        hip = 0.5 * (heads[b.index["upperleg01.L"]] + heads[b.index["upperleg01.R"]])
        self.root_z = hip_h - (hip[2] - probe.root[2])
        # Trunk pitch so that near-straight vertical arms reach the floor.
        want = floor_z + WRIST_ABOVE_FLOOR + self.reach
        self.pitch = bisect(lambda a: self._shoulder_height(a), -40.0, 40.0, want, iters=22)
        p = self.trunk(self.pitch)
        heads = poser.joint_positions(p)
        self.hands, self.knees, self.ankles = {}, {}, {}
        for s in ("L", "R"):
            out = -1.0 if s == "L" else 1.0  # person's left is world -X (prone frame)
            sh = heads[b.index[f"upperarm01.{s}"]]
            self.hands[s] = np.array([sh[0] + out * 0.03, sh[1] + 0.02, floor_z + WRIST_ABOVE_FLOOR])
            hp = heads[b.index[f"upperleg01.{s}"]]
            self.knees[s] = np.array([hp[0] + out * 0.01, hp[1], floor_z + KNEE_ABOVE_FLOOR])
            self.ankles[s] = np.array([hp[0] + out * 0.02, hp[1] - self.shin * 0.97, floor_z + 0.07])

    def arm_reach(self, elbow_deg):
        """Shoulder-to-wrist distance with the elbow at this angle (law of cosines)."""
        return limb_reach(*self._arm, elbow_deg)

    def elbow_for_drop(self, drop):
        """Elbow angle that lowers the shoulder by `drop` below the neutral straight-arm reach."""
        l1, l2 = self._arm
        r = self.reach - drop
        return float(np.degrees(np.arccos(np.clip((l1 ** 2 + l2 ** 2 - r ** 2) / (2 * l1 * l2), -1, 1))))

    def trunk(self, pitch, root_shift=np.zeros(3)):
        """Neutral trunk at a pitch (positive = shoulders higher than hips); limbs filled in by plant()."""
        root = np.array([0.0, 0.0, getattr(self, "root_z", 0.5)]) + root_shift
        p = Posture(orientation=PRONE, root=root)
        # Prone frame: body extension (negative) lifts the front end, so pitch enters negated.
        p.pelvis = -pitch
        p.neck = -12.0
        p.head = -6.0
        for s in ("L", "R"):
            p.legs[s] = Limb(upper=90.0, lower=180.0, end=165.0, lateral=2.0)
            p.arms[s] = Limb(upper=90.0, lower=90.0, end=0.0, lateral=4.0, end_normal=np.array([0.0, -1.0, 0.0]))
        return p

    def fit_shoulders(self, build, pitch, drop=0.0, iterations=3):
        """Adjust the trunk pitch so the shoulders sit `drop` below straight-arm height over the hands.

        build(pitch) -> Posture. Spine bending (cat, sag, arch) moves the shoulders; without this the
        arm IK would bend the elbows in a clean rep.
        """
        b = self.poser.body
        torso = torso_length(b)
        want = self.floor_z + WRIST_ABOVE_FLOOR + self.reach - drop
        for _ in range(iterations):
            h = self.poser.joint_positions(build(pitch))
            sh = 0.5 * (h[b.index["upperarm01.L"]][2] + h[b.index["upperarm01.R"]][2])
            pitch += float(np.degrees(np.arcsin(np.clip((want - sh) / torso, -0.5, 0.5))))
        return build(pitch)

    def _shoulder_height(self, pitch):
        b = self.poser.body
        h = self.poser.joint_positions(self.trunk(pitch))
        return float(0.5 * (h[b.index["upperarm01.L"]][2] + h[b.index["upperarm01.R"]][2]))

    def plant(self, p: Posture, arms=("L", "R"), legs=("L", "R"), hands=None, knees=None):
        """IK the given limbs onto their planted floor points (or overrides)."""
        b = self.poser.body
        heads = self.poser.joint_positions(p)
        for s in arms:
            sh = self.poser.to_body(p, heads[b.index[f"upperarm01.{s}"]][None])[0]
            target = (hands or {}).get(s, self.hands[s])
            hd = self.poser.to_body(p, target[None])[0]
            out = 1.0 if s == "L" else -1.0
            # Elbows point back toward the knees (body -Z) and a little out: the crease faces forward.
            u, f, hinge = ik_3d(sh, hd, self.poser.lengths[f"upperarm.{s}"], self.poser.lengths[f"forearm.{s}"],
                                np.array([out * 0.3, 0.0, -1.0]))
            p.arms[s] = Limb(upper=0.0, lower=0.0, end=0.0, end_normal=np.array([0.0, -1.0, 0.0]),
                             upper_vec=u, lower_vec=f, hinge=hinge)
        for s in legs:
            hip = self.poser.to_body(p, heads[b.index[f"upperleg01.{s}"]][None])[0]
            knee = self.poser.to_body(p, (knees or {}).get(s, self.knees[s])[None])[0]
            ankle = self.poser.to_body(p, self.ankles[s][None])[0]
            u = knee - hip
            u /= np.linalg.norm(u)
            k = hip + u * self.thigh
            f = ankle - k
            f /= np.linalg.norm(f)
            p.legs[s] = Limb(upper=0.0, lower=0.0, end=165.0, upper_vec=u, lower_vec=f)
        return p
