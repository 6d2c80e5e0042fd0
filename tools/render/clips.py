"""The sample clip catalogue: one entry per clip, with its seed, camera range and scripted faults."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from tools.render.motions.bird_dog import BirdDog, Rep as BirdRep
from tools.render.motions.bridge import Bridge, Rep as BridgeRep
from tools.render.motions.cat_cow import CatCow, Cycle
from tools.render.motions.lumbar_extension import LumbarExtension, Rep as LumbarRep
from tools.render.motions.butt_walk import ButtWalk, WalkSpec
from tools.render.motions.knee_to_chest import Hold as KneeHold, KneeToChest
from tools.render.motions.pelvic_tilt import PelvicTilt, Rep as TiltRep
from tools.render.motions.prone_press_up import PronePressUp, Rep as PressRep
from tools.render.motions.psoas_stretch import Hold as PsoasHold, PsoasStretch
from tools.render.motions.seated_side_stretch import Bend, SeatedSideStretch
from tools.render.motions.superman import Rep as SupermanRep, Superman


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
    facing_side: str | None = None  # force which side of the person faces the camera (None = seeded)
    # Mat length = max(mat_min_len, body extent over the clip + mat_margin). The prone press-up clips were
    # rendered with the first, slightly shorter mat; their values keep `make samples` reproducing them.
    mat_min_len: float = 1.9
    mat_margin: float = 0.4
    # Picture size. The subtle exercises (pelvic tilt, lumbar extension) are filmed close at 1280x720,
    # as people film them, with the same horizontal field of view (about 60 degrees).
    size: tuple = (640, 480)


def _script(script_class):
    """A clip's motion factory: the exercise script, built for the clip's body and floor height."""
    def factory(*args, **kw):
        return lambda poser, floor: script_class(poser, *args, floor_z=floor, **kw)
    return factory


def _alternate(rep_class, n, **kw):
    """n repetitions on alternating sides, left first."""
    return [rep_class(side="left" if i % 2 == 0 else "right", **kw) for i in range(n)]


_press = _script(PronePressUp)
_bridge = _script(Bridge)
_knee = _script(KneeToChest)
_walk = _script(ButtWalk)
_bird = _script(BirdDog)
_superman = _script(Superman)
_catcow = _script(CatCow)
_lumbar = _script(LumbarExtension)
_tilt = _script(PelvicTilt)
_psoas = _script(PsoasStretch)
_side = _script(SeatedSideStretch)


PRESS_MAT = dict(mat_min_len=1.85, mat_margin=0.25)
# The subtle exercises are filmed close: 1280x720 with the whole movement filling most of the width.
CLOSE = dict(size=(1280, 720), min_distance=1.0)


CLIPS = [
    ClipSpec("prone_press_up_clean", "prone_press_up", "3 clean press-ups, 10 s holds", 101,
             _press([PressRep(), PressRep(up_s=2.6), PressRep(up_s=3.0)]), camera_height=(0.4, 0.6), **PRESS_MAT),
    ClipSpec("prone_press_up_pelvis_lift", "prone_press_up",
             "2 press-ups; in rep 2 the hips rise ~9 cm off the floor during the press and hold", 102,
             _press([PressRep(), PressRep(pelvis_lift_m=0.095)]), camera_height=(0.4, 0.6), **PRESS_MAT),
    ClipSpec("prone_press_up_knees_bent", "prone_press_up",
             "2 press-ups; in rep 2 the knees bend to ~115 deg and the feet lift during the hold", 103,
             _press([PressRep(), PressRep(knee_flex_deg=65.0)]), camera_height=(0.4, 0.6), **PRESS_MAT),
    ClipSpec("prone_press_up_jerky", "prone_press_up", "2 press-ups; rep 1 normal, rep 2 jerks up in 0.5 s", 104,
             _press([PressRep(), PressRep(up_s=0.5)]), camera_height=(0.4, 0.6), **PRESS_MAT),
    ClipSpec("prone_press_up_short_hold", "prone_press_up", "2 press-ups with 4 s holds", 105,
             _press([PressRep(hold_s=4.0), PressRep(hold_s=4.0)]), camera_height=(0.4, 0.6), **PRESS_MAT),
    ClipSpec("prone_press_up_partial", "prone_press_up",
             "1 full press-up, 1 partial attempt (~9 deg incline on bent elbows), 1 full press-up", 106,
             _press([PressRep(), PressRep(partial=True, incline_deg=9.0, up_s=1.8, hold_s=1.0, down_s=1.5),
                     PressRep()]), camera_height=(0.4, 0.6), **PRESS_MAT),
    ClipSpec("bridge_clean", "bridge", "5 clean bridges, 3 s holds, knee ~95 deg at the top", 201,
             _bridge([BridgeRep(up_s=1.5 + 0.1 * (i % 3)) for i in range(5)]), camera_height=(0.4, 0.7)),
    ClipSpec("bridge_feet_too_far", "bridge", "4 bridges with the feet far out: knee ~140 deg at the top", 202,
             _bridge([BridgeRep() for _ in range(4)], knee_top_deg=140.0), camera_height=(0.4, 0.7)),
    ClipSpec("bridge_over_arch", "bridge",
             "4 bridges; reps 3-4 push the hips ~0.15 T above the shoulder-knee line (lumbar hyperextension)", 203,
             _bridge([BridgeRep(), BridgeRep(), BridgeRep(over_arch_t=0.15), BridgeRep(over_arch_t=0.15)]),
             camera_height=(0.4, 0.7)),
    ClipSpec("bridge_partial", "bridge", "2 full bridges, 2 partial lifts (hip angle ~147 deg), 1 full bridge", 204,
             # The lower lifts are repetitions with a short range (more than half the lift), not partials.
             _bridge([BridgeRep(), BridgeRep(), BridgeRep(hip_angle=147.0),
                      BridgeRep(hip_angle=147.0), BridgeRep()]), camera_height=(0.4, 0.7)),
    ClipSpec("knee_to_chest_clean", "knee_to_chest", "left, right, left, right knee pulled to the chest, 20 s holds",
             301, _knee([KneeHold("left"), KneeHold("right"), KneeHold("left", hip_angle=55.0),
                         KneeHold("right", hip_angle=59.0)]), camera_height=(0.45, 0.8)),
    ClipSpec("knee_to_chest_other_foot_lifted", "knee_to_chest",
             "left then right 20 s holds; during the right hold the resting (left) foot lifts ~15 cm for ~8 s", 302,
             _knee([KneeHold("left"), KneeHold("right", other_foot_lift_m=0.15)]), camera_height=(0.45, 0.8),
             # Filmed from the side of the faulty hold's pulled knee, as the spec's placement advice asks:
             # from the other side the raised near leg hides the pulled knee completely.
             facing_side="right"),
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
    # --- phase 2 ---
    ClipSpec("bird_dog_clean", "bird_dog", "6 bird-dogs alternating sides (side = lifted leg), 3 s holds", 501,
             _bird(_alternate(BirdRep, 6)), camera_height=(0.5, 0.9), max_azimuth=25.0),
    ClipSpec("bird_dog_leg_too_high", "bird_dog", "4 bird-dogs; reps 3-4 lift the leg ~30 deg above horizontal",
             502, _bird(_alternate(BirdRep, 2) + _alternate(BirdRep, 2, leg_above_deg=30.0)),
             camera_height=(0.5, 0.9), max_azimuth=25.0),
    ClipSpec("bird_dog_trunk_sag", "bird_dog", "4 bird-dogs; reps 3-4 let the trunk sag (~20 deg lumbar extension)",
             503, _bird(_alternate(BirdRep, 2) + _alternate(BirdRep, 2, sag_deg=20.0)),
             camera_height=(0.5, 0.9), max_azimuth=25.0),
    ClipSpec("bird_dog_elbow_bent", "bird_dog", "4 bird-dogs; reps 3-4 with the supporting elbow bent to ~130 deg",
             504, _bird(_alternate(BirdRep, 2) + _alternate(BirdRep, 2, elbow_deg=130.0)),
             camera_height=(0.5, 0.9), max_azimuth=25.0),
    ClipSpec("superman_clean", "superman", "5 supermans: chest, arms and legs a little off the floor, 3 s holds", 601,
             _superman([SupermanRep() for _ in range(5)]), camera_height=(0.4, 0.7)),
    ClipSpec("superman_neck_cranked", "superman",
             "4 supermans; reps 3-4 crank the head back ~60 deg, chin up, the face looking forward", 602,
             _superman([SupermanRep(), SupermanRep(), SupermanRep(neck_deg=60.0), SupermanRep(neck_deg=60.0)]),
             camera_height=(0.4, 0.7)),
    ClipSpec("superman_too_high", "superman", "4 supermans; reps 3-4 lift far too high (trunk ~35 deg, legs ~20 deg)",
             603, _superman([SupermanRep(), SupermanRep(), SupermanRep(trunk_deg=40.0, hip_ext_deg=20.0),
                             SupermanRep(trunk_deg=40.0, hip_ext_deg=20.0)]), camera_height=(0.4, 0.7)),
    ClipSpec("superman_knees_bent", "superman", "4 supermans; reps 3-4 bend the knees ~60 deg in the hold", 604,
             _superman([SupermanRep(), SupermanRep(), SupermanRep(knee_flex_deg=60.0),
                        SupermanRep(knee_flex_deg=60.0)]), camera_height=(0.4, 0.7)),
    ClipSpec("superman_jerky", "superman", "4 supermans; reps 3-4 jerk up in 0.4 s", 605,
             _superman([SupermanRep(), SupermanRep(), SupermanRep(up_s=0.4), SupermanRep(up_s=0.4)]),
             camera_height=(0.4, 0.7)),
    ClipSpec("cat_cow_clean", "cat_cow", "5 slow cat-cow cycles (~5.6 s each)", 701,
             _catcow([Cycle() for _ in range(5)]), camera_height=(0.5, 0.9), max_azimuth=25.0),
    ClipSpec("cat_cow_elbows_bent", "cat_cow", "4 cycles with the elbows bent to ~130 deg throughout", 702,
             _catcow([Cycle(elbow_deg=130.0) for _ in range(4)]), camera_height=(0.5, 0.9), max_azimuth=25.0),
    ClipSpec("cat_cow_rocking", "cat_cow",
             "4 cycles; cycles 3-4 rock the body forward and back (~0.25 T each way)", 703,
             _catcow([Cycle(), Cycle(), Cycle(rock_t=0.25), Cycle(rock_t=0.25)]), camera_height=(0.5, 0.9),
             max_azimuth=25.0),
    ClipSpec("cat_cow_too_fast", "cat_cow", "2 slow cycles, then 4 fast cycles of ~2.2 s", 704,
             _catcow([Cycle(), Cycle()] + [Cycle(cycle_s=2.2, pause_s=0.15) for _ in range(4)]),
             camera_height=(0.5, 0.9), max_azimuth=25.0),
    ClipSpec("psoas_stretch_clean", "psoas_stretch", "one 30 s half-kneeling hip-flexor stretch, left knee down",
             801, _psoas([PsoasHold()], "left"), camera_height=(0.6, 1.0), max_azimuth=20.0,
             facing_side="left"),
    ClipSpec("psoas_stretch_trunk_lean_forward", "psoas_stretch",
             "30 s stretch with the trunk leaning ~30 deg forward (right knee down)", 802,
             _psoas([PsoasHold(lean_forward_deg=30.0)], "right"), camera_height=(0.6, 1.0),
             max_azimuth=20.0, facing_side="right"),
    ClipSpec("psoas_stretch_arching_back", "psoas_stretch",
             "30 s stretch leaning back with the low back arched (~20 deg), left knee down", 803,
             _psoas([PsoasHold(arch_deg=22.0)], "left"), camera_height=(0.6, 1.0), max_azimuth=20.0,
             facing_side="left"),
    ClipSpec("psoas_stretch_knee_past_ankle", "psoas_stretch",
             "30 s stretch lunging so far that the front knee passes the ankle (shin ~35 deg), right knee down",
             804, _psoas([PsoasHold(shift_m=0.30)], "right"), camera_height=(0.6, 1.0), max_azimuth=20.0,
             facing_side="right"),
    ClipSpec("seated_side_stretch_clean", "seated_side_stretch",
             "front view, seated, arms overhead: 6 side bends alternating left/right, 4 s pause at end range", 901,
             _side(_alternate(Bend, 6)), view="front", camera_height=(0.8, 1.1), max_azimuth=12.0, use_mat=False),
    ClipSpec("seated_side_stretch_no_pause", "seated_side_stretch",
             "2 paused side bends, then 2 bouncing at end range without a pause", 902,
             _side(_alternate(Bend, 2) + _alternate(Bend, 2, bounce=True)), view="front", camera_height=(0.8, 1.1),
             max_azimuth=12.0, use_mat=False),
    ClipSpec("seated_side_stretch_arms_not_overhead", "seated_side_stretch",
             "4 side bends with the hands resting on the thighs instead of overhead", 903,
             _side(_alternate(Bend, 4, arms_overhead=False)), view="front", camera_height=(0.8, 1.1), max_azimuth=12.0,
             use_mat=False),
    ClipSpec("seated_side_stretch_hips_lift", "seated_side_stretch",
             "2 good side bends, then 2 where the opposite hip lifts off the seat (~12 deg pelvis tilt)", 904,
             _side(_alternate(Bend, 2) + _alternate(Bend, 2, hip_lift_deg=12.0)), view="front", camera_height=(0.8, 1.1),
             max_azimuth=12.0, use_mat=False),
    ClipSpec("pelvic_tilt_clean", "pelvic_tilt",
             "5 posterior pelvic tilts (hands resting on the belly), 5 s holds, filmed close", 1001,
             _tilt([TiltRep() for _ in range(5)]), camera_height=(0.4, 0.7), **CLOSE),
    ClipSpec("pelvic_tilt_buttocks_lift", "pelvic_tilt", "4 reps; reps 3-4 lift the buttocks off the floor (~0.14 T)",
             1002, _tilt([TiltRep()] * 2 + [TiltRep(buttocks_lift_t=0.14)] * 2), camera_height=(0.4, 0.7), **CLOSE),
    ClipSpec("pelvic_tilt_feet_move", "pelvic_tilt", "5 reps; during reps 3-4 the feet slide ~16 cm away from the hips, then are put back",
             1003, _tilt([TiltRep()] * 2 + [TiltRep(feet_slide_m=0.08)] * 2 + [TiltRep()]),
             camera_height=(0.4, 0.7), **CLOSE),
    ClipSpec("pelvic_tilt_head_lift", "pelvic_tilt", "4 reps; reps 3-4 curl the head and shoulders up", 1004,
             _tilt([TiltRep()] * 2 + [TiltRep(head_lift_deg=30.0)] * 2), camera_height=(0.4, 0.7), **CLOSE),
    ClipSpec("lumbar_extension_clean", "lumbar_extension",
             "8 small anterior pelvic tilts on all fours (the low back dips), 3 s holds, filmed close", 1101,
             _lumbar([LumbarRep() for _ in range(8)]), camera_height=(0.5, 0.9), max_azimuth=20.0, **CLOSE),
    ClipSpec("lumbar_extension_whole_back_arch", "lumbar_extension",
             "5 reps; reps 3-5 arch the whole back (chest and head rise, ~15 deg)", 1102,
             _lumbar([LumbarRep()] * 2 + [LumbarRep(whole_back_deg=16.0)] * 3), camera_height=(0.5, 0.9),
             max_azimuth=20.0, **CLOSE),
    ClipSpec("lumbar_extension_knees_doing_work", "lumbar_extension",
             "5 reps; reps 3-5 rock the hips back over the heels instead (knees bend ~20 deg more)", 1103,
             _lumbar([LumbarRep()] * 2 + [LumbarRep(tilt_deg=3.0, rock_back_m=0.12)] * 3),
             camera_height=(0.5, 0.9), max_azimuth=20.0, **CLOSE),
]


def by_name():
    return {c.name: c for c in CLIPS}
