"""Ground-truth sidecar: the documented JSON schema, projected joints and their visibility."""
from __future__ import annotations

import json

import numpy as np

from tools.render.body import COCO_TO_OUTPUT

# How far (metres) a joint centre may lie behind the visible surface at its pixel and still count as
# visible: roughly the limb's radius, larger for the trunk joints that sit deep inside the body.
DEPTH_TOLERANCE = {"nose": 0.06, "shoulder": 0.12, "hip": 0.14, "elbow": 0.07, "wrist": 0.06, "knee": 0.08,
                   "ankle": 0.07, "heel": 0.06, "foot_index": 0.06}


def joint_visibility(names, px, py, depth_eye, depth_buffer, supersample):
    H, W = depth_buffer.shape
    vis = []
    for name, x, y, d in zip(names, px, py, depth_eye):
        tol = next(v for k, v in DEPTH_TOLERANCE.items() if name.endswith(k))
        cx, cy = int(x * supersample), int(y * supersample)
        if not (0 <= cx < W and 0 <= cy < H):
            vis.append(False)
            continue
        r = 2 * supersample
        patch = depth_buffer[max(cy - r, 0):cy + r + 1, max(cx - r, 0):cx + r + 1]
        # The nearest surface around the joint's pixel; the joint is hidden if something lies well in front.
        vis.append(bool(d - float(np.median(patch)) < tol))
    return vis


def frame_joints(camera, joints_world, depth_buffer, supersample):
    px, py, d = camera.project(joints_world)
    vis = joint_visibility(COCO_TO_OUTPUT, px, py, d, depth_buffer, supersample)
    return [[round(float(x), 1), round(float(y), 1), v] for x, y, v in zip(px, py, vis)]


def sidecar(clip_name, exercise, description, fps, frames, width, height, camera_info, body_info,
            events_json, fault_windows, joints_frames, extra):
    doc = {
        "clip": f"{clip_name}.mp4",
        "exercise": exercise,
        "description": description,
        "fps": fps,
        "frames": frames,
        "width": width,
        "height": height,
        "duration_s": round(frames / fps, 2),
        "camera": camera_info,
        "body": body_info,
        "reps": extra.pop("reps"),
    }
    doc.update(extra)
    doc["events"] = events_json
    doc["fault_windows"] = fault_windows
    doc["joints_2d"] = {"names": list(COCO_TO_OUTPUT), "frames": joints_frames}
    return doc


def write_sidecar(path, doc):
    # Joint frames one per line keeps the file diffable and readable without bloating it.
    head = {k: v for k, v in doc.items() if k != "joints_2d"}
    text = json.dumps(head, indent=1)[:-2]
    frames = ",\n  ".join(json.dumps(f, separators=(",", ":")) for f in doc["joints_2d"]["frames"])
    text += (',\n "joints_2d": {"names": ' + json.dumps(doc["joints_2d"]["names"]) +
             ',\n  "frames": [\n  ' + frames + "]}\n}\n")
    json.loads(text)  # guard: the hand-assembled document must stay valid JSON
    with open(path, "w") as f:
        f.write(text)
