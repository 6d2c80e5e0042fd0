"""Lower lumbar extension ("baby twerk") on all fours: a small anterior pelvic tilt, held 3 s, released.

Only the pelvis and lowest lumbar segment move; the thoracic spine stays level. The hip joints are
the pivot and the hands hold the shoulders, so the shoulder-hip-knee angle changes by under 0.2 deg:
the tip itself leaves no measurable trace in the joints (the spec paces the holds instead).
Faults: the whole back arches (chest and head rise, trunk incline changes),
the knees do the work (hips rock back over the heels so the knee angle changes).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tools.render.motions.base import Event, Script, Track, breathing
from tools.render.motions.quadruped import Quadruped
from tools.render.motions.supine import angle_at


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
            # Anterior tilt: the lumbar end of the pelvis drops (prone frame: flexion), the lumbar extends to
            # keep the thoracic spine level; a whole-back arch extends the upper spine and lifts the head too.
            p.pelvis += tilt
            p.spine_low = -0.8 * tilt - 0.3 * arch
            p.spine_mid = -0.4 * arch
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
