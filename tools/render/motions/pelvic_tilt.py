"""Pelvic tilt: supine hook-lying, flatten the low back by a small posterior pelvic tilt, hold ~5 s, relax.

Reuses the bridge's supine geometry (shoulder pivot, planted feet). The movement itself is small and
barely visible; the faults are the visible part: buttocks lifting (a mini bridge), feet sliding away,
head and shoulders curling up.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tools.render.motions.base import Event, Script, Track, breathing
from tools.render.motions.bridge import Bridge


@dataclass
class Rep:
    in_s: float = 1.2
    hold_s: float = 5.0
    out_s: float = 1.2
    rest_s: float = 2.0
    tilt_deg: float = 10.0
    buttocks_lift_t: float = 0.0  # fault: hips rise this many torso lengths (a small bridge)
    feet_slide_m: float = 0.0     # fault: feet slide away from the hips
    head_lift_deg: float = 0.0    # fault: head and shoulders curl up


class PelvicTilt(Script):
    exercise = "pelvic_tilt"

    def __init__(self, poser, reps, floor_z=0.0, lead_in_s=2.0, tail_s=1.5):
        super().__init__()
        self.poser = poser
        self.geo = Bridge(poser, [], knee_top_deg=80.0, floor_z=floor_z)
        self.torso = self.geo.torso
        self.tilt = Track(0.0).hold_until(lead_in_s)
        self.lift = Track(0.0).hold_until(lead_in_s)
        self.feet = Track(0.0).hold_until(lead_in_s)
        self.head = Track(0.0).hold_until(lead_in_s)
        t = lead_in_s
        for i, r in enumerate(reps):
            beta = float(np.degrees(np.arcsin(np.clip(r.buttocks_lift_t, 0, 0.9)))) if r.buttocks_lift_t else 0.0
            a, b = t + r.in_s, t + r.in_s + r.hold_s
            end = b + r.out_s
            for tr, v in ((self.tilt, r.tilt_deg), (self.lift, beta), (self.head, r.head_lift_deg)):
                tr.hold_until(t).move_to(a, v).hold_until(b).move_to(end, 0.0)
            if r.feet_slide_m:
                # The feet creep away during the tilt and stay there (a real slide, not a bounce).
                self.feet.hold_until(t).move_to(a, self.feet.keys[-1][1] + r.feet_slide_m)
            self.events.append(Event(kind="rep", start_s=t, end_s=end, duration_s=r.hold_s, top_s=(a, b)))
            next_slides = i + 1 < len(reps) and reps[i + 1].feet_slide_m > 0
            if self.feet.keys[-1][1] > 0 and not next_slides:
                # The person notices and walks the feet back in during the rest.
                self.feet.hold_until(end + 0.1).move_to(end + r.rest_s - 0.5, 0.0)
            t = end + r.rest_s
            for tr in (self.tilt, self.lift, self.feet, self.head):
                tr.hold_until(t)
        self.duration = t + tail_s
        self._hip0 = self._hip_height(0, 0)
        self._knee0 = self._knee(0.0)
        self._shoulder0 = self._shoulder_height(0.0)
        self.fault_signals = {
            "buttocks_lift": (lambda t: self._hip_height(self.lift(t), self.tilt(t)) - self._hip0, 0.05 * self.torso),
            "feet_move": (lambda t: abs(self._knee(self.feet(t)) - self._knee0), 10.0),
            "head_lift": (lambda t: self._shoulder_height(self.head(t)) - self._shoulder0, 0.08 * self.torso),
        }

    def _joint(self, p, name):
        return self.poser.joint_positions(p)[self.poser.body.index[name]]

    def _hip_height(self, beta, tilt):
        return float(self._joint(self.geo._posture(beta, 0.0, tilt=tilt), "upperleg01.L")[2])

    def _shoulder_height(self, head):
        return float(self._joint(self.geo._posture(0.0, 0.0, head_lift=head), "upperarm01.L")[2])

    def _knee(self, shift):
        from tools.render.motions.supine import angle_at
        h = self.poser.joint_positions(self.geo._posture(0.0, 0.0, ankle_shift=shift))
        b = self.poser.body
        return angle_at(h[b.index["upperleg01.L"]], h[b.index["lowerleg01.L"]], h[b.index["foot.L"]])

    def posture(self, t):
        p = self.geo._posture(self.lift(t), 0.0, t=t, tilt=self.tilt(t), head_lift=self.head(t),
                              ankle_shift=self.feet(t))
        p.chest += 0.4 * breathing(t)
        return p
