"""Checks the rendered clips with MediaPipe Pose: detection rate and near-side joint error per clip.

Runs in an environment that has mediapipe==0.10.21 + opencv (NOT the render venv: mediapipe needs
numpy<2 there, torch/anny want numpy 2). Usage:

    /path/to/mediapipe-venv/bin/python tools/render/mediapipe_check.py [clip-name-prefix]

Writes tools/render/mediapipe_check_results.json, which `python -m tools.render readme` puts into
sample_videos/README.md.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import cv2
import mediapipe as mp
import numpy as np

REPO = Path(__file__).resolve().parents[2]
SAMPLES = REPO / "sample_videos"
RESULTS = Path(__file__).resolve().parent / "mediapipe_check_results.json"
MP_INDEX = {"nose": 0, "left_shoulder": 11, "right_shoulder": 12, "left_elbow": 13, "right_elbow": 14,
            "left_wrist": 15, "right_wrist": 16, "left_hip": 23, "right_hip": 24, "left_knee": 25, "right_knee": 26,
            "left_ankle": 27, "right_ankle": 28, "left_heel": 29, "right_heel": 30, "left_foot_index": 31,
            "right_foot_index": 32}


def check_clip(sidecar_path):
    doc = json.loads(sidecar_path.read_text())
    names = doc["joints_2d"]["names"]
    truth = doc["joints_2d"]["frames"]
    near = doc["camera"]["facing_side"]
    if doc["camera"]["view"] == "front":
        near_idx = [i for i, n in enumerate(names)]
    else:
        near_idx = [i for i, n in enumerate(names) if n.startswith(near)]
    cap = cv2.VideoCapture(str(SAMPLES / doc["clip"]))
    detected, errors, k = 0, [], 0
    with mp.solutions.pose.Pose(model_complexity=1, static_image_mode=False) as pose:
        while True:
            ok, frame = cap.read()
            if not ok or k >= len(truth):
                break
            h, w = frame.shape[:2]
            res = pose.process(cv2.cvtColor(frame, cv2.COLOR_BGR2RGB))
            if res.pose_landmarks:
                detected += 1
                lm = res.pose_landmarks.landmark
                for i in near_idx:
                    x, y, visible = truth[k][i]
                    if visible:
                        m = lm[MP_INDEX[names[i]]]
                        errors.append(float(np.hypot(m.x * w - x, m.y * h - y)))
            k += 1
    return {"frames": k, "detection_rate": round(detected / max(k, 1), 4),
            "median_error_px": round(float(np.median(errors)) if errors else float("nan"), 2)}


def main():
    prefix = sys.argv[1] if len(sys.argv) > 1 else ""
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    for path in sorted(SAMPLES.glob(f"{prefix}*.json")):
        doc = json.loads(path.read_text())
        if "joints_2d" not in doc:
            continue
        r = check_clip(path)
        results[doc["clip"]] = r
        print(f"{doc['clip']}: detected {r['detection_rate'] * 100:.0f} %, near-side median error "
              f"{r['median_error_px']:.1f} px over {r['frames']} frames", flush=True)
    RESULTS.write_text(json.dumps(dict(sorted(results.items())), indent=1) + "\n")


if __name__ == "__main__":
    main()
