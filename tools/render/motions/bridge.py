"""Bridge: supine, knees bent, feet flat; lift the hips to a straight shoulder-hip-knee line, hold, lower.

The trunk pivots about the shoulders (they stay on the floor); the head and upper back flex back to
the floor; feet stay planted and the legs follow by IK. Lift height per rep is solved so the hip angle
(shoulder-hip-knee) reaches its target, and the feet are placed so the knee angle at the top is right.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tools.render.motions.base import Event, Script, Track, bisect, breathing, limb_reach, torso_length
from tools.render.motions.supine import ANKLE_ABOVE_FLOOR, angle_at, plant_leg, supine_base


# A posterior pelvic tilt (pelvic tilt clips): relative flexion at each spine joint per degree of tilt.
# The rig's lumbar hollow is skinned to spine04/spine03; bending the chain toward the mat between the
# tilted pelvis and the level thorax lowers it while the hip joints and the buttocks stay put.
TILT_SPINE = {"spine04": 1.2, "spine03": 1.0, "spine02": -1.2}


@dataclass
class Rep:
    up_s: float = 1.5
    hold_s: float = 3.0
    down_s: float = 1.5
    rest_s: float = 1.0
    hip_angle: float = 175.0     # shoulder-hip-knee at the top (partial attempts: ~147)
    over_arch_t: float = 0.0     # fault: hips this many torso lengths above the shoulder-knee line
    partial: bool = False
    rom: float = 1.0             # fraction of the hip lift that reaches hip_angle (a smaller bridge below 1)


class Bridge(Script):
    exercise = "bridge"

    def __init__(self, poser, reps, knee_top_deg=95.0, floor_z=0.0, lead_in_s=2.0, tail_s=1.5):
        super().__init__()
        self.poser = poser
        b = poser.body
        self.torso = torso_length(b)
        flat = supine_base([0, 0, 0])
        self.root_z = floor_z - poser.lowest_z(flat)
        self.floor_z = floor_z
        heads = poser.joint_positions(supine_base([0, 0, self.root_z]))
        self.shoulder0 = 0.5 * (heads[b.index["upperarm01.L"]] + heads[b.index["upperarm01.R"]])
        self.ankles = {s: None for s in ("L", "R")}
        if not reps:  # used as a supine geometry helper by other scripts
            self._solve_feet(0.0, knee_top_deg)
            self.lift = self.arch = Track(0.0)
            self.duration = 0.0
            return
        clean_top = bisect(lambda beta: self._hip_angle(beta, 0.0, probe_ankle=True), 0.0, 50.0, 175.0)
        self._solve_feet(clean_top, knee_top_deg)
        self.lift = Track(0.0).hold_until(lead_in_s)
        self.arch = Track(0.0).hold_until(lead_in_s)
        t = lead_in_s
        for rep in reps:
            if rep.over_arch_t > 0:
                arch = 12.0
                beta = bisect(lambda x: self._hip_above_line(x, arch), 0.0, 60.0, rep.over_arch_t * self.torso)
            else:
                arch = 0.0
                beta = bisect(lambda x: self._hip_angle(x, 0.0), 0.0, 50.0, rep.hip_angle) * rep.rom
            t_top, t_end_hold = t + rep.up_s, t + rep.up_s + rep.hold_s
            t_down = t_end_hold + rep.down_s
            self.lift.move_to(t_top, beta).hold_until(t_end_hold).move_to(t_down, 0.0)
            self.arch.move_to(t_top, arch).hold_until(t_end_hold).move_to(t_down, 0.0)
            self.events.append(Event(kind="partial" if rep.partial else "rep", start_s=t, end_s=t_down,
                                     duration_s=rep.hold_s, top_s=(t_top, t_end_hold)))
            t = t_down + rep.rest_s
            self.lift.hold_until(t)
            self.arch.hold_until(t)
        self.duration = t + tail_s
        self.fault_signals = {
            "over_arch": (lambda t: self._hip_above_line(self.lift(t), self.arch(t)), 0.05 * self.torso),
            # Feet too far matters while the hips are up: knee angle > 115 deg with the hips lifted.
            "feet_too_far": (lambda t: self._knee_angle(self.lift(t), self.arch(t))
                             if self._hip_angle(self.lift(t), self.arch(t)) > 160 else 0.0, 115.0),
        }

    # --- geometry ------------------------------------------------------------
    def _posture(self, beta, arch, t=None, probe_ankle=False, tilt=0.0, head_lift=0.0, ankle_shift=0.0):
        """beta: trunk lift about the shoulders; arch: lumbar hyperextension; tilt: posterior pelvic tilt;
        head_lift: head and shoulders curl up (degrees); ankle_shift: feet slid away from the hips (m)."""
        p = supine_base([0, 0, self.root_z])
        # The whole trunk tilts (hips up) about the shoulders; upper back, neck and head flex back to the floor.
        p.pelvis = -beta - 0.4 * arch
        p.spine_low = -arch
        p.spine_mid = 0.15 * beta
        p.chest = 0.30 * beta + (0.5 * breathing(t) if t is not None else 0.0)
        p.neck = 0.60 * beta + 0.5 * arch
        p.head = 0.25 * beta
        if tilt:
            # Posterior pelvic tilt: the top of the pelvis rolls back toward the mat (pubis up) and the
            # lumbar spine flattens onto it, its hollow closing by 1-2 cm for 10 degrees; the buttocks,
            # the hip joints and the thorax stay where they lay.
            p.pelvis -= tilt
            p.spine_joints = {bone: share * tilt for bone, share in TILT_SPINE.items()}
        b = self.poser.body
        heads = self.poser.joint_positions(p)
        shoulder = 0.5 * (heads[b.index["upperarm01.L"]] + heads[b.index["upperarm01.R"]])
        p.root = p.root + (self.shoulder0 - shoulder)
        if head_lift:
            # Head and shoulders curl up (after anchoring the shoulders): the pelvis stays put.
            p.neck += 0.7 * head_lift
            p.head += 0.3 * head_lift
            p.chest += 0.45 * head_lift
            p.spine_mid += 0.15 * head_lift
        for s in ("L", "R"):
            ankle = self.ankles[s]
            if ankle is None or probe_ankle:
                # Before the feet are placed: a nominal planted foot for solving the lift.
                hip0 = self.shoulder0 + np.array([0, -self.torso, 0])
                ankle = np.array([heads[b.index[f"foot.{s}"]][0], hip0[1] - 0.62 * self._leg(), self.floor_z + ANKLE_ABOVE_FLOOR])
            plant_leg(self.poser, p, s, ankle + np.array([0.0, -ankle_shift, 0.0]), knee_out=0.15)
        return p

    def _leg(self):
        return self.poser.lengths["thigh.L"] + self.poser.lengths["shin.L"]

    def _joints(self, beta, arch, probe_ankle=False):
        p = self._posture(beta, arch, probe_ankle=probe_ankle)
        h = self.poser.joint_positions(p)
        b = self.poser.body
        s = "L"
        return h[b.index[f"upperarm01.{s}"]], h[b.index[f"upperleg01.{s}"]], h[b.index[f"lowerleg01.{s}"]], h[b.index[f"foot.{s}"]]

    def _hip_angle(self, beta, arch, probe_ankle=False):
        sh, hip, knee, _ = self._joints(beta, arch, probe_ankle)
        ang = angle_at(sh, hip, knee)
        # Past straight (hip above the shoulder-knee line) reads as > 180.
        return 360.0 - ang if self._signed_height(sh, hip, knee) > 0 else ang

    def _signed_height(self, sh, hip, knee):
        d = knee - sh
        tt = np.dot(hip - sh, d) / np.dot(d, d)
        return float((hip - (sh + tt * d))[2])

    def _hip_above_line(self, beta, arch):
        sh, hip, knee, _ = self._joints(beta, arch)
        return self._signed_height(sh, hip, knee)

    def _knee_angle(self, beta, arch):
        _, hip, knee, ankle = self._joints(beta, arch)
        return angle_at(hip, knee, ankle)

    def _solve_feet(self, beta_top, knee_top):
        b = self.poser.body
        heads = self.poser.joint_positions(self._posture(beta_top, 0.0, probe_ankle=True))
        hip_top = {s: heads[b.index[f"upperleg01.{s}"]] for s in ("L", "R")}
        l1, l2 = self.poser.lengths["thigh.L"], self.poser.lengths["shin.L"]
        # Hip-to-ankle distance that gives the wanted knee angle, then the foot on the floor at that distance.
        dist = limb_reach(l1, l2, knee_top)
        for s in ("L", "R"):
            hip = hip_top[s]
            drop = hip[2] - (self.floor_z + ANKLE_ABOVE_FLOOR)
            along = np.sqrt(max(dist ** 2 - drop ** 2, 0.01))
            self.ankles[s] = np.array([hip[0], hip[1] - along, self.floor_z + ANKLE_ABOVE_FLOOR])

    def posture(self, t):
        return self._posture(self.lift(t), self.arch(t), t=t)
