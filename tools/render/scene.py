"""Headless OpenGL renderer (moderngl on EGL / Mesa llvmpipe): room, mat, textured person, soft shadows.

Frames are rendered at 2x the output size and box-filtered down (supersampling: MSAA on llvmpipe
cracks along mesh seams). Lighting is linear HDR with an ACES-style tone map so skin does not clip.
"""
from __future__ import annotations

import numpy as np
import moderngl

from tools.render.camera import Camera

VERTEX_SHADER = """
#version 330
uniform mat4 u_vp;
uniform mat4 u_light_vp;
in vec3 in_pos;
in vec3 in_normal;
in vec3 in_color;
in vec2 in_uv;
in float in_skin;
out vec3 v_pos;
out vec3 v_normal;
out vec3 v_color;
out vec2 v_uv;
out float v_skin;
out vec4 v_light;
void main() {
    v_pos = in_pos;
    v_normal = in_normal;
    v_color = in_color;
    v_uv = in_uv;
    v_skin = in_skin;
    v_light = u_light_vp * vec4(in_pos, 1.0);
    gl_Position = u_vp * vec4(in_pos, 1.0);
}
"""

FRAGMENT_SHADER = """
#version 330
uniform sampler2D u_skin_tex;
uniform sampler2D u_shadow;
uniform vec3 u_light_dir;      // direction the light travels (towards the scene)
uniform vec3 u_light_color;
uniform vec3 u_sky;
uniform vec3 u_ground;
uniform vec3 u_eye;
uniform float u_exposure;
uniform int u_pattern;         // 0 none, 1 floor boards, 2 mat ribs, 3 wall paint noise
uniform float u_specular;
in vec3 v_pos;
in vec3 v_normal;
in vec3 v_color;
in vec2 v_uv;
in float v_skin;
in vec4 v_light;
out vec4 f_color;

float hash(vec2 p) { return fract(sin(dot(p, vec2(127.1, 311.7))) * 43758.5453); }
float noise(vec2 p) {
    vec2 i = floor(p), f = fract(p);
    vec2 u = f * f * (3.0 - 2.0 * f);
    return mix(mix(hash(i), hash(i + vec2(1, 0)), u.x), mix(hash(i + vec2(0, 1)), hash(i + vec2(1, 1)), u.x), u.y);
}

float shadow_factor(vec3 n) {
    vec3 p = v_light.xyz / v_light.w * 0.5 + 0.5;
    if (p.x < 0.0 || p.x > 1.0 || p.y < 0.0 || p.y > 1.0) return 1.0;
    float bias = 0.0015 + 0.004 * (1.0 - abs(dot(n, -u_light_dir)));
    vec2 texel = 1.0 / vec2(textureSize(u_shadow, 0));
    float lit = 0.0;
    // 5x5 PCF with a wide kernel: soft shadow edges like a large window or ceiling light.
    for (int x = -2; x <= 2; ++x)
        for (int y = -2; y <= 2; ++y) {
            float d = texture(u_shadow, p.xy + vec2(x, y) * texel * 1.8).r;
            lit += (p.z - bias > d) ? 0.0 : 1.0;
        }
    return lit / 25.0;
}

vec3 aces(vec3 x) {
    return clamp((x * (2.51 * x + 0.03)) / (x * (2.43 * x + 0.59) + 0.14), 0.0, 1.0);
}

void main() {
    vec3 n = normalize(v_normal);
    vec3 view = normalize(u_eye - v_pos);
    if (dot(n, view) < 0.0) n = -n;   // thin parts (hair shell, mat edges) lit from both sides
    vec3 albedo = v_color;
    if (v_skin > 0.0) albedo = mix(albedo, texture(u_skin_tex, v_uv).rgb, v_skin);
    if (u_pattern == 1) {
        float board = floor(v_pos.x * 6.5);
        float grain = noise(vec2(v_pos.y * 3.0 + board * 17.0, v_pos.x * 60.0));
        albedo *= 0.82 + 0.22 * grain + 0.08 * hash(vec2(board, 3.0));
        float seam = smoothstep(0.0, 0.012, abs(fract(v_pos.x * 6.5) - 0.5) * 2.0 - 0.97);
        albedo *= 1.0 - 0.35 * seam;
    } else if (u_pattern == 2) {
        albedo *= 0.93 + 0.07 * sin(v_pos.y * 160.0);
    } else if (u_pattern == 3) {
        albedo *= 0.95 + 0.05 * noise(v_pos.xz * 9.0);
    }
    float ndl = max(dot(n, -u_light_dir), 0.0);
    float sh = shadow_factor(n);
    vec3 hemi = mix(u_ground, u_sky, 0.5 + 0.5 * n.z);
    vec3 h = normalize(view - u_light_dir);
    float spec = u_specular * pow(max(dot(n, h), 0.0), 24.0) * ndl * sh;
    // Rim/fill from the camera side keeps the far side of limbs from going black.
    float fill = 0.18 * max(dot(n, view), 0.0);
    vec3 color = albedo * (u_light_color * ndl * sh + hemi + fill) + spec;
    color = aces(color * u_exposure);
    f_color = vec4(pow(color, vec3(1.0 / 2.2)), 1.0);
}
"""

