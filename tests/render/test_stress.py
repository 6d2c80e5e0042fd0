"""The stress set: factor drawing (plain numpy, no render venv), the committed subset's sidecars, the
per-factor table of benchmarks/stress_eval.py, and one tiny stress render through the render venv."""
from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from tools.render import stress  # noqa: E402  (plain numpy: importable without the render venv)

SUBSET = REPO / "sample_videos" / "stress"
RENDER_PY = REPO / ".venv-render" / "bin" / "python"
FACTOR_KEYS = {"rom_fraction", "rom_per_rep", "still_start", "cut_start", "cut_end", "azimuth_deg",
               "camera_height_m", "portrait", "tight_framing", "limb_out_of_frame", "tempo", "hold_s", "fidget",
               "fault"}


def test_seeds_pick_the_exercise_round_robin_and_sets_do_not_overlap():
    assert stress.seeds("tune", 4) == [1000, 1001, 1002, 1003]
    assert [stress.exercise_of(2000 + i) for i in range(11)] == stress.EXERCISES
    assert stress.set_of(1999) == "tune" and stress.set_of(2000) == "report"
    assert all(stress.exercise_of(s) == "bird_dog" for s in stress.seeds("report", 3, only="bird_dog"))
    with pytest.raises(ValueError):
        stress.set_of(3000)


def test_plans_are_deterministic():
    for seed in (1000, 1234, 2999):
        assert stress.draw_plan(seed).to_json() == stress.draw_plan(seed).to_json()


def test_drawn_factors_stay_in_their_ranges():
    plans = [stress.draw_plan(s) for s in range(1000, 1400)]
    for p in plans:
        ex = stress.EXERCISE_TABLE[p.exercise]
        assert all(0.5 <= r <= 1.1 for r in p.rom)
        assert 0.5 <= p.tempo_drawn <= 2.0 and p.tempo <= min(p.tempo_drawn, ex.max_tempo)
        assert abs(p.azimuth_deg) <= 45 and 0.1 <= p.camera_height_m <= 1.2
        assert p.cut_start in ex.cuts and p.cut_end in ex.cuts
        assert p.still_start is False or p.cut_start == "none"
        if ex.hold is None:
            assert p.hold_s is None
        else:
            assert ex.hold[0] <= p.hold_s <= ex.hold[1]
        if p.fault:
            assert p.fault in ex.faults and p.fault_reps
            assert all(p.rom[i] == 1.0 for i in p.fault_reps)  # faulty repetitions at full range
        if p.framing == "limb":
            assert p.limb in ex.limbs
        for rep in p.reps:
            # A clean lift or cycle never crosses the script's timing fault.
            if p.exercise == "prone_press_up" and p.fault != "jerky_lift":
                assert rep["up_s"] >= 2.0
            if p.exercise == "cat_cow" and p.fault != "too_fast":
                assert rep["cycle_s"] >= 4.0
    share = sum(bool(p.fault) for p in plans) / len(plans)
    assert 0.3 < share < 0.37
    for set_name in stress.SETS:
        faulty = [stress.exercise_of(s) for s in stress.seeds(set_name) if stress.draw_plan(s).fault]
        assert sorted(faulty) == sorted(stress.EXERCISES)  # 33 clips: one faulty clip per exercise
    assert {p.exercise for p in plans} == set(stress.EXERCISES)


def test_subset_is_one_clip_per_exercise_a_third_with_faults():
    seeds = stress.subset_seeds("report")
    assert [stress.exercise_of(s) for s in seeds] == stress.EXERCISES
    assert sum(bool(stress.draw_plan(s).fault) for s in seeds) == 4


def _subset_docs():
    return [json.loads(p.read_text()) for p in sorted(SUBSET.glob("*.json"))]


