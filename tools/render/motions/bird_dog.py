"""Bird-dog: on all fours, reach one arm forward and the opposite leg back to horizontal, hold ~3 s, return.

A rep's `side` is the side of the raised leg (the opposite arm rises), as the spec names sides. Faults: the leg lifted above
horizontal, the trunk sagging (lumbar extension, hips dropping), the supporting elbow bending.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tools.render.motions.base import Event, Script, Track, breathing, torso_length
from tools.render.motions.quadruped import Quadruped
from tools.render.posture import Limb


@dataclass
class Rep:
    side: str                  # raised arm: "left" | "right"
    up_s: float = 1.6
    hold_s: float = 3.0
    down_s: float = 1.5
    rest_s: float = 1.2
    leg_above_deg: float = 0.0  # fault: leg raised this far above horizontal
    sag_deg: float = 0.0        # fault: trunk sags (lumbar extension), hips drop
    elbow_deg: float = 176.0    # supporting elbow angle (fault when bent, e.g. 130)
    reach: float = 1.0          # how far arm and leg go toward level (1 = all the way)


class BirdDog(Script):
    exercise = "bird_dog"

    def __init__(self, poser, reps, floor_z=0.0, lead_in_s=2.0, tail_s=1.5):
        super().__init__()
        self.poser = poser
        self.q = Quadruped(poser, floor_z)
        self.torso = torso_length(poser.body)
        self.raise_ = {"L": Track(0.0).hold_until(lead_in_s), "R": Track(0.0).hold_until(lead_in_s)}
        self.leg_above = Track(0.0).hold_until(lead_in_s)
        self.sag = Track(0.0).hold_until(lead_in_s)
        self.shoulder_drop = Track(0.0).hold_until(lead_in_s)
        t = lead_in_s
        for r in reps:
            s = "L" if r.side == "left" else "R"
            t_up, t_hold = t + r.up_s, t + r.up_s + r.hold_s
            t_end = t_hold + r.down_s
            self.raise_[s].hold_until(t).move_to(t_up, r.reach).hold_until(t_hold).move_to(t_end, 0.0)
            for tr, v in ((self.leg_above, r.leg_above_deg), (self.sag, r.sag_deg),
                          (self.shoulder_drop, self.q.reach - self.q.arm_reach(r.elbow_deg))):
                tr.hold_until(t).move_to(t_up, v).hold_until(t_hold).move_to(t_end, 0.0)
            leg = "right" if r.side == "left" else "left"
            self.events.append(Event(kind="rep", start_s=t, end_s=t_end, side=leg, duration_s=r.hold_s,
                                     top_s=(t_up, t_hold)))
            t = t_end + r.rest_s
            for tr in (*self.raise_.values(), self.leg_above, self.sag, self.shoulder_drop):
                tr.hold_until(t)
        self.duration = t + tail_s
        self.fault_signals = {
            "leg_too_high": (lambda t: self.leg_above(t), 15.0),
            "trunk_sag": (lambda t: self.sag(t), 10.0),
            "elbow_bent": (lambda t: 180.0 - self._elbow_at(t), 20.0),
        }

    def _elbow_at(self, t):
        return self.q.elbow_for_drop(self.shoulder_drop(t))

    def posture(self, t):
        q = self.q
        sag = self.sag(t)

        def build(pitch):
            p = q.trunk(pitch)
            p.spine_low = -0.6 * sag
            p.spine_mid = -0.4 * sag
            p.pelvis += 0.3 * sag
            p.root = p.root + np.array([0.0, 0.0, -0.06 * sag / 10.0])
            p.chest = 0.5 * breathing(t)
            return p

        # A bent supporting elbow = shoulders lower than straight-arm height.
        p = q.fit_shoulders(build, q.pitch, drop=self.shoulder_drop(t))
        lifted_arm = {s: self.raise_[s](t) for s in ("L", "R")}
        lifted_leg = {"R": lifted_arm["L"], "L": lifted_arm["R"]}
        support_arms = [s for s in ("L", "R") if lifted_arm[s] < 1e-4]
        support_legs = [s for s in ("L", "R") if lifted_leg[s] < 1e-4]
        q.plant(p, arms=("L", "R"), legs=("L", "R"))
        planted = {s: (p.arms[s].upper_vec.copy(), p.arms[s].lower_vec.copy(), p.arms[s].hinge.copy()) for s in ("L", "R")}
        legs_planted = {s: (p.legs[s].upper_vec.copy(), p.legs[s].lower_vec.copy()) for s in ("L", "R")}
        for s in ("L", "R"):
            w = lifted_arm[s]
            if s not in support_arms:
                # Arm reaches forward at shoulder height, thumb up (palm facing in).
                out = 1.0 if s == "L" else -1.0
                fwd = np.array([out * 0.08, 0.0, 1.0])
                fwd /= np.linalg.norm(fwd)
                u0, f0, h0 = planted[s]
                u = (1 - w) * u0 + w * fwd
                f = (1 - w) * f0 + w * fwd
                hinge = (1 - w) * h0 + w * np.array([0.0, 1.0, 0.0])
                p.arms[s] = Limb(upper=0.0, lower=0.0, end=0.0, upper_vec=u / np.linalg.norm(u),
                                 lower_vec=f / np.linalg.norm(f), hinge=hinge / np.linalg.norm(hinge),
                                 end_normal=(1 - w) * np.array([0.0, -1.0, 0.0]) + w * np.array([-out, 0.0, 0.0]))
            w = lifted_leg[s]
            if s not in support_legs:
                # Leg extends straight back at hip height (or higher: the leg_too_high fault).
                above = np.radians(self.leg_above(t))
                back = np.array([0.0, np.sin(above), -np.cos(above)])  # body -Z = toward the feet, +Y = up (prone)
                u0, f0 = legs_planted[s]
                u = (1 - w) * u0 + w * back
                f = (1 - w) * f0 + w * back
                p.legs[s] = Limb(upper=0.0, lower=0.0, end=150.0 + 25.0 * w,
                                 upper_vec=u / np.linalg.norm(u), lower_vec=f / np.linalg.norm(f))
        return p
