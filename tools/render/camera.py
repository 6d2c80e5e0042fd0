"""Pinhole camera: placement around the person, view/projection matrices, projection of points."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class Camera:
    eye: np.ndarray
    target: np.ndarray
    vfov_deg: float
    width: int
    height: int
    near: float = 0.05
    far: float = 30.0

    def view(self):
        f = self.target - self.eye
        f = f / np.linalg.norm(f)
        up = np.array([0.0, 0.0, 1.0])
        s = np.cross(f, up)
        s /= np.linalg.norm(s)
        u = np.cross(s, f)
        m = np.eye(4)
        m[0, :3], m[1, :3], m[2, :3] = s, u, -f
        m[:3, 3] = -m[:3, :3] @ self.eye
        return m

    def projection(self):
        t = 1.0 / np.tan(np.radians(self.vfov_deg) / 2)
        a = self.width / self.height
        n, f = self.near, self.far
        return np.array([[t / a, 0, 0, 0], [0, t, 0, 0],
                         [0, 0, (f + n) / (n - f), 2 * f * n / (n - f)], [0, 0, -1, 0]])

    def view_projection(self):
        return self.projection() @ self.view()

    def project(self, points):
        """World points (N,3) -> pixel x, y (top-left origin) and eye-space depth (metres)."""
        p = np.c_[points, np.ones(len(points))]
        eye_space = (self.view() @ p.T).T
        clip = (self.projection() @ eye_space.T).T
        ndc = clip[:, :3] / clip[:, 3:4]
        x = (ndc[:, 0] + 1) * 0.5 * self.width
        y = (1 - ndc[:, 1]) * 0.5 * self.height
        return x, y, -eye_space[:, 2]


def place_camera(center, view, facing_side, azimuth_deg, height_m, distance_m, width, height, vfov_deg,
                 person_left_world, person_front_world, look_height=None):
    """Camera around `center` (a point on the floor under the person's middle).

    side view: the camera stands on the person's `facing_side` (their left or right side toward the
    camera), rotated by azimuth_deg toward the head end; front view: in front of the person.
    """
    left = np.asarray(person_left_world, float)
    front = np.asarray(person_front_world, float)
    if view == "side":
        base = left if facing_side == "left" else -left
        along = np.cross([0, 0, 1.0], base)  # horizontal axis perpendicular to the viewing direction
    else:
        base = front
        along = left
    a = np.radians(azimuth_deg)
    horiz = base * np.cos(a) + along * np.sin(a)
    horiz[2] = 0
    horiz /= np.linalg.norm(horiz)
    eye = np.asarray(center, float) + horiz * distance_m
    eye[2] = height_m
    target = np.asarray(center, float).copy()
    target[2] = look_height if look_height is not None else center[2]
    return Camera(eye=eye, target=target, vfov_deg=vfov_deg, width=width, height=height)
