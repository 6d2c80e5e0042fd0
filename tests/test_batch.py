"""`formcheck batch`: the input checks, the local process pool and Ray against `formcheck analyze`
one video at a time, a worker that dies, a batch killed half-way and resumed, and the history."""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from formcheck.batch import BatchItem, Job, JobOutcome, LocalPool, WorkerContext
from formcheck.batch.local import WORKER_DIED
from formcheck.video import VideoWriter, probe_video

SAMPLES = Path(__file__).resolve().parent.parent / "sample_videos"
# Short clips (15-25 s): a clean one, one with a fault, one of another exercise.
CLIPS = [("butt_walk_clean.mp4", "butt_walk"), ("butt_walk_trunk_lean.mp4", "butt_walk"),
         ("cat_cow_too_fast.mp4", "cat_cow")]


def _manifest(path: Path, rows: list[tuple], header=("video", "exercise", "patient", "date")) -> Path:
    with path.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def _noise_clip(path: Path) -> Path:
    """Two seconds of an empty, noisy room: nobody to find."""
    rng = np.random.default_rng(0)
    image = (rng.random((240, 320, 3)) * 40 + 100).astype(np.uint8)
    with VideoWriter(path, fps=15) as writer:
        for i in range(30):
            writer.write(image, i / 15)
    return path


def _summary(out: Path) -> pd.DataFrame:
    csv_table = pd.read_csv(out / "summary.csv")
    parquet_table = pd.read_parquet(out / "summary.parquet")
    assert list(csv_table.columns) == list(parquet_table.columns) and len(csv_table) == len(parquet_table)
    return parquet_table


# ---------------------------------------------------------------------- bad input: one line, exit 2
@pytest.mark.parametrize("make, expected", [
    (lambda d: ["batch", str(d / "nowhere"), "--out", str(d / "out")], "nowhere: folder not found"),
    (lambda d: ["batch", str(_manifest(d / "m.csv", [("", "bridge")])), "--out", str(d / "o")],
     "m.csv line 2: no video path"),
    (lambda d: ["batch", str(_manifest(d / "m.csv", [("a.mp4", "plank")])), "--out", str(d / "o")],
     "m.csv line 2: unknown exercise 'plank'"),
    (lambda d: ["batch", str(_manifest(d / "m.csv", [("a.mp4", "bridge", "p1", "3/11/2026")])), "--out", str(d / "o")],
     "m.csv line 2: date '3/11/2026' is not a date"),
    (lambda d: ["batch", str(_manifest(d / "m.csv", [("a.mp4", "bridge")], header=("video", "exercice"))),
                "--out", str(d / "o")], "m.csv: unknown column 'exercice'"),
    (lambda d: ["batch", str(_manifest(d / "m.csv", [("a.mp4", "bridge"), ("a.mp4", "bridge")])), "--out", str(d / "o")],
     "m.csv line 3: "),
    (lambda d: ["batch", str(_manifest(d / "m.csv", [("a.mp4",)], header=("video",))), "--out", str(d / "o")],
     "m.csv line 2: no exercise"),
    (lambda d: ["batch", str(SAMPLES), "--out", str(d / "o")], "no exercise for this video"),
    (lambda d: ["batch", str(SAMPLES), "-e", "plank", "--out", str(d / "o")], "unknown exercise 'plank'"),
    (lambda d: ["batch", str(SAMPLES), "-e", "bridge", "--workers", "0", "--out", str(d / "o")], "--workers 0"),
])
def test_bad_input_is_one_error_line_and_exit_2(tmp_path, run_cli, make, expected):
    code, out, err = run_cli(*make(tmp_path))
    assert code == 2 and err.startswith("error: ") and expected in err and err.count("\n") == 1, err
    assert not (tmp_path / "o" / "summary.csv").exists()


def test_ray_missing_is_named_with_its_extra(tmp_path, run_cli, monkeypatch):
    import formcheck.batch.ray_runner as ray_runner

    monkeypatch.setattr(ray_runner, "ray_available", lambda: False)
    code, _, err = run_cli("batch", str(SAMPLES), "-e", "bridge", "--ray", "--out", str(tmp_path / "o"))
    assert code == 2 and "pip install 'formcheck[ray]'" in err, err
    # `--ray FOLDER`: argparse hands the folder to --ray's optional address; it is the input all the same.
    code, _, err = run_cli("batch", "-e", "bridge", "--out", str(tmp_path / "o"), "--ray", str(SAMPLES))
    assert code == 2 and "pip install 'formcheck[ray]'" in err, err


