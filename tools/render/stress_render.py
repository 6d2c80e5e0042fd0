"""Renders one stress clip from its drawn plan (`stress.py`): motion, fidgets, recording window, camera.

Ground truth follows the conventions in tools/render/README.md ("Stress set"): a repetition or hold
counts if it reached its top inside the recording and its departure from rest or its return to rest
is inside too; its duration_s is the time at the top within the recording.
"""
from __future__ import annotations

import copy
import json

import numpy as np

from tools.render import groundtruth
from tools.render.body import COCO_TO_OUTPUT, Body
from tools.render.camera import Camera
from tools.render.motions.base import ease
from tools.render.posture import Limb, Poser, ik_3d
from tools.render.runner import FPS, HEIGHT, VFOV, WIDTH, render_frames
from tools.render.stress import EXERCISE_TABLE, Plan, draw_plan
from tools.render.studio import MAT_THICKNESS, Studio
from tools.render.variation import draw_person, draw_room

PORTRAIT = (360, 640)
# A phone held upright: the long side of the sensor is vertical (the landscape view turned 90 degrees).
PORTRAIT_VFOV = float(2 * np.degrees(np.arctan(np.tan(np.radians(VFOV / 2)) * WIDTH / HEIGHT)))
CLIPPED_FAULT_MIN_S = 0.5   # a fault window the recording cuts to less than this is dropped
JOINT = {n: i for i, n in enumerate(COCO_TO_OUTPUT)}
FOOT_JOINTS = [f"{s}_{j}" for s in ("left", "right") for j in ("ankle", "heel", "foot_index")]
LIMB_JOINTS = {"head": ["nose"], "wrists": ["left_wrist", "right_wrist"], "ankles": ["left_ankle", "right_ankle"]}
CORE_JOINTS = ["left_shoulder", "right_shoulder", "left_hip", "right_hip"]


# --- motion ---------------------------------------------------------------------------------------

def _alternating(first, n):
    other = "right" if first == "left" else "left"
    return [first if i % 2 == 0 else other for i in range(n)]


def build_script(plan: Plan, poser, floor_z):
    """The exercise script for the plan's repetitions, with the rests stretched for its fidgets."""
    reps = copy.deepcopy(plan.reps)
    lead_in = plan.lead_in_s
    ex = plan.exercise
    settle = next((f for f in plan.fidgets if f.settle), None)
    if settle is not None:
        lead_in = settle.duration_s + 0.15  # straight from settling into the first repetition
    turn_extra = 0.0
    for f in plan.fidgets:
        if f.settle:
            continue
        if f.after < 0:
            lead_in += f.duration_s + 0.6
        elif ex == "butt_walk":
            turn_extra += f.duration_s + 0.6
        else:
            reps[f.after]["rest_s"] += f.duration_s + 0.6
    kw = dict(floor_z=floor_z, lead_in_s=lead_in, tail_s=plan.tail_s)
    sides = _alternating(plan.first_side, len(reps))
    if ex == "prone_press_up":
        from tools.render.motions.prone_press_up import PronePressUp, Rep
        return PronePressUp(poser, [Rep(**r) for r in reps], **kw)
    if ex == "bridge":
        from tools.render.motions.bridge import Bridge, Rep
        return Bridge(poser, [Rep(**r) for r in reps], knee_top_deg=140.0 if plan.fault == "feet_too_far" else 95.0,
                      **kw)
    if ex == "knee_to_chest":
        from tools.render.motions.knee_to_chest import Hold, KneeToChest
        return KneeToChest(poser, [Hold(side=s, **r) for s, r in zip(sides, reps)], **kw)
    if ex == "butt_walk":
        from tools.render.motions.butt_walk import ButtWalk, WalkSpec
        r0 = reps[0]
        spec = WalkSpec(forward=plan.n_core, backward=len(reps) - plan.n_core, step_s=r0["step_s"],
                        pause_s=r0["pause_s"], turn_pause_s=1.2 / plan.tempo + turn_extra,
                        knee_flex_deg=r0.get("knee_flex_deg", 0.0),
                        lean_back_forward_deg=r0.get("lean_back_forward_deg", 0.0),
                        step_scales=tuple(r["scale"] for r in reps))
        return ButtWalk(poser, spec, **kw)
    if ex == "bird_dog":
        from tools.render.motions.bird_dog import BirdDog, Rep
        return BirdDog(poser, [Rep(side=s, **r) for s, r in zip(sides, reps)], **kw)
    if ex == "superman":
        from tools.render.motions.superman import Rep, Superman
        return Superman(poser, [Rep(**r) for r in reps], **kw)
    if ex == "cat_cow":
        from tools.render.motions.cat_cow import CatCow, Cycle
        return CatCow(poser, [Cycle(**r) for r in reps], **kw)
    if ex == "psoas_stretch":
        from tools.render.motions.psoas_stretch import Hold, PsoasStretch
        return PsoasStretch(poser, [Hold(**r) for r in reps], kneeling=plan.first_side, **kw)
    if ex == "seated_side_stretch":
        from tools.render.motions.seated_side_stretch import Bend, SeatedSideStretch
        return SeatedSideStretch(poser, [Bend(side=s, **r) for s, r in zip(sides, reps)], **kw)
    if ex == "pelvic_tilt":
        from tools.render.motions.pelvic_tilt import PelvicTilt, Rep
        return PelvicTilt(poser, [Rep(**r) for r in reps], **kw)
    if ex == "lumbar_extension":
        from tools.render.motions.lumbar_extension import LumbarExtension, Rep
        return LumbarExtension(poser, [Rep(**r) for r in reps], **kw)
    raise KeyError(ex)


