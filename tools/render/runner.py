"""Renders one clip: script -> poses -> skinned meshes on the floor -> frames, mp4 and sidecar."""
from __future__ import annotations

import time

import numpy as np

from tools.render import groundtruth
from tools.render.body import Body
from tools.render.camera import place_camera
from tools.render.encode import Mp4Writer
from tools.render.posture import Poser
from tools.render.studio import MAT_THICKNESS, Studio
from tools.render.variation import draw_camera, draw_person, draw_room

WIDTH, HEIGHT, FPS = 640, 480, 15
VFOV = 46.8  # a typical webcam: about 60 degrees horizontal at 4:3
HFOV = float(2 * np.degrees(np.arctan(np.tan(np.radians(VFOV / 2)) * WIDTH / HEIGHT)))
BATCH = 24


def vfov_for(width, height):
    """Vertical field of view of a picture size: the 4:3 webcam's, or the same horizontal field (about 60
    degrees, a phone or webcam in landscape) at another aspect ratio."""
    if width * HEIGHT == height * WIDTH:
        return VFOV
    return float(2 * np.degrees(np.arctan(np.tan(np.radians(HFOV / 2)) * height / width)))


def _frame_span(script, body, poser, times):
    """Bounding box of the body over the clip (sampled), for framing the camera and placing the mat."""
    sample = times[:: max(1, len(times) // 40)]
    lo, hi = np.full(3, np.inf), np.full(3, -np.inf)
    for t in sample:
        p = script.posture(t)
        v, _ = body.skin(poser.world_rotations(p)[None], p.root[None])
        lo, hi = np.minimum(lo, v[0].min(0)), np.maximum(hi, v[0].max(0))
    return lo, hi


def render_clip(spec, out_dir, frames_limit=None, scale=1.0, supersample=2, save_png=False, only_times=None, log=print):
    rng = np.random.default_rng(spec.seed)
    phenotype, outfit = draw_person(rng)
    body = Body(phenotype)
    poser = Poser(body)
    script = spec.build(poser, MAT_THICKNESS)
    n_frames = int(round(script.duration * FPS))
    all_times = np.arange(n_frames) / FPS
    times = all_times if frames_limit is None else all_times[np.linspace(0, n_frames - 1, frames_limit).astype(int)]
    if only_times is not None:
        times = np.asarray(only_times, dtype=float)
        frames_limit = len(times)
    full_w, full_h = spec.size
    width, height = int(full_w * scale) // 2 * 2, int(full_h * scale) // 2 * 2
    vfov = vfov_for(full_w, full_h)

    lo, hi = _frame_span(script, body, poser, all_times)
    center = np.array([(lo[0] + hi[0]) / 2, (lo[1] + hi[1]) / 2, 0.0])
    orientation = script.posture(0.0).orientation
    left_w, front_w = orientation[:, 0], -orientation[:, 1]
    cam_v = draw_camera(rng, spec.view, spec.camera_height, max_azimuth=spec.max_azimuth, facing_side=spec.facing_side)
    if spec.view == "front":
        # Front view: the side the camera is turned toward (positive azimuth = toward the person's left).
        cam_v["facing_side"] = "left" if cam_v["azimuth_deg"] >= 0 else "right"
    # Distance so the whole movement fits the frame width (person seen side-on) with a margin.
    hfov = 2 * np.degrees(np.arctan(np.tan(np.radians(vfov / 2)) * full_w / full_h))
    if spec.view == "side":
        extent = max(hi[1] - lo[1], (hi[2] - lo[2]) * full_w / full_h * 1.1)
    else:
        extent = max(hi[0] - lo[0], (hi[2] - lo[2]) * full_w / full_h)
    fit = (extent * 1.12) / (2 * np.tan(np.radians(hfov / 2))) + 0.5 * (hi[0] - lo[0] if spec.view == "side" else 0)
    distance = max(fit * cam_v["distance_scale"], spec.min_distance)
    look_h = 0.45 * (hi[2] - lo[2]) + 0.05
    camera = place_camera(center, spec.view, cam_v["facing_side"], cam_v["azimuth_deg"], cam_v["height_m"],
                          distance, width, height, vfov, left_w, front_w, look_height=look_h)
    mat_len = max(spec.mat_min_len, (hi[1] - lo[1]) + spec.mat_margin)
    room = draw_room(rng, mat_center=(center[0], center[1]), mat_size=(0.62, mat_len) if spec.mat_along_y else (mat_len, 0.62),
                     use_mat=spec.use_mat)
    studio = Studio(body, outfit, room, camera, supersample=supersample, props=script.props())

    out_dir.mkdir(parents=True, exist_ok=True)
    mp4_path = out_dir / f"{spec.name}.mp4"
    joints_frames = render_frames(script, body, poser, studio, camera, times, mp4_path, supersample,
                                  png_prefix=out_dir / spec.name if save_png else None, log=log)

    windows = script.finish(list(all_times))
    events = [e.to_json(i + 1) for i, e in enumerate(script.events)]
    extra = {"reps": script.reps_count()}
    extra.update(script.extra_json())
    camera_info = {"view": spec.view, "facing_side": cam_v["facing_side"], "azimuth_deg": cam_v["azimuth_deg"],
                   "height_m": cam_v["height_m"], "distance_m": round(float(distance), 2)}
    body_info = {"sex": phenotype.sex, "age": phenotype.age_years, "phenotype": phenotype.to_json(),
                 "skin": outfit.skin, "clothing": outfit.to_json()}
    doc = groundtruth.sidecar(spec.name, script.exercise, spec.description, FPS, len(times), width, height,
                              camera_info, body_info, events, windows, joints_frames, extra)
    if frames_limit is not None:
        doc["preview_times_s"] = [round(float(t), 3) for t in times]
    groundtruth.write_sidecar(out_dir / f"{spec.name}.json", doc)
    return mp4_path, doc


def render_frames(script, body, poser, studio, camera, times, mp4_path, supersample, png_prefix=None, log=print,
                  name=None):
    """Renders the script at these times into an mp4; returns the per-frame projected joints."""
    name = name or mp4_path.stem
    writer = Mp4Writer(mp4_path, camera.width, camera.height, FPS)
    floor = studio.floor_top()
    joints_frames = []
    t0 = time.time()
    for start in range(0, len(times), BATCH):
        ts = times[start:start + BATCH]
        postures = [script.posture(t) for t in ts]
        G = np.stack([poser.world_rotations(p) for p in postures])
        roots = np.stack([p.root for p in postures])
        verts, coco = body.skin(G, roots)
        for k in range(len(ts)):
            v, kp = verts[k], coco[k]
            # Rest the body on the floor: its lowest point touches the mat, nothing passes through it.
            dz = floor - v[:, 2].min()
            v = v + np.array([0, 0, dz])
            kp = kp + np.array([0, 0, dz])
            img, depth = studio.render(v)
            writer.write(img)
            if png_prefix is not None:
                from PIL import Image
                Image.fromarray(img).save(f"{png_prefix}_{len(joints_frames):04d}.png")
            joints_frames.append(groundtruth.frame_joints(camera, body.output_joints(kp), depth, supersample))
        done = start + len(ts)
        if done % (BATCH * 10) == 0 or done == len(times):
            log(f"  {name}: {done}/{len(times)} frames, {time.time() - t0:.0f} s")
    writer.close()
    return joints_frames
