"""The progress page and the routine widget through Streamlit's AppTest (no browser), on a real
history file, plus the page's data preparation."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from streamlit.testing.v1 import AppTest

from formcheck.storage import SessionStore, weekly_targets
from formcheck.ui.progress_page import progress_frame
from formcheck.specs import load_all_specs

from history_reports import make_report

TODAY = date(2026, 11, 11)  # a Wednesday


def _page(db_path: str, today: str) -> None:
    import datetime as dt

    from formcheck.specs import load_all_specs
    from formcheck.storage import SessionStore
    from formcheck.ui.progress_page import render_progress_page

    with SessionStore.open(db_path) as store:
        render_progress_page(store, load_all_specs(), today=dt.date.fromisoformat(today))


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "history.sqlite3"
    with SessionStore.open(path) as store:
        for days_ago in (0, 1, 2, 5, 8, 9, 15):
            when = datetime.combine(TODAY - timedelta(days=days_ago), datetime.min.time()) + timedelta(hours=9)
            store.save_report(make_report("bridge", reps=10, hold_s=2.0, faulty=(1,) if days_ago > 4 else ()),
                              started_at=when)
        store.save_report(make_report("butt_walk", steps=(10, 9)), source_kind="live",
                          started_at=datetime(2026, 11, 10, 18))
    return path


def test_progress_page_shows_streaks_this_week_charts_and_sessions(db):
    at = AppTest.from_function(_page, args=(str(db), TODAY.isoformat()), default_timeout=30).run()
    assert not at.exception, [e.message for e in at.exception]
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Practice days in a row"] == "3" and metrics["Weeks in a row with 3+ practice days"] == "2"
    week = at.dataframe[0].value
    titles = {k: spec.title for k, spec in load_all_specs().items()}
    bridge = week[week["exercise"] == titles["bridge"]].iloc[0]
    assert (bridge["practice days"], bridge["prescribed"], bridge["on track"]) == (3, "3+ days a week", "yes")
    walk = week[week["exercise"] == titles["butt_walk"]].iloc[0]
    assert (walk["practice days"], walk["on track"]) == (1, "2 to go")
    assert at.selectbox(key="progress_exercise").value == "bridge"
    charts = at.get("vega_lite_chart")
    assert len(charts) == 3  # count, seconds held, fault rate
    assert len(at.dataframe[1].value) == 7  # bridge's sessions
    at.radio(key="progress_period").set_value("week").run()
    assert not at.exception
    at.selectbox(key="progress_exercise").set_value("butt_walk").run()
    # No holds for butt walks, and no faults in them: a line at 0 % would say nothing.
    assert not at.exception and len(at.get("vega_lite_chart")) == 1
    assert "No form faults in this period." in [c.value for c in at.caption]
    assert at.dataframe[1].value.iloc[0]["Count"] == "10 forward, 9 back (1 set)"
    # A session recorded by mistake can be taken out of the history.
    at.button(key="progress_remove").click().run()
    assert not at.exception
    with SessionStore.open(db) as store:
        assert [r.exercise for r in store.sessions()] == ["bridge"] * 7


def test_progress_page_on_an_empty_history_explains_itself(tmp_path):
    at = AppTest.from_function(_page, args=(str(tmp_path / "empty.sqlite3"), TODAY.isoformat())).run()
    assert not at.exception and "No sessions saved yet" in at.info[0].value


def test_progress_frame_per_day_and_week(db):
    with SessionStore.open(db) as store:
        records = [r for r in store.sessions() if r.exercise == "bridge"]
    daily = progress_frame(records, "day")
    assert len(daily) == 7 and list(daily["count"]) == [10] * 7 and list(daily["held (s)"]) == [20.0] * 7
    weekly = progress_frame(records, "week")
    assert list(weekly["sessions"]) == [1, 3, 3] and list(weekly["fault rate (%)"]) == [10.0, 10.0, 0.0]
    assert progress_frame([], "week").empty
    assert list(daily["average hold (s)"]) == [2.0] * 7
    # Over a span, the days without practice are there too, as zeros (the chart's empty places).
    spanned = progress_frame(records, "day", span=(TODAY - timedelta(days=15), TODAY))
    assert len(spanned) == 16 and spanned["count"].sum() == 70 and (spanned["count"] == 0).sum() == 9
    assert list(progress_frame(records, "week", span=(TODAY - timedelta(days=27), TODAY))["sessions"]) == [0, 0, 1, 3, 3]
    assert weekly_targets(load_all_specs())["bridge"] == 3


def _routine_widget(now: float) -> None:
    from formcheck.engine import FrameState
    from formcheck.routines import find_routine
    from formcheck.specs import load_all_specs
    from formcheck.ui.routine_runner import RoutineRunner, show_routine_runner
    import streamlit as st

    if "runner" not in st.session_state:
        runner = RoutineRunner(find_routine("ql_routine"), load_all_specs())
        runner.on_frame_state(FrameState(timestamp_s=0.0, has_pose=True, phase="rest",
                                         reps_by_side={"left": 5, "right": 5}), now=0.0)
        st.session_state["runner"] = runner
    show_routine_runner(st.session_state["runner"], now=now)


def test_routine_widget_shows_the_rest_countdown_and_moves_on():
    at = AppTest.from_function(_routine_widget, args=(12.0,)).run()
    assert not at.exception, [e.message for e in at.exception]
    assert "Exercise 2 of 2: Butt walks" in at.markdown[0].value and "Set 1 of 2-3: 8-10 each way" in at.markdown[0].value
    assert at.metric[0].label == "Rest" and at.metric[0].value == "18 s"
    at.button(key="routine-advance").click().run()  # skip the rest
    assert not at.exception and not at.metric
    assert at.session_state["runner"].phase == "exercise"


def _save_live(db_path: str, live_session: int) -> None:
    import streamlit as st

    from formcheck.storage import SessionStore
    from formcheck.ui.progress_page import save_live_report
    from history_reports import make_report

    with SessionStore.open(db_path) as store:
        st.text(f"saved {save_live_report(store, make_report(duration_s=60.0), live_session, routine='ql_routine')}")


def _save_empty_live(db_path: str) -> None:
    import streamlit as st

    from formcheck.storage import SessionStore
    from formcheck.ui.progress_page import save_live_report
    from history_reports import make_report

    with SessionStore.open(db_path) as store:
        nobody = make_report(reps=0).model_copy(update={"frames_with_pose": 0})
        st.text(f"saved {save_live_report(store, nobody, 1)}")


def test_a_live_session_without_anyone_in_view_is_not_saved(tmp_path):
    at = AppTest.from_function(_save_empty_live, args=(str(tmp_path / "live.sqlite3"),)).run()
    assert not at.exception and at.text[0].value == "saved None"


def test_a_live_session_is_saved_once_per_browser_session(tmp_path):
    db = str(tmp_path / "live.sqlite3")
    at = AppTest.from_function(_save_live, args=(db, 1)).run()
    assert not at.exception and at.text[0].value == "saved 1"
    at.run()  # a rerun shows the same finished session again: not saved twice
    assert at.text[0].value == "saved 1"
    other_browser = AppTest.from_function(_save_live, args=(db, 1)).run()
    assert other_browser.text[0].value == "saved 2"
    with SessionStore.open(db) as store:
        records = store.sessions()
    assert [(r.source_kind, r.routine) for r in records] == [("live", "ql_routine")] * 2
    age = datetime.now().astimezone() - records[0].started_at
    assert timedelta(seconds=55) <= age <= timedelta(seconds=120)  # it started a minute before it was saved


def _open_history() -> None:
    import streamlit as st

    from formcheck.ui.progress_page import history_store

    store = history_store()
    st.text(str(store.path) if store else "none")


def test_the_app_history_follows_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("FORMCHECK_DB", str(tmp_path / "app.sqlite3"))
    at = AppTest.from_function(_open_history).run()
    assert at.text[0].value == str(tmp_path / "app.sqlite3")
    monkeypatch.setenv("FORMCHECK_DB", str(tmp_path))  # a folder: warned about, the page goes on
    at = AppTest.from_function(_open_history).run()
    assert not at.exception and at.text[0].value == "none" and "Sessions are not being saved" in at.warning[0].value
