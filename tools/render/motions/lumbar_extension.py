"""Lower lumbar extension ("baby twerk") on all fours: a small anterior pelvic tilt, held 3 s, released.

The pelvis tips forward about the hip joints (tailbone up) and the lumbar spine extends, so the low
back dips by 1-2 cm between the buttocks and the level thoracic spine; the upper back, shoulders and
head stay where they were. The hands hold the shoulders, so the shoulder-hip-knee angle hardly changes:
the tip shows in the outline of the low back, not in the joints.
Faults: the whole back arches (chest and head rise, trunk incline changes),
the knees do the work (hips rock back over the heels so the knee angle changes).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tools.render.motions.base import Event, Script, Track, breathing
from tools.render.motions.quadruped import Quadruped
from tools.render.motions.supine import angle_at


# Relative flexion (extension negative) at each spine joint per degree of anterior pelvic tilt: the
# lumbar chain (spine04, spine03, where the rig skins the low back) sags between the tipped pelvis and the
# thorax, which stays level (the joint angles sum to minus the tilt).
TIP_SPINE = {"spine04": -1.0, "spine03": -1.0, "spine02": 1.0}


@dataclass
class Rep:
    in_s: float = 1.2
    hold_s: float = 3.0
    out_s: float = 1.2
    rest_s: float = 1.2
    tilt_deg: float = 9.0        # anterior pelvic tilt
    whole_back_deg: float = 0.0  # fault: the thoracic spine and head extend too (trunk incline change)
    rock_back_m: float = 0.0     # fault: hips move back over the heels (knees bend more)


class LumbarExtension(Script):
    exercise = "lumbar_extension"

    def __init__(self, poser, reps, floor_z=0.0, lead_in_s=2.0, tail_s=1.5):
        super().__init__()
        self.poser = poser
        self.q = Quadruped(poser, floor_z)
        self.tilt = Track(0.0).hold_until(lead_in_s)
        self.arch = Track(0.0).hold_until(lead_in_s)
        self.back = Track(0.0).hold_until(lead_in_s)
        t = lead_in_s
        for r in reps:
            a, b = t + r.in_s, t + r.in_s + r.hold_s
            end = b + r.out_s
            for tr, v in ((self.tilt, r.tilt_deg), (self.arch, r.whole_back_deg), (self.back, r.rock_back_m)):
                tr.hold_until(t).move_to(a, v).hold_until(b).move_to(end, 0.0)
            self.events.append(Event(kind="rep", start_s=t, end_s=end, duration_s=r.hold_s, top_s=(a, b)))
            t = end + r.rest_s
            for tr in (self.tilt, self.arch, self.back):
                tr.hold_until(t)
        self.duration = t + tail_s
        self._knee0 = self._knee_angle(0.0)
        self.fault_signals = {
            "whole_back_arch": (lambda t: self.arch(t), 8.0),
            "knees_doing_work": (lambda t: abs(self._knee_angle(self.back(t)) - self._knee0), 10.0),
        }

    def _pose(self, tilt, arch, back, t):
        q = self.q

        def build(pitch):
            p = q.trunk(pitch, root_shift=np.array([0.0, -back, -0.35 * back]))
            # Anterior tilt: the lumbar end of the pelvis drops (prone frame: flexion), the lumbar sags and
            # extends back up to the level thoracic spine; a whole-back arch extends the upper spine and
            # lifts the head too.
            p.pelvis += tilt
            p.spine_low = -0.3 * arch
            p.spine_mid = -0.4 * arch
            p.spine_joints = {bone: share * tilt for bone, share in TIP_SPINE.items()}
            p.chest = -0.3 * arch + 0.4 * breathing(t)
            p.neck = -12.0 - 0.6 * arch
            return p

        return q.plant(q.fit_shoulders(build, q.pitch))

    def _knee_angle(self, back):
        b = self.poser.body
        h = self.poser.joint_positions(self._pose(0.0, 0.0, back, 0.0))
        return angle_at(h[b.index["upperleg01.L"]], h[b.index["lowerleg01.L"]], h[b.index["foot.L"]])

    def posture(self, t):
        return self._pose(self.tilt(t), self.arch(t), self.back(t), t)
