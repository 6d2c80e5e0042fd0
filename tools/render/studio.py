"""The room around the person: floor, wall, exercise mat and light; renders one body frame."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tools.render.appearance import Outfit, RenderMesh, skin_texture
from tools.render.body import Body
from tools.render.camera import Camera
from tools.render.scene import Renderer, box, ortho_light

MAT_THICKNESS = 0.006


@dataclass
class Room:
    floor_color: tuple
    wall_color: tuple
    mat_color: tuple
    mat_center: tuple          # x, y on the floor
    mat_size: tuple            # along x, along y (metres)
    wall_offset: float         # distance of the wall behind the person, along the camera's view
    light_dir: tuple
    exposure: float
    use_mat: bool = True
    ceiling: float | None = None  # height of a ceiling (None: none; a low camera tilted up then sees black)


class Studio:
    def __init__(self, body: Body, outfit: Outfit, room: Room, camera: Camera, supersample=2, props=()):
        self.body, self.room, self.camera = body, room, camera
        self.props = list(props)
        self.renderer = Renderer(camera.width, camera.height, supersample=supersample)
        self.mesh = RenderMesh(body, outfit)
        self.renderer.set_skin_texture(skin_texture(outfit.skin))
        self._build_room()
        r = self.renderer
        r.set_dynamic("body", self.mesh.faces, self.mesh.colors, self.mesh.uv, self.mesh.skin, specular=0.04)
        r.set_dynamic("hair", self.mesh.hair_faces, self.mesh.hair_color,
                      np.zeros((len(self.mesh.hair_vertices), 2)), np.zeros(len(self.mesh.hair_vertices)),
                      specular=0.08)
        center = np.array([room.mat_center[0], room.mat_center[1], 0.4])
        self.light_vp = ortho_light(room.light_dir, center, 2.2)

    def floor_top(self):
        return MAT_THICKNESS if self.room.use_mat else 0.0

    def _build_room(self):
        room, cam, r = self.room, self.camera, self.renderer
        p, n, f = box((0, 0, -0.05), (30, 30, 0.1))
        r.add_static(p, n, f, room.floor_color, pattern=1, specular=0.03)
        # Wall behind the person. Room walls are axis-aligned: snap to the world axis nearest the view, so
        # an oblique camera sees the wall obliquely, as in a real room.
        view = cam.target - cam.eye
        axis = 0 if abs(view[0]) > abs(view[1]) else 1
        normal = np.zeros(3)
        normal[axis] = np.sign(view[axis])
        mat_c = np.array([room.mat_center[0], room.mat_center[1], 0.0])
        wall_c = mat_c + normal * room.wall_offset + np.array([0, 0, 1.5])
        size = np.array([12.0, 12.0, 3.0])
        size[axis] = 0.1
        p, n, f = box(wall_c, size)
        r.add_static(p, n, f, room.wall_color, pattern=3, specular=0.0)
        # Skirting board: a darker strip where the wall meets the floor helps read the floor line.
        skirt = size.copy()
        skirt[2] = 0.1
        skirt[axis] = 0.02
        p, n, f = box(wall_c - normal * 0.06 + np.array([0, 0, -1.45]), skirt)
        r.add_static(p, n, f, tuple(0.8 * c for c in room.wall_color), pattern=0, specular=0.0)
        for center, size, color in self.props:
            p, n, f = box(center, size)
            r.add_static(p, n, f, color, pattern=0, specular=0.05)
        if room.ceiling is not None:
            p, n, f = box((room.mat_center[0], room.mat_center[1], room.ceiling + 0.05), (30, 30, 0.1))
            r.add_static(p, n, f, tuple(0.95 * c for c in room.wall_color), pattern=3, specular=0.0, shadow=False)
        if room.use_mat:
            p, n, f = box((room.mat_center[0], room.mat_center[1], MAT_THICKNESS / 2),
                          (room.mat_size[0], room.mat_size[1], MAT_THICKNESS))
            r.add_static(p, n, f, room.mat_color, pattern=2, specular=0.02)

    def render(self, vertices):
        (bp, bn), (hp, hn) = self.mesh.buffers(vertices)
        self.renderer.update_dynamic("body", bp, bn)
        self.renderer.update_dynamic("hair", hp, hn)
        return self.renderer.render(self.camera, np.asarray(self.room.light_dir, float), self.light_vp,
                                    light_color=(2.1, 2.0, 1.9), sky=(0.55, 0.58, 0.62), ground=(0.3, 0.27, 0.24),
                                    exposure=self.room.exposure)
