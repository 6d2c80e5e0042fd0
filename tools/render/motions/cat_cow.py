"""Cat-cow on all fours: round the back up with the head down (cat), then let it sag with the head up (cow).

The spine bends along its whole length, every spine joint taking a share: in the cat the lumbar and
thoracic spine flex (70 degrees in all) and the back rounds up toward the ceiling; in the cow the lumbar
and lower thoracic spine extend (55 degrees) and the back sags toward the floor, chest forward, head up.
Keeping the shoulders over the hands tilts the pelvis the other way (tucked in the cat, tipped forward
in the cow); hands, knees and feet stay planted (IK). One rep = one full cycle neutral -> cat -> cow ->
neutral. Faults: elbows bent, rocking the body forward and back, cycling too fast.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tools.render.motions.base import Event, Script, Track, breathing, torso_length
from tools.render.motions.quadruped import Quadruped


CAT_FLEXION = 70.0     # total spine flexion at full cat (depth 30), degrees, sacrum to upper back
COW_EXTENSION = 55.0   # total spine extension at full cow
# How the bend is shared between the spine joints (spine05 = lumbosacral ... spine01 = upper thoracic):
# the cat rounds mostly the thoracic spine, the cow sags mostly the lumbar.
CAT_SHARE = {"spine05": 0.08, "spine04": 0.15, "spine03": 0.22, "spine02": 0.3, "spine01": 0.25}
COW_SHARE = {"spine05": 0.24, "spine04": 0.26, "spine03": 0.2, "spine02": 0.18, "spine01": 0.12}
NECK_CAT, HEAD_CAT = 30.0, 12.0  # the head drops in the cat (neck and head flexion at full cat)
NECK_COW, HEAD_COW = 25.0, 10.0  # and lifts in the cow


@dataclass
class Cycle:
    cycle_s: float = 5.6     # neutral -> cat -> cow -> neutral
    pause_s: float = 0.6     # pause at each end position (inside cycle_s)
    depth_deg: float = 30.0  # amplitude: 30 = the full cat and cow (CAT_FLEXION, COW_EXTENSION)
    rock_t: float = 0.0      # fault: fore-aft body shift amplitude in torso lengths (cow forward, cat back)
    elbow_deg: float = 176.0  # fault when bent
    rest_s: float = 0.0      # still in neutral after the cycle


class CatCow(Script):
    exercise = "cat_cow"

    def __init__(self, poser, cycles, floor_z=0.0, lead_in_s=2.0, tail_s=1.5):
        super().__init__()
        self.poser = poser
        self.q = Quadruped(poser, floor_z)
        self.torso = torso_length(poser.body)
        self.curve = Track(0.0).hold_until(lead_in_s)   # +1 cat, -1 cow
        self.rock = Track(0.0).hold_until(lead_in_s)
        self.drop = Track(0.0).hold_until(lead_in_s)
        self.depth = {}
        fast, rocking = [], []
        t = lead_in_s
        for c in cycles:
            move = (c.cycle_s - 2 * c.pause_s) / 4.0
            reach = self.q.arm_reach(c.elbow_deg)
            self.drop.hold_until(t).move_to(t + move, self.q.reach - reach)
            a = t + move
            self.curve.hold_until(t).move_to(a, c.depth_deg / 30.0).hold_until(a + c.pause_s)
            self.rock.hold_until(t).move_to(a, -c.rock_t * self.torso).hold_until(a + c.pause_s)
            b2 = a + c.pause_s + 2 * move
            self.curve.move_to(b2, -c.depth_deg / 30.0).hold_until(b2 + c.pause_s)
            self.rock.move_to(b2, c.rock_t * self.torso).hold_until(b2 + c.pause_s)
            end = b2 + c.pause_s + move
            self.curve.move_to(end, 0.0)
            self.rock.move_to(end, 0.0)
            # The cow end position (head up) is the top of a cycle.
            self.events.append(Event(kind="rep", start_s=t, end_s=end, top_s=(b2, b2 + c.pause_s)))
            if c.cycle_s < 4.0:
                fast.append((t, end))
            if c.rock_t > 0.05:
                rocking.append((t, end))
            t = end
            if c.rest_s:
                t += c.rest_s
                for tr in (self.curve, self.rock):
                    tr.hold_until(t)
        self.drop.hold_until(t).move_to(t + 1.0, 0.0)
        self.duration = t + 1.0 + tail_s
        self.fault_signals = {
            "elbows_bent": (lambda t: 180.0 - self.q.elbow_for_drop(self.drop(t)), 20.0),
            "rocking": (lambda t: float(any(a <= t <= e for a, e in rocking)), 0.5),
            "too_fast": (lambda t: float(any(a <= t <= e for a, e in fast)), 0.5),
        }

    def posture(self, t):
        q = self.q
        c = self.curve(t)  # +1 = full cat, -1 = full cow (depth_deg / 30)
        rock = self.rock(t)
        bend = CAT_FLEXION * c if c > 0 else COW_EXTENSION * c
        share = CAT_SHARE if c > 0 else COW_SHARE

        def build(pitch):
            p = q.trunk(pitch, root_shift=np.array([0.0, rock, 0.0]))
            # The spine curves evenly from the sacrum to the upper back (flexion +: the back rounds up
            # toward the ceiling in the prone frame); keeping the shoulders over the hands then tilts
            # the pelvis the other way (tucked in cat, tipped forward in cow).
            p.spine_low = share["spine05"] * bend
            p.spine_mid = share["spine03"] * bend
            p.chest = share["spine01"] * bend + 0.4 * breathing(t)
            p.spine_joints = {"spine04": share["spine04"] * bend, "spine02": share["spine02"] * bend}
            p.neck = -12.0 + (NECK_CAT * c if c > 0 else NECK_COW * c)
            p.head = -6.0 + (HEAD_CAT * c if c > 0 else HEAD_COW * c)
            return p

        return q.plant(q.fit_shoulders(build, q.pitch, drop=self.drop(t)))