def _unit(v):
    return v / np.linalg.norm(v)


class Fidgeting:
    """An exercise script plus fidgets between its repetitions: scratching the head, shifting position.

    The fidgets change only the rendered posture, never the script's events or fault signals.
    """

    def __init__(self, script, poser, fidgets, near_side, shift_axis):
        self.script, self.poser = script, poser
        self.exercise, self.counted_kind = script.exercise, script.counted_kind
        self.events, self.duration = script.events, script.duration
        self.timed = []  # (fidget, start time, arm side)
        for f in fidgets:
            if f.settle:
                start = 0.0
            elif f.after < 0:
                start = script.events[0].start_s - f.duration_s - 0.3
            elif script.exercise == "butt_walk":
                forward = [e for e in script.events if e.direction == "forward"]
                start = forward[-1].end_s + 0.3
            else:
                start = script.events[f.after].end_s + 0.3
            near = "L" if near_side == "left" else "R"
            arm = near if f.arm == "near" else ("R" if near == "L" else "L")
            self.timed.append((f, start, arm))
        orientation = script.posture(0.0).orientation
        axis = orientation[:, 2] if shift_axis == "along" else orientation[:, 0]
        axis = np.array([axis[0], axis[1], 0.0])
        self.shift_dir = _unit(axis) if np.linalg.norm(axis) > 1e-6 else np.zeros(3)

    def props(self):
        return self.script.props()

    def fault_windows(self, times):
        return self.script.fault_windows(times)

    def windows(self):
        """(start, end, kind) of every fidget, in script time."""
        return [(start, start + f.duration_s, f.kind) for f, start, _ in self.timed]

    def _shift(self, t):
        total = 0.0
        for f, start, _ in self.timed:
            if f.kind == "shift":
                total += f.shift_m * float(ease((t - start) / f.duration_s))
        return total * self.shift_dir

    def posture(self, t):
        p = self.script.posture(t)
        p.root = p.root + self._shift(t)
        for f, start, arm in self.timed:
            if f.kind != "scratch" or not start <= t <= start + f.duration_s:
                continue
            reach = min(0.8, f.duration_s / 3)
            x = t - start
            w = float(ease(x / reach)) if x < reach else float(ease((f.duration_s - x) / reach))
            if w > 1e-3:
                self._scratch(p, arm, min(w, 1.0), t)
        return p

    def _scratch(self, p, s, w, t):
        """One hand goes to the side of the head and scratches (small circles), then returns."""
        poser, b = self.poser, self.poser.body
        heads = poser.joint_positions(p)

        def at(name):
            return poser.to_body(p, heads[b.index[name]][None])[0]

        sh, el, wr = at(f"upperarm01.{s}"), at(f"lowerarm01.{s}"), at(f"wrist.{s}")
        eyes = 0.5 * (at("eye.L") + at("eye.R"))
        out = 1.0 if s == "L" else -1.0
        wiggle = 0.015 * np.array([np.sin(2 * np.pi * 3 * t), 0.0, np.cos(2 * np.pi * 3 * t)])
        target = eyes + np.array([out * 0.10, 0.03, 0.02]) + wiggle
        limb = p.arms[s]
        u0, f0 = _unit(el - sh), _unit(wr - el)
        h0 = limb.hinge if limb.upper_vec is not None else np.array([1.0, 0.0, 0.0])
        u1, f1, h1 = ik_3d(sh, target, poser.lengths[f"upperarm.{s}"], poser.lengths[f"forearm.{s}"],
                           np.array([out * 1.0, 0.0, -0.7]))
        u = _unit((1 - w) * u0 + w * u1)
        f = _unit((1 - w) * f0 + w * f1)
        h = (1 - w) * h0 + w * h1
        h = _unit(h) if np.linalg.norm(h) > 1e-3 else h1
        p.arms[s] = Limb(upper=0.0, lower=0.0, end=None if w > 0.35 else limb.end, end_normal=limb.end_normal,
                         upper_vec=u, lower_vec=f, hinge=h)


