"""Live and file analysis of the same footage agree: each clip is played through the live page (the
fake camera, WebRTC, the live processor at whatever frame rate this machine manages) and through
`formcheck analyze`, and the two reports must give the same counts and the same faults."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from formcheck.ui.samples import list_samples

from live_session import start_live, stop_and_download_report, wait_for_clip_end

pytestmark = pytest.mark.slow

# At least four exercises, one counted per side; short clips, with faults where there are some.
PARITY_CLIPS = ("prone_press_up_clean", "bridge_over_arch", "knee_to_chest_short_hold", "butt_walk_clean")


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
    clip = next((c for c in list_samples() if c.name == clip_name), None)
    if clip is None:
        pytest.fail(f"sample_videos/{clip_name}.mp4 is missing; the parity test needs it")
    expected = verdicts(file_report(clip.path, clip.exercise))
    run = start_live(app_server, launch_chromium, clip.path, clip.exercise, tmp_path)
    try:
        wait_for_clip_end(run, app_server.live_log)
        live = stop_and_download_report(run)
    finally:
        run.camera.path.unlink(missing_ok=True)
    frames = [e for e in run.server_log(app_server.live_log) if e["kind"] == "frame"]
    span = frames[-1]["t"] - frames[0]["t"] if len(frames) > 1 else 0.0
    print(f"\n{clip_name}: live {verdicts(live)} at {len(frames) / span if span else 0:.1f} frames/s "
          f"(sizes {sorted({tuple(e['size']) for e in frames})}), file {expected}")
    print(json.dumps([{k: e.get(k) for k in ("kind", "start_s", "end_s", "rise_s", "duration_s", "faults")}
                      for e in live["events"]]), json.dumps(live["faults"]))
    (tmp_path.parent / f"{clip_name}-live.jsonl").write_text(
        "\n".join(json.dumps(e) for e in run.server_log(app_server.live_log)))
    assert verdicts(live) == expected