SHADOW_VERTEX = """
#version 330
uniform mat4 u_light_vp;
in vec3 in_pos;
void main() { gl_Position = u_light_vp * vec4(in_pos, 1.0); }
"""
SHADOW_FRAGMENT = """
#version 330
void main() { }
"""


def vertex_normals(positions, faces):
    fn = np.cross(positions[faces[:, 1]] - positions[faces[:, 0]], positions[faces[:, 2]] - positions[faces[:, 0]])
    n = np.zeros_like(positions)
    for k in range(3):
        for c in range(3):
            n[:, c] += np.bincount(faces[:, k], weights=fn[:, c], minlength=len(positions))
    n /= np.linalg.norm(n, axis=1, keepdims=True) + 1e-12
    return n


def box(center, size):
    """Axis-aligned box as (positions, normals, faces) with flat shading."""
    c, s = np.asarray(center, float), np.asarray(size, float) / 2
    pos, nor, faces = [], [], []
    for axis in range(3):
        for sign in (-1, 1):
            n = np.zeros(3)
            n[axis] = sign
            u, v = [a for a in range(3) if a != axis]
            corners = []
            for du, dv in ((-1, -1), (1, -1), (1, 1), (-1, 1)):
                p = c.copy()
                p[axis] += sign * s[axis]
                p[u] += du * s[u]
                p[v] += dv * s[v]
                corners.append(p)
            base = len(pos)
            pos += corners
            nor += [n] * 4
            faces += [[base, base + 1, base + 2], [base, base + 2, base + 3]]
    return np.array(pos), np.array(nor), np.array(faces)