# --- recording window and ground truth ---------------------------------------------------------------

def recording_window(plan: Plan, script):
    """(first, last) script second the recording covers."""
    events = script.events
    first, last = events[0], events[-1]
    if plan.cut_start == "none":
        settle = next((f for f in plan.fidgets if f.settle), None)
        w0 = plan.settle_frac * settle.duration_s if settle is not None else 0.0
    elif plan.cut_start == "departure":
        w0 = first.start_s + plan.cut_start_frac * (first.top_s[0] - first.start_s)
    elif plan.cut_start == "top":
        w0 = first.top_s[0] + plan.cut_start_frac * (first.top_s[1] - first.top_s[0])
    else:
        w0 = first.top_s[1] + plan.cut_start_frac * (first.end_s - first.top_s[1])
    if plan.cut_end == "none":
        w1 = script.duration
    elif plan.cut_end == "departure":
        w1 = last.start_s + plan.cut_end_frac * (last.top_s[0] - last.start_s)
    elif plan.cut_end == "top":
        w1 = last.top_s[0] + (0.4 + 0.5 * plan.cut_end_frac) * (last.top_s[1] - last.top_s[0])
        w1 = max(w1, last.top_s[0] + 1.0 / FPS)
    else:
        w1 = last.top_s[1] + plan.cut_end_frac * (last.end_s - last.top_s[1])
    return float(w0), float(w1)


def truth_events(script, w0, n_frames):
    """The script's events as recorded: shifted to clip time, cut ones kept only if they count."""
    last = (n_frames - 1) / FPS
    length = n_frames / FPS
    out = []
    for i, e in enumerate(script.events):
        start, end = e.start_s - w0, e.end_s - w0
        top0, top1 = e.top_s[0] - w0, e.top_s[1] - w0
        top_inside = top1 >= 0 and top0 <= last
        # A top reached between two frames still shows on a frame only if it lasts into one.
        if top0 == top1:
            top_inside = 0 <= top0 <= last
        ends_inside = start >= 0 or end <= last
        cut = start < 0 or end > last
        if not (top_inside and ends_inside):
            continue
        ev = copy.copy(e)
        ev.faults = []
        ev.start_s, ev.end_s = max(start, 0.0), min(end, length)
        if cut and e.duration_s is not None:
            ev.duration_s = max(0.0, min(top1, last) - max(top0, 0.0))
        out.append((i, ev, cut))
    return out


def clip_windows(windows, w0, n_frames):
    """Fault windows in clip time; windows cut by the recording to under CLIPPED_FAULT_MIN_S are dropped."""
    length = n_frames / FPS
    out = []
    for w in windows:
        s, e = w["start_s"] - w0, w["end_s"] - w0
        cs, ce = max(s, 0.0), min(e, length)
        if ce <= cs:
            continue
        if (cs > s or ce < e) and ce - cs < CLIPPED_FAULT_MIN_S:
            continue
        out.append({"fault": w["fault"], "start_s": round(cs, 2), "end_s": round(ce, 2)})
    return out


# --- camera -----------------------------------------------------------------------------------------

def facing_side(plan: Plan):
    """Which side of the person faces the camera (front view: the side the camera is turned toward)."""
    if plan.exercise == "psoas_stretch":
        return plan.first_side  # kneeling leg toward the camera, as the spec's placement asks
    if plan.exercise == "seated_side_stretch":
        return "left" if plan.azimuth_deg >= 0 else "right"
    return plan.facing_side


def sample_body(script, body, poser, times, floor):
    """World joints (T,17,3) and silhouette extreme points (T,14,3), rested on the floor like the render."""
    dirs = np.array([[1, 0, 0], [0, 1, 0], [0, 0, 1]] + [[sx, sy, sz] for sx in (-1, 1) for sy in (-1, 1)
                                                         for sz in (-1, 1)], float)
    dirs = np.concatenate([dirs, -dirs[:3]])
    joints, hull = [], []
    for start in range(0, len(times), 24):
        ts = times[start:start + 24]
        postures = [script.posture(t) for t in ts]
        G = np.stack([poser.world_rotations(p) for p in postures])
        verts, coco = body.skin(G, np.stack([p.root for p in postures]))
        for v, kp in zip(verts, coco):
            dz = np.array([0, 0, floor - v[:, 2].min()])
            v = v + dz
            joints.append(body.output_joints(kp + dz))
            idx = np.argmax(v @ dirs.T, axis=0)
            hull.append(v[idx])
    return np.array(joints), np.array(hull)


