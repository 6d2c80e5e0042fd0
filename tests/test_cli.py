"""The whole CLI through the real MediaPipe model, and every kind of bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from formcheck.video import VideoWriter, probe_video

REQUIRED_KEYS = {"exercise", "fps", "frames", "frames_with_pose", "duration_s", "side", "reps", "events",
                 "faults", "warnings"}


def _clip(path: Path, image: np.ndarray, seconds: float = 2.0, fps: int = 15) -> Path:
    with VideoWriter(path, fps=fps) as writer:
        for i in range(int(seconds * fps)):
            writer.write(image, i / fps)
    return path


@pytest.fixture(scope="module")
def person_clip(tmp_path_factory, person_photo_rgb) -> Path:
    """Two seconds of a real photo of a person (head and shoulders only)."""
    return _clip(tmp_path_factory.mktemp("clips") / "person.mp4", person_photo_rgb)


@pytest.fixture(scope="module")
def empty_room_clip(tmp_path_factory) -> Path:
    rng = np.random.default_rng(0)
    image = (rng.random((240, 320, 3)) * 40 + 100).astype(np.uint8)
    return _clip(tmp_path_factory.mktemp("clips") / "empty.mp4", image)



def test_partly_visible_person_gives_a_report_with_a_warning(person_clip, tmp_path, run_cli):
    report_path, annotated = tmp_path / "report.json", tmp_path / "annotated.mp4"
    code, out, err = run_cli("analyze", str(person_clip), "--exercise", "prone_press_up",
                          "--json", str(report_path), "--annotated", str(annotated))
    assert code == 0, err
    report = json.loads(report_path.read_text())
    assert REQUIRED_KEYS <= set(report)
    assert report["exercise"] == "prone_press_up" and report["frames"] == 30 and report["fps"] == 15
    assert report["frames_with_pose"] >= 25  # the real model finds the person
    assert report["reps"] == 0 and report["events"] == []
    messages = [w["message"] for w in report["warnings"]]
    assert any("in view" in m for m in messages), messages
    assert "warning:" in out and "report written to" in out
    info = probe_video(annotated)
    assert info.codec == "h264" and info.frame_count == 30


def test_json_to_stdout_prints_only_the_report(person_clip, run_cli):
    code, out, err = run_cli("analyze", str(person_clip), "-e", "bridge", "--json", "-")
    assert code == 0
    report = json.loads(out)  # nothing but JSON on stdout
    assert report["exercise"] == "bridge"
    assert "Shoulder bridge" in err  # the human summary went to stderr


def test_video_without_a_person(empty_room_clip, tmp_path, run_cli):
    annotated = tmp_path / "annotated.mp4"
    code, out, err = run_cli("analyze", str(empty_room_clip), "-e", "bridge", "--annotated", str(annotated))
    assert code == 2
    assert err.startswith("error: no person found in 'empty.mp4'") and err.count("\n") == 1, err
    assert not annotated.exists()  # no video of nothing left behind
    annotated.write_bytes(b"an earlier result")  # ... and an earlier file there is not lost either
    assert run_cli("analyze", str(empty_room_clip), "-e", "bridge", "--annotated", str(annotated))[0] == 2
    assert annotated.read_bytes() == b"an earlier result"


@pytest.mark.parametrize("options, expected", [
    (["--hold", "0"], "error: --hold 0: give the hold target in seconds, above 0"),
    (["--hold", "-5"], "error: --hold -5: give"),
    (["--json", "no/such/folder/r.json"], "error: --json no/such/folder/r.json: the folder 'no/such/folder' does "
                                          "not exist"),
    (["--annotated", "."], "error: --annotated .: is a folder; give a file name"),
])
def test_bad_options_are_refused_before_the_analysis(options, expected, person_clip, monkeypatch, tmp_path, run_cli):
    import formcheck.pipeline

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(formcheck.pipeline, "analyze_video", lambda *a, **k: pytest.fail("analysed"))
    code, out, err = run_cli("analyze", str(person_clip), "-e", "bridge", *options)
    assert code == 2
    assert err.startswith(expected) and err.count("\n") == 1, err
    assert not Path("no").exists()


def _bad_inputs(tmp_path: Path, person_clip: Path) -> dict[str, tuple[Path, str]]:
    zero = tmp_path / "zero.mp4"
    zero.write_bytes(b"")
    text = tmp_path / "notes.mp4"
    text.write_text("these are my exercise notes, not a video\n" * 20)
    data = person_clip.read_bytes()
    # formcheck writes the index first (faststart), so a copy missing its last kilobyte keeps
    # its first frames.
    truncated = tmp_path / "truncated.mp4"
    truncated.write_bytes(data[:-1000])
    headless = tmp_path / "headless.mp4"
    headless.write_bytes(data[len(data) // 3:])
    return {
        "missing": (tmp_path / "nothing.mp4", "file not found: "),
        "zero bytes": (zero, "zero.mp4': file is empty"),
        "text named .mp4": (text, "notes.mp4' is not a video file"),
        "truncated": (truncated, "truncated.mp4"),
        "no header": (headless, "headless.mp4"),
    }


@pytest.mark.parametrize("case", ["missing", "zero bytes", "text named .mp4", "truncated", "no header"])
def test_bad_video_inputs_give_one_line_and_exit_2(case, tmp_path, person_clip, run_cli):
    path, expected = _bad_inputs(tmp_path, person_clip)[case]
    code, out, err = run_cli("analyze", str(path), "-e", "bridge", "--json", str(tmp_path / "r.json"))
    assert code == 2
    assert err.startswith("error: ") and expected in err, err
    assert err.strip().count("\n") == 0 and "Traceback" not in err


def test_truncated_video_keeps_the_results_of_what_was_read(tmp_path, person_clip, run_cli):
    path, _ = _bad_inputs(tmp_path, person_clip)["truncated"]
    code, out, err = run_cli("analyze", str(path), "-e", "bridge", "--json", str(tmp_path / "r.json"))
    assert code == 2
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["complete"] is False and 0 < report["frames"] < 30
    assert any(w["kind"] == "input" for w in report["warnings"])


@pytest.mark.parametrize("exercise", ["handstand", "../exercise_specs/bridge", "Bridge"])
def test_unknown_exercise(exercise, person_clip, run_cli):
    code, out, err = run_cli("analyze", str(person_clip), "-e", exercise)
    assert code == 2
    assert err.startswith(f"error: unknown exercise '{exercise}' (known: bird_dog, bridge, ") and err.count("\n") == 1


def test_console_script_never_shows_a_traceback(tmp_path):
    text = tmp_path / "notes.mp4"
    text.write_text("not a video")
    result = subprocess.run([sys.executable, "-m", "formcheck.cli", "analyze", str(text), "-e", "bridge"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert result.stderr.strip() == f"error: '{text}' is not a video file"


def test_bench_prints_the_speed_figures(person_clip, run_cli):
    code, out, err = run_cli("bench", str(person_clip), "-e", "prone_press_up")
    assert code == 0, err
    figures = json.loads(out)
    for key in ("pose_only_fps", "pipeline_fps", "engine_ms_per_frame", "peak_rss_mb"):
        assert figures[key] > 0, key
    assert figures["frames"] == 30
    assert figures["pipeline_fps"] <= figures["pose_only_fps"]
