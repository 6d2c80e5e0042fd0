"""Smoke test of the sample-video renderer: renders 3 small frames through the real pipeline.

The renderer runs in its own venv (.venv-render, torch + anny); this test drives it by subprocess and
creates the venv through `make render-env` when it is missing. A missing or broken render venv FAILS.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
RENDER_PY = REPO / ".venv-render" / "bin" / "python"
CLIP = "prone_press_up_clean"
JOINTS = ["nose", "left_shoulder", "right_shoulder", "left_elbow", "right_elbow", "left_wrist", "right_wrist",
          "left_hip", "right_hip", "left_knee", "right_knee", "left_ankle", "right_ankle", "left_heel",
          "right_heel", "left_foot_index", "right_foot_index"]

IMAGE_STATS = r"""
import json, sys
import numpy as np
from PIL import Image
doc = json.load(open(sys.argv[1]))
out = []
for i, frame in enumerate(doc["joints_2d"]["frames"]):
    img = np.asarray(Image.open(sys.argv[2].format(i)).convert("RGB")).astype(float)
    xs = [j[0] for j in frame]; ys = [j[1] for j in frame]
    x0, x1 = int(max(min(xs), 0)), int(min(max(xs), img.shape[1] - 1))
    y0, y1 = int(max(min(ys), 0)), int(min(max(ys), img.shape[0] - 1))
    inside = img[y0:y1 + 1, x0:x1 + 1]
    out.append({"shape": list(img.shape), "std": float(img.std()), "person_std": float(inside.std()),
                "bbox": [x0, y0, x1, y1]})
print(json.dumps(out))
"""


def _ensure_render_env():
    if not RENDER_PY.exists():
        subprocess.run(["make", "render-env"], cwd=REPO, check=True, timeout=1800)
    assert RENDER_PY.exists(), "render venv missing: `make render-env` did not create .venv-render"


def test_renders_three_frames_with_sidecar(tmp_path):
    _ensure_render_env()
    env = dict(os.environ, PYTHONPATH=str(REPO))
    proc = subprocess.run(
        [str(RENDER_PY), "-m", "tools.render", "clip", CLIP, "--frames", "3", "--scale", "0.5",
         "--out", str(tmp_path), "--png"],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]

    doc = json.loads((tmp_path / f"{CLIP}.json").read_text())
    for key in ("clip", "exercise", "description", "fps", "frames", "width", "height", "duration_s", "camera",
                "body", "reps", "events", "fault_windows", "joints_2d"):
        assert key in doc, key
    assert doc["clip"] == f"{CLIP}.mp4" and doc["exercise"] == "prone_press_up"
    assert (doc["width"], doc["height"], doc["fps"]) == (320, 240, 15)
    assert set(doc["camera"]) == {"view", "facing_side", "azimuth_deg", "height_m", "distance_m"}
    assert doc["camera"]["view"] == "side" and doc["camera"]["facing_side"] in ("left", "right")
    assert {"sex", "age", "phenotype", "skin", "clothing"} <= set(doc["body"])
    assert doc["reps"] == 3
    for ev in doc["events"]:
        assert {"kind", "index", "start_s", "end_s", "side", "faults"} <= set(ev)
        assert ev["kind"] in ("rep", "partial", "hold", "step") and ev["start_s"] < ev["end_s"]
    assert doc["joints_2d"]["names"] == JOINTS
    frames = doc["joints_2d"]["frames"]
    assert len(frames) == doc["frames"] == 3
    for frame in frames:
        assert len(frame) == 17
        for x, y, visible in frame:
            # The whole person is inside the image.
            assert 0 <= x < doc["width"] and 0 <= y < doc["height"], (x, y)
            assert isinstance(visible, bool)
        # From the side, the near side is mostly visible.
        near = [v for name, (_, _, v) in zip(JOINTS, frame) if name.startswith(doc["camera"]["facing_side"])]
        assert sum(near) >= 5
    assert (tmp_path / f"{CLIP}.mp4").stat().st_size > 1000

    stats = subprocess.run([str(RENDER_PY), "-c", IMAGE_STATS, str(tmp_path / f"{CLIP}.json"),
                            str(tmp_path / f"{CLIP}_{{:04d}}.png")], capture_output=True, text=True, check=True)
    for s in json.loads(stats.stdout):
        assert s["shape"] == [240, 320, 3]
        assert s["std"] > 10, "frame looks blank"
        x0, y0, x1, y1 = s["bbox"]
        assert x1 - x0 > 0.25 * 320, "person too small or missing"
        assert s["person_std"] > 10, "no person drawn where the joints are"


if __name__ == "__main__":
    sys.exit(subprocess.call([sys.executable, "-m", "pytest", "-q", __file__]))