def _project(cam, pts):
    """pts (...,3) -> pixel x, y with the same shape[:-1]."""
    flat = pts.reshape(-1, 3)
    x, y, d = cam.project(flat)
    x = np.where(d > 0, x, np.nan)
    return x.reshape(pts.shape[:-1]), y.reshape(pts.shape[:-1])


def _inside(cam, x, y, margin=0.0):
    mx, my = margin * cam.width, margin * cam.height
    return (x >= mx) & (x <= cam.width - mx) & (y >= my) & (y <= cam.height - my)


class CameraRig:
    """Camera placements around the person for one azimuth and height: distance and aim vary."""

    def __init__(self, view, facing_side, azimuth, height, center, look_h, left_w, front_w, width, height_px, vfov):
        left, front = np.asarray(left_w, float), np.asarray(front_w, float)
        if view == "side":
            base = left if facing_side == "left" else -left
            along = np.cross([0, 0, 1.0], base)
        else:
            base, along = front, left
        a = np.radians(azimuth)
        horiz = base * np.cos(a) + along * np.sin(a)
        horiz[2] = 0
        self.horiz = horiz / np.linalg.norm(horiz)
        self.right = np.cross([0, 0, 1.0], self.horiz)  # horizontal, across the picture
        self.center = np.array([center[0], center[1], look_h])
        self.height, self.width_px, self.height_px, self.vfov = height, width, height_px, vfov

    def camera(self, distance, dx=0.0, dy=0.0):
        eye = self.center + self.horiz * distance
        eye[2] = self.height
        target = self.center + self.right * dx + np.array([0, 0, dy])
        return Camera(eye=eye, target=target, vfov_deg=self.vfov, width=self.width_px, height=self.height_px)


def _fit_distance(rig, hull, dx, dy, margin=0.03, lo=0.6, hi=12.0):
    """Smallest distance at which every silhouette point is in the picture (None if none is)."""
    def fits(d):
        cam = rig.camera(d, dx, dy)
        x, y = _project(cam, hull)
        return bool(np.all(_inside(cam, x, y, margin)))
    if not fits(hi):
        return None
    for _ in range(18):
        mid = 0.5 * (lo + hi)
        lo, hi = (lo, mid) if fits(mid) else (mid, hi)
    return hi


def frame_normal(rig, hull, scale):
    best = None
    for dx in np.linspace(-0.6, 0.6, 7):
        for dy in np.linspace(-0.4, 0.4, 5):
            d = _fit_distance(rig, hull, dx, dy)
            if d is not None and (best is None or d < best[0]):
                best = (d, dx, dy)
    d, dx, dy = best
    # Pull back by the drawn scale, recentred: the aim offset shrinks with the larger picture.
    return d * scale, dx, dy


def _fractions(cam, joints, names, rows=None, margin=0.0):
    """Per frame: whether all the named joints are outside, whether any is, and whether all are inside
    (by a margin)."""
    idx = [JOINT[n] for n in names]
    pts = joints[:, idx] if rows is None else joints[rows][:, idx]
    x, y = _project(cam, pts)
    inside = _inside(cam, x, y, margin) & ~np.isnan(x)
    return ~inside.any(axis=1), ~inside.all(axis=1), inside.all(axis=1)


def frame_search(rig, joints, d_fit, want, rng):
    """Closest-to-normal framing satisfying `want(cam) -> (ok, score)`; None if no placement does."""
    candidates = []
    for s in np.linspace(1.05, 0.4, 14):
        for dx in np.linspace(-1.2, 1.2, 25):
            # Down to a steep tilt: a camera on the floor pointed down puts the person at the top edge.
            for dy in np.linspace(-1.8, 0.6, 17):
                cam = rig.camera(d_fit * s, dx, dy)
                ok, score = want(cam)
                if ok:
                    candidates.append((s, score, -abs(dx) - abs(dy), rng.random(), dx, dy))
        if candidates:
            break
    if not candidates:
        return None
    s, score, _, _, dx, dy = max(candidates)
    return d_fit * s, dx, dy, score


