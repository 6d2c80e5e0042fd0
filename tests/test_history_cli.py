"""`formcheck history`, `formcheck export` and the saving of `formcheck analyze` sessions, on real
SQLite files; every bad input is one `error:` line with exit code 2."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timezone
from pathlib import Path

import pytest

import formcheck.pipeline
from formcheck.routines import default_routines_dir
from formcheck.storage import SessionStore

from fixtures import encode_frames, indexed_frame
from history_reports import make_report



@pytest.fixture
def db(tmp_path) -> Path:
    path = tmp_path / "history.sqlite3"
    with SessionStore.open(path) as store:
        store.save_report(make_report("bridge", reps=10, faulty=(2, 4)), started_at=datetime(2026, 11, 2, 9))
        store.save_report(make_report("butt_walk", steps=(9, 9)), source_kind="live",
                          started_at=datetime(2026, 11, 4, 18))
        store.save_report(make_report("bridge", reps=8, hold_s=2.0), started_at=datetime(2026, 11, 9, 9))
    return path


def test_history_lists_and_filters_sessions(db, run_cli):
    code, out, err = run_cli("history", "--db", str(db))
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert len(lines) == 3
    assert lines[0].split()[:4] == ["1", "2026-11-02", "09:00", "bridge"] and "hips_sag x2" in lines[0]
    assert "9 forward, 9 back (1 set); no faults" in lines[1] and "live" in lines[1]
    assert "held 16 s" in lines[2]
    _, out, _ = run_cli("history", "--db", str(db), "--from", "2026-11-03", "--to", "2026-11-09",
                     "--exercise", "bridge")
    assert [line.split()[0] for line in out.splitlines()] == ["3"]
    _, out, _ = run_cli("history", "--db", str(db), "--source", "live")
    assert [line.split()[0] for line in out.splitlines()] == ["2"]
    _, out, _ = run_cli("history", "--db", str(db), "--last", "2")
    assert [line.split()[0] for line in out.splitlines()] == ["2", "3"]
    _, out, _ = run_cli("history", "--db", str(db), "--from", "2027-01-01")
    assert out == "no sessions saved that match\n"


def test_history_as_json_and_one_session_in_full(db, run_cli):
    code, out, _ = run_cli("history", "--db", str(db), "--json")
    rows = json.loads(out)
    assert code == 0 and [r["id"] for r in rows] == [1, 2, 3]
    assert rows[0]["fault_counts"] == {"hips_sag": 2} and rows[0]["fault_rate"] == pytest.approx(0.2)
    assert rows[1]["steps"] == {"forward": 9, "backward": 9}
    code, out, _ = run_cli("history", "--db", str(db), "--show", "1")
    assert code == 0 and out.startswith("session 1: 2026-11-02 09:00, video (clip.mp4)\n")
    assert "repetitions: 10" in out and "hips_sag: lift your hips level" in out


def test_history_deletes_a_session(db, run_cli):
    code, out, err = run_cli("history", "--db", str(db), "--delete", "2")
    assert code == 0 and out.startswith("session 2 deleted (2026-11-0") and "Butt walk" in out
    _, out, _ = run_cli("history", "--db", str(db))
    assert [line.split()[0] for line in out.splitlines()] == ["1", "3"]
    code, out, err = run_cli("history", "--db", str(db), "--delete", "2")
    assert code == 2 and err.startswith("error: there is no session 2 in ")


def test_history_reads_the_database_named_by_the_environment(db, run_cli, monkeypatch):
    monkeypatch.setenv("FORMCHECK_DB", str(db))
    _, out, _ = run_cli("history")
    assert len(out.splitlines()) == 3
    monkeypatch.setenv("FORMCHECK_DB", str(db.parent / "fresh.sqlite3"))
    assert run_cli("history") == (0, "no sessions saved\n", "")


def test_export_csv_and_html(db, run_cli, tmp_path):
    code, out, _ = run_cli("export", "--db", str(db), "--from", "2026-11-01", "--to", "2026-11-08",
                        "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and [r["session_id"] for r in rows] == ["1", "2"]
    target = tmp_path / "report.html"
    code, out, err = run_cli("export", "--db", str(db), "--from", "2026-11-01", "--to", "2026-11-30",
                          "--out", str(target))
    assert code == 0 and out == "" and err == f"3 sessions written to {target}\n"
    html = target.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and "Period: 2026-11-01 to 2026-11-30." in html
    _, out, _ = run_cli("export", "--db", str(db), "--format", "html", "-e", "butt_walk")
    assert "Butt walk" in out and "Bridge" not in out


@pytest.mark.parametrize("argv, message", [
    (["history", "--from", "2026-13-01"], "error: --from '2026-13-01': not a date; write it as YYYY-MM-DD\n"),
    (["export", "--to", "yesterday"], "error: --to 'yesterday': not a date; write it as YYYY-MM-DD\n"),
    (["export", "--to", "20261101"], "error: --to '20261101': not a date; write it as YYYY-MM-DD\n"),
    (["export", "--from", "2026-11-09", "--to", "2026-11-01"], "error: --from 2026-11-09 is after --to 2026-11-01\n"),
    (["history", "--show", "99"], "error: there is no session 99 in "),
    (["history", "--last", "0"], "error: --last 0: give a number of sessions, 1 or more\n"),
    (["export", "--out", "no/such/folder/report.html"], "error: --out no/such/folder/report.html: the folder "),
])
def test_bad_options_are_one_line_errors(db, run_cli, argv, message):
    code, out, err = run_cli(*argv, "--db", str(db))
    assert code == 2 and out == "" and err.startswith(message) and err.count("\n") == 1


def test_an_unusable_database_is_a_one_line_error(tmp_path, run_cli):
    garbage = tmp_path / "garbage.sqlite3"
    garbage.write_bytes(b"not sqlite " * 500)
    code, out, err = run_cli("history", "--db", str(garbage))
    assert code == 2 and out == "" and err.startswith(f"error: {garbage}: not a usable formcheck history database")
    assert err.count("\n") == 1
    code, _, err = run_cli("export", "--db", str(tmp_path))
    assert code == 2 and err == f"error: {tmp_path}: is a folder, not a history database file\n"


# ---------------------------------------------------------------------- analyze saves its session
@pytest.fixture
def fake_analysis(monkeypatch, tmp_path) -> Path:
    """`analyze` without the pose model: the pipeline returns a made-up report for a real file."""
    clip = tmp_path / "clip.mp4"
    clip.write_bytes(b"\x00" * 2048)

    def analyze_video(video, exercise, hold_target_s=None, **kwargs):
        return make_report(exercise, reps=4, faulty=(1,), hold_s=hold_target_s, source=str(video))

    monkeypatch.setattr(formcheck.pipeline, "analyze_video", analyze_video)
    return clip


def test_analyze_saves_the_session_once(fake_analysis, tmp_path, run_cli):
    db = tmp_path / "saved.sqlite3"
    code, out, _ = run_cli("analyze", str(fake_analysis), "-e", "bridge", "--db", str(db))
    assert code == 0 and f"saved to history as session 1 ({db})" in out
    code, out, _ = run_cli("analyze", str(fake_analysis), "-e", "bridge", "--db", str(db))
    assert code == 0 and "session 1 " in out  # the same recording again: not counted twice
    code, out, _ = run_cli("analyze", str(fake_analysis), "-e", "bridge", "--hold", "5", "--db", str(db))
    assert code == 0 and "session 1 " in out  # analysed again with another hold target: its latest result
    run_cli("analyze", str(fake_analysis), "-e", "butt_walk", "--db", str(db))  # as another exercise: its own
    with SessionStore.open(db) as store:
        records = store.sessions()
    assert [(r.exercise, r.source_kind, r.reps, r.fault_counts, r.hold_target_s) for r in records] == [
        ("bridge", "video", 4, {"hips_sag": 1}, 5.0), ("butt_walk", "video", 4, {"hips_sag": 1}, None)]


def test_analyze_keeps_only_practice(fake_analysis, tmp_path, run_cli, monkeypatch):
    db = tmp_path / "practice.sqlite3"
    with monkeypatch.context() as idle:  # an analysis in which nothing was done
        idle.setattr(formcheck.pipeline, "analyze_video", lambda video, exercise, **kwargs: make_report(
            exercise, reps=0, source=str(video)))
        code, out, _ = run_cli("analyze", str(fake_analysis), "-e", "bridge", "--db", str(db))
    assert code == 0 and "nothing was counted, so this video was not saved to the history" in out
    monkeypatch.setenv("FORMCHECK_SAMPLES_DIR", str(fake_analysis.parent))
    code, out, _ = run_cli("analyze", str(fake_analysis), "-e", "bridge", "--db", str(db))
    assert code == 0 and "a bundled sample clip is not your practice: not saved to the history" in out
    assert not db.exists()


def test_analyze_dates_the_session_by_the_recording(fake_analysis, tmp_path, run_cli):
    recorded = encode_frames(tmp_path / "monday.mp4", [indexed_frame(i) for i in range(10)],
                             metadata={"creation_time": "2026-11-02T07:30:00.000000Z"})
    db = tmp_path / "dated.sqlite3"
    assert run_cli("analyze", str(recorded), "-e", "bridge", "--db", str(db))[0] == 0
    with SessionStore.open(db) as store:
        (record,) = store.sessions()
    assert record.started_at == datetime(2026, 11, 2, 7, 30, tzinfo=timezone.utc)


def test_analyze_with_no_save_leaves_the_history_alone(fake_analysis, tmp_path, run_cli):
    db = tmp_path / "untouched.sqlite3"
    code, out, _ = run_cli("analyze", str(fake_analysis), "-e", "bridge", "--no-save", "--db", str(db))
    assert code == 0 and "saved" not in out and not db.exists()


def test_analyze_json_on_stdout_stays_pure_json_when_saving(fake_analysis, tmp_path, run_cli):
    code, out, err = run_cli("analyze", str(fake_analysis), "-e", "bridge", "--json", "-",
                          "--db", str(tmp_path / "h.sqlite3"))
    assert code == 0 and json.loads(out)["reps"] == 4 and "saved to history as session 1" in err


def test_a_history_that_cannot_be_written_does_not_cost_the_analysis(fake_analysis, tmp_path, run_cli):
    code, out, err = run_cli("analyze", str(fake_analysis), "-e", "bridge", "--db", str(tmp_path))
    assert code == 0 and "repetitions: 4" in out
    assert err == f"warning: not saved to the history: {tmp_path}: is a folder, not a history database file\n"


def test_analyze_saves_to_the_default_database(fake_analysis, run_cli, monkeypatch, tmp_path):
    db = tmp_path / "env.sqlite3"
    monkeypatch.setenv("FORMCHECK_DB", str(db))
    code, out, _ = run_cli("analyze", str(fake_analysis), "-e", "bridge")
    assert code == 0 and f"({db})" in out
    with SessionStore.open() as store:
        assert len(store.sessions()) == 1


# ---------------------------------------------------------------------- routines
def test_routines_are_listed_and_checked(run_cli, tmp_path):
    code, out, _ = run_cli("routines")
    assert code == 0
    assert "ql_routine: QL routine: dynamic side stretch, then butt walks (at least 3-4 times a week)" in out
    assert "  seated_side_stretch: 1 x 5 per side, hold 5 s, rest 30 s\n  butt_walk: 2-3 x 8-10 each way" in out
    bundled = default_routines_dir() / "ql_routine.yaml"
    code, out, _ = run_cli("routines", str(bundled))
    assert code == 0 and out == f"{bundled}: ok (ql_routine: 2 exercises)\n"
    broken = tmp_path / "broken.yaml"
    broken.write_text("id: broken\ntitle: Broken\nsummary: Not a good routine at all.\nsource: tests\n"
                      "steps:\n  - exercise: bridge\n    reps: 10\n    per_side: true\n", encoding="utf-8")
    code, out, err = run_cli("routines", str(broken))
    assert code == 2 and err == f"error: {broken}: steps[0].per_side: bridge is not counted per side\n"
