"""sample_videos/README.md, generated from the sidecars so the table always matches the clips."""
from __future__ import annotations

import json
from pathlib import Path

HEADER = """# Sample videos (rendered)

Rendered with `tools/render` (anny body model, CC0 MakeHuman assets; moderngl on CPU). Every clip has a
JSON sidecar with exact ground truth: events (reps / partials / holds / steps with timing, side, faults),
fault windows and per-frame 2D joints with visibility. Schema: `tools/render/README.md`.
Regenerate everything with `make samples`; this table is regenerated from the sidecars
(`.venv-render/bin/python -m tools.render readme`).

640x480, 15 fps, H.264 (yuv420p, faststart). Faults are injected at about twice the estimated
thresholds of `exercise-research.md`; clean clips stay well inside the good range.
"""


# Table order: the order the exercises were specified in (phase 1, then phase 2); clean clip first.
EXERCISE_ORDER = ["prone_press_up", "bridge", "knee_to_chest", "butt_walk", "bird_dog", "superman", "cat_cow",
                  "psoas_stretch", "seated_side_stretch", "pelvic_tilt", "lumbar_extension"]


def _order(doc):
    ex = doc["exercise"]
    rank = EXERCISE_ORDER.index(ex) if ex in EXERCISE_ORDER else len(EXERCISE_ORDER)
    return rank, not doc["clip"].endswith("_clean.mp4"), doc["clip"]


def _fmt_events(doc):
    kinds = {}
    for e in doc["events"]:
        kinds[e["kind"]] = kinds.get(e["kind"], 0) + 1
    parts = [f"{n} {k}{'s' if n > 1 else ''}" for k, n in kinds.items()]
    if "steps" in doc:
        parts.append(f"steps fwd {doc['steps']['forward']} / back {doc['steps']['backward']}")
    return ", ".join(parts)


def _fmt_faults(doc):
    if not doc["fault_windows"]:
        return "none"
    return "; ".join(f"{w['fault']} {w['start_s']:.1f}-{w['end_s']:.1f} s" for w in doc["fault_windows"])


def write_readme(folder: Path):
    folder = Path(folder)
    docs = []
    for path in sorted(folder.glob("*.json")):
        if path.name.startswith("_"):
            continue
        with open(path) as f:
            doc = json.load(f)
        if "clip" in doc and "events" in doc:
            docs.append(doc)
    docs.sort(key=_order)
    check_path = Path(__file__).resolve().parent / "mediapipe_check_results.json"
    check = json.loads(check_path.read_text()) if check_path.exists() else {}
    lines = [HEADER, "| clip | exercise | what happens | duration | reps | events | faults (ground truth) | camera | size |",
             "|---|---|---|---|---|---|---|---|---|"]
    total = 0
    for doc in docs:
        mp4 = folder / doc["clip"]
        size = mp4.stat().st_size if mp4.exists() else 0
        total += size
        cam = doc["camera"]
        cam_s = f"{cam['view']}, {cam['facing_side']} side, az {cam['azimuth_deg']:+.0f}, h {cam['height_m']} m, d {cam['distance_m']} m"
        lines.append(f"| `{doc['clip']}` | {doc['exercise']} | {doc['description']} | {doc['duration_s']:.1f} s | "
                     f"{doc['reps']} | {_fmt_events(doc)} | {_fmt_faults(doc)} | {cam_s} | {size / 1e6:.2f} MB |")
    lines.append(f"\nTotal size: {total / 1e6:.1f} MB in {len(docs)} clips.\n")
    if check:
        lines.append("## MediaPipe check\n")
        lines.append("MediaPipe Pose 0.10.21 (legacy `solutions.pose`, model_complexity=1, tracking mode) run on each "
                     "mp4; detection rate = frames with a pose; joint error = median pixel distance between "
                     "MediaPipe and the sidecar joints on the near (camera-facing) side, visible joints only.\n")
        lines.append("| clip | detection rate | median near-side joint error (px) |")
        lines.append("|---|---|---|")
        for doc in docs:
            c = check.get(doc["clip"])
            if c:
                lines.append(f"| `{doc['clip']}` | {c['detection_rate'] * 100:.0f} % | {c['median_error_px']:.1f} |")
        lines.append("")
    text = "\n".join(lines)
    (folder / "README.md").write_text(text)
    return f"wrote {folder / 'README.md'} ({len(docs)} clips, {total / 1e6:.1f} MB)"