class Renderer:
    def __init__(self, width, height, supersample=2, shadow_size=2048):
        self.width, self.height, self.ss = width, height, supersample
        self.ctx = moderngl.create_standalone_context(backend="egl")
        self.prog = self.ctx.program(vertex_shader=VERTEX_SHADER, fragment_shader=FRAGMENT_SHADER)
        self.shadow_prog = self.ctx.program(vertex_shader=SHADOW_VERTEX, fragment_shader=SHADOW_FRAGMENT)
        W, H = width * supersample, height * supersample
        self.color_rb = self.ctx.renderbuffer((W, H), components=4)
        self.depth_tex = self.ctx.depth_texture((W, H))
        self.fbo = self.ctx.framebuffer(color_attachments=[self.color_rb], depth_attachment=self.depth_tex)
        self.shadow_tex = self.ctx.depth_texture((shadow_size, shadow_size))
        self.shadow_tex.compare_func = ""
        self.shadow_tex.filter = (moderngl.NEAREST, moderngl.NEAREST)
        self.shadow_fbo = self.ctx.framebuffer(depth_attachment=self.shadow_tex)
        self.static = []   # (vao, shadow_vao, pattern, specular)
        self.dynamic = {}  # name -> dict(buffers, vao, shadow_vao, count)
        self.skin_tex = None

    # --- scene content -----------------------------------------------------
    def _pack(self, pos, nor, col, uv, skin):
        n = len(pos)
        data = np.zeros((n, 12), dtype="f4")
        data[:, 0:3], data[:, 3:6], data[:, 6:9] = pos, nor, col
        data[:, 9:11], data[:, 11] = uv, skin
        return data

    def add_static(self, pos, nor, faces, color, pattern=0, specular=0.02, shadow=True):
        col = np.tile(np.asarray(color, "f4"), (len(pos), 1))
        data = self._pack(pos, nor, col, np.zeros((len(pos), 2)), np.zeros(len(pos)))
        vbo = self.ctx.buffer(data.tobytes())
        ibo = self.ctx.buffer(np.asarray(faces, "i4").tobytes())
        fmt = (vbo, "3f 3f 3f 2f 1f", "in_pos", "in_normal", "in_color", "in_uv", "in_skin")
        vao = self.ctx.vertex_array(self.prog, [fmt], ibo)
        # shadow=False: the object casts no shadow (a ceiling above a directional "sun" light).
        svao = self.ctx.vertex_array(self.shadow_prog, [(vbo, "3f 36x", "in_pos")], ibo) if shadow else None
        self.static.append((vao, svao, pattern, specular))

    def set_skin_texture(self, rgb):
        h, w, _ = rgb.shape
        self.skin_tex = self.ctx.texture((w, h), 3, np.ascontiguousarray(rgb[::-1]).astype("u1").tobytes())
        self.skin_tex.build_mipmaps()
        self.skin_tex.filter = (moderngl.LINEAR_MIPMAP_LINEAR, moderngl.LINEAR)

    def set_dynamic(self, name, faces, colors, uvs, skin, specular=0.05):
        n = len(colors)
        vbo = self.ctx.buffer(reserve=n * 12 * 4, dynamic=True)
        ibo = self.ctx.buffer(np.asarray(faces, "i4").tobytes())
        fmt = (vbo, "3f 3f 3f 2f 1f", "in_pos", "in_normal", "in_color", "in_uv", "in_skin")
        vao = self.ctx.vertex_array(self.prog, [fmt], ibo)
        svao = self.ctx.vertex_array(self.shadow_prog, [(vbo, "3f 36x", "in_pos")], ibo)
        self.dynamic[name] = dict(vbo=vbo, vao=vao, svao=svao, colors=np.asarray(colors, "f4"),
                                  uvs=np.asarray(uvs, "f4"), skin=np.asarray(skin, "f4"), specular=specular)

    def update_dynamic(self, name, pos, nor):
        d = self.dynamic[name]
        d["vbo"].write(self._pack(pos, nor, d["colors"], d["uvs"], d["skin"]).tobytes())

    # --- frame ------------------------------------------------------------
    def render(self, camera: Camera, light_dir, light_vp, light_color, sky, ground, exposure):
        # Shadow pass.
        self.ctx.enable(moderngl.DEPTH_TEST)
        self.ctx.disable(moderngl.CULL_FACE)
        self.shadow_fbo.use()
        self.shadow_fbo.clear(depth=1.0)
        self.shadow_prog["u_light_vp"].write(light_vp.T.astype("f4").tobytes())
        for _, svao, _, _ in self.static:
            if svao is not None:
                svao.render()
        for d in self.dynamic.values():
            d["svao"].render()
        # Main pass.
        self.fbo.use()
        self.fbo.clear(0.0, 0.0, 0.0, 1.0, depth=1.0)
        p = self.prog
        p["u_vp"].write(camera.view_projection().T.astype("f4").tobytes())
        p["u_light_vp"].write(light_vp.T.astype("f4").tobytes())
        p["u_light_dir"].value = tuple(float(v) for v in light_dir)
        p["u_light_color"].value = tuple(float(v) for v in light_color)
        p["u_sky"].value = tuple(float(v) for v in sky)
        p["u_ground"].value = tuple(float(v) for v in ground)
        p["u_eye"].value = tuple(float(v) for v in camera.eye)
        p["u_exposure"].value = float(exposure)
        self.shadow_tex.use(location=1)
        p["u_shadow"].value = 1
        if self.skin_tex is not None:
            self.skin_tex.use(location=0)
            p["u_skin_tex"].value = 0
        for vao, _, pattern, spec in self.static:
            p["u_pattern"].value = pattern
            p["u_specular"].value = spec
            vao.render()
        p["u_pattern"].value = 0
        for d in self.dynamic.values():
            p["u_specular"].value = d["specular"]
            d["vao"].render()
        W, H = self.width * self.ss, self.height * self.ss
        img = np.frombuffer(self.fbo.read(components=3, dtype="f1"), dtype=np.uint8).reshape(H, W, 3)[::-1]
        depth = np.frombuffer(self.depth_tex.read(), dtype="f4").reshape(H, W)[::-1]
        small = img.reshape(self.height, self.ss, self.width, self.ss, 3).astype(np.float32).mean(axis=(1, 3))
        # Eye-space distance from the non-linear depth buffer, for joint visibility tests.
        n, f = camera.near, camera.far
        z_ndc = depth * 2.0 - 1.0
        linear = 2.0 * n * f / (f + n - z_ndc * (f - n))
        return np.clip(small + 0.5, 0, 255).astype(np.uint8), linear


def ortho_light(light_dir, center, radius):
    """View-projection of a directional light covering a sphere around center."""
    d = np.asarray(light_dir, float)
    d /= np.linalg.norm(d)
    eye = np.asarray(center, float) - d * radius * 2
    cam = Camera(eye=eye, target=np.asarray(center, float), vfov_deg=1, width=1, height=1)
    view = cam.view()
    r, n, f = radius, 0.1, radius * 4
    proj = np.array([[1 / r, 0, 0, 0], [0, 1 / r, 0, 0], [0, 0, -2 / (f - n), -(f + n) / (f - n)], [0, 0, 0, 1]])
    return proj @ view
