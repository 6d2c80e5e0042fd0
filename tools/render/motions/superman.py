"""Superman: prone, arms overhead; lift chest, arms and legs a little off the floor, hold ~3 s, lower.

The pelvis and belly stay down; the chest rises by spine extension, the legs by hip extension.
Faults: neck cranked back, lifting too high, knees bending, jerking up.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tools.render.motions.base import Event, Script, Track, breathing, torso_length
from tools.render.posture import PRONE, Limb, Posture


@dataclass
class Rep:
    up_s: float = 1.5
    hold_s: float = 3.0
    down_s: float = 1.5
    rest_s: float = 1.5
    trunk_deg: float = 14.0     # spine extension at the top (chest lift)
    hip_ext_deg: float = 8.0    # leg lift
    neck_deg: float = 0.0       # fault: extra head/neck extension relative to the trunk
    knee_flex_deg: float = 0.0  # fault: knees bend during the hold


class Superman(Script):
    exercise = "superman"

    def __init__(self, poser, reps, floor_z=0.0, lead_in_s=2.0, tail_s=1.5):
        super().__init__()
        self.poser = poser
        b = poser.body
        self.torso = torso_length(b)
        self.leg = poser.lengths["thigh.L"] + poser.lengths["shin.L"]
        self.root_z = 0.0
        self.root_z = floor_z - poser.lowest_z(self._pose(0, 0, 0, 0, 0))
        self.trunk = Track(0.0).hold_until(lead_in_s)
        self.hips = Track(0.0).hold_until(lead_in_s)
        self.neck = Track(0.0).hold_until(lead_in_s)
        self.knees = Track(0.0).hold_until(lead_in_s)
        t = lead_in_s
        for r in reps:
            t_up, t_hold = t + r.up_s, t + r.up_s + r.hold_s
            t_end = t_hold + r.down_s
            for tr, v in ((self.trunk, r.trunk_deg), (self.hips, r.hip_ext_deg), (self.neck, r.neck_deg)):
                tr.hold_until(t).move_to(t_up, v).hold_until(t_hold).move_to(t_end, 0.0)
            if r.knee_flex_deg:
                self.knees.hold_until(t_up).move_to(t_up + 0.8, r.knee_flex_deg).hold_until(t_hold - 0.3)
                self.knees.move_to(t_end, 0.0)
            self.events.append(Event(kind="rep", start_s=t, end_s=t_end, duration_s=r.hold_s, top_s=(t_up, t_hold)))
            t = t_end + r.rest_s
            for tr in (self.trunk, self.hips, self.neck, self.knees):
                tr.hold_until(t)
        self.duration = t + tail_s
        self._base_incline = self._incline(0.0)
        self.fault_signals = {
            "neck_cranked": (lambda t: self.neck(t), 20.0),
            "too_high": (lambda t: max(self._incline(self.trunk(t)) - self._base_incline,
                                       25.0 * self._ankle_rise(self.hips(t)) / (0.25 * self.leg)), 25.0),
            "knees_bent": (lambda t: self.knees(t), 20.0),
        }

    def _pose(self, trunk, hips, neck, knee, t):
        p = Posture(orientation=PRONE, root=np.array([0.0, 0.0, self.root_z]))
        p.spine_low = -0.35 * trunk
        p.spine_mid = -0.35 * trunk
        p.chest = -0.30 * trunk + 0.5 * breathing(t)
        # Face just off the mat at rest; in line with the trunk when lifted, unless cranked back.
        p.neck = -14.0 + 8.0 * min(trunk / 10.0, 1.0) - 0.6 * neck
        p.head = -4.0 - 0.4 * neck
        arm = -(trunk + 6.0 * min(trunk / 10.0, 1.0))
        for s in ("L", "R"):
            p.arms[s] = Limb(upper=arm, lower=arm, end=arm, lateral=14.0, end_normal=np.array([0.0, -1.0, 0.0]))
            shin = 180.0 + hips + knee
            p.legs[s] = Limb(upper=180.0 + hips, lower=shin, end=shin - 90.0 + 75.0, lateral=3.0)
        return p

    def _incline(self, trunk):
        b = self.poser.body
        h = self.poser.joint_positions(self._pose(trunk, 0, 0, 0, 0))
        d = h[b.index["upperarm01.L"]] - h[b.index["upperleg01.L"]]
        return float(np.degrees(np.arctan2(d[2], d[1])))

    def _ankle_rise(self, hips):
        return self.leg * np.sin(np.radians(hips))

    def posture(self, t):
        return self._pose(self.trunk(t), self.hips(t), self.neck(t), self.knees(t), t)
