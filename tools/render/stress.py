"""The stress set: clips whose variation factors are drawn at random per clip from a seed.

The 44 sample clips are clean studio cases. A stress clip draws, from its seed alone, the range of
motion, the tempo, the holds, whether the person starts still, where the recording starts and ends,
the camera (azimuth, height, portrait, tight framing, a limb leaving the picture), fidgeting between
repetitions and, in about a third of the clips, one of the exercise's scripted faults.

This module only draws: it is plain numpy (no torch, no anny), so the plans can be listed and tested
anywhere. `stress_render.py` builds the motion for a drawn plan, frames the camera and renders it.

Seeds: the tune set is 1000-1999, the report set 2000-2999; seed i of a set picks the exercise
round-robin (i mod 11) and draws everything else from the seed.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np

EXERCISES = ["prone_press_up", "bridge", "knee_to_chest", "butt_walk", "bird_dog", "superman", "cat_cow",
             "psoas_stretch", "seated_side_stretch", "pelvic_tilt", "lumbar_extension"]
SETS = {"tune": 1000, "report": 2000}
DEFAULT_COUNT = 3 * len(EXERCISES)
MAX_CLIP_S = 45.0
MIN_PERFORMANCE_S = 13.0  # the recording is shorter when it cuts into a repetition

ROM_RANGE = (0.5, 1.1)
# A bridge's nominal top is hips level with the shoulder-knee line: further is the over-arch fault,
# not a larger clean range.
ROM_CAP = {"bridge": 1.0}
TEMPO_RANGE = (0.5, 2.0)
AZIMUTH_MAX = 45.0
HEIGHT_RANGE = (0.1, 1.2)
CUTS = ("none", "departure", "top", "return")  # where the recording starts / ends within a repetition


@dataclass(frozen=True)
class Exercise:
    """What the stress generator may vary for one exercise.

    reps: core repetitions (holds, cycles, steps per direction) drawn in this range.
    hold: hold range in seconds (None: the exercise has no hold). A short hold is a dose note, not a
        fault; the side stretch keeps a pause of 2 s or more (under 1.5 s is its no_pause fault).
    timing: nominal phase durations of one repetition at tempo 1 (seconds).
    max_tempo: a faster lift or cycle would be the exercise's timing fault (jerky_lift, too_fast).
    faults: fault id -> the rep parameters that produce it (the magnitudes of clips.py);
        clip-level faults apply to the whole clip.
    limbs: joints that can be framed to leave the picture at the top of the movement.
    shift_axis: direction of a fidget shift ("along" the body, "across" it, None: no shift).
    """
    name: str
    reps: tuple
    hold: tuple | None
    timing: dict
    faults: dict
    clip_faults: tuple = ()
    max_tempo: float = 2.0
    limbs: tuple = ()
    shift_axis: str | None = "along"
    per_side: bool = False
    cuts: tuple = CUTS


EXERCISE_TABLE = {e.name: e for e in [
    Exercise("prone_press_up", reps=(1, 3), hold=(2.0, 15.0),
             timing=dict(up_s=2.8, down_s=2.0, rest_s=1.6), max_tempo=1.25,  # a lift under 2 s is jerky_lift
             faults={"pelvis_lift": dict(pelvis_lift_m=0.095), "knees_bent": dict(knee_flex_deg=65.0),
                     "jerky_lift": dict(up_s=0.5)}),
    Exercise("bridge", reps=(2, 6), hold=(0.5, 12.0), timing=dict(up_s=1.5, down_s=1.5, rest_s=1.0),
             faults={"over_arch": dict(over_arch_t=0.15), "feet_too_far": {}}, clip_faults=("feet_too_far",)),
    Exercise("knee_to_chest", reps=(1, 2), hold=(5.0, 30.0), timing=dict(pull_s=2.5, release_s=2.2, rest_s=2.0),
             faults={"other_foot_lifted": dict(other_foot_lift_m=0.15)}, per_side=True),
    Exercise("butt_walk", reps=(3, 7), hold=None, timing=dict(step_s=0.7, pause_s=0.22, turn_pause_s=1.2),
             faults={"knees_bent": dict(knee_flex_deg=55.0), "trunk_lean": dict(lean_back_forward_deg=35.0)},
             clip_faults=("knees_bent", "trunk_lean"), shift_axis=None, per_side=True,
             cuts=("none", "departure", "return")),
    Exercise("bird_dog", reps=(2, 6), hold=(1.0, 10.0), timing=dict(up_s=1.6, down_s=1.5, rest_s=1.2),
             faults={"leg_too_high": dict(leg_above_deg=30.0), "trunk_sag": dict(sag_deg=20.0),
                     "elbow_bent": dict(elbow_deg=130.0)},
             limbs=("wrists", "ankles"), per_side=True),
    Exercise("superman", reps=(2, 6), hold=(1.0, 10.0), timing=dict(up_s=1.5, down_s=1.5, rest_s=1.5),
             faults={"neck_cranked": dict(neck_deg=60.0), "too_high": dict(trunk_deg=40.0, hip_ext_deg=20.0),
                     "knees_bent": dict(knee_flex_deg=60.0)},
             limbs=("wrists",)),
    Exercise("cat_cow", reps=(3, 7), hold=(0.0, 2.5), timing=dict(move_s=1.1, rest_s=0.0),
             faults={"elbows_bent": dict(elbow_deg=130.0), "rocking": dict(rock_t=0.25),
                     "too_fast": dict(cycle_s=2.2, pause_s=0.15)},
             clip_faults=("elbows_bent",), shift_axis="across"),
    Exercise("psoas_stretch", reps=(1, 2), hold=(10.0, 36.0), timing=dict(in_s=2.5, out_s=2.0, rest_s=2.5),
             faults={"trunk_lean_forward": dict(lean_forward_deg=30.0), "arching_back": dict(arch_deg=22.0),
                     "knee_past_ankle": dict(shift_m=0.30)},
             shift_axis=None, per_side=True),
    Exercise("seated_side_stretch", reps=(2, 6), hold=(2.0, 8.0), timing=dict(move_s=1.6, back_s=1.5, rest_s=0.8),
             faults={"no_pause": dict(bounce=True), "arms_not_overhead": dict(arms_overhead=False),
                     "hips_lift": dict(hip_lift_deg=12.0)},
             clip_faults=("arms_not_overhead",), limbs=("wrists",), shift_axis="across", per_side=True),
    Exercise("pelvic_tilt", reps=(2, 6), hold=(1.0, 12.0), timing=dict(in_s=1.2, out_s=1.2, rest_s=2.0),
             faults={"buttocks_lift": dict(buttocks_lift_t=0.14), "feet_move": dict(feet_slide_m=0.08),
                     "head_lift": dict(head_lift_deg=30.0)}),
    Exercise("lumbar_extension", reps=(2, 7), hold=(0.5, 8.0), timing=dict(in_s=1.2, out_s=1.2, rest_s=1.2),
             faults={"whole_back_arch": dict(whole_back_deg=16.0),
                     "knees_doing_work": dict(tilt_deg=3.0, rock_back_m=0.12)},
             shift_axis="along"),
]}

# A fault that needs a longer hold to show: the bent knees ease in and out within the hold, the other
# foot lifts 6 s into the hold for 8 s.
FAULT_MIN_HOLD_S = {"knees_bent": 5.0, "other_foot_lifted": 16.0}
# Where in the cut phase the recording starts / ends (fraction of the phase's time). A repetition that does
# not count is cut where it has covered under a third of its range (eased: 27 % at 35 % of the time), so
# it is never confused with a repetition of small range.
CUT_START_FRACTIONS = {"departure": (0.25, 0.75), "top": (0.1, 0.6), "return": (0.65, 0.95)}
CUT_END_FRACTIONS = {"departure": (0.05, 0.35), "top": (0.1, 0.6), "return": (0.25, 0.75)}
FIDGET_S = {"scratch": (2.4, 3.4), "shift": (1.0, 1.6)}


@dataclass
class Fidget:
    kind: str          # scratch | shift
    after: int         # index in the rep list it follows (-1: before the first rep, the lead-in)
    duration_s: float
    arm: str = "near"  # scratch: near | far arm (relative to the camera)
    shift_m: float = 0.0
    settle: bool = False  # the movement the recording opens on (no still start)


@dataclass
class Plan:
    seed: int
    set: str
    exercise: str
    n_core: int
    reps: list            # per rep (extra cut reps included): dict of the motion script's rep parameters
    counted_hint: list    # per rep: "core" | "extra" (a rep added so that the recording can cut into it)
    rom: list             # per rep range-of-motion fraction
    rom_per_rep: bool
    tempo: float
    tempo_drawn: float
    hold_s: float | None
    fault: str | None
    fault_reps: list      # rep indices carrying the fault (clip-level faults: the reps kept at full range)
    still_start: bool
    cut_start: str
    cut_end: str
    cut_start_frac: float
    cut_end_frac: float
    settle_frac: float
    lead_in_s: float
    tail_s: float
    fidgets: list = field(default_factory=list)
    first_side: str = "left"
    # Camera
    facing_side: str = "left"
    azimuth_deg: float = 0.0
    camera_height_m: float = 0.6
    portrait: bool = False
    framing: str = "normal"      # normal | tight | limb
    tight_end: str | None = None  # head | feet
    limb: str | None = None
    distance_scale: float = 1.0
    framing_seed: int = 0

    @property
    def name(self):
        return f"{self.exercise}_s{self.seed}"

    def to_json(self):
        d = asdict(self)
        d["fidgets"] = [asdict(f) for f in self.fidgets]
        return d


def seeds(set_name, count=DEFAULT_COUNT, only=None):
    base = SETS[set_name]
    out = [base + i for i in range(min(count, 1000))]
    if only:
        names = set(only.split(","))
        unknown = names - set(EXERCISES)
        if unknown:
            raise ValueError(f"unknown exercise {sorted(unknown)}; one of {EXERCISES}")
        out = [s for s in range(base, base + 1000) if EXERCISES[(s - base) % len(EXERCISES)] in names][:count]
    return out


def subset_seeds(set_name="report"):
    """The committed subset: the set's first 11 seeds, one clip per exercise (press-up, butt walk, cat-cow
    and pelvic tilt with a fault)."""
    return seeds(set_name, len(EXERCISES))


def set_of(seed):
    for name, base in SETS.items():
        if base <= seed < base + 1000:
            return name
    raise ValueError(f"seed {seed} is in no stress set ({SETS})")


def exercise_of(seed):
    return EXERCISES[(seed - SETS[set_of(seed)]) % len(EXERCISES)]


def _u(rng, lo, hi, nd=2):
    return round(float(rng.uniform(lo, hi)), nd)


def _choice(rng, options, p=None):
    return options[int(rng.choice(len(options), p=p))]


def rep_seconds(ex: Exercise, rep: dict, plan_hold):
    """Seconds one repetition takes (its rest included), from the same parameters the script gets."""
    n = ex.name
    if n == "prone_press_up" or n == "bridge" or n == "bird_dog" or n == "superman":
        return rep["up_s"] + rep["hold_s"] + rep["down_s"] + rep["rest_s"]
    if n == "knee_to_chest":
        return rep["pull_s"] + rep["hold_s"] + rep["release_s"] + rep["rest_s"]
    if n == "cat_cow":
        return rep["cycle_s"] + rep["rest_s"]
    if n in ("psoas_stretch", "pelvic_tilt", "lumbar_extension"):
        return rep["in_s"] + rep["hold_s"] + rep["out_s"] + rep["rest_s"]
    if n == "seated_side_stretch":
        pause = 0.4 if rep.get("bounce") else rep["pause_s"]
        return rep["move_s"] + pause + rep["back_s"] + rep["rest_s"]
    if n == "butt_walk":
        return rep["step_s"] + rep["pause_s"]
    raise KeyError(n)


def _base_rep(ex: Exercise, tempo, hold, rom):
    """One clean repetition at this tempo, hold and range of motion (script parameter names)."""
    t = {k: v / tempo for k, v in ex.timing.items()}
    n = ex.name
    if n == "prone_press_up":
        return dict(up_s=t["up_s"], down_s=t["down_s"], rest_s=t["rest_s"], hold_s=hold, incline_deg=40.0 * rom)
    if n == "bridge":
        return dict(up_s=t["up_s"], down_s=t["down_s"], rest_s=t["rest_s"], hold_s=hold, rom=rom)
    if n == "knee_to_chest":
        return dict(pull_s=t["pull_s"], release_s=t["release_s"], rest_s=t["rest_s"], hold_s=hold, reach=rom)
    if n == "butt_walk":
        return dict(step_s=t["step_s"], pause_s=t["pause_s"], scale=rom)
    if n == "bird_dog":
        return dict(up_s=t["up_s"], down_s=t["down_s"], rest_s=t["rest_s"], hold_s=hold, reach=rom)
    if n == "superman":
        return dict(up_s=t["up_s"], down_s=t["down_s"], rest_s=t["rest_s"], hold_s=hold,
                    trunk_deg=14.0 * rom, hip_ext_deg=8.0 * rom)
    if n == "cat_cow":
        return dict(cycle_s=4 * t["move_s"] + 2 * hold, pause_s=hold, depth_deg=30.0 * rom, rest_s=0.0)
    if n == "psoas_stretch":
        return dict(in_s=t["in_s"], out_s=t["out_s"], rest_s=t["rest_s"], hold_s=hold, shift_m=0.12 * rom)
    if n == "seated_side_stretch":
        return dict(move_s=t["move_s"], back_s=t["back_s"], rest_s=t["rest_s"], pause_s=hold, angle_deg=24.0 * rom)
    if n == "pelvic_tilt":
        return dict(in_s=t["in_s"], out_s=t["out_s"], rest_s=t["rest_s"], hold_s=hold, tilt_deg=10.0 * rom)
    if n == "lumbar_extension":
        return dict(in_s=t["in_s"], out_s=t["out_s"], rest_s=t["rest_s"], hold_s=hold, tilt_deg=9.0 * rom)
    raise KeyError(n)


def _apply_tempo_limit(ex: Exercise, tempo, hold):
    """The tempo actually used: capped where a faster movement would be the exercise's timing fault."""
    tempo = min(tempo, ex.max_tempo)
    if ex.name == "cat_cow":
        # A cycle under 4 s is `too_fast`: keep clean cycles at 4.4 s or more.
        move = ex.timing["move_s"]
        tempo = min(tempo, 4 * move / max(4.4 - 2 * hold, 0.1))
    return round(tempo, 2)


