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

640x480, 15 fps, H.264 (yuv420p, faststart). The subtle exercises, pelvic tilt and lumbar extension, are
filmed close at 1280x720 (the same 60 degree horizontal field of view, the person filling most of the
width), as people film them: their movement is a 1-2 cm change in the outline of the low back. Faults
are injected at about twice the estimated thresholds of `exercise-research.md`; clean clips stay well
inside the good range.
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
        if (doc["width"], doc["height"]) != (640, 480):
            cam_s += f", {doc['width']}x{doc['height']}"
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
    readme = folder / "README.md"
    old = readme.read_text() if readme.exists() else ""
    stress_dir = folder / "stress"
    if stress_dir.is_dir() or STRESS_BEGIN in old:
        lines.append(stress_section(stress_dir, _measured_table(old)))
    text = "\n".join(lines)
    readme.write_text(text)
    return f"wrote {readme} ({len(docs)} clips, {total / 1e6:.1f} MB)"


STRESS_BEGIN, STRESS_END = "<!-- stress-table:begin -->", "<!-- stress-table:end -->"

STRESS_HEADER = """## Stress set

The clips above are clean studio cases. The stress set varies what real people bring, each factor drawn
at random per clip from the clip's seed (`tools/render/stress.py`): range of motion 50-110 % of the
script's, no still start, a recording that starts or ends inside a repetition, camera azimuth up to
+-45 degrees and height 0.1-1.2 m, portrait 9:16 frames, tight framing (head or feet cut off), a limb
leaving the picture at the top of the movement, tempo 0.5-2x, holds up to 30 s, fidgeting between
repetitions, and in about a third of the clips a scripted fault. Each sidecar has the sample schema plus
`stress_seed`, `factors` and `notes`; the ground-truth conventions (what counts when the recording cuts
a repetition) are in `tools/render/README.md`.

The full sets are rendered into `build/stress/` (not in git): `make stress`, or
`.venv-render/bin/python -m tools.render stress --set tune|report [--only EXERCISE] [--count N]`
(tune: seeds 1000-1999, report: seeds 2000-2999, 33 clips each by default). `stress/` here holds a fixed
subset of the report set, one clip per exercise (`stress --set report --subset --out sample_videos/stress`),
so the measurement runs without rendering:
`.venv/bin/python benchmarks/stress_eval.py sample_videos/stress`.
"""


def _measured_table(old):
    """The measured table between the markers of the current README (benchmarks/stress_eval.py writes it)."""
    if STRESS_BEGIN in old and STRESS_END in old:
        return old.split(STRESS_BEGIN, 1)[1].split(STRESS_END, 1)[0].strip("\n")
    return "(not measured yet: `.venv/bin/python benchmarks/stress_eval.py build/stress/report --readme " \
           "sample_videos/README.md`)"


def _factor_text(f):
    bits = [f"ROM {f['rom_fraction'] * 100:.0f} %", f"tempo {f['tempo']:.2f}x"]
    if f.get("hold_s") is not None:
        bits.append(f"hold {f['hold_s']:.1f} s")
    if not f["still_start"]:
        bits.append("no still start")
    if f["cut_start"] != "none":
        bits.append(f"starts at {f['cut_start']}")
    if f["cut_end"] != "none":
        bits.append(f"ends at {f['cut_end']}")
    bits.append(f"az {f['azimuth_deg']:+.0f}, h {f['camera_height_m']:.2f} m")
    if f["portrait"]:
        bits.append("portrait")
    if f["tight_framing"] != "none":
        bits.append(f"{f['tight_framing']} cut off")
    if f["limb_out_of_frame"] != "none":
        bits.append(f"{f['limb_out_of_frame']} leave the picture")
    if f["fidget"] != "none":
        bits.append(f"fidget {f['fidget']}")
    return ", ".join(bits)


def stress_section(stress_dir: Path, measured: str):
    lines = [STRESS_HEADER]
    docs = []
    for path in sorted(stress_dir.glob("*.json")) if stress_dir.is_dir() else []:
        doc = json.loads(path.read_text())
        if "factors" in doc:
            docs.append(doc)
    docs.sort(key=lambda d: (EXERCISE_ORDER.index(d["exercise"]) if d["exercise"] in EXERCISE_ORDER else 99,
                             d["clip"]))
    if docs:
        lines.append("| clip | exercise | duration | counts | faults (ground truth) | factors | size |")
        lines.append("|---|---|---|---|---|---|---|")
        total = 0
        for doc in docs:
            mp4 = stress_dir / doc["clip"]
            size = mp4.stat().st_size if mp4.exists() else 0
            total += size + (stress_dir / doc["clip"]).with_suffix(".json").stat().st_size
            lines.append(f"| `stress/{doc['clip']}` | {doc['exercise']} | {doc['duration_s']:.1f} s | "
                         f"{_fmt_events(doc)} | {_fmt_faults(doc)} | {_factor_text(doc['factors'])} | "
                         f"{size / 1e6:.2f} MB |")
        lines.append(f"\n{len(docs)} clips, {total / 1e6:.1f} MB with their sidecars. What happens in each is in its "
                     "sidecar's `notes`.\n")
    lines.append("### formcheck on the stress set\n")
    lines.append(STRESS_BEGIN)
    lines.append(measured)
    lines.append(STRESS_END)
    lines.append("")
    return "\n".join(lines)
