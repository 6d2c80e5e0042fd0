"""The clinician exports: the CSV of sessions and the printable, self-contained HTML report."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime, timedelta
from html.parser import HTMLParser

import pytest

from formcheck.export import CSV_COLUMNS, collect, html_report, sessions_csv
from formcheck.storage import SessionStore

from history_reports import make_report


@pytest.fixture
def store(tmp_path):
    with SessionStore.open(tmp_path / "history.sqlite3") as store:
        start = datetime(2026, 10, 5, 9)  # a Monday
        for week in range(3):
            for day in (0, 2, 4):
                when = start + timedelta(days=7 * week + day)
                store.save_report(make_report("bridge", reps=8 + week, hold_s=2.0, faulty=(1,) if day == 0 else ()),
                                  started_at=when)
            store.save_report(make_report("butt_walk", steps=(9, 8), faulty=(2, 3), source=None),
                              source_kind="live", started_at=start + timedelta(days=7 * week + 1), routine="ql_routine")
        store.save_report(make_report("seated_side_stretch", reps=10, hold_s=5.0, per_side=True),
                          started_at=datetime(2026, 10, 20, 18))
        yield store


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_csv_has_a_row_per_session_with_counts_holds_and_faults(store):
    rows = _rows(sessions_csv(collect(store).sessions))
    assert len(rows) == 13 and list(rows[0]) == list(CSV_COLUMNS)
    first = rows[0]
    assert (first["date"], first["start_time"], first["exercise"], first["reps"]) == ("2026-10-05", "09:00", "bridge", "8")
    assert (first["hold_target_s"], first["hold_total_s"], first["counted"], first["with_faults"]) == ("2", "16.0", "8", "1")
    assert first["faults"] == "hips_sag x1" and first["fault_rate"] == "0.12" and first["complete"] == "yes"
    walk = next(r for r in rows if r["exercise"] == "butt_walk")
    assert (walk["steps_forward"], walk["steps_backward"], walk["sets"], walk["source_kind"]) == ("9", "8", "1", "live")
    assert walk["faults"] == "knees_bent x2" and walk["routine"] == "ql_routine" and walk["reps_left"] == ""
    side = next(r for r in rows if r["exercise"] == "seated_side_stretch")
    assert (side["reps_left"], side["reps_right"], side["hold_total_s"]) == ("5", "5", "50.0")


def test_csv_covers_only_the_date_range_both_ends_included(store):
    rows = _rows(sessions_csv(collect(store, date(2026, 10, 12), date(2026, 10, 16)).sessions))
    assert [r["date"] for r in rows] == ["2026-10-12", "2026-10-13", "2026-10-14", "2026-10-16"]
    assert _rows(sessions_csv(collect(store, exercise="butt_walk").sessions))[0]["exercise"] == "butt_walk"
    assert _rows(sessions_csv([])) == []


def test_csv_cells_never_start_a_spreadsheet_formula(tmp_path):
    with SessionStore.open(tmp_path / "h.sqlite3") as store:
        store.save_report(make_report(source='=HYPERLINK("x","y")'))
        store.save_report(make_report(source="-1+2"))
        store.save_report(make_report(source="/home/me/videos/monday.mp4"))
        rows = _rows(sessions_csv(store.sessions()))
    assert rows[0]["source"] == "'=HYPERLINK(\"x\",\"y\")" and rows[1]["source"] == "'-1+2"
    assert rows[2]["source"] == "monday.mp4"  # the recording's name, not where it sits on the user's disk


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str | None]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs += attrs

    def handle_data(self, data):
        self.text.append(data)


def _parsed(html: str) -> _Collector:
    parser = _Collector()
    parser.feed(html)
    return parser


def test_html_report_is_self_contained_and_printable(store):
    html = html_report(collect(store, date(2026, 10, 1), date(2026, 10, 31)))
    page = _parsed(html)
    assert html.startswith("<!DOCTYPE html>") and "@media print" in html and "@page" in html
    assert "script" not in page.tags and "link" not in page.tags and "img" not in page.tags
    assert not [a for a in page.attrs if a[0] in ("src", "href")], "no external assets"
    assert "Period: 2026-10-01 to 2026-10-31." in html


def test_html_report_has_sessions_counts_holds_faults_and_trends(store):
    html = html_report(collect(store))
    text = " ".join(_parsed(html).text)
    # Per exercise: a summary, a trend line of counts and of fault rate, and a table of weekly totals.
    assert "Bridge" in text and "9 sessions on 9 days; 81 repetitions or holds, 162 s held in total" in text
    assert "3 sessions on 3 days; 51 steps; with a form fault: 12%" in text
    assert len(re.findall(r'<svg class="spark"', html)) == 6  # 2 lines x 3 exercises
    assert "Count per week" in text and "Fault rate per week" in text
    assert re.search(r"<td>2026-10-12</td><td class=\"num\">3</td><td class=\"num\">3</td>"
                     r"<td class=\"num\">27</td><td class=\"num\">54</td><td class=\"num\">4%</td>", html)
    # Every session, with its counts, holds and faults:
    assert text.count("video: clip.mp4") == 10 and text.count("live") >= 3
    assert "9 forward, 8 back (1 set)" in text and "10 (L 5, R 5)" in text and "50 s (target 5 s each)" in text
    # When each fault happened, with the cue that was given:
    assert "knees bent" in text and "keep your knees straight" in text and "2.0-2.5 s" in text


def test_html_escapes_what_the_user_named(tmp_path):
    with SessionStore.open(tmp_path / "h.sqlite3") as store:
        store.save_report(make_report(source='"><script>alert(1)<script>.mp4'))
        html = html_report(collect(store))
    assert "<script>" not in html and "&quot;&gt;&lt;script&gt;alert(1)&lt;script&gt;.mp4" in html


def test_html_for_an_empty_period_says_so(store):
    html = html_report(collect(store, date(2025, 1, 1), date(2025, 1, 31)))
    assert "No sessions were saved in this period." in html and "<table" not in html


def test_html_shows_missed_weeks_and_adherence_to_the_prescription(tmp_path):
    with SessionStore.open(tmp_path / "h.sqlite3") as store:
        for day in (5, 7, 9, 14, 30):  # Oct 5-11: 3 days; Oct 12-18: 1; Oct 19-25: none; Oct 26-Nov 1: 1
            store.save_report(make_report("bridge", reps=10, faulty=(1,) if day == 5 else ()),
                              started_at=datetime(2026, 10, day, 9))
        html = html_report(collect(store, date(2026, 10, 1), date(2026, 10, 31), weekly_targets={"bridge": 3}))
    text = " ".join(_parsed(html).text)
    weeks = re.findall(r"<tr><td>(2026-\d\d-\d\d)</td><td class=\"num\">(\d+)</td><td class=\"num\">([^<]+)</td>", html)
    assert weeks == [("2026-09-28", "0", "0 *"), ("2026-10-05", "3", "3"), ("2026-10-12", "1", "1 *"),
                     ("2026-10-19", "0", "0 *"), ("2026-10-26", "1", "1 *")]  # the missed week is a row
    assert "Days (aim 3+)" in text and "the prescribed 3+ days a week met in 1 of 5 full weeks" in text
    assert "* fewer practice days than prescribed." in text
    # The fault rate is drawn on a fixed 0-100 % scale (10 % is near the bottom, not the top), with
    # a gap for the weeks without practice.
    rate = re.search(r'aria-label="Bridge: fault rate[^"]*"><title>[^<]*</title>(.*?)</svg>', html).group(1)
    lines = re.findall(r'<polyline points="([^"]+)"', rate)
    assert len(lines) == 1 and len(lines[0].split()) == 2  # the two weeks in a row; the last is a lone dot
    heights = [float(point.split(",")[1]) for point in lines[0].split()]
    assert min(heights) > 25  # y grows downwards in SVG; the sparkline is 32 high
