"""Synthetic landmark sequences for engine tests: a 2D stick figure posed by forward kinematics,
seen from the side, moved through keyframes with eased timing. Exact ground truth by construction."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Iterator

import numpy as np

from formcheck.landmarks import NUM_LANDMARKS, Landmark, Landmarks

# Segment lengths in pixels (a person about 450 px tall lying across a 640 px image).
TORSO, HEAD, UPPER_ARM, FOREARM, THIGH, SHIN, FOOT = 150.0, 45.0, 75.0, 68.0, 125.0, 118.0, 30.0


def _dir(deg: float) -> np.ndarray:
    r = math.radians(deg)
    return np.array([math.cos(r), math.sin(r)])


@dataclass(frozen=True)
class LegPose:
    thigh_deg: float  # direction of hip -> knee, degrees CCW from the +x axis (y up)
    knee_deg: float = 180.0  # inside knee angle
    knee_bends_up: bool = False  # which way the shin turns from the thigh line


@dataclass(frozen=True)
class ArmPose:
    upper_arm_deg: float
    elbow_deg: float = 180.0


@dataclass(frozen=True)
class Body:
    """A side-view pose in world pixels, y up, floor at y = 0."""

    hip: tuple[float, float]
    trunk_deg: float  # direction of hip -> shoulder
    near_leg: LegPose
    far_leg: LegPose
    near_arm: ArmPose
    far_arm: ArmPose
    head_deg: float | None = None  # direction of shoulder -> nose; default continues the trunk


def _leg(hip: np.ndarray, leg: LegPose) -> dict[str, np.ndarray]:
    knee = hip + THIGH * _dir(leg.thigh_deg)
    turn = (180.0 - leg.knee_deg) * (1 if leg.knee_bends_up else -1)
    shin_deg = leg.thigh_deg + turn
    ankle = knee + SHIN * _dir(shin_deg)
    foot_deg = shin_deg + (90 if leg.knee_bends_up else -90)
    return {
        "knee": knee,
        "ankle": ankle,
        "heel": ankle - 8 * _dir(foot_deg),
        "foot_index": ankle + FOOT * _dir(foot_deg),
    }


def _arm(shoulder: np.ndarray, arm: ArmPose) -> dict[str, np.ndarray]:
    elbow = shoulder + UPPER_ARM * _dir(arm.upper_arm_deg)
    wrist = elbow + FOREARM * _dir(arm.upper_arm_deg + (180.0 - arm.elbow_deg))
    hand = wrist + 12 * _dir(arm.upper_arm_deg + (180.0 - arm.elbow_deg))
    return {"elbow": elbow, "wrist": wrist, "pinky": hand, "index": hand, "thumb": hand}


def body_points(body: Body) -> dict[str, dict[str, np.ndarray]]:
    """World positions per side ("near"/"far") plus the unsided head points under "head"."""
    hip = np.array(body.hip, dtype=float)
    shoulder = hip + TORSO * _dir(body.trunk_deg)
    head_deg = body.trunk_deg if body.head_deg is None else body.head_deg
    nose = shoulder + HEAD * _dir(head_deg)
    sides = {}
    for side, leg, arm in (("near", body.near_leg, body.near_arm), ("far", body.far_leg, body.far_arm)):
        pts = {"shoulder": shoulder, "hip": hip, **_leg(hip, leg), **_arm(shoulder, arm)}
        pts.update({"eye": nose, "eye_inner": nose, "eye_outer": nose, "ear": nose - 10 * _dir(head_deg),
                    "mouth": nose})
        sides[side] = pts
    sides["head"] = {"nose": nose}
    return sides


@dataclass(frozen=True)
class Camera:
    near: str = "left"  # which body side faces the camera
    facing_right: bool = True  # the person's +x (head for lying, front for sitting) points image right
    origin: tuple[float, float] = (80.0, 420.0)  # image position of world (0, 0)
    width: int = 640
    height: int = 480
    far_offset: tuple[float, float] = (4.0, -6.0)  # image shift of the far side (depth parallax)
    near_visibility: float = 0.98
    far_visibility: float = 0.75
    roll_deg: float = 0.0  # camera tilt: the floor appears sloped


def to_landmarks(body: Body, t: float, cam: Camera = Camera(), jitter_px: float = 0.0,
                 rng: np.random.Generator | None = None) -> Landmarks:
    pts = body_points(body)
    far = "right" if cam.near == "left" else "left"
    arr = np.zeros((NUM_LANDMARKS, 4))
    roll = math.radians(cam.roll_deg)
    c, s = math.cos(roll), math.sin(roll)

    def image(p: np.ndarray, offset: tuple[float, float] = (0.0, 0.0)) -> tuple[float, float]:
        x = p[0] if cam.facing_right else -p[0]
        xr, yr = c * x - s * p[1], s * x + c * p[1]
        return cam.origin[0] + xr + offset[0], cam.origin[1] - yr + offset[1]

    for lm in Landmark:
        name = lm.name.lower()
        if name == "nose":
            x, y = image(pts["head"]["nose"])
            arr[lm] = (x, y, 0.0, cam.near_visibility)
            continue
        if name.startswith("mouth_"):
            side, base = name.split("_")[1], "mouth"
        else:
            side, base = name.split("_", 1)
        role = "near" if side == cam.near else "far"
        offset = (0.0, 0.0) if role == "near" else cam.far_offset
        x, y = image(pts[role][base], offset)
        depth = -20.0 if role == "near" else 20.0
        arr[lm] = (x, y, depth, cam.near_visibility if role == "near" else cam.far_visibility)
    if jitter_px and rng is not None:
        arr[:, :2] += rng.normal(0.0, jitter_px, size=(NUM_LANDMARKS, 2))
    return Landmarks(arr, t, cam.width, cam.height)


# ----------------------------------------------------------------------------- motion scripts

def ease(x: float) -> float:
    """Cosine ease-in-out on 0..1."""
    x = min(1.0, max(0.0, x))
    return 0.5 - 0.5 * math.cos(math.pi * x)


@dataclass
class Script:
    """A scalar parameter over time from keyframes (time_s, value), eased between them."""

    keys: list[tuple[float, float]]

    def __call__(self, t: float) -> float:
        keys = self.keys
        if t <= keys[0][0]:
            return keys[0][1]
        for (t0, v0), (t1, v1) in zip(keys, keys[1:]):
            if t <= t1:
                return v0 + (v1 - v0) * ease((t - t0) / (t1 - t0)) if t1 > t0 else v1
        return keys[-1][1]

    @property
    def end(self) -> float:
        return self.keys[-1][0]


def frames(pose_at: Callable[[float], Body], duration_s: float, fps: float = 15.0, cam: Camera = Camera(),
           jitter_px: float = 0.0, seed: int = 0, drop: Callable[[float], bool] | None = None
           ) -> Iterator[tuple[float, Landmarks | None]]:
    """(timestamp, landmarks or None) at the given frame rate; `drop(t)` hides the person."""
    rng = np.random.default_rng(seed)
    n = int(round(duration_s * fps))
    for i in range(n):
        t = i / fps
        if drop is not None and drop(t):
            yield t, None
        else:
            yield t, to_landmarks(pose_at(t), t, cam, jitter_px, rng)


# ----------------------------------------------------------------------------- exercises

def prone(trunk_deg: float, elbow_deg: float, pelvis_lift_px: float = 0.0, knee_deg: float = 180.0) -> Body:
    """Lying on the belly, head toward +x, legs along the floor toward -x."""
    hip = (0.0, 12.0 + pelvis_lift_px)
    arm = ArmPose(upper_arm_deg=-80.0, elbow_deg=elbow_deg)
    # A lifted pelvis slopes the thighs down to knees that stay on the floor, shins flat.
    slope = math.degrees(math.asin(min(1.0, pelvis_lift_px / THIGH)))
    leg = LegPose(thigh_deg=180.0 + slope, knee_deg=min(knee_deg, 180.0 - slope))
    return Body(hip, trunk_deg, leg, leg, arm, arm)


PRONE_CAM = Camera(origin=(300.0, 380.0))  # frames a press-up sequence in a 640x480 picture


def press_ups(holds: list[float], up_s: list[float] | None = None, pelvis: set[int] = frozenset(),
              knees: set[int] = frozenset(), partial: set[int] = frozenset(), tops: list[float] | None = None,
              elbows: list[float] | None = None, rest_s: float = 1.5):
    """Press-ups from 2 s on; returns the pose function, the duration and each rep's (start, end).
    `tops`/`elbows`: each rep's trunk incline and elbow angle at the top (default 40 and 175)."""
    trunk, elbow, lift, knee = [(0, 0.0)], [(0, 60.0)], [(0, 0.0)], [(0, 180.0)]
    t, windows = 2.0, []
    for i, hold in enumerate(holds):
        up = (up_s or [2.8] * len(holds))[i]
        top, straight = (11.0, 90.0) if i in partial else ((tops or [40.0] * len(holds))[i],
                                                          (elbows or [175.0] * len(holds))[i])
        keys = (t, t + up, t + up + hold, t + up + hold + 2.0)
        trunk += [(keys[0], 0.0), (keys[1], top), (keys[2], top), (keys[3], 0.0)]
        elbow += [(keys[0], 60.0), (keys[1], straight), (keys[2], straight), (keys[3], 60.0)]
        if i in pelvis:
            lift += [(keys[0], 0.0), (keys[1], 30.0), (keys[2], 30.0), (keys[3], 0.0)]
        if i in knees:
            knee += [(keys[0], 180.0), (keys[1], 110.0), (keys[2], 110.0), (keys[3], 180.0)]
        windows.append((keys[0], keys[3]))
        t = keys[3] + rest_s
    curves = [Script(k) for k in (trunk, elbow, lift, knee)]
    return (lambda s: prone(*(c(s) for c in curves))), t + 1.0, windows


