"""What the person looks like: skin colour map built from anny's UV masks, clothing, hair, render mesh.

anny ships grey masks (lips, eyelids, nails, a subsurface detail map), not a skin texture, so the
skin map is composed here: a base tone, modulated by the detail map, with lips, eyelids, eyes and
nails tinted. Clothing and hair are flat colours assigned per vertex from the dominant skinning bone
and rest-pose height; hair also gets a thin shell so the head silhouette is not a bald scalp.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image

from tools.render.body import Body

SKIN_TONES = {  # linear-ish albedo in sRGB 0..1 (the shader treats colours as linear after tone mapping)
    "light": (0.86, 0.67, 0.56),
    "fair": (0.80, 0.60, 0.48),
    "medium": (0.68, 0.48, 0.35),
    "olive": (0.60, 0.44, 0.30),
    "brown": (0.45, 0.30, 0.20),
    "dark": (0.30, 0.19, 0.13),
}


@dataclass
class Outfit:
    skin: str
    shirt: tuple
    trousers: tuple
    hair: tuple
    long_sleeves: bool
    socks: tuple | None
    hair_long: bool = False

    def to_json(self):
        def hexc(c):
            return "#" + "".join(f"{int(round(v * 255)):02x}" for v in c)
        return {"shirt": hexc(self.shirt), "shirt_sleeves": "long" if self.long_sleeves else "short",
                "trousers": hexc(self.trousers), "hair": hexc(self.hair),
                "socks": hexc(self.socks) if self.socks else None}


def _texture_dir():
    import anny
    from pathlib import Path
    return Path(anny.__file__).parent / "data"


def skin_texture(tone, size=1024):
    root = _texture_dir()
    base = np.array(SKIN_TONES[tone], dtype=np.float32)

    def mask(name):
        im = Image.open(root / "mpfb2" / "textures" / name).convert("L").resize((size, size), Image.BILINEAR)
        return np.asarray(im, dtype=np.float32)[..., None] / 255.0

    detail = Image.open(root / "mpfb2" / "textures" / "sss.png").convert("L").resize((size, size), Image.BILINEAR)
    detail = np.asarray(detail, dtype=np.float32)[..., None] / 255.0
    detail = 1.0 + 0.6 * (detail - detail.mean())
    tex = base[None, None, :] * detail
    lips = mask("mpfb_lips.jpg")
    tex = tex * (1 - lips) + (base * np.array([0.85, 0.55, 0.55]))[None, None] * lips
    lids = mask("mpfb_eyelids.jpg")
    tex = tex * (1 - 0.35 * lids)
    nails = np.maximum(mask("mpfb_fingernails.jpg"), mask("mpfb_toenails.jpg"))
    tex = tex * (1 - nails) + (base * 0.5 + np.array([0.45, 0.4, 0.4]))[None, None] * nails
    seg = Image.open(root / "segmentation" / "body_parts_segmentation.png").convert("RGB").resize((size, size), Image.NEAREST)
    seg = np.asarray(seg).astype(np.int32)
    for color, value in (((16, 231, 186), (0.22, 0.16, 0.12)), ((16, 115, 231), (0.22, 0.16, 0.12)),
                         ((255, 101, 0), (0.85, 0.83, 0.8)), ((24, 170, 109), (0.85, 0.83, 0.8))):
        m = np.all(np.abs(seg - np.array(color)) < 8, axis=-1)
        tex[m] = value
    return np.clip(tex * 255, 0, 255).astype(np.uint8)


def vertex_regions(body: Body):
    """Per-vertex region: 0 skin, 1 shirt, 2 trousers, 3 hair, 4 feet (socks or skin), 5 forearm (sleeve or skin)."""
    m = body.model
    w = m.vertex_bone_weights.numpy()
    idx = m.vertex_bone_indices.numpy()
    dominant = idx[np.arange(len(idx)), w.argmax(axis=1)]
    names = np.array(body.labels)[dominant]
    v = body.rest_vertices
    region = np.zeros(len(v), dtype=np.int32)
    # Waistband height: a little below the spine04 head, so the shirt overlaps the trousers.
    waist_z = body.head("spine04")[2] - 0.01
    hip_z = body.head("upperleg01.L")[2]
    torso = np.isin(names, ["root", "pelvis.L", "pelvis.R", "spine05", "spine04", "spine03", "spine02", "spine01",
                            "clavicle.L", "clavicle.R", "shoulder01.L", "shoulder01.R"])
    region[torso & (v[:, 2] >= waist_z)] = 1
    region[torso & (v[:, 2] < waist_z)] = 2
    upper = np.array([n.startswith("upperarm") for n in names])
    region[upper] = 1
    fore = np.array([n.startswith("lowerarm") for n in names])
    region[fore] = 5
    legs = np.array([n.startswith("upperleg") or n.startswith("lowerleg01") for n in names])
    region[legs] = 2
    shin_low = np.array([n.startswith("lowerleg02") for n in names])
    # Trousers end a few centimetres above the ankle.
    ankle_z = body.head("foot.L")[2]
    region[shin_low & (v[:, 2] > ankle_z + 0.06)] = 2
    feet = np.array([n.startswith("foot") or n.startswith("toe") for n in names])
    region[feet | (shin_low & (v[:, 2] <= ankle_z + 0.06))] = 4
    # Neck stays skin except the lowest ring (collar).
    neck = np.isin(names, ["neck01"])
    region[neck & (v[:, 2] < body.head("neck01")[2] + 0.01)] = 1
    # Hair: scalp above the brow line, and the back of the head down to the nape.
    head = np.isin(names, ["head", "neck03", "neck02"])
    eye = 0.5 * (body.head("eye.L") + body.head("eye.R"))
    centre_y = body.head("head")[1]
    rel_y, rel_z = v[:, 1] - eye[1], v[:, 2] - eye[2]
    # Hairline: high on the forehead, dropping toward the temples and down to the nape at the back.
    front_line = 0.05 - 0.8 * np.clip(rel_y - 0.03, 0, None)
    hair = rel_z > np.maximum(front_line, -0.075)
    ears = (np.abs(v[:, 0]) > 0.068) & (rel_z < 0.03) & (v[:, 1] < centre_y + 0.04)
    region[head & hair & ~ears] = 3
    del hip_z
    return region


def region_colors(region, outfit: Outfit):
    col = np.zeros((len(region), 3), dtype=np.float32)
    skin = np.zeros(len(region), dtype=np.float32)
    sk = np.array(SKIN_TONES[outfit.skin])
    for r, c in ((1, outfit.shirt), (2, outfit.trousers), (3, outfit.hair)):
        col[region == r] = c
    col[region == 0] = sk
    skin[region == 0] = 1.0
    if outfit.socks is not None:
        col[region == 4] = outfit.socks
    else:
        col[region == 4] = sk
        skin[region == 4] = 1.0
    if outfit.long_sleeves:
        col[region == 5] = outfit.shirt
    else:
        col[region == 5] = sk
        skin[region == 5] = 1.0
    return col, skin


class RenderMesh:
    """anny's mesh unrolled to one render vertex per (vertex, uv) pair, plus a hair shell."""

    def __init__(self, body: Body, outfit: Outfit, hair_thickness=0.012):
        m = body.model
        faces = m.faces.numpy().astype(np.int64)
        uv_faces = m.face_texture_coordinate_indices.numpy().astype(np.int64)
        uvs = m.texture_coordinates.numpy()
        pairs = np.stack([faces.ravel(), uv_faces.ravel()], axis=1)
        unique, inverse = np.unique(pairs, axis=0, return_inverse=True)
        self.vertex_of = unique[:, 0]
        self.faces = inverse.reshape(-1, 3)
        self.uv = uvs[unique[:, 1]]
        self.mesh_faces = faces
        region = vertex_regions(body)
        col, skin = region_colors(region, outfit)
        self.colors = col[self.vertex_of]
        self.skin = skin[self.vertex_of]
        self.region = region
        # Hair shell: the scalp faces, pushed out along the normals.
        hair_face = np.all(region[faces] == 3, axis=1)
        self.hair_faces_src = faces[hair_face]
        hv = np.unique(self.hair_faces_src)
        remap = -np.ones(len(region), dtype=np.int64)
        remap[hv] = np.arange(len(hv))
        self.hair_vertices = hv
        self.hair_faces = remap[self.hair_faces_src]
        self.hair_thickness = hair_thickness
        self.hair_color = np.tile(np.asarray(outfit.hair, np.float32), (len(hv), 1))

    def buffers(self, vertices):
        """Per-frame positions and normals for the body and hair shell."""
        n = self._normals(vertices)
        body_pos = vertices[self.vertex_of]
        body_nor = n[self.vertex_of]
        hair_pos = vertices[self.hair_vertices] + n[self.hair_vertices] * self.hair_thickness
        hair_nor = n[self.hair_vertices]
        return (body_pos, body_nor), (hair_pos, hair_nor)

    def _normals(self, vertices):
        from tools.render.scene import vertex_normals
        return vertex_normals(vertices, self.mesh_faces)