def test_exercise_from_folder_names_and_manifest_paths_relative_to_the_manifest(tmp_path):
    from formcheck.batch import items_from_folder, items_from_manifest

    known = {"bridge", "cat_cow"}
    for rel in ("alice/bridge/mon.mp4", "alice/cat_cow/mon.MP4", "bob/bridge/tue.webm", "bob/notes.txt"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_bytes(b"x")
    items = items_from_folder(tmp_path, None, known)
    assert [(i.video.relative_to(tmp_path).as_posix(), i.exercise) for i in items] == [
        ("alice/bridge/mon.mp4", "bridge"), ("alice/cat_cow/mon.MP4", "cat_cow"), ("bob/bridge/tue.webm", "bridge")]
    manifest = _manifest(tmp_path / "m.csv", [("alice/bridge/mon.mp4", "", "A-17", "2026-11-03"),
                                              ("/elsewhere/x.mp4", "cat_cow", "", "2026-11-04T08:30")],
                         header=("Video", "Exercise", "Patient ID", "Recorded"))
    first, second = items_from_manifest(manifest, None, known)
    assert first == BatchItem(video=tmp_path / "alice/bridge/mon.mp4", exercise="bridge", patient="A-17",
                              recorded=first.recorded, origin=f"{manifest} line 2")
    assert str(first.recorded) == "2026-11-03" and second.recorded.hour == 8 and second.patient is None


# ---------------------------------------------------------------------- a worker that dies
def crash_once_then_work(job: Job, context: WorkerContext) -> JobOutcome:
    """Stands in for the analysis: a video named 'dies' kills its worker every time; the first
    other video to run kills its worker once (a passing death: another program took the memory)."""
    path = Path(job.video_abs)
    passing = path.with_name("passing-death.seen")
    if path.stem == "dies" or not passing.exists():
        passing.touch()
        os.kill(os.getpid(), signal.SIGKILL)
    return JobOutcome(index=job.index, key=job.key, report_json=None, error=f"done by {os.getpid()}")


def nothing_to_prepare() -> None:
    pass


def test_a_killed_worker_costs_only_its_own_video(tmp_path):
    names = ["a", "b", "dies", "c", "d", "e"]
    jobs = [Job(index=i, video=n, video_abs=str(tmp_path / f"{n}.mp4"), exercise="bridge", content_hash="h",
                key=f"k{i}", annotated=False) for i, n in enumerate(names)]
    pool = LocalPool(2, work=crash_once_then_work, prepare=nothing_to_prepare)
    outcomes = [o for o in pool.run(jobs, WorkerContext(specs={})) if o]
    by_name = {names[o.index]: o.error for o in outcomes}
    assert sorted(by_name) == sorted(names)  # every video has its row, exactly once
    assert by_name["dies"] == WORKER_DIED
    # The videos under way beside a death were analysed again, one at a time, and came through.
    assert all(by_name[n].startswith("done by") for n in names if n != "dies"), by_name


# ---------------------------------------------------------------------- real analyses
@pytest.fixture(scope="module")
def references(tmp_path_factory) -> dict[str, str]:
    """Each clip's report from `formcheck analyze --json`, one video at a time."""
    from formcheck.cli import main

    folder = tmp_path_factory.mktemp("analyze")
    reports = {}
    for name, exercise in CLIPS:
        out = folder / f"{name}.json"
        assert main(["analyze", str(SAMPLES / name), "-e", exercise, "--json", str(out), "--no-save"]) == 0
        reports[name] = out.read_text()
    return reports


@pytest.fixture(scope="module")
def mixed_batch(tmp_path_factory) -> Path:
    """The clips, plus a file that is no video, a video of nobody and a clip filmed for another exercise."""
    folder = tmp_path_factory.mktemp("batch")
    (folder / "broken.mp4").write_bytes(b"this is not a video")
    rows = [(str(SAMPLES / name), exercise, "alice", "2026-11-0%d" % (i + 2)) for i, (name, exercise) in enumerate(CLIPS)]
    rows += [(str(folder / "broken.mp4"), "bridge", "bob", ""), (str(_noise_clip(folder / "empty.mp4")), "bridge", "", ""),
             (str(SAMPLES / "butt_walk_clean.mp4"), "seated_side_stretch", "bob", "")]
    return _manifest(folder / "manifest.csv", rows)


def _check_batch(out: Path, references: dict[str, str]) -> pd.DataFrame:
    table = _summary(out)
    assert len(table) == 6
    for name, _ in CLIPS:
        row = table[table.video == str(SAMPLES / name)].iloc[0]
        assert row.status == "ok", row.to_dict()
        assert (out / row.report).read_text() == references[name]  # the very same report
        report = json.loads(references[name])
        assert row.counted == sum(1 for e in report["events"] if e["kind"] in ("rep", "hold", "step"))
        assert row.fault_total == sum(report["fault_counts"].values())
        assert row.duration_s == report["duration_s"]
    by_status = dict(zip(table.video.map(lambda v: Path(v).name) + "/" + table.exercise, table.status))
    assert by_status["broken.mp4/bridge"] == "failed" and by_status["empty.mp4/bridge"] == "failed"
    assert by_status["butt_walk_clean.mp4/seated_side_stretch"] == "nothing_counted"
    errors = dict(zip(table.video.map(lambda v: Path(v).name) + "/" + table.exercise, table.error))
    assert "is not a video file" in errors["broken.mp4/bridge"]
    assert errors["empty.mp4/bridge"].startswith("no person found in 'empty.mp4'")
    assert errors["butt_walk_clean.mp4/seated_side_stretch"]  # the report's first warning, e.g. the camera view
    walk = table[table.video.str.endswith("butt_walk_trunk_lean.mp4")].iloc[0]
    report = json.loads(references["butt_walk_trunk_lean.mp4"])
    assert walk.fault_trunk_lean == report["fault_counts"]["trunk_lean"] >= 1
    assert walk.steps_forward == report["steps"]["forward"] and walk.patient == "alice"
    return table


@pytest.mark.slow
def test_local_pool_gives_the_reports_of_analyze_one_by_one(mixed_batch, references, tmp_path, run_cli):
    out = tmp_path / "out"
    code, stdout, err = run_cli("batch", str(mixed_batch), "--out", str(out), "--workers", "2", "--save",
                                "--db", str(tmp_path / "clinic.sqlite3"))
    assert code == 1, err  # a failed video is reported in the exit code, after the batch has finished
    assert stdout.startswith("6 videos: 3 ok, 1 nothing counted, 2 failed (6 analysed, 0 already done)"), stdout
    assert "3 sessions saved to the history" in stdout
    _check_batch(out, references)
    from formcheck.storage import SessionStore

    with SessionStore.open(tmp_path / "clinic.sqlite3") as store:
        alice = store.sessions(patient="alice")
        assert [(r.exercise, r.day.isoformat()) for r in alice] == [
            ("butt_walk", "2026-11-02"), ("butt_walk", "2026-11-03"), ("cat_cow", "2026-11-04")]
        assert store.sessions(patient="bob") == []  # bob's videos failed or counted nothing
    # Done: the same command again analyses nothing and the history holds each session once.
    code, stdout, _ = run_cli("batch", str(mixed_batch), "--out", str(out), "--save", "--db", str(tmp_path / "clinic.sqlite3"))
    assert "(2 analysed, 4 already done)" in stdout  # only the two failures are tried again
    with SessionStore.open(tmp_path / "clinic.sqlite3") as store:
        assert len(store.sessions()) == 3


@pytest.mark.slow
def test_ray_gives_the_same_reports(mixed_batch, references, tmp_path, run_cli):
    pytest.importorskip("ray", reason="Ray is not installed (pip install 'formcheck[ray]')")
    out = tmp_path / "out"
    code, stdout, err = run_cli("batch", str(mixed_batch), "--out", str(out), "--ray")
    assert code == 1, err
    assert stdout.startswith("6 videos: 3 ok, 1 nothing counted, 2 failed (6 analysed, 0 already done)"), stdout
    _check_batch(out, references)


@pytest.mark.slow
def test_a_batch_killed_half_way_resumes_without_redoing_or_losing_work(tmp_path, run_cli):
    clips = tmp_path / "clips" / "butt_walk"  # the exercise from the folder's name
    clips.mkdir(parents=True)
    for name in ("butt_walk_clean.mp4", "butt_walk_trunk_lean.mp4", "butt_walk_knees_bent.mp4"):
        (clips / name).write_bytes((SAMPLES / name).read_bytes())
    out = tmp_path / "out"
    command = [sys.executable, "-m", "formcheck.cli", "batch", str(tmp_path / "clips"), "--out", str(out), "-j", "1",
               "--annotated"]
    process = subprocess.Popen(command, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    journal = out / "batch_journal.jsonl"
    deadline = time.monotonic() + 120
    while not (journal.exists() and journal.read_text().count("\n") >= 1):
        assert process.poll() is None, process.stderr.read().decode()
        assert time.monotonic() < deadline, "the first video was not finished in time"
        time.sleep(0.05)
    os.killpg(process.pid, signal.SIGKILL)  # the batch and its worker, at once
    process.wait()
    process.stderr.close()
    finished = [json.loads(line) for line in journal.read_text().splitlines()]
    assert 1 <= len(finished) < 3
    kept = {r["report"]: (out / r["report"]).stat().st_mtime_ns for r in finished}

    code, stdout, err = run_cli("batch", str(tmp_path / "clips"), "--out", str(out), "-j", "1", "--annotated")
    assert code == 0, err
    assert f"({3 - len(finished)} analysed, {len(finished)} already done)" in stdout, stdout
    assert {p: (out / p).stat().st_mtime_ns for p in kept} == kept  # not written again
    table = _summary(out)
    assert list(table.status) == ["ok"] * 3 and len(journal.read_text().splitlines()) == 3
    assert list(table.annotated) == [f"annotated/{Path(v).stem}.mp4" for v in table.video]
    assert all(probe_video(out / a).frame_count == 236 for a in table.annotated)
    assert not [p for p in out.rglob("*.tmp")]  # nothing half-written left behind

    # A video whose content changed is analysed again; the others are not.
    (clips / "butt_walk_clean.mp4").write_bytes((SAMPLES / "butt_walk_knees_bent.mp4").read_bytes())
    code, stdout, _ = run_cli("batch", str(tmp_path / "clips"), "--out", str(out), "-j", "1")
    assert "(1 analysed, 2 already done)" in stdout, stdout  # (annotated videos not asked for: not needed)
