"""Prone press-up: lie on the belly, press the upper body up on straightening arms, pelvis down, hold, lower.

With the pelvis on the floor the trunk can only rise far enough for straight elbows if the lumbar
spine extends, so the press is driven by a lumbar-weighted spine extension; the hands stay planted
where straight arms reach the floor at the top, and a two-bone IK bends the elbows in between.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tools.render.motions.base import Event, Script, Track, breathing, limb_reach, torso_length
from tools.render.posture import PRONE, Limb, Posture, ik_3d

WRIST_ABOVE_FLOOR = 0.03  # wrist joint height when the palm is flat on the mat


@dataclass
class Rep:
    up_s: float = 2.8
    hold_s: float = 10.0
    down_s: float = 2.0
    rest_s: float = 1.6
    incline_deg: float = 40.0   # trunk incline over lying at the top
    partial: bool = False       # an attempt that stops low on bent elbows
    pelvis_lift_m: float = 0.0  # fault: hips rise off the floor during press and hold
    knee_flex_deg: float = 0.0  # fault: knees bend (knee angle = 180 - this) during the hold


class PronePressUp(Script):
    exercise = "prone_press_up"

    def __init__(self, poser, reps, floor_z=0.0, lead_in_s=2.0, tail_s=1.5):
        super().__init__()
        self.poser = poser
        self.root_z = 0.0
        self.root_z = floor_z - poser.lowest_z(self._trunk(0.0))
        self.floor_z = floor_z
        body = poser.body
        self.torso = torso_length(body)
        self.extension = Track(0.0)
        self.lift = Track(0.0)
        self.knees = Track(0.0)
        t = lead_in_s
        self.extension.hold_until(t)
        self.lift.hold_until(t)
        self.knees.hold_until(t)
        self._table = self._incline_table()
        for rep in reps:
            top = self._extension_for(rep.incline_deg)
            t_top = t + rep.up_s
            t_hold_end = t_top + rep.hold_s
            t_down = t_hold_end + rep.down_s
            self.extension.move_to(t_top, top).hold_until(t_hold_end).move_to(t_down, 0.0)
            self.lift.hold_until(t).move_to(t_top, rep.pelvis_lift_m).hold_until(t_hold_end).move_to(t_down, 0.0)
            if rep.knee_flex_deg:
                self.knees.hold_until(t_top + 0.6).move_to(t_top + 2.0, rep.knee_flex_deg)
                self.knees.hold_until(t_hold_end - 1.6).move_to(t_hold_end - 0.2, 0.0)
            self.events.append(Event(kind="partial" if rep.partial else "rep", start_s=t, end_s=t_down,
                                     duration_s=rep.hold_s, top_s=(t_top, t_hold_end)))
            t = t_down + rep.rest_s
            for tr in (self.extension, self.lift, self.knees):
                tr.hold_until(t)
        self.duration = t + tail_s
        top_ext = self._extension_for(max(r.incline_deg for r in reps))
        self.hands = self._hand_targets(top_ext)
        self.fault_signals = {
            "pelvis_lift": (lambda t: self.lift(t), 0.08 * self.torso),
            "knees_bent": (lambda t: self.knees(t), 20.0),
        }
        jerky = [r for r in reps if r.up_s < 2.0 and not r.partial]
        if jerky:
            windows = [(e.start_s, e.start_s + r.up_s) for e, r in zip(self.events, reps) if r.up_s < 2.0]
            self.fault_signals["jerky_lift"] = (lambda t: float(any(a <= t <= b for a, b in windows)), 0.5)

    # --- posture -------------------------------------------------------------
    def _trunk(self, ext, lift=0.0, knee=0.0, t=0.0):
        p = Posture(orientation=PRONE, root=np.array([0.0, 0.0, self.root_z + lift]))
        # Extension shared mostly by the lumbar segments (the point of the exercise), less by the chest.
        p.pelvis = -0.10 * ext
        p.spine_low = -0.45 * ext
        p.spine_mid = -0.30 * ext
        p.chest = -0.15 * ext + 0.6 * breathing(t)
        # Head: lifted off the mat when lying, in line with the trunk at the top.
        p.neck = -28.0 + 24.0 * min(ext / 30.0, 1.0)
        p.head = -8.0 + 6.0 * min(ext / 30.0, 1.0)
        thigh_len = self.poser.lengths["thigh.L"]
        # Hips lifted with knees still on the mat: thighs slope down to the knees.
        thigh_phi = 180.0 - np.degrees(np.arcsin(np.clip(lift / thigh_len, 0, 0.9)))
        for s in ("L", "R"):
            shin_phi = 180.0 + knee
            p.legs[s] = Limb(upper=thigh_phi, lower=shin_phi, end=shin_phi - 90.0 + 78.0, lateral=2.0)
            # Arms along the body until the IK in posture() places them (used for floor calibration).
            p.arms[s] = Limb(upper=180.0, lower=180.0, lateral=8.0)
        return p

    def _incline_table(self):
        exts = np.arange(0.0, 121.0, 2.0)
        inc = []
        for e in exts:
            j = self.poser.joint_positions(self._trunk(e))
            inc.append(self._incline(j))
        inc = np.array(inc) - inc[0]
        return exts, inc

    def _incline(self, heads):
        b = self.poser.body
        hip = 0.5 * (heads[b.index["upperleg01.L"]] + heads[b.index["upperleg01.R"]])
        sh = 0.5 * (heads[b.index["upperarm01.L"]] + heads[b.index["upperarm01.R"]])
        d = sh - hip
        return float(np.degrees(np.arctan2(d[2], d[1])))

    def _extension_for(self, incline):
        exts, inc = self._table
        return float(np.interp(incline, inc, exts))

    def _hand_targets(self, top_ext, elbow_top=162.0):
        """Planted wrist positions: where nearly straight arms reach the mat at the top of the press."""
        p = self._trunk(top_ext)
        heads = self.poser.joint_positions(p)
        b = self.poser.body
        l1, l2 = self.poser.lengths["upperarm.L"], self.poser.lengths["forearm.L"]
        reach = limb_reach(l1, l2, elbow_top)
        hands = {}
        for s in ("L", "R"):
            sh = heads[b.index[f"upperarm01.{s}"]]
            drop = sh[2] - self.floor_z - WRIST_ABOVE_FLOOR
            ahead = np.sqrt(max(reach ** 2 - drop ** 2, 0.0))
            outward = -1.0 if s == "L" else 1.0  # person's left is world -X when prone
            hands[s] = np.array([sh[0] + outward * 0.05, sh[1] + ahead, self.floor_z + WRIST_ABOVE_FLOOR])
        return hands

    def posture(self, t):
        ext = self.extension(t)
        p = self._trunk(ext, self.lift(t), self.knees(t), t)
        heads = self.poser.joint_positions(p)
        b = self.poser.body
        for s in ("L", "R"):
            sh_w = heads[b.index[f"upperarm01.{s}"]]
            sh = self.poser.to_body(p, sh_w[None])[0]
            hd = self.poser.to_body(p, self.hands[s][None])[0]
            # Elbows point back toward the feet and a little outward (body +Y is up when prone,
            # body -Z toward the feet), like a person folding their arms beside the chest.
            out = 1.0 if s == "L" else -1.0
            pole = np.array([0.55 * out, 0.6, -0.6])
            u, f, hinge = ik_3d(sh, hd, self.poser.lengths[f"upperarm.{s}"], self.poser.lengths[f"forearm.{s}"], pole)
            # Palm flat on the mat, fingers toward the head: body +Z direction, palm facing body -Y (down).
            p.arms[s] = Limb(upper=0.0, lower=0.0, end=0.0, end_normal=np.array([0.0, -1.0, 0.0]),
                             upper_vec=u, lower_vec=f, hinge=hinge)
        return p
