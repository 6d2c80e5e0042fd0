"""Knee-to-chest stretch: supine hook-lying; both hands pull one knee to the chest, hold, return, other side.

The pulled thigh's sagittal angle equals the hip angle shoulder-hip-knee (0 = toward the head), so the
script drives it directly; the hands hold the shin just below the knee (3D arm IK), the resting foot
stays planted unless the fault lifts it.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tools.render.motions.base import Event, Script, Track, breathing, limb_reach
from tools.render.motions.supine import ANKLE_ABOVE_FLOOR, plant_leg, supine_base
from tools.render.posture import Limb, ik_3d, sagittal_dir


@dataclass
class Hold:
    side: str                   # "left" | "right": the pulled knee
    hold_s: float = 20.0
    pull_s: float = 2.5
    release_s: float = 2.2
    rest_s: float = 2.0
    hip_angle: float = 57.0     # shoulder-hip-knee of the pulled leg while held
    other_foot_lift_m: float = 0.0  # fault: the resting foot rises off the floor
    lift_start_s: float = 6.0   # seconds into the hold when the resting foot starts to rise
    lift_len_s: float = 8.0
    reach: float = 1.0          # how far the pull goes toward the held position (1 = all the way)


class KneeToChest(Script):
    exercise = "knee_to_chest"
    counted_kind = "hold"

    def __init__(self, poser, holds, floor_z=0.0, lead_in_s=2.0, tail_s=1.5):
        super().__init__()
        self.poser = poser
        b = poser.body
        self.leg = poser.lengths["thigh.L"] + poser.lengths["shin.L"]
        self.floor_z = floor_z
        self.root_z = floor_z - poser.lowest_z(supine_base([0, 0, 0]))
        base = supine_base([0, 0, self.root_z])
        heads = poser.joint_positions(base)
        # Hook-lying feet: ankles placed for a knee angle of about 80 degrees.
        l1, l2 = poser.lengths["thigh.L"], poser.lengths["shin.L"]
        dist = limb_reach(l1, l2, 80.0)
        self.ankles = {}
        for s in ("L", "R"):
            hip = heads[b.index[f"upperleg01.{s}"]]
            drop = hip[2] - (floor_z + ANKLE_ABOVE_FLOOR)
            self.ankles[s] = np.array([hip[0] + (0.03 if s == "L" else -0.03) * (1 if hip[0] > 0 else -1),
                                       hip[1] - np.sqrt(dist ** 2 - drop ** 2), floor_z + ANKLE_ABOVE_FLOOR])
        self.pull = {"L": Track(0.0).hold_until(lead_in_s), "R": Track(0.0).hold_until(lead_in_s)}
        self.foot_lift = {"L": Track(0.0).hold_until(lead_in_s), "R": Track(0.0).hold_until(lead_in_s)}
        self.hip_target = {"L": 57.0, "R": 57.0}
        t = lead_in_s
        for h in holds:
            s = "L" if h.side == "left" else "R"
            o = "R" if s == "L" else "L"
            self.hip_target[s] = h.hip_angle
            t_in, t_out = t + h.pull_s, t + h.pull_s + h.hold_s
            t_end = t_out + h.release_s
            self.pull[s].hold_until(t).move_to(t_in, h.reach).hold_until(t_out).move_to(t_end, 0.0)
            if h.other_foot_lift_m:
                a = t_in + h.lift_start_s
                self.foot_lift[o].hold_until(a).move_to(a + 1.2, h.other_foot_lift_m)
                self.foot_lift[o].hold_until(a + h.lift_len_s - 1.2).move_to(a + h.lift_len_s, 0.0)
            self.events.append(Event(kind="hold", start_s=t, end_s=t_end, side=h.side, duration_s=h.hold_s,
                                     top_s=(t_in, t_out)))
            t = t_end + h.rest_s
        self.duration = t + tail_s
        self.fault_signals = {
            "other_foot_lifted": (lambda t: max(self.foot_lift["L"](t), self.foot_lift["R"](t)), 0.05 * self.leg),
        }

    def posture(self, t):
        p = supine_base([0, 0, self.root_z])
        p.chest = 0.5 * breathing(t)
        b = self.poser.body
        pulls = {s: self.pull[s](t) for s in ("L", "R")}
        # A little posterior pelvic tilt as the knee comes in (the low back flattens to the floor).
        p.pelvis = 6.0 * max(pulls.values())
        p.neck = 4.0 * max(pulls.values())
        grip = None
        for s in ("L", "R"):
            ankle = self.ankles[s] + np.array([0, 0, self.foot_lift[s](t)])
            u, f = plant_leg(self.poser, p, s, ankle, knee_out=0.1)
            w = pulls[s]
            if w > 1e-4:
                # Blend from the planted leg toward the held position: thigh at the hip-angle target,
                # knee folded (shin roughly level above the floor), foot relaxed.
                thigh_held = sagittal_dir(self.hip_target[s], 6.0, s)
                shin_held = sagittal_dir(self.hip_target[s] + 135.0, 4.0, s)
                uu = (1 - w) * u + w * thigh_held
                ff = (1 - w) * f + w * shin_held
                p.legs[s].upper_vec = uu / np.linalg.norm(uu)
                p.legs[s].lower_vec = ff / np.linalg.norm(ff)
                p.legs[s].end = (1 - w) * p.legs[s].end + w * (self.hip_target[s] + 135.0 - 48.0)
                if grip is None or w > grip[1]:
                    grip = (s, w)
        if grip is not None:
            s, w = grip
            heads = self.poser.joint_positions(p)
            knee = self.poser.to_body(p, heads[b.index[f"lowerleg01.{s}"]][None])[0]
            shin = p.legs[s].lower_vec
            # Hands clasp the front of the shin just below the knee, one either side.
            hold_point = knee + 0.10 * shin + np.array([0.0, -0.03, 0.0])
            for a in ("L", "R"):
                sh = self.poser.to_body(p, heads[b.index[f"upperarm01.{a}"]][None])[0]
                out = 1.0 if a == "L" else -1.0
                rest_hand = sh + np.array([out * 0.12, 0.02, -0.5])
                hand = hold_point + np.array([out * 0.055, 0.0, 0.0])
                # Hands travel with the knee only once it is near (they reach for it in the first 40 %).
                k = min(w / 0.6, 1.0)
                target = (1 - k) * rest_hand + k * hand
                pole = np.array([out * 1.0, 0.6, -0.3])
                u, f, hinge = ik_3d(sh, target, self.poser.lengths[f"upperarm.{a}"],
                                    self.poser.lengths[f"forearm.{a}"], pole)
                # Fingers wrap down over the shin, palms toward it, once the hands have reached the knee.
                p.arms[a] = Limb(upper=0.0, lower=0.0, upper_vec=u, lower_vec=f, hinge=hinge,
                                 end=182.0 + k * 78.0, end_normal=np.array([-out * k, 1.0 - k, 0.0]))
        return p