def draw_plan(seed) -> Plan:
    set_name = set_of(seed)
    ex = EXERCISE_TABLE[exercise_of(seed)]
    rng = np.random.default_rng([seed, 7])

    # --- motion factors ---------------------------------------------------------------------------
    n_core = int(rng.integers(ex.reps[0], ex.reps[1] + 1))
    rom_per_rep = bool(rng.random() < 0.5)
    rom_clip = _u(rng, *ROM_RANGE)
    tempo_drawn = round(float(np.exp(rng.uniform(np.log(TEMPO_RANGE[0]), np.log(TEMPO_RANGE[1])))), 2)
    hold = _u(rng, *ex.hold, nd=1) if ex.hold else None
    tempo = _apply_tempo_limit(ex, tempo_drawn, hold or 0.0)
    # A third of the clips have a fault: in each round of 11 seeds (one per exercise) every third exercise,
    # shifted by one each round, so 33 seeds give every exercise one faulty clip.
    k = seed - SETS[set_name]
    faulty = (k // len(EXERCISES) + k % len(EXERCISES)) % 3 == 0
    fault = _choice(rng, sorted(ex.faults)) if faulty else None

    cut_p = [0.6] + [0.4 / (len(ex.cuts) - 1)] * (len(ex.cuts) - 1)
    cut_start = _choice(rng, list(ex.cuts), cut_p)
    cut_end = _choice(rng, list(ex.cuts), cut_p)
    still_start = cut_start == "none" and bool(rng.random() < 0.65)
    if ex.name == "butt_walk":
        # Steps: the recording cuts into the first forward or the last backward step.
        if n_core == 1:
            n_core = 2
    elif n_core == 1 and cut_start in ("departure", "top") and cut_end in ("top", "return"):
        # One repetition cut at both ends would have neither its departure nor its return recorded.
        n_core = 2
    cut_start_frac = _u(rng, *CUT_START_FRACTIONS.get(cut_start, (0, 0)), nd=3)
    cut_end_frac = _u(rng, *CUT_END_FRACTIONS.get(cut_end, (0, 0)), nd=3)
    first_side = _choice(rng, ["left", "right"])

    fidget_on = bool(rng.random() < 0.4)
    fidget_kinds = ["scratch"] + (["shift"] if ex.shift_axis else [])
    settle_kind = _choice(rng, fidget_kinds)
    settle_s = _u(rng, *FIDGET_S[settle_kind])
    settle_frac = _u(rng, 0.2, 0.6, nd=3)  # how far into the settling movement the recording starts
    fidget_draws = [(_choice(rng, fidget_kinds), float(rng.random()), float(rng.random()), float(rng.random()))
                    for _ in range(2)]
    n_fidgets = int(rng.integers(1, 3))
    lead_in_s = _u(rng, 1.5, 3.0)
    tail_s = _u(rng, 1.2, 2.5)

    # --- camera factors ---------------------------------------------------------------------------
    facing_side = _choice(rng, ["left", "right"])
    azimuth = _u(rng, -AZIMUTH_MAX, AZIMUTH_MAX, nd=1)
    height = _u(rng, *HEIGHT_RANGE)
    portrait = bool(rng.random() < 0.3)
    r = rng.random()
    if ex.limbs:  # the few exercises with a limb to frame out draw it more often
        framing = "normal" if r < 0.3 else "tight" if r < 0.5 else "limb"
    else:
        framing = "normal" if r < 0.5 else "tight" if r < 0.75 else "normal"
    tight_end = _choice(rng, ["head", "feet"])
    limb = _choice(rng, list(ex.limbs)) if ex.limbs else None
    distance_scale = _u(rng, 1.0, 1.15)
    framing_seed = int(rng.integers(1 << 30))
    rom_draws = [_u(rng, *ROM_RANGE) for _ in range(40)]
    fault_pick = rng.permutation(40).tolist()
    n_fault_reps = int(rng.integers(1, 3))

    # --- repetitions --------------------------------------------------------------------------------
    extra_first = cut_start == "return"   # the recording opens on the return of a repetition it does not count
    extra_last = cut_end == "departure"   # ... or ends as one starts
    if ex.name == "butt_walk":
        extra_first = extra_last = False  # the walk has steps to spare

    def build(n_total, hold):
        cap = ROM_CAP.get(ex.name, ROM_RANGE[1])
        rom = [min(rom_draws[i] if rom_per_rep else rom_clip, cap) for i in range(n_total)]
        reps = [_base_rep(ex, tempo, hold, rom[i]) for i in range(n_total)]
        if "rest_s" in reps[-1]:
            reps[-1]["rest_s"] = 0.0  # the clip's tail is the rest after the last repetition
        return rom, reps

    def performance_s(reps):
        total = lead_in_s + sum(rep_seconds(ex, r, hold) for r in reps) + tail_s
        if ex.name == "butt_walk":
            total += ex.timing["turn_pause_s"] / tempo
        total += settle_s if cut_start == "none" and not still_start else 0.0
        return total + (max(FIDGET_S["scratch"]) + 0.6) * (n_fidgets if fidget_on else 0)

    def reps_for(n_core):
        return n_core + extra_first + extra_last if ex.name != "butt_walk" else 2 * n_core

    # At least MIN_PERFORMANCE_S (quick steps at a fast tempo): more repetitions.
    while performance_s(build(reps_for(n_core), hold)[1]) < MIN_PERFORMANCE_S and n_core < ex.reps[1] + 3:
        n_core += 1
    # At most MAX_CLIP_S: fewer repetitions first, then a shorter hold.
    while True:
        rom, reps = build(reps_for(n_core), hold)
        if performance_s(reps) <= MAX_CLIP_S:
            break
        if n_core > 1:
            n_core -= 1
        elif hold is not None and hold > (ex.hold[0] if ex.hold else 0):
            hold = round(max(hold - 1.0, ex.hold[0]), 1)
        else:
            break
    n_total = reps_for(n_core)
    hint = ["extra"] * extra_first + ["core"] * n_core + ["extra"] * extra_last

    # Which repetitions carry the fault: core reps wholly inside the recording.
    core = [i for i, h in enumerate(hint) if h == "core"]
    if ex.name == "butt_walk":
        core = list(range(len(reps)))
    inside = list(core)
    if cut_start in ("departure", "top") and inside:
        inside = inside[1:]
    if cut_end in ("top", "return") and inside:
        inside = inside[:-1]
    if not inside:
        inside = core
    fault_reps = []
    if fault:
        order = [i for i in fault_pick if i in inside]
        fault_reps = sorted(order[:min(n_fault_reps, len(order))])
        params = dict(ex.faults[fault])
        if fault in ex.clip_faults:
            for rep in reps:
                rep.update(params)
        for i in fault_reps:
            # The faulty repetitions move through the full range, so the fault is clearly there.
            rom[i] = 1.0
            full = _base_rep(ex, tempo, max(hold or 0.0, FAULT_MIN_HOLD_S.get(fault, 0.0)), 1.0)
            full.pop("rest_s", None)
            reps[i].update(full)
            reps[i].update(params)
    # --- fidgets ------------------------------------------------------------------------------------
    fidgets = []
    if not still_start and cut_start == "none":
        fidgets.append(Fidget(settle_kind, -1, settle_s, arm=_choice(rng, ["near", "far"]),
                              shift_m=_u(rng, 0.04, 0.08) * _choice(rng, [-1, 1]), settle=True))
    if fidget_on:
        # Slots: the rests between core repetitions inside the recording (a lone hold: before or after it).
        slots = [i for i in core[:-1] if i + 1 in core]
        if ex.name == "butt_walk":
            slots = [n_core - 1]  # the pause where the walk turns round
        if not slots and still_start and cut_start == "none":
            slots = [-1]
        if not slots and cut_end == "none":
            slots = [core[-1]]
        order = list(dict.fromkeys(int(s) for s in rng.permutation(slots))) if slots else []
        for k, after in enumerate(order[:n_fidgets]):
            kind, a, b, _ = fidget_draws[k]
            lo, hi = FIDGET_S[kind]
            fidgets.append(Fidget(kind, after, round(lo + a * (hi - lo), 2), arm="near" if b < 0.6 else "far",
                                  shift_m=round((0.04 + 0.04 * b) * (1 if a < 0.5 else -1), 3)))
    return Plan(seed=seed, set=set_name, exercise=ex.name, n_core=n_core, reps=reps, counted_hint=hint, rom=rom,
                rom_per_rep=rom_per_rep, tempo=tempo, tempo_drawn=tempo_drawn, hold_s=hold, fault=fault,
                fault_reps=fault_reps, still_start=still_start, cut_start=cut_start, cut_end=cut_end,
                cut_start_frac=cut_start_frac, cut_end_frac=cut_end_frac, settle_frac=settle_frac,
                lead_in_s=lead_in_s, tail_s=tail_s,
                fidgets=fidgets, first_side=first_side, facing_side=facing_side, azimuth_deg=azimuth,
                camera_height_m=height, portrait=portrait, framing=framing,
                tight_end=tight_end if framing == "tight" else None, limb=limb if framing == "limb" else None,
                distance_scale=distance_scale, framing_seed=framing_seed)
