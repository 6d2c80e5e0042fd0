"""Butt walk: long sitting, legs straight, trunk upright, hands on the thighs; shuffle forward by hip shifts.

A step = one hip shift: the pelvis rolls to unweight one buttock, that side swings forward (pelvis yaw)
and the body's centre advances; sides alternate; then the same backward. The chest counter-rotates so
the shoulders stay roughly square, as people do.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tools.render.motions.base import Event, Script, Track, breathing, ease, limb_reach
from tools.render.posture import UPRIGHT, Limb, Posture, ik_3d

ANKLE_ABOVE_FLOOR = 0.06  # ankle joint height with the heel resting on the floor
CENTRE_PER_STEP = 0.06     # the pelvis centre advances this much per step
YAW_DEG = 12.0             # pelvis yaw with one side ahead: that side travels ~0.10-0.11 m per step
ROLL_DEG = 7.0             # pelvis roll that unweights the stepping buttock


@dataclass
class WalkSpec:
    forward: int = 6
    backward: int = 6
    step_s: float = 0.7
    pause_s: float = 0.22
    turn_pause_s: float = 1.2
    knee_flex_deg: float = 0.0      # fault: knees bent (knee angle = 180 - this) throughout
    lean_back_forward_deg: float = 0.0  # fault: trunk reclined (slumped) during the forward steps
    step_scales: tuple | None = None    # per step (forward ones first): fraction of the nominal hip shift


class ButtWalk(Script):
    exercise = "butt_walk"
    counted_kind = "step"

    def __init__(self, poser, spec: WalkSpec, floor_z=0.0, lead_in_s=2.0, tail_s=1.5):
        super().__init__()
        self.poser = poser
        self.spec = spec
        self.floor_z = floor_z
        self.root_z = 0.0
        self.root_z = floor_z - poser.lowest_z(self._base(0.0, 0.0, 0.0, 0.0, 0.0, None))
        self.centre = Track(0.0).hold_until(lead_in_s)
        self.yaw = Track(0.0).hold_until(lead_in_s)
        self.lean = Track(0.0).hold_until(lead_in_s - 1.5)
        if spec.lean_back_forward_deg:
            self.lean.move_to(lead_in_s - 0.2, spec.lean_back_forward_deg)
        self.roll_bumps = []  # (start, end, sign)
        t = lead_in_s
        pos, side = 0.0, "left"
        k = 0
        for direction, n in (("forward", spec.forward), ("backward", spec.backward)):
            sign = 1.0 if direction == "forward" else -1.0
            if direction == "backward":
                t += spec.turn_pause_s
                if spec.lean_back_forward_deg:
                    self.lean.hold_until(t - spec.turn_pause_s + 0.1).move_to(t - 0.1, 0.0)
                side = "left"
            for i in range(n):
                scale = 1.0 if spec.step_scales is None else spec.step_scales[k]
                k += 1
                pos += sign * CENTRE_PER_STEP * scale
                # The stepping side ends ahead in the travel direction; the last step squares the pelvis.
                ahead = 1.0 if side == "left" else -1.0
                yaw = 0.0 if i == n - 1 else ahead * sign * YAW_DEG * scale
                self.centre.hold_until(t).move_to(t + spec.step_s, pos)
                self.yaw.hold_until(t).move_to(t + spec.step_s, yaw)
                self.roll_bumps.append((t, t + spec.step_s, 1.0 if side == "left" else -1.0))
                mid = t + spec.step_s / 2
                self.events.append(Event(kind="step", start_s=t, end_s=t + spec.step_s, side=side,
                                         direction=direction, top_s=(mid, mid)))
                t += spec.step_s + spec.pause_s
                side = "right" if side == "left" else "left"
        self.duration = t + tail_s
        self.lean.hold_until(self.duration)
        self.fault_signals = {
            "knees_bent": (lambda t: spec.knee_flex_deg, 20.0),
            "trunk_lean": (lambda t: self.trunk_recline(t), 20.0),
        }

    def trunk_recline(self, t):
        """Angle of the hip->shoulder line behind vertical (degrees, side view)."""
        b = self.poser.body
        h = self.poser.joint_positions(self._base(self.centre(t), 0.0, 0.0, self.lean(t), t))
        hip = 0.5 * (h[b.index["upperleg01.L"]] + h[b.index["upperleg01.R"]])
        sh = 0.5 * (h[b.index["upperarm01.L"]] + h[b.index["upperarm01.R"]])
        d = sh - hip
        return float(np.degrees(np.arctan2(d[1], d[2])))

    def _roll(self, t):
        for a, b, s in self.roll_bumps:
            if a <= t <= b:
                # Lift the stepping buttock early in the step, set it down by the end.
                return -s * ROLL_DEG * float(np.sin(np.pi * ease((t - a) / (b - a))))
        return 0.0

    def _base(self, centre, yaw, roll, lean, t, hands=True):
        p = Posture(orientation=UPRIGHT, root=np.array([0.0, -centre, self.root_z]))
        p.pelvis_yaw, p.pelvis_roll = yaw, roll
        p.chest_yaw = -0.8 * yaw
        # Slump: pelvis rolls back, the back rounds, the head pokes forward.
        p.pelvis = -10.0 - 1.18 * lean
        p.spine_low = 6.0 + 0.08 * lean
        p.spine_mid = 4.0 + 0.1 * lean
        p.chest = 2.0 + 0.5 * breathing(t)
        p.neck = -4.0 - 0.2 * lean
        p.head = 2.0
        for s in ("L", "R"):
            p.legs[s] = Limb(upper=90.0, lower=90.0, end=20.0, lateral=4.0)
            p.arms[s] = Limb(upper=180.0, lower=180.0, lateral=10.0)
        return p

    def posture(self, t):
        p = self._base(self.centre(t), self.yaw(t), self._roll(t), self.lean(t), t)
        b = self.poser.body
        heads = self.poser.joint_positions(p)
        flex = self.spec.knee_flex_deg
        for s in ("L", "R"):
            hip = self.poser.to_body(p, heads[b.index[f"upperleg01.{s}"]][None])[0]
            l1, l2 = self.poser.lengths[f"thigh.{s}"], self.poser.lengths[f"shin.{s}"]
            reach = limb_reach(l1, l2, 180.0 - max(flex, 3.0))
            drop = hip[2] - (self.floor_z + ANKLE_ABOVE_FLOOR - p.root[2])
            fwd = np.sqrt(max(reach ** 2 - drop ** 2, 0.01))
            out = 1.0 if s == "L" else -1.0
            yaw = np.radians(p.pelvis_yaw)
            # Legs point along the pelvis: with the pelvis yawed, the heel slides with its hip.
            direction = np.array([np.sin(yaw) * -1.0, -np.cos(yaw), 0.0])
            ankle = hip + direction * fwd + np.array([out * 0.02, 0.0, -drop])
            u, f, _ = ik_3d(hip, ankle, l1, l2, np.array([0.0, 0.0, 1.0]))
            p.legs[s] = Limb(upper=0.0, lower=0.0, end=20.0 - 0.6 * flex, upper_vec=u, lower_vec=f)
        heads = self.poser.joint_positions(p)
        for s in ("L", "R"):
            hip = self.poser.to_body(p, heads[b.index[f"upperleg01.{s}"]][None])[0]
            knee = self.poser.to_body(p, heads[b.index[f"lowerleg01.{s}"]][None])[0]
            sh = self.poser.to_body(p, heads[b.index[f"upperarm01.{s}"]][None])[0]
            # Hands rest on the top of the thighs, a little above mid-thigh.
            hand = hip + 0.42 * (knee - hip) + np.array([0.0, 0.0, 0.085])
            out = 1.0 if s == "L" else -1.0
            u, f, hinge = ik_3d(sh, hand, self.poser.lengths[f"upperarm.{s}"], self.poser.lengths[f"forearm.{s}"],
                                np.array([out * 0.8, 1.0, 0.0]))
            p.arms[s] = Limb(upper=0.0, lower=0.0, end=95.0, end_normal=np.array([0.0, 0.0, -1.0]),
                             upper_vec=u, lower_vec=f, hinge=hinge)
        return p


    def extra_json(self):
        return {"steps": {"forward": self.spec.forward, "backward": self.spec.backward}}
