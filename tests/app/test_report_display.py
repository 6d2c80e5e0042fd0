"""What the app makes of a report: the one-line verdict, the events table and the charts' data."""

from __future__ import annotations

import pytest

from formcheck.catalogue import dosage_text
from formcheck.report import Event, FaultSpan, Report
from formcheck.specs import find_spec
from formcheck.ui.charts import event_levels, events_frame, fault_timeline, signal_chart, timeline_height
from formcheck.ui.ice import IceConfigError, ice_servers, parse_ice_servers
from formcheck.ui.report_view import verdict


def report(events: list[Event], faults: list[FaultSpan] = (), **fields) -> Report:
    base = dict(exercise="prone_press_up", title="Prone press-up", fps=15.0, frames=300, frames_with_pose=300,
                duration_s=20.0, side="left", calibrated=True, primary_signal="trunk_incline",
                reps=sum(e.kind in ("rep", "hold") for e in events), partials=sum(e.kind == "partial" for e in events),
                events=events, faults=list(faults), warnings=[])
    return Report(**{**base, **fields})


def rep(index: int, start: float, faults: tuple[str, ...] = (), kind: str = "rep") -> Event:
    return Event(kind=kind, index=index, start_s=start, end_s=start + 5.0, duration_s=2.0, peak=40.0,
                 faults=list(faults))


PELVIS = FaultSpan(fault="pelvis_lift", start_s=8.0, end_s=9.0, message="keep your pelvis on the floor")


@pytest.mark.parametrize("events, faults, expected", [
    ([rep(1, 1), rep(2, 8)], [], "Good form on all 2 repetitions."),
    ([rep(1, 1)], [], "Good form on the repetition."),
    ([rep(1, 1), rep(2, 8, ("pelvis_lift",))], [PELVIS],
     "1 of 2 repetitions had a form fault; the cues below say what to change."),
    ([rep(1, 1), rep(1, 8, kind="partial")], [], "Good form on the repetition. 1 more attempt moved too little to "
                                                 "count."),
    ([rep(1, 1, kind="partial"), rep(2, 8, kind="partial")], [],
     "No complete repetition or hold was counted: 2 attempts moved too little to count (the table says how far)."),
    ([], [], "No complete repetition or hold was counted."),
])
def test_the_verdict_says_what_happened(events, faults, expected):
    assert verdict(report(events, faults)) == expected


def test_steps_are_summed_in_the_verdict():
    steps = report([], steps={"forward": 4, "backward": 3}, exercise="butt_walk")
    assert verdict(steps) == "7 steps counted with no form fault flagged."


def test_the_events_table_has_one_row_per_event_with_its_faults():
    table = events_frame(report([rep(1, 1), rep(2, 8, ("pelvis_lift",)), rep(1, 15, kind="partial")], [PELVIS]))
    assert list(table["event"]) == ["rep 1", "rep 2", "partial 1"]
    assert list(table["faults"]) == ["good form", "pelvis_lift", "not counted"]
    assert list(table["outcome"]) == ["good form", "with a fault", "partial"]


def test_the_fault_timeline_has_an_events_row_and_a_row_per_fault():
    r = report([rep(1, 1), rep(2, 8, ("pelvis_lift",))], [PELVIS, PELVIS.model_copy(update={"start_s": 12.0})])
    data = fault_timeline(r).data
    assert sorted(set(data["row"])) == ["events", "pelvis_lift"]
    assert len(data) == 4 and timeline_height(r) == 68


def test_the_signal_plot_draws_each_events_levels_from_the_persons_rest():
    spec = find_spec("prone_press_up")
    r = report([rep(1, 1).model_copy(update={"peak": 25.0, "range": 22.0})])
    chart = signal_chart([0.0, 0.1, 0.2], [1.0, None, 3.0], spec, r)
    layers = chart.layer
    assert len(layers) == 4  # event shading, event ends, the signal, the levels
    line = layers[2].data
    assert line["value"].isna().tolist() == [False, True, False]  # no pose: a gap, not a zero
    levels = layers[3].data
    assert list(levels["level"]) == ["your rest", "counts from", "target"]
    assert list(levels["value"]) == [3.0, 3.0 + spec.motion.minimum, 3.0 + spec.motion.target]
    assert event_levels(find_spec("butt_walk"), r).empty
    # A decreasing signal's levels go down from rest; the far limb is judged on its own thresholds.
    knee = find_spec("knee_to_chest")
    hold = rep(1, 1).model_copy(update={"kind": "hold", "side": "right", "peak": 60.0, "range": 70.0})
    far = knee.motion.far_side
    levels = event_levels(knee, report([hold]).model_copy(update={"side": "left"}))
    assert list(levels["value"]) == [130.0, 130.0 - far.minimum, 130.0 - far.target]


def test_dosage_reads_as_a_sentence():
    assert dosage_text(find_spec("prone_press_up")).startswith("10 repetitions, 1-3 sets, hold 10 s; ")


def test_ice_servers_come_from_the_environment_then_secrets():
    stun = [{"urls": ["stun:stun.example.org:3478"]}]
    assert ice_servers({}, None) == []
    assert ice_servers({}, {"FORMCHECK_ICE_SERVERS": stun}) == stun
    turn = '[{"urls": "turn:turn.example.org", "username": "u", "credential": "c"}]'
    assert ice_servers({"FORMCHECK_ICE_SERVERS": turn}, {"FORMCHECK_ICE_SERVERS": stun})[0]["username"] == "u"
    for bad in ("stun:x", '{"urls": "stun:x"}', '[{"url": "stun:x"}]'):
        with pytest.raises(IceConfigError):
            parse_ice_servers(bad)
