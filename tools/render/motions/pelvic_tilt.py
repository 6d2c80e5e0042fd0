"""Pelvic tilt: supine hook-lying, flatten the low back by a small posterior pelvic tilt, hold ~5 s, relax.

Reuses the bridge's supine geometry (shoulder pivot, planted feet). The hands rest on the lower belly,
as people do to feel the tilt, with the elbows on the mat. The tilt rolls the top of the pelvis back and
flattens the lumbar spine: the hollow under the low back closes by about 2 cm (10 degrees of tilt)
while the buttocks and the thorax stay on the mat and the belly under the hands sinks a little. Faults:
buttocks lifting (a mini bridge), feet sliding away, head and shoulders curling up.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tools.render.motions.base import Event, Script, Track, bisect, breathing
from tools.render.motions.bridge import Bridge
from tools.render.posture import Limb, ik_3d

HAND_ABOVE_SKIN = 0.03     # wrist centre in front of the skin of the lower belly
BELLY_ABOVE_HIP = 0.12     # where the hands rest: this far above the hip joints (standing), m
ELBOW_ABOVE_FLOOR = 0.045  # elbow centre resting on the mat


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
        self.floor_z = floor_z
        self._belly = self._belly_vertices()
        self._hip0 = self._hip_height(0, 0)
        self._knee0 = self._knee(0.0)
        self._shoulder0 = self._shoulder_height(0.0)
        self.fault_signals = {
            "buttocks_lift": (lambda t: self._hip_height(self.lift(t), self.tilt(t)) - self._hip0, 0.05 * self.torso),
            "feet_move": (lambda t: abs(self._knee(self.feet(t)) - self._knee0), 10.0),
            "head_lift": (lambda t: self._shoulder_height(self.head(t)) - self._shoulder0, 0.08 * self.torso),
        }

    def _belly_vertices(self):
        """The mesh vertex under each hand: the front of the lower belly, between hip bone and navel."""
        b = self.poser.body
        v = b.rest_vertices
        ids = []
        for s in ("L", "R"):
            hip = b.head(f"upperleg01.{s}")
            near = np.where((np.abs(v[:, 0] - 0.6 * hip[0]) < 0.015)
                            & (np.abs(v[:, 2] - (hip[2] + BELLY_ABOVE_HIP)) < 0.015))[0]
            ids.append(int(near[np.argmin(v[near, 1])]))  # the body's front is -Y
        return np.array(ids)

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

    def _hands_on_belly(self, p):
        """Hands rest on the lower belly (to feel the tilt), elbows on the mat beside the trunk."""
        b, poser = self.poser.body, self.poser
        G = poser.world_rotations(p)
        heads = b.posed_heads(G, p.root)
        skin = b.surface_points(G, p.root, self._belly)
        up = p.orientation @ np.array([0.0, -1.0, 0.0])  # the body's front
        for i, s in enumerate(("L", "R")):
            out = 1.0 if s == "L" else -1.0
            hand = poser.to_body(p, (skin[i] + HAND_ABOVE_SKIN * up)[None])[0]
            sh = poser.to_body(p, heads[b.index[f"upperarm01.{s}"]][None])[0]
            l1, l2 = poser.lengths[f"upperarm.{s}"], poser.lengths[f"forearm.{s}"]

            def elbow_height(k):
                # Pole from straight out to the side (k = 0) toward the mat (k = 1); body +Y is down.
                u, _, _ = ik_3d(sh, hand, l1, l2, np.array([out * (1.0 - k), k, 0.0]))
                return float((p.root + p.orientation @ (sh + l1 * u))[2])

            k = bisect(lambda x: -elbow_height(x), 0.0, 1.0, -(self.floor_z + ELBOW_ABOVE_FLOOR), iters=16)
            u, f, hinge = ik_3d(sh, hand, l1, l2, np.array([out * (1.0 - k), k, 0.0]))
            # Fingers point down and in toward the pubis, palms on the body.
            p.arms[s] = Limb(upper=0.0, lower=0.0, upper_vec=u, lower_vec=f, hinge=hinge,
                             end=200.0, end_normal=np.array([0.0, 1.0, 0.0]))
        return p

    def posture(self, t):
        p = self.geo._posture(self.lift(t), 0.0, t=t, tilt=self.tilt(t), head_lift=self.head(t),
                              ankle_shift=self.feet(t))
        p.chest += 0.4 * breathing(t)
        return self._hands_on_belly(p)