def choose_camera(plan: Plan, script, body, poser, floor, w0, w1, scale=1.0):
    ex = EXERCISE_TABLE[plan.exercise]
    view = "front" if plan.exercise == "seated_side_stretch" else "side"
    width, height = PORTRAIT if plan.portrait else (WIDTH, HEIGHT)
    width, height = int(width * scale) // 2 * 2, int(height * scale) // 2 * 2
    vfov = PORTRAIT_VFOV if plan.portrait else VFOV
    facing = facing_side(plan)
    times = np.linspace(w0, w1, 64)
    tops = [t for e in script.events for t in np.linspace(*e.top_s, 4) if w0 <= t <= w1]
    rests = [t for t in np.arange(w0, w1, 0.25)
             if all(not (e.start_s - 0.1 <= t <= e.end_s + 0.1) for e in script.events)]
    all_times = np.concatenate([times, tops, rests])
    joints, hull = sample_body(script, body, poser, all_times, floor)
    lo, hi = hull.reshape(-1, 3).min(0), hull.reshape(-1, 3).max(0)
    center = np.array([(lo[0] + hi[0]) / 2, (lo[1] + hi[1]) / 2, 0.0])
    orientation = script.posture(w0).orientation

    def make_rig(camera_height):
        return CameraRig(view, facing, plan.azimuth_deg, camera_height, center, 0.45 * (hi[2] - lo[2]) + 0.05,
                         orientation[:, 0], -orientation[:, 1], width, height, vfov)
    camera_height = plan.camera_height_m
    rig = make_rig(camera_height)
    d_fit, dx, dy = frame_normal(rig, hull, 1.0)
    rng = np.random.default_rng(plan.framing_seed)
    framing, detail, note = "normal", None, ""
    n_t = len(times)
    top_rows = np.arange(n_t, n_t + len(tops))
    rest_rows = np.arange(n_t + len(tops), len(all_times))
    if plan.framing == "tight":
        # Head: the nose out of the picture. Feet: both feet out; where the exercise lifts a foot back into
        # view (knee-to-chest), one whole foot out.
        cuts = ([["nose"]] if plan.tight_end == "head" else
                [FOOT_JOINTS, [j for j in FOOT_JOINTS if j.startswith("left")],
                 [j for j in FOOT_JOINTS if j.startswith("right")]])
        keep = CORE_JOINTS + (["left_knee", "right_knee", "left_ankle", "right_ankle"] if plan.tight_end == "head"
                              else ["nose"])

        def search(need_all):
            def want(cam):
                outs = [_fractions(cam, joints[:n_t], cut)[0] for cut in cuts]
                out = outs[0] if need_all else np.any(outs, axis=0)
                _, _, kin = _fractions(cam, joints[:n_t], keep, margin=0.03)
                return out.mean() >= 0.75 and kin.mean() >= 0.97, float(out.mean())
            return frame_search(rig, joints, d_fit, want, rng)
        found = search(True)
        if not found and plan.tight_end == "feet":
            found = search(False)
            if found:
                note = "one foot"
        if found:
            d, dx, dy, score = found
            framing, detail = "tight", plan.tight_end
            what = note or ("the head" if plan.tight_end == "head" else "both feet")
            note = f"tight framing: {what} out of the picture in {score * 100:.0f} % of the clip"
    elif plan.framing == "limb" and len(top_rows) and len(rest_rows) >= 3 and plan.fault != "arms_not_overhead":
        names = LIMB_JOINTS[plan.limb]

        def want(cam):
            # At the top the moving limb (one of the joints: bird-dog lifts one arm) is out of the picture;
            # at rest all are in, clear of the edge; the trunk stays in view.
            _, out_top, _ = _fractions(cam, joints, names, top_rows)
            _, _, in_rest = _fractions(cam, joints, names, rest_rows, margin=0.05)
            _, _, core = _fractions(cam, joints[:n_t], CORE_JOINTS, margin=0.03)
            # 0.45: the side stretch bends to both sides, and only one side's hands can leave a wide frame.
            if not (out_top.mean() >= 0.45 and in_rest.mean() >= 0.9 and core.mean() >= 0.8):
                return False, 0.0
            # The rest of the body stays in the picture at rest: no sliver of a person at the edge.
            x, y = _project(cam, hull[rest_rows])
            return float(_inside(cam, x, y).mean()) >= 0.8, float(out_top.mean())
        # The drawn camera height first; where no placement works there, the nearest height that has one
        # (whoever frames the movement that tightly puts the camera where it fits).
        for h in [camera_height] + sorted(np.round(np.linspace(0.1, 1.2, 12), 2), key=lambda h: abs(h - camera_height)):
            trial = make_rig(float(h)) if h != camera_height else rig
            fit = d_fit if h == camera_height else frame_normal(trial, hull, 1.0)[0]
            found = frame_search(trial, joints, fit, want, rng)
            if found:
                if h != camera_height:
                    rig, camera_height = trial, float(h)
                    note = f"camera at {camera_height:.2f} m instead of the drawn {plan.camera_height_m:.2f} m; "
                break
        if found:
            d, dx, dy, score = found
            framing, detail = "limb", plan.limb
            note += (f"the {plan.limb} leave the picture at the top of the movement "
                     f"({score * 100:.0f} % of the time at the top)")
    if framing == "normal":
        d, dx, dy = d_fit * plan.distance_scale, dx, dy
        if plan.framing != "normal":
            note = f"{plan.framing} framing asked for but no camera placement gives it: whole body in view"
    cam = rig.camera(d, dx, dy)
    info = {"view": view, "facing_side": facing, "azimuth_deg": plan.azimuth_deg, "height_m": camera_height,
            "distance_m": round(float(d), 2)}
    return cam, info, framing, detail, note, (lo, hi)


