"""The sample clip catalogue: one entry per clip, with its seed, camera range and scripted faults."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from tools.render.motions.bridge import Bridge, Rep as BridgeRep
from tools.render.motions.butt_walk import ButtWalk, WalkSpec
from tools.render.motions.knee_to_chest import Hold as KneeHold, KneeToChest
from tools.render.motions.prone_press_up import PronePressUp, Rep as PressRep


@dataclass
class ClipSpec:
    name: str
    exercise: str
    description: str
    seed: int
    build: Callable  # (poser, floor_z) -> Script
    view: str = "side"
    camera_height: tuple = (0.4, 0.7)
    max_azimuth: float = 30.0
    min_distance: float = 2.0
    use_mat: bool = True
    mat_along_y: bool = True


def _bridge(reps, knee_top_deg=95.0):
    return lambda poser, floor: Bridge(poser, reps, knee_top_deg=knee_top_deg, floor_z=floor)


def _knee(holds):
    return lambda poser, floor: KneeToChest(poser, holds, floor_z=floor)


def _walk(spec):
    return lambda poser, floor: ButtWalk(poser, spec, floor_z=floor)


def _press(reps):
    return lambda poser, floor: PronePressUp(poser, reps, floor_z=floor)


CLIPS = [
    ClipSpec("prone_press_up_clean", "prone_press_up", "3 clean press-ups, 10 s holds", 101,
             _press([PressRep(), PressRep(up_s=2.6), PressRep(up_s=3.0)]), camera_height=(0.4, 0.6)),
    ClipSpec("prone_press_up_pelvis_lift", "prone_press_up",
             "2 press-ups; in rep 2 the hips rise ~9 cm off the floor during the press and hold", 102,
             _press([PressRep(), PressRep(pelvis_lift_m=0.095)]), camera_height=(0.4, 0.6)),
    ClipSpec("prone_press_up_knees_bent", "prone_press_up",
             "2 press-ups; in rep 2 the knees bend to ~115 deg and the feet lift during the hold", 103,
             _press([PressRep(), PressRep(knee_flex_deg=65.0)]), camera_height=(0.4, 0.6)),
    ClipSpec("prone_press_up_jerky", "prone_press_up", "2 press-ups; rep 1 normal, rep 2 jerks up in 0.5 s", 104,
             _press([PressRep(), PressRep(up_s=0.5)]), camera_height=(0.4, 0.6)),
    ClipSpec("prone_press_up_short_hold", "prone_press_up", "2 press-ups with 4 s holds", 105,
             _press([PressRep(hold_s=4.0), PressRep(hold_s=4.0)]), camera_height=(0.4, 0.6)),
    ClipSpec("prone_press_up_partial", "prone_press_up",
             "1 full press-up, 1 partial attempt (~9 deg incline on bent elbows), 1 full press-up", 106,
             _press([PressRep(), PressRep(partial=True, incline_deg=9.0, up_s=1.8, hold_s=1.0, down_s=1.5),
                     PressRep()]), camera_height=(0.4, 0.6)),
    ClipSpec("bridge_clean", "bridge", "5 clean bridges, 3 s holds, knee ~95 deg at the top", 201,
             _bridge([BridgeRep(up_s=1.5 + 0.1 * (i % 3)) for i in range(5)]), camera_height=(0.4, 0.7)),
    ClipSpec("bridge_feet_too_far", "bridge", "4 bridges with the feet far out: knee ~140 deg at the top", 202,
             _bridge([BridgeRep() for _ in range(4)], knee_top_deg=140.0), camera_height=(0.4, 0.7)),
    ClipSpec("bridge_over_arch", "bridge",
             "4 bridges; reps 3-4 push the hips ~0.15 T above the shoulder-knee line (lumbar hyperextension)", 203,
             _bridge([BridgeRep(), BridgeRep(), BridgeRep(over_arch_t=0.15), BridgeRep(over_arch_t=0.15)]),
             camera_height=(0.4, 0.7)),
    ClipSpec("bridge_partial", "bridge", "2 full bridges, 2 partial lifts (hip angle ~147 deg), 1 full bridge", 204,
             _bridge([BridgeRep(), BridgeRep(), BridgeRep(hip_angle=147.0, partial=True),
                      BridgeRep(hip_angle=147.0, partial=True), BridgeRep()]), camera_height=(0.4, 0.7)),
    ClipSpec("knee_to_chest_clean", "knee_to_chest", "left, right, left, right knee pulled to the chest, 20 s holds",
             301, _knee([KneeHold("left"), KneeHold("right"), KneeHold("left", hip_angle=55.0),
                         KneeHold("right", hip_angle=59.0)]), camera_height=(0.45, 0.8)),
    ClipSpec("knee_to_chest_other_foot_lifted", "knee_to_chest",
             "left then right 20 s holds; during the right hold the resting (left) foot lifts ~15 cm for ~8 s", 302,
             _knee([KneeHold("left"), KneeHold("right", other_foot_lift_m=0.15)]), camera_height=(0.45, 0.8)),
    ClipSpec("knee_to_chest_short_hold", "knee_to_chest", "left then right holds of only 7 s (target 20 s)", 303,
             _knee([KneeHold("left", hold_s=7.0), KneeHold("right", hold_s=7.0)]), camera_height=(0.45, 0.8)),
    ClipSpec("butt_walk_clean", "butt_walk", "6 hip-shift steps forward, then 6 backward; knees straight, trunk upright",
             401, _walk(WalkSpec()), camera_height=(0.5, 0.9), max_azimuth=15.0, min_distance=2.6, mat_along_y=True),
    ClipSpec("butt_walk_knees_bent", "butt_walk", "6 + 6 steps with the knees bent to ~125 deg throughout", 402,
             _walk(WalkSpec(knee_flex_deg=55.0)), camera_height=(0.5, 0.9), max_azimuth=15.0, min_distance=2.6),
    ClipSpec("butt_walk_trunk_lean", "butt_walk",
             "6 forward steps slumped, trunk reclined ~35 deg behind vertical; 6 backward steps upright", 403,
             _walk(WalkSpec(lean_back_forward_deg=35.0)), camera_height=(0.5, 0.9), max_azimuth=15.0,
             min_distance=2.6),
]


def by_name():
    return {c.name: c for c in CLIPS}
