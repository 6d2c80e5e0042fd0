"""Half-kneeling psoas (hip flexor) stretch: back knee on the mat, front foot flat with the knee ~90 deg;
shift the pelvis forward with the trunk upright and hold; then ease back.

`side` of a hold is the stretched side = the kneeling (back) leg. Faults: trunk leaning forward,
arching back (shoulders behind the hips), front knee travelling past the ankle.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tools.render.motions.base import Event, Script, Track, breathing
from tools.render.posture import UPRIGHT, Limb, Posture, ik_3d

KNEE_ABOVE_FLOOR = 0.05
ANKLE_ABOVE_FLOOR = 0.075


@dataclass
class Hold:
    hold_s: float = 30.0
    in_s: float = 2.5
    out_s: float = 2.0
    rest_s: float = 2.5
    shift_m: float = 0.12          # forward pelvis shift into the stretch
    lean_forward_deg: float = 0.0  # fault: trunk leans forward
    arch_deg: float = 0.0          # fault: trunk leans back with the low back arched


class PsoasStretch(Script):
    exercise = "psoas_stretch"
    counted_kind = "hold"

    def __init__(self, poser, holds, kneeling="left", floor_z=0.0, lead_in_s=2.0, tail_s=1.5):
        super().__init__()
        self.poser = poser
        self.floor_z = floor_z
        self.kneel = "L" if kneeling == "left" else "R"
        self.front = "R" if self.kneel == "L" else "L"
        self.side_name = kneeling
        b = poser.body
        self.l1, self.l2 = poser.lengths["thigh.L"], poser.lengths["shin.L"]
        probe = self._trunk(0.0, 0.0, 0.0, np.zeros(3))
        heads = poser.joint_positions(probe)
        self.hip_offset = {s: heads[b.index[f"upperleg01.{s}"]] - probe.root for s in ("L", "R")}
        # Neutral half-kneeling: back thigh vertical over its knee, front shin vertical with the thigh level.
        hip_z = floor_z + KNEE_ABOVE_FLOOR + self.l1
        self.root0 = np.array([0.0, 0.0, hip_z - self.hip_offset[self.kneel][2]])
        hk = self.root0 + self.hip_offset[self.kneel]
        self.back_knee = np.array([hk[0], hk[1] + 0.03, floor_z + KNEE_ABOVE_FLOOR])
        self.back_ankle = np.array([hk[0], hk[1] + 0.03 + 0.97 * self.l2, floor_z + 0.07])
        hf = self.root0 + self.hip_offset[self.front]
        self.front_ankle = np.array([hf[0], hf[1] - self.l1 * 0.95, floor_z + ANKLE_ABOVE_FLOOR])
        self.shift = Track(0.0).hold_until(lead_in_s)
        self.lean = Track(0.0).hold_until(lead_in_s)
        self.arch = Track(0.0).hold_until(lead_in_s)
        t = lead_in_s
        for h in holds:
            a, b2 = t + h.in_s, t + h.in_s + h.hold_s
            end = b2 + h.out_s
            for tr, v in ((self.shift, h.shift_m), (self.lean, h.lean_forward_deg), (self.arch, h.arch_deg)):
                tr.hold_until(t).move_to(a, v).hold_until(b2).move_to(end, 0.0)
            self.events.append(Event(kind="hold", start_s=t, end_s=end, side=kneeling, duration_s=h.hold_s,
                                     top_s=(a, b2)))
            t = end + h.rest_s
            for tr in (self.shift, self.lean, self.arch):
                tr.hold_until(t)
        self.duration = t + tail_s
        self.fault_signals = {
            "trunk_lean_forward": (lambda t: self._trunk_angle(t), 15.0),
            "arching_back": (lambda t: -self._trunk_angle(t), 10.0),
            "knee_past_ankle": (lambda t: self._shin_angle(t), 20.0),
        }

    def _trunk(self, lean, arch, breath, root):
        p = Posture(orientation=UPRIGHT, root=np.asarray(root, float))
        p.pelvis = -4.0 + 0.9 * lean - 0.5 * arch
        p.spine_low = 0.1 * lean - 0.8 * arch
        p.spine_mid = -0.4 * arch
        p.chest = breath
        p.neck = -0.3 * lean + 0.5 * arch
        for s in ("L", "R"):
            p.arms[s] = Limb(upper=178.0, lower=172.0, lateral=9.0)
            p.legs[s] = Limb(upper=180.0, lower=180.0)
        return p

    def _root(self, shift):
        """Pelvis moved forward by `shift`; its height keeps the back thigh's length to the planted knee."""
        hip_xy = self.root0 + self.hip_offset[self.kneel] + np.array([0.0, -shift, 0.0])
        dy = hip_xy[1] - self.back_knee[1]
        dz = np.sqrt(max(self.l1 ** 2 - dy ** 2, 0.01))
        hip = np.array([hip_xy[0], hip_xy[1], self.back_knee[2] + dz])
        return hip - self.hip_offset[self.kneel]

    def posture(self, t):
        p = self._trunk(self.lean(t), self.arch(t), 0.5 * breathing(t), self._root(self.shift(t)))
        b = self.poser.body
        heads = self.poser.joint_positions(p)
        for s, pole in ((self.kneel, np.array([0.0, -1.0, 0.0])), (self.front, np.array([0.0, -1.0, 0.3]))):
            hip = heads[b.index[f"upperleg01.{s}"]]
            if s == self.kneel:
                u = self.back_knee - hip
                u /= np.linalg.norm(u)
                knee = hip + u * self.l1
                f = self.back_ankle - knee
                f /= np.linalg.norm(f)
                # Back foot resting on its instep, sole up.
                p.legs[s] = Limb(upper=0.0, lower=0.0, end=258.0, upper_vec=u, lower_vec=f)
            else:
                u, f, _ = ik_3d(hip, self.front_ankle, self.l1, self.l2, pole)
                p.legs[s] = Limb(upper=0.0, lower=0.0, end=107.0, upper_vec=u, lower_vec=f)
        return p

    def _trunk_angle(self, t):
        """Hip->shoulder line from vertical, positive forward (degrees)."""
        b = self.poser.body
        h = self.poser.joint_positions(self._trunk(self.lean(t), self.arch(t), 0.0, self._root(self.shift(t))))
        d = h[b.index["upperarm01.L"]] - h[b.index["upperleg01.L"]]
        return float(np.degrees(np.arctan2(-d[1], d[2])))

    def _shin_angle(self, t):
        """Front shin's forward tilt from vertical (knee ahead of the ankle), degrees."""
        b = self.poser.body
        h = self.poser.joint_positions(self.posture(t))
        knee, ankle = h[b.index[f"lowerleg01.{self.front}"]], h[b.index[f"foot.{self.front}"]]
        d = knee - ankle
        return float(np.degrees(np.arctan2(-d[1], d[2])))