def supine_bridge(lift_deg: float, feet_far: bool = False, arch_deg: float = 0.0) -> Body:
    """Lying on the back, head toward -x, knees bent with feet on the floor toward +x. lift_deg opens
    the hip: 0 = start position; arch_deg tilts the trunk further (hips above the shoulder-knee line)."""
    knee_start = 135.0 if feet_far else 95.0
    thigh0 = 40.0 if not feet_far else 22.0
    # Rotating the thigh down (toward the floor line) while the trunk rises = the hip lifting.
    # The shoulders stay on the floor: the trunk turns about them while the thighs turn about the knees.
    trunk = 180.0 + lift_deg * 0.55 + arch_deg
    thigh = thigh0 - lift_deg * 0.45 - arch_deg
    hip_height = 12.0 + TORSO * math.sin(math.radians(lift_deg * 0.55 + arch_deg))
    leg = LegPose(thigh_deg=thigh, knee_deg=knee_start, knee_bends_up=False)
    arm = ArmPose(upper_arm_deg=-10.0, elbow_deg=175.0)
    return Body((0.0, hip_height), trunk, leg, leg, arm, arm)


def supine_knee_to_chest(near_hip_deg: float, far_hip_deg: float, other_thigh_raise_deg: float = 0.0,
                         raised: str = "far") -> Body:
    """Lying on the back, head toward -x; *_hip_deg = shoulder-hip-knee angle of each leg. The resting
    leg's thigh can be raised, which lifts its foot off the floor."""

    def leg(hip_deg: float, raise_deg: float) -> LegPose:
        knee = 90.0 if hip_deg < 110 else 100.0
        return LegPose(thigh_deg=180.0 - hip_deg + raise_deg, knee_deg=knee)

    near = leg(near_hip_deg, other_thigh_raise_deg if raised == "near" else 0.0)
    far = leg(far_hip_deg, other_thigh_raise_deg if raised == "far" else 0.0)
    arm = ArmPose(upper_arm_deg=20.0, elbow_deg=120.0)
    return Body((0.0, 12.0), 180.0, near, far, arm, arm)