# --- the clip ---------------------------------------------------------------------------------------

def _wall_offset(room, cam, center, lo, hi):
    """Keeps the room's wall behind the person clear of the body (the studio puts it on the view axis)."""
    view = cam.target - cam.eye
    axis = 0 if abs(view[0]) > abs(view[1]) else 1
    half = max(center[axis] - lo[axis], hi[axis] - center[axis])
    room.wall_offset = max(room.wall_offset, half + 0.35)


def describe(plan, doc, factors, framing_note, fidget_notes, fault_events):
    ex = plan.exercise
    counted = [e for e in doc["events"] if e["kind"] in ("rep", "hold", "step")]
    kind = {"hold": "holds", "step": "steps"}.get(counted[0]["kind"] if counted else "rep", "reps")
    bits = [f"{len(counted)} {kind if len(counted) != 1 else kind[:-1]}"]
    roms = factors["rom_fraction"]
    bits.append(f"ROM {roms * 100:.0f} %" + (" (lowest rep)" if plan.rom_per_rep else ""))
    bits.append(f"tempo {factors['tempo']:.2f}x")
    if factors["hold_s"] is not None:
        bits.append(f"{factors['hold_s']:.1f} s holds")
    if not factors["still_start"]:
        bits.append("no still start")
    if factors["cut_start"] != "none":
        bits.append(f"starts at the {factors['cut_start']}")
    if factors["cut_end"] != "none":
        bits.append(f"ends at the {factors['cut_end']}")
    bits.append(f"az {factors['azimuth_deg']:+.0f}, h {factors['camera_height_m']:.2f} m")
    if factors["portrait"]:
        bits.append("portrait")
    if factors["tight_framing"] != "none":
        bits.append(f"{factors['tight_framing']} cut off")
    if factors["limb_out_of_frame"] != "none":
        bits.append(f"{factors['limb_out_of_frame']} out of the picture at the top")
    if factors["fidget"] != "none":
        bits.append(f"fidget: {factors['fidget']}")
    bits.append(f"fault: {factors['fault']}")
    description = f"stress {plan.seed}: " + ", ".join(bits)

    unit = {"butt_walk": "step", "cat_cow": "cycle", "knee_to_chest": "hold", "psoas_stretch": "hold",
            "seated_side_stretch": "hold"}.get(ex, "repetition")
    top = {"butt_walk": "middle", "cat_cow": "cow position"}.get(ex, "top")
    notes = []
    if plan.cut_start == "none":
        notes.append("The recording starts with the person still." if plan.still_start else
                     "The recording starts while the person is still settling in (" + fidget_notes[0] +
                     f"), straight into the first {unit}.")
    else:
        notes.append({"departure": f"The recording starts while the first {unit} is on its way to the {top}; "
                                   "it counts.",
                      "top": f"The recording starts with the person already at the top of the first {unit}; "
                             "it counts, its duration_s is the time at the top inside the recording.",
                      "return": f"The recording starts on the way back from a {unit} whose {top} was not "
                                "recorded; it does not count."}[plan.cut_start])
    if plan.cut_end != "none":
        notes.append({"departure": f"The recording ends as a {unit} starts; it does not count.",
                      "top": f"The recording ends at the top of the last {unit}; it counts, its duration_s "
                             "is the time at the top inside the recording (a lower bound).",
                      "return": f"The recording ends on the way back from the last {unit}; it counts."}
                     [plan.cut_end])
    if plan.rom_per_rep:
        notes.append(f"Range of motion per {unit} in the performance (fraction of the nominal): " +
                     ", ".join(f"{r * 100:.0f} %" for r in plan.rom) + ".")
    else:
        clip_rom = next((r for i, r in enumerate(plan.rom) if i not in plan.fault_reps), 1.0)
        notes.append(f"Range of motion {clip_rom * 100:.0f} % of the nominal in every {unit}" +
                     (" (the faulty ones at 100 %)." if plan.fault_reps and clip_rom != 1.0 else "."))
    if plan.tempo != plan.tempo_drawn:
        notes.append(f"Tempo drawn {plan.tempo_drawn:.2f}x, capped at {plan.tempo:.2f}x: faster would be the "
                     f"exercise's timing fault.")
    notes += [n for n in fidget_notes[1:]]
    if framing_note:
        notes.append(framing_note[0].upper() + framing_note[1:] + ".")
    if plan.fault:
        ex_info = EXERCISE_TABLE[ex]
        where = ("during the forward steps" if plan.fault == "trunk_lean" else "throughout the clip"
                 if plan.fault in ex_info.clip_faults else f"in event(s) " +
                 ", ".join(str(k) for k in fault_events))
        notes.append(f"Fault {plan.fault} (scripted) {where}; " +
                     ("truth windows: " + "; ".join(f"{w['fault']} {w['start_s']:.1f}-{w['end_s']:.1f} s"
                                                    for w in doc["fault_windows"]) if doc["fault_windows"]
                      else "no window inside the recording") + ".")
    else:
        notes.append("No fault.")
    return description, " ".join(notes)