@pytest.mark.skipif(not SUBSET.is_dir(), reason="no committed stress subset")
def test_committed_subset_sidecars_follow_the_schema_and_their_seeds():
    from formcheck.evaluation.groundtruth import find_clips

    docs = _subset_docs()
    assert sorted(d["exercise"] for d in docs) == sorted(stress.EXERCISES)
    assert len(find_clips(SUBSET)) == len(docs)  # the evaluator reads every one
    total = 0
    for doc in docs:
        plan = stress.draw_plan(doc["stress_seed"])
        f = doc["factors"]
        assert set(f) == FACTOR_KEYS and doc["notes"]
        assert doc["clip"] == f"{plan.name}.mp4" and doc["exercise"] == plan.exercise
        assert (doc["width"], doc["height"]) == ((360, 640) if plan.portrait else (640, 480))
        assert f["azimuth_deg"] == plan.azimuth_deg and f["tempo"] == plan.tempo and f["portrait"] == plan.portrait
        assert doc["frames"] == len(doc["joints_2d"]["frames"]) and doc["duration_s"] <= 46
        counted = [e for e in doc["events"] if e["kind"] in ("rep", "hold", "step")]
        assert doc["reps"] == len(counted) > 0
        for e in doc["events"]:
            assert 0 <= e["start_s"] < e["end_s"] <= doc["duration_s"] + 0.01
        assert (f["fault"] == "none") == (not doc["fault_windows"])
        if doc["exercise"] == "butt_walk":
            assert sum(doc["steps"].values()) == doc["reps"]
        total += (SUBSET / doc["clip"]).stat().st_size + (SUBSET / doc["clip"]).with_suffix(".json").stat().st_size
    assert total < 8e6


def _stress_eval():
    spec = importlib.util.spec_from_file_location("stress_eval", REPO / "benchmarks" / "stress_eval.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _row(exercise, exact, tp=0, fn=0, fp=0, **factors):
    return {"clip": f"{exercise}.mp4", "exercise": exercise, "exact": exact, "count_error": 0 if exact else 1,
            "fault_true_positives": tp, "fault_false_negatives": fn, "fault_false_positives": fp,
            "faults_expected": ["x"] if tp + fn else [], "faults_found": ["x"] if tp + fp else [],
            "expected": {"reps": 3}, "found": {"reps": 3 if exact else 2},
            "factors": dict({k: None for k in FACTOR_KEYS}, **factors)}


def test_eval_table_bins_factors_and_rewrites_between_markers(tmp_path):
    ev = _stress_eval()
    rows = [_row("bridge", True, tp=1, rom_fraction=0.55, portrait=True, azimuth_deg=-40.0, fault="over_arch"),
            _row("bridge", False, fp=1, rom_fraction=0.95, portrait=False, azimuth_deg=3.0, fault="none"),
            _row("superman", True, fn=1, rom_fraction=0.8, portrait=False, azimuth_deg=20.0, fault="too_high")]
    text = ev.table(rows)
    assert "| range of motion (lowest rep) | <70 % | 1 | 100 % (1/1) |" in text
    assert "|  | >=90 % | 1 | 0 % (0/1) |" in text
    assert "| camera azimuth |az| | <15 | 1 |" in text and "|  | 30-45 | 1 |" in text
    assert "| exercise | bridge | 2 | 50 % (1/2) | 0.50 | 100 % (1/1) | 50 % (1/2) | 1/1 |" in text
    assert "**67 % (2/3)**" in text and "**50 % (1/2)**" in text
    readme = tmp_path / "README.md"
    readme.write_text(f"intro\n{ev.BEGIN}\nOLD TABLE\n{ev.END}\nafter\n")
    ev.replace_between_markers(readme, text)
    new = readme.read_text()
    assert new.startswith("intro\n") and new.endswith(f"{ev.END}\nafter\n") and "OLD TABLE" not in new


def test_one_stress_clip_renders_with_factors(tmp_path):
    """Two small frames of a stress clip through the render venv (created by `make render-env` if missing)."""
    if not RENDER_PY.exists():
        subprocess.run(["make", "render-env"], cwd=REPO, check=True, timeout=1800)
    env = dict(os.environ, PYTHONPATH=str(REPO))
    proc = subprocess.run([str(RENDER_PY), "-m", "tools.render", "stress", "--seeds", "2003", "--frames", "2",
                           "--scale", "0.25", "--out", str(tmp_path)],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    doc = json.loads((tmp_path / "butt_walk_s2003.json").read_text())
    assert doc["frames"] == 2 and doc["stress_seed"] == 2003 and set(doc["factors"]) == FACTOR_KEYS
    assert doc["reps"] == len(doc["events"]) and doc["steps"]["forward"] >= 1
    assert (tmp_path / "butt_walk_s2003.mp4").stat().st_size > 500
