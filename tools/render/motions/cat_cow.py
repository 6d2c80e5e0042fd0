"""Cat-cow on all fours: round the back up with the head down (cat), then let it sag with the head up (cow).

The pelvis tilts one way and the spine bends the other so the shoulders stay over the hands; hands,
knees and feet stay planted (IK). One rep = one full cycle neutral -> cat -> cow -> neutral.
Faults: elbows bent, rocking the body forward and back, cycling too fast.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tools.render.motions.base import Event, Script, Track, breathing, torso_length
from tools.render.motions.quadruped import Quadruped


@dataclass
class Cycle:
    cycle_s: float = 5.6     # neutral -> cat -> cow -> neutral
    pause_s: float = 0.6     # pause at each end position (inside cycle_s)
    depth_deg: float = 30.0  # pelvis tilt / spine bend amplitude
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
        c = self.curve(t) * 30.0
        rock = self.rock(t)

        def build(pitch):
            p = q.trunk(pitch, root_shift=np.array([0.0, rock, 0.0]))
            # Cat (c > 0): pelvis tucks (lumbar end up), spine flexes back down: the back bows upward.
            p.pelvis += -0.45 * c
            p.spine_low = 0.25 * c
            p.spine_mid = 0.35 * c
            p.chest = 0.25 * c + 0.4 * breathing(t)
            p.neck = -12.0 + (1.2 * c if c > 0 else 1.0 * c)
            p.head = -6.0 + 0.5 * c
            return p

        return q.plant(q.fit_shoulders(build, q.pitch, drop=self.drop(t)))
