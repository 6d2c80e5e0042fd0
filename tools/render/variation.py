"""Deterministic per-clip variation: person, clothing, room and camera drawn from the clip's seed."""
from __future__ import annotations

import numpy as np

from tools.render.appearance import Outfit
from tools.render.body import Phenotype
from tools.render.studio import Room

SHIRTS = [(0.15, 0.30, 0.55), (0.55, 0.12, 0.14), (0.18, 0.42, 0.30), (0.75, 0.72, 0.68), (0.12, 0.12, 0.14),
          (0.55, 0.62, 0.15), (0.40, 0.22, 0.45), (0.22, 0.50, 0.62), (0.60, 0.60, 0.62), (0.80, 0.35, 0.45)]
TROUSERS = [(0.08, 0.08, 0.10), (0.15, 0.18, 0.28), (0.30, 0.30, 0.32), (0.22, 0.16, 0.12), (0.10, 0.20, 0.18),
            (0.35, 0.12, 0.18)]
HAIR = [(0.05, 0.04, 0.035), (0.16, 0.10, 0.06), (0.30, 0.20, 0.11), (0.55, 0.42, 0.25), (0.45, 0.44, 0.43),
        (0.33, 0.14, 0.07)]
SOCKS = [(0.9, 0.9, 0.88), (0.1, 0.1, 0.1), (0.5, 0.5, 0.55)]
FLOORS = [(0.55, 0.40, 0.27), (0.40, 0.28, 0.18), (0.62, 0.55, 0.45), (0.45, 0.45, 0.46)]
WALLS = [(0.78, 0.76, 0.70), (0.70, 0.74, 0.76), (0.80, 0.74, 0.66), (0.66, 0.68, 0.64), (0.74, 0.70, 0.72)]
MATS = [(0.18, 0.38, 0.42), (0.45, 0.20, 0.35), (0.20, 0.22, 0.45), (0.35, 0.45, 0.22), (0.55, 0.35, 0.18),
        (0.25, 0.25, 0.27)]
# The default anny model exposes no race blend shapes, so skin tone is purely a texture choice.
SKIN_TONES = ["light", "fair", "medium", "olive", "brown", "dark"]


def anny_age(years):
    """anny age anchors: young (25 y) at 2/3, old (90 y) at 1."""
    return 2.0 / 3.0 + (years - 25.0) / 65.0 / 3.0


def draw_person(rng):
    sex = str(rng.choice(["female", "male"]))
    years = int(rng.integers(22, 70))
    skin = str(rng.choice(SKIN_TONES))
    ph = Phenotype(
        sex=sex, age_years=years,
        gender=float(rng.uniform(0.78, 0.95) if sex == "female" else rng.uniform(0.03, 0.2)),
        age=anny_age(years), muscle=float(rng.uniform(0.3, 0.7)), weight=float(rng.uniform(0.3, 0.75)),
        height=float(rng.uniform(0.35, 0.75)), proportions=float(rng.uniform(0.35, 0.65)))
    outfit = Outfit(
        skin=skin,
        shirt=SHIRTS[rng.integers(len(SHIRTS))],
        trousers=TROUSERS[rng.integers(len(TROUSERS))],
        hair=HAIR[4] if years > 58 and rng.random() < 0.6 else HAIR[rng.integers(4)] if rng.random() < 0.8 else HAIR[5],
        long_sleeves=bool(rng.random() < 0.45),
        socks=SOCKS[rng.integers(len(SOCKS))] if rng.random() < 0.4 else None)
    return ph, outfit


def draw_room(rng, mat_center, mat_size, use_mat=True):
    light = np.array([rng.uniform(-0.6, 0.6), rng.uniform(-0.5, 0.5), -1.0])
    return Room(floor_color=FLOORS[rng.integers(len(FLOORS))], wall_color=WALLS[rng.integers(len(WALLS))],
                mat_color=MATS[rng.integers(len(MATS))], mat_center=mat_center, mat_size=mat_size,
                wall_offset=float(rng.uniform(1.0, 2.0)), light_dir=tuple(light / np.linalg.norm(light)),
                exposure=float(rng.uniform(0.72, 0.88)), use_mat=use_mat)


def draw_camera(rng, view, height_range, max_azimuth=30.0, facing_side=None):
    return {
        "view": view,
        "facing_side": facing_side or str(rng.choice(["left", "right"])),
        "azimuth_deg": round(float(rng.uniform(-max_azimuth, max_azimuth)), 1),
        "height_m": round(float(rng.uniform(*height_range)), 2),
        "distance_scale": float(rng.uniform(1.0, 1.1)),
    }
