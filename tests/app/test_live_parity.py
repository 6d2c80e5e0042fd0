"""Live and file analysis of the same footage agree: each clip is played through the live page (the
fake camera, WebRTC, the live processor at whatever frame rate this machine manages) and through
`formcheck analyze`, and the two reports must give the same counts and the same faults."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest


from live_latency import (drawn_latencies, load_average, page_count_latencies, percentiles, save_metrics,
                          shown_frames, spoken_latencies)
from live_session import sample, start_live, stop_and_download_report, wait_for_clip_end
from recorders import PAGE_JS, SHOWN_FRAMES_JS, SPEECH_JS

pytestmark = pytest.mark.slow

# At least four exercises, one counted per side; short clips, with faults where there are some.
PARITY_CLIPS = ("prone_press_up_clean", "bridge_over_arch", "knee_to_chest_short_hold", "superman_neck_cranked")


def verdicts(report: dict) -> dict:
    """What must agree: counts exactly, and the set of fault ids."""
    return {"reps": report["reps"], "reps_by_side": report.get("reps_by_side"), "steps": report.get("steps"),
            "faults": sorted({f["fault"] for f in report["faults"]})}


def file_report(path, exercise: str) -> dict:
    done = subprocess.run([sys.executable, "-m", "formcheck.cli", "analyze", str(path), "-e", exercise,
                           "--json", "-", "--no-save"], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.mark.parametrize("clip_name", PARITY_CLIPS)
def test_live_and_file_analysis_agree(app_server, launch_chromium, tmp_path, clip_name):
    clip = sample(clip_name)
    expected = verdicts(file_report(clip.path, clip.exercise))
    run = start_live(app_server, launch_chromium, clip.path, clip.exercise, tmp_path,
                     init_scripts=(SPEECH_JS, PAGE_JS, SHOWN_FRAMES_JS))
    try:
        wait_for_clip_end(run, app_server.live_log)
        server = run.server_log(app_server.live_log)
        latencies = {"frame_to_speech_s": spoken_latencies(run.page, server),
                     "frame_to_page_count_s": page_count_latencies(run.page, server, expected["reps"]),
                     "frame_to_drawn_cue_s": drawn_latencies(shown_frames(run.page), server, expected["reps"])}
        live = stop_and_download_report(run)
    finally:
        run.camera.path.unlink(missing_ok=True)
    frames = [e for e in server if e["kind"] == "frame"]
    save_metrics(f"parity_{clip_name}", {
        "load": load_average(), "live": verdicts(live), "file": expected,
        "frames_per_s": round(len(frames) / max(1e-6, frames[-1]["t"] - frames[0]["t"]), 1),
        "frame_sizes": sorted({tuple(e["size"]) for e in frames}),
        **{name: percentiles(values) for name, values in latencies.items()},
        "samples": {name: [round(x, 3) for x in values] for name, values in latencies.items()},
    })
    assert verdicts(live) == expected