def render_stress(seed, out_dir, frames_limit=None, scale=1.0, supersample=1, save_png=False, only_times=None,
                  log=print, sidecar_only=False):
    """Renders the seed's clip and writes its sidecar. sidecar_only: the clip is already rendered; recompute
    the sidecar (truth, factors, notes) and keep its frames' joints (the rendering is deterministic)."""
    plan = draw_plan(seed)
    ex = EXERCISE_TABLE[plan.exercise]
    rng = np.random.default_rng(seed)
    phenotype, outfit = draw_person(rng)
    body = Body(phenotype)
    poser = Poser(body)
    base = build_script(plan, poser, MAT_THICKNESS)
    script = Fidgeting(base, poser, plan.fidgets, facing_side(plan), ex.shift_axis)
    w0, w1 = recording_window(plan, script)
    n_frames = int(round((w1 - w0) * FPS))
    all_times = w0 + np.arange(n_frames) / FPS
    times = all_times if frames_limit is None else all_times[np.linspace(0, n_frames - 1, frames_limit).astype(int)]
    if only_times is not None:
        times = w0 + np.asarray(only_times, dtype=float)
        frames_limit = len(times)

    floor = MAT_THICKNESS if plan.exercise != "seated_side_stretch" else 0.0
    camera, cam_info, framing, framing_detail, framing_note, (lo, hi) = choose_camera(
        plan, script, body, poser, floor, w0, w1, scale)
    center = np.array([(lo[0] + hi[0]) / 2, (lo[1] + hi[1]) / 2, 0.0])
    use_mat = plan.exercise != "seated_side_stretch"
    mat_len = max(1.9, (hi[1] - lo[1]) + 0.4)
    room = draw_room(rng, mat_center=(center[0], center[1]), mat_size=(0.62, mat_len), use_mat=use_mat)
    _wall_offset(room, camera, center, lo, hi)
    room.ceiling = 2.6
    mp4_path = out_dir / f"{plan.name}.mp4"
    if sidecar_only:
        old = json.loads((out_dir / f"{plan.name}.json").read_text())
        joints_frames = old["joints_2d"]["frames"]
        if len(joints_frames) != len(times) or (old["width"], old["height"]) != (camera.width, camera.height):
            raise ValueError(f"{plan.name}: the rendered clip does not match its plan; render it again")
    else:
        studio = Studio(body, outfit, room, camera, supersample=supersample, props=script.props())
        assert abs(studio.floor_top() - floor) < 1e-9
        out_dir.mkdir(parents=True, exist_ok=True)
        joints_frames = render_frames(script, body, poser, studio, camera, times, mp4_path, supersample,
                                      png_prefix=out_dir / plan.name if save_png else None, log=log)

    # Ground truth in clip time.
    windows = clip_windows(base.fault_windows(list(all_times)), w0, n_frames)
    kept = truth_events(base, w0, n_frames)
    events = []
    for k, (i, ev, cut) in enumerate(kept):
        for w in windows:
            if min(w["end_s"], ev.end_s) - max(w["start_s"], ev.start_s) > 0.1:
                ev.faults.append(w["fault"])
        events.append(ev.to_json(k + 1))
    counted = [ev for _, ev, _ in kept if ev.kind == base.counted_kind]
    extra = {"reps": len(counted)}
    if plan.exercise == "butt_walk":
        extra["steps"] = {"forward": sum(e.direction == "forward" for e in counted),
                          "backward": sum(e.direction == "backward" for e in counted)}
    rom = [plan.rom[i] for i, ev, _ in kept if ev.kind == base.counted_kind]

    fidget_notes = []
    settle = next((f for f in plan.fidgets if f.settle), None)
    fidget_notes.append(f"{'scratching the head' if settle and settle.kind == 'scratch' else 'shifting position'}")
    kinds = []
    for (f, start, arm) in sorted(script.timed, key=lambda x: x[1]):
        if f.settle:
            continue
        a, b = start - w0, start + f.duration_s - w0
        kinds.append(f.kind)
        what = (f"scratches the side of the head with the {'left' if arm == 'L' else 'right'} hand"
                if f.kind == "scratch" else f"shifts {abs(f.shift_m) * 100:.0f} cm "
                f"{'along' if ex.shift_axis == 'along' else 'across'} the mat and settles")
        fidget_notes.append(f"At {a:.1f}-{b:.1f} s the person {what} (not a repetition).")

    if plan.fault and not windows:
        raise AssertionError(f"{plan.name}: fault {plan.fault} drawn but no fault window inside the recording")
    if not plan.fault and windows:
        raise AssertionError(f"{plan.name}: clean plan but fault windows {windows}")
    if not counted:
        raise AssertionError(f"{plan.name}: nothing counts in the recording")
    fault_ids = sorted({w["fault"] for w in windows})
    factors = {
        "rom_fraction": round(min(rom), 2) if rom else None,
        "rom_per_rep": plan.rom_per_rep,
        "still_start": plan.still_start,
        "cut_start": plan.cut_start,
        "cut_end": plan.cut_end,
        "azimuth_deg": plan.azimuth_deg,
        "camera_height_m": cam_info["height_m"],
        "portrait": plan.portrait,
        "tight_framing": framing_detail if framing == "tight" else "none",
        "limb_out_of_frame": framing_detail if framing == "limb" else "none",
        "tempo": plan.tempo,
        "hold_s": plan.hold_s,
        "fidget": "+".join(sorted(set(kinds))) if kinds else "none",
        "fault": "+".join(fault_ids) if fault_ids else "none",
    }
    body_info = {"sex": phenotype.sex, "age": phenotype.age_years, "phenotype": phenotype.to_json(),
                 "skin": outfit.skin, "clothing": outfit.to_json()}
    doc = groundtruth.sidecar(plan.name, plan.exercise, "", FPS, len(times), camera.width, camera.height, cam_info,
                              body_info, events, windows, joints_frames, extra)
    fault_events = [k + 1 for k, (i, _, _) in enumerate(kept) if i in plan.fault_reps]
    doc["description"], notes = describe(plan, doc, factors, framing_note, fidget_notes, fault_events)
    doc["stress_seed"] = seed
    doc["factors"] = factors
    doc["notes"] = notes
    if frames_limit is not None:
        doc["preview_times_s"] = [round(float(t - w0), 3) for t in times]
    groundtruth.write_sidecar(out_dir / f"{plan.name}.json", _ordered(doc))
    return mp4_path, doc