def long_sitting(x_px: float, knee_deg: float = 178.0, lean_deg: float = 0.0) -> Body:
    """Sitting on the floor facing +x, legs straight forward; lean_deg > 0 leans the trunk forward."""
    leg = LegPose(thigh_deg=0.0 + (180.0 - knee_deg) / 2, knee_deg=knee_deg, knee_bends_up=False)
    arm = ArmPose(upper_arm_deg=-60.0, elbow_deg=100.0)
    return Body((x_px, 14.0), 90.0 - lean_deg, leg, leg, arm, arm)


def seated_front(lean_deg: float, arms_up: bool = True, hip_tilt_deg: float = 0.0, t: float = 0.0,
                 mirrored: bool = False, width: int = 640, height: int = 480) -> Landmarks:
    """A person sitting on the floor facing the camera (front view), arms overhead, trunk leaning
    sideways by lean_deg toward their own left (negative = right)."""
    sign = -1.0 if mirrored else 1.0  # the person's left appears toward +x unless mirrored
    hip_mid = np.array([320.0, 360.0])
    hip_tilt = math.radians(hip_tilt_deg)
    half_hips = 45.0 * np.array([math.cos(hip_tilt), -math.sin(hip_tilt)])
    lean = math.radians(lean_deg)
    up = np.array([sign * math.sin(lean), -math.cos(lean)])  # image y grows downward
    across = np.array([-up[1], up[0]]) * sign  # from the person's right to their left, in the image
    shoulder_mid = hip_mid + 160.0 * up
    pts: dict[str, np.ndarray] = {"nose": shoulder_mid + 60.0 * up}
    for side, s in (("left", 1.0), ("right", -1.0)):
        shoulder = shoulder_mid + s * 60.0 * across
        elbow = shoulder + (90.0 * up + s * 15.0 * across if arms_up else 85.0 * -up + s * 20.0 * across)
        wrist = elbow + (85.0 * up if arms_up else 80.0 * -up)
        hip = hip_mid + s * sign * half_hips
        knee = hip + np.array([s * sign * 10.0, 20.0])
        ankle = knee + np.array([0.0, 30.0])
        for name, p in (("shoulder", shoulder), ("elbow", elbow), ("wrist", wrist), ("hip", hip), ("knee", knee),
                        ("ankle", ankle), ("heel", ankle), ("foot_index", ankle + np.array([0, 5.0])),
                        ("eye", pts["nose"] + s * 12 * across), ("eye_inner", pts["nose"]),
                        ("eye_outer", pts["nose"]), ("ear", pts["nose"] + s * 30 * across), ("pinky", wrist),
                        ("index", wrist), ("thumb", wrist)):
            pts[f"{side}_{name}"] = p
        pts[f"mouth_{side}"] = pts["nose"]
    arr = np.zeros((NUM_LANDMARKS, 4))
    for lm in Landmark:
        arr[lm, :2] = pts[lm.name.lower()]
        arr[lm, 3] = 0.95
    return Landmarks(arr, t, width, height)
