"""Seated dynamic side stretch (front view): sitting on a stool, arms overhead, bend to one side, pause
3-5 s at end range, come back, alternate sides.

`side` of a hold = the direction of the bend (toward the person's left or right). Faults: bouncing at
end range instead of pausing, arms not overhead, the opposite hip lifting off the seat.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tools.render.motions.base import Event, Script, Track, breathing
from tools.render.posture import UPRIGHT, Limb, Posture, ik_3d, rot_y

SEAT_HEIGHT = 0.46
ANKLE_ABOVE_FLOOR = 0.075


@dataclass
class Bend:
    side: str                 # "left" | "right"
    move_s: float = 1.6
    pause_s: float = 4.0
    back_s: float = 1.5
    rest_s: float = 0.8
    angle_deg: float = 24.0   # lateral trunk bend at end range
    bounce: bool = False      # fault: bounce at end range instead of pausing
    arms_overhead: bool = True
    hip_lift_deg: float = 0.0  # fault: pelvis tilts so the opposite hip lifts off the seat


class SeatedSideStretch(Script):
    exercise = "seated_side_stretch"
    counted_kind = "hold"
    view = "front"

    def __init__(self, poser, bends, floor_z=0.0, lead_in_s=2.0, tail_s=1.5):
        super().__init__()
        self.poser = poser
        self.floor_z = floor_z
        b = poser.body
        self.l1, self.l2 = poser.lengths["thigh.L"], poser.lengths["shin.L"]
        probe = self._base(0, 0, 0, 1.0, 0.0)
        heads = poser.joint_positions(probe)
        hip = heads[b.index["upperleg01.L"]]
        # Hip joints about 9 cm above the seat (seat bones and buttock tissue below them).
        self.root = np.array([0.0, 0.0, floor_z + SEAT_HEIGHT + 0.09 - (hip[2] - probe.root[2])])
        self.seat_top = floor_z + SEAT_HEIGHT
        heads = poser.joint_positions(self._base(0, 0, 0, 1.0, 0.0))
        self.ankles = {}
        for s in ("L", "R"):
            hp = heads[b.index[f"upperleg01.{s}"]]
            out = 1.0 if s == "L" else -1.0
            self.ankles[s] = np.array([hp[0] + out * 0.05, hp[1] - self.l1 * 0.98, floor_z + ANKLE_ABOVE_FLOOR])
        self.bend = Track(0.0).hold_until(lead_in_s)
        self.hip = Track(0.0).hold_until(lead_in_s)
        self.arms = Track(1.0 if bends[0].arms_overhead else 0.0)
        self.bounces = []
        t = lead_in_s
        for bd in bends:
            sign = 1.0 if bd.side == "left" else -1.0
            a = t + bd.move_s
            pause = 0.4 if bd.bounce else bd.pause_s
            b2 = a + pause
            end = b2 + bd.back_s
            self.bend.hold_until(t).move_to(a, sign * bd.angle_deg).hold_until(b2).move_to(end, 0.0)
            self.hip.hold_until(t).move_to(a, sign * bd.hip_lift_deg).hold_until(b2).move_to(end, 0.0)
            if bd.bounce:
                self.bounces.append((a - 0.3, b2 + 0.3, sign))
            self.events.append(Event(kind="hold", start_s=t, end_s=end, side=bd.side, duration_s=pause,
                                     top_s=(a, b2)))
            t = end + bd.rest_s
            self.bend.hold_until(t)
            self.hip.hold_until(t)
        self.duration = t + tail_s
        self.arms.hold_until(self.duration)
        self._arms_overhead = bends[0].arms_overhead
        self.fault_signals = {
            "no_pause": (lambda t: float(any(a <= t <= e for a, e, _ in self.bounces)), 0.5),
            "arms_not_overhead": (lambda t: 0.0 if self._arms_overhead else 1.0, 0.5),
            "hips_lift": (lambda t: abs(self.hip(t)), 5.0),
        }

    def _bounce(self, t):
        for a, e, sign in self.bounces:
            if a <= t <= e:
                # Two quick pulses at end range (~2.5 Hz) instead of a held pause.
                return sign * 7.0 * float(np.sin(2 * np.pi * 2.5 * (t - a)) ** 2)
        return 0.0

    def _base(self, bend, hip_tilt, t, arms_up, breath):
        p = Posture(orientation=UPRIGHT, root=getattr(self, "root", np.zeros(3)))
        # Bending to one side: the pelvis stays level unless the hip-lift fault tilts it.
        p.pelvis = -4.0
        p.pelvis_roll = -hip_tilt
        p.side_bend = bend
        p.chest = breath
        for s in ("L", "R"):
            p.legs[s] = Limb(upper=90.0, lower=180.0, end=107.0, lateral=6.0)
            p.arms[s] = Limb(upper=180.0, lower=178.0, lateral=8.0)
        return p

    def posture(self, t):
        bend = self.bend(t) + self._bounce(t)
        p = self._base(bend, self.hip(t), t, 1.0, 0.5 * breathing(t))
        b = self.poser.body
        heads = self.poser.joint_positions(p)
        for s in ("L", "R"):
            hip = heads[b.index[f"upperleg01.{s}"]]
            u, f, _ = ik_3d(hip, self.ankles[s], self.l1, self.l2, np.array([0.0, -1.0, 0.5]))
            p.legs[s] = Limb(upper=0.0, lower=0.0, end=107.0, upper_vec=u, lower_vec=f)
        # Overhead arms follow the bending trunk (they ride on the chest), elbows nearly straight,
        # palms facing each other; without overhead arms the hands rest on the thighs.
        chest_tilt = rot_y(-0.9 * bend)
        for s in ("L", "R"):
            out = 1.0 if s == "L" else -1.0
            if self._arms_overhead:
                up = chest_tilt @ np.array([out * 0.16, -0.05, 1.0])
                fore = chest_tilt @ np.array([-out * 0.05, -0.08, 1.0])
                hinge = chest_tilt @ np.array([1.0, 0.0, 0.0])
                p.arms[s] = Limb(upper=0.0, lower=0.0, upper_vec=up / np.linalg.norm(up),
                                 lower_vec=fore / np.linalg.norm(fore), hinge=hinge)
            else:
                sh = heads[b.index[f"upperarm01.{s}"]]
                knee = heads[b.index[f"lowerleg01.{s}"]]
                hand = hip + 0.5 * (knee - hip) + np.array([0.0, 0.0, 0.09])
                hip = heads[b.index[f"upperleg01.{s}"]]
                hand = hip + 0.5 * (knee - hip) + np.array([0.0, 0.0, 0.09])
                u, f, hinge = ik_3d(sh, hand, self.poser.lengths[f"upperarm.{s}"],
                                    self.poser.lengths[f"forearm.{s}"], np.array([out * 0.8, 1.0, 0.0]))
                p.arms[s] = Limb(upper=0.0, lower=0.0, end=95.0, end_normal=np.array([0.0, 0.0, -1.0]),
                                 upper_vec=u, lower_vec=f, hinge=hinge)
        return p

    def props(self):
        b = self.poser.body
        heads = self.poser.joint_positions(self._base(0, 0, 0, 1.0, 0.0))
        hip_y = 0.5 * (heads[b.index["upperleg01.L"]][1] + heads[b.index["upperleg01.R"]][1])
        h = self.seat_top - self.floor_z
        # A plain wooden stool under the seat bones.
        return [((0.0, hip_y + 0.06, self.floor_z + h / 2), (0.44, 0.36, h), (0.42, 0.28, 0.17))]