def _ordered(doc):
    """Sidecar keys in the sample order, the stress keys before the joints."""
    head = {k: v for k, v in doc.items() if k not in ("joints_2d",)}
    head["joints_2d"] = doc["joints_2d"]
    return head


def truth_only(seed):
    """The plan's ground truth without rendering (for checks): events, windows, counts, window length."""
    plan = draw_plan(seed)
    ex = EXERCISE_TABLE[plan.exercise]
    rng = np.random.default_rng(seed)
    phenotype, _ = draw_person(rng)
    poser = Poser(Body(phenotype))
    base = build_script(plan, poser, MAT_THICKNESS)
    script = Fidgeting(base, poser, plan.fidgets, facing_side(plan), ex.shift_axis)
    w0, w1 = recording_window(plan, script)
    n = int(round((w1 - w0) * FPS))
    all_times = w0 + np.arange(n) / FPS
    windows = clip_windows(base.fault_windows(list(all_times)), w0, n)
    kept = truth_events(base, w0, n)
    return plan, base, script, (w0, w1, n), windows, kept


if __name__ == "__main__":  # pragma: no cover
    # python -m tools.render.stress_render SEED ...: the recorded window, fidgets and truth, nothing rendered.
    import sys
    for arg in sys.argv[1:]:
        plan, base, script, (w0, w1, n), windows, kept = truth_only(int(arg))
        print(f"{plan.name}: script {w0:.2f}-{w1:.2f} s ({n} frames)")
        for a, b, kind in script.windows():
            print(f"  fidget {kind} {a - w0:.1f}-{b - w0:.1f} s")
        for _, ev, cut in kept:
            hold = f" hold {ev.duration_s:.2f} s" if ev.duration_s is not None else ""
            print(f"  {ev.kind} {ev.start_s:.2f}-{ev.end_s:.2f} s {ev.side or ''}{hold}{' (cut)' if cut else ''}")
        for w in windows:
            print(f"  fault {w['fault']} {w['start_s']}-{w['end_s']} s")
