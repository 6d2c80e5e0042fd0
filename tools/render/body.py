"""The anny body: loading, phenotype, posing by world segment directions, surface regions.

Posing convention. Every bone gets a world rotation G relative to its rest orientation
(anny's "world-orient" parameterisation then receives D = G R_rest). A motion script does not
set 104 bones by hand: it sets a few segments (spine, limbs, head) by a target direction and the
person's "left" vector in world axes, and every other bone inherits its parent's rotation, so
fingers and toes follow their hand or foot rigidly.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from tools.render import paths

paths.configure_caches()

import torch  # noqa: E402  (caches must be configured before torch/anny/warp load)
import anny  # noqa: E402

# Segments a motion script can aim: name -> (bone whose head starts it, bone whose head ends it).
# The chain bones in between get the same rotation (upperarm02 is a twist bone, etc.).
SEGMENTS = {
    "pelvis": (["root", "pelvis.L", "pelvis.R"], None, None),
    "spine_low": (["spine05", "spine04"], "spine05", "spine03"),
    "spine_mid": (["spine03", "spine02"], "spine03", "spine01"),
    "chest": (["spine01", "clavicle.L", "clavicle.R", "shoulder01.L", "shoulder01.R"], "spine01", "neck01"),
    "neck": (["neck01", "neck02", "neck03"], "neck01", "head"),
    "head": (["head", "eye.L", "eye.R"], None, None),
}
for _s in ("L", "R"):
    SEGMENTS.update({
        f"thigh.{_s}": ([f"upperleg01.{_s}", f"upperleg02.{_s}"], f"upperleg01.{_s}", f"lowerleg01.{_s}"),
        f"shin.{_s}": ([f"lowerleg01.{_s}", f"lowerleg02.{_s}"], f"lowerleg01.{_s}", f"foot.{_s}"),
        f"foot.{_s}": ([f"foot.{_s}"], f"foot.{_s}", f"toe3-1.{_s}"),
        f"upperarm.{_s}": ([f"upperarm01.{_s}", f"upperarm02.{_s}"], f"upperarm01.{_s}", f"lowerarm01.{_s}"),
        f"forearm.{_s}": ([f"lowerarm01.{_s}", f"lowerarm02.{_s}"], f"lowerarm01.{_s}", f"wrist.{_s}"),
        f"hand.{_s}": ([f"wrist.{_s}"], f"wrist.{_s}", f"finger3-1.{_s}"),
    })

COCO_TO_OUTPUT = [
    "nose", "left_shoulder", "right_shoulder", "left_elbow", "right_elbow", "left_wrist", "right_wrist",
    "left_hip", "right_hip", "left_knee", "right_knee", "left_ankle", "right_ankle",
    "left_heel", "right_heel", "left_foot_index", "right_foot_index",
]


def _unit(v):
    v = np.asarray(v, dtype=np.float64)
    return v / np.linalg.norm(v)


def frame_from(direction, left):
    """Orthonormal frame [d, l, d x l] with l made perpendicular to d."""
    d = _unit(direction)
    l = np.asarray(left, dtype=np.float64)
    l = _unit(l - np.dot(l, d) * d)
    return np.stack([d, l, np.cross(d, l)], axis=1)


def rotation_between_frames(rest_dir, rest_left, dir_, left):
    return frame_from(dir_, left) @ frame_from(rest_dir, rest_left).T


@dataclass
class Phenotype:
    sex: str  # "female" | "male"
    age_years: int
    gender: float  # anny: 0 male .. 1 female
    age: float  # anny age parameter (0.5 ~ 25 y, 1.0 ~ 90 y)
    muscle: float
    weight: float
    height: float
    proportions: float

    def kwargs(self):
        k = dict(gender=self.gender, age=self.age, muscle=self.muscle, weight=self.weight,
                 height=self.height, proportions=self.proportions)
        return k

    def to_json(self):
        return {"gender": round(self.gender, 3), "age": round(self.age, 3), "muscle": round(self.muscle, 3),
                "weight": round(self.weight, 3), "height": round(self.height, 3),
                "proportions": round(self.proportions, 3)}


@functools.lru_cache(maxsize=1)
def load_model():
    model = anny.Anny().to(dtype=torch.float32)
    model.eval()
    return model


@functools.lru_cache(maxsize=1)
def load_keypoint_regressor():
    return anny.KeypointsRegressor.coco(load_model())


class Body:
    """One person with a fixed phenotype; turns segment targets into skinned vertices."""

    def __init__(self, phenotype: Phenotype):
        self.model = load_model()
        self.phenotype = phenotype
        self.labels = list(self.model.bone_labels)
        self.index = {n: i for i, n in enumerate(self.labels)}
        self.parents = list(self.model.bone_parents)
        with torch.no_grad():
            rest = self.model(pose_parameters=None, phenotype_kwargs=phenotype.kwargs())
        self.rest_vertices = rest["rest_vertices"][0].numpy().astype(np.float64)
        self.rest_heads = rest["rest_bone_heads"][0].numpy().astype(np.float64)
        self.rest_rot = rest["rest_bone_poses"][0, :, :3, :3].numpy().astype(np.float64)
        self.bone_of_segment = {}
        for seg, (bones, start, end) in SEGMENTS.items():
            for b in bones:
                self.bone_of_segment[b] = seg
        self._weights = None  # per-vertex bone indices and weights, loaded on first use
        self.keypoints = load_keypoint_regressor()
        self.coco_labels = list(self.keypoints.labels)

    # --- geometry helpers -------------------------------------------------
    def head(self, bone):
        return self.rest_heads[self.index[bone]]

    def rest_dir(self, segment):
        _, start, end = SEGMENTS[segment]
        return _unit(self.head(end) - self.head(start))

    def length(self, segment):
        _, start, end = SEGMENTS[segment]
        return float(np.linalg.norm(self.head(end) - self.head(start)))

    # --- posing -----------------------------------------------------------
    def world_rotations(self, targets: dict):
        """targets: segment (or "bone:<name>") -> 3x3 world rotation from rest. Unset bones inherit their
        parent's."""
        G = np.zeros((len(self.labels), 3, 3))
        for i, name in enumerate(self.labels):
            seg = self.bone_of_segment.get(name)
            if f"bone:{name}" in targets:  # a single bone aimed on its own (a spine joint inside a segment)
                G[i] = targets[f"bone:{name}"]
            elif seg is not None and seg in targets:
                G[i] = targets[seg]
            elif self.parents[i] >= 0:
                G[i] = G[self.parents[i]]
            else:
                G[i] = np.eye(3)
        return G

    def posed_heads(self, G, root_position):
        """Forward kinematics of bone heads only (cheap, for IK): head_c = head_p + G_p (h_c - h_p)."""
        heads = np.zeros_like(self.rest_heads)
        for i in range(len(self.labels)):
            p = self.parents[i]
            if p < 0:
                heads[i] = root_position
            else:
                heads[i] = heads[p] + G[p] @ (self.rest_heads[i] - self.rest_heads[p])
        return heads

    def surface_points(self, G, root_position, vertex_ids):
        """Posed positions of a few mesh vertices (linear blend skinning of just those), for hands or props
        that rest on the skin; cheaper than skinning the whole mesh."""
        if self._weights is None:
            self._weights = (self.model.vertex_bone_indices.numpy(), self.model.vertex_bone_weights.numpy())
        idx, w = self._weights[0][vertex_ids], self._weights[1][vertex_ids].astype(np.float64)
        heads = self.posed_heads(G, root_position)
        rest = self.rest_vertices[vertex_ids]
        local = rest[:, None, :] - self.rest_heads[idx]                      # (n, k, 3)
        posed = heads[idx] + np.einsum("nkij,nkj->nki", G[idx], local)
        return np.einsum("nk,nki->ni", w, posed)

    def skin(self, G_batch, root_batch):
        """G_batch (B,104,3,3), root_batch (B,3) -> vertices (B,V,3), coco keypoints (B,23,3)."""
        B = len(G_batch)
        D = np.einsum("bkij,kjl->bkil", G_batch, self.rest_rot)
        T = np.tile(np.eye(4), (B, len(self.labels), 1, 1))
        T[:, :, :3, :3] = D
        T[:, 0, :3, 3] = root_batch
        with torch.no_grad():
            out = self.model(pose_parameters=torch.as_tensor(T, dtype=torch.float32),
                             phenotype_kwargs={k: torch.full((B,), float(v)) for k, v in self.phenotype.kwargs().items()},
                             pose_parameterization="world-orient")
            kp = self.keypoints(out)
        return out["vertices"].numpy().astype(np.float64), kp.numpy().astype(np.float64)

    def output_joints(self, coco):
        """17 output joints (MediaPipe naming) from the 23 COCO-style keypoints of one frame."""
        c = {n: coco[i] for i, n in enumerate(self.coco_labels)}
        rows = []
        for name in COCO_TO_OUTPUT:
            if name.endswith("foot_index"):
                side = name.split("_")[0]
                rows.append(0.5 * (c[f"{side}_big_toe"] + c[f"{side}_small_toe"]))
            else:
                rows.append(c[name])
        return np.array(rows)
