"""Every shipped spec validates; broken specs are rejected with a message naming file and field."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from formcheck.specs import SpecError, default_specs_dir, load_all_specs, load_spec

SPECS = sorted(default_specs_dir().glob("*.yaml"))


@pytest.mark.parametrize("path", SPECS, ids=[p.stem for p in SPECS])
def test_shipped_spec_is_valid_and_complete(path: Path):
    spec = load_spec(path)
    assert spec.id == path.stem
    assert spec.instructions and spec.safety and spec.camera.placement
    assert all(rule.cue for rule in spec.faults + spec.event_faults)  # every fault tells the user what to do


def test_the_first_exercises_are_shipped():
    assert {"prone_press_up", "butt_walk", "bridge", "knee_to_chest"} <= set(load_all_specs())


def _broken(tmp_path: Path, change) -> Path:
    data = yaml.safe_load((default_specs_dir() / "bridge.yaml").read_text())
    change(data)
    path = tmp_path / "bridge.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def _set(path: list, value):
    def change(data):
        node = data
        for key in path[:-1]:
            node = node[key]
        if value is _DELETE:
            del node[path[-1]]
        else:
            node[path[-1]] = value
    return change


_DELETE = object()

BROKEN = {
    "missing field": (_set(["title"], _DELETE), "title: is required but missing"),
    "misspelt field": (_set(["motion", "hold_target"], 2), "motion.hold_target: is not a known field"),
    "unknown landmark": (_set(["signals", "knee_angle", "points"], ["hip", "kneee", "ankle"]), "unknown landmark 'kneee'"),
    "unknown signal": (_set(["motion", "signal"], "hip_hight"), "motion.signal uses unknown signal 'hip_hight'"),
    "bad condition": (_set(["faults", 0, "when"], "knee_angle is big"), "cannot read condition 'knee_angle is big'"),
    "thresholds out of order": (_set(["motion", "minimum"], 0.01), "minimum must be greater than start"),
    "target under the minimum": (_set(["motion", "target"], 0.1), "target must be at least minimum"),
    "old absolute thresholds": (_set(["motion", "top"], 0.18), "motion.top: is not a known field"),
    "requirement without a reason": (_set(["motion", "required_at_top"], ["hip_angle > 150"]),
                                     "required_at_top needs required_reason"),
    "outline ends too close": (_set(["signals", "back"], {"kind": "outline", "along": ["mid_hip", "mid_shoulder"],
                                                          "ends": [0.4, 0.5]}), "ends must be two fractions"),
    "mean of an absolute signal": (_set(["signals", "both"], {"kind": "mean", "of": ["hip_angle", "knee_angle"]}),
                                   "'hip_angle' must be a relative signal"),
    "wrong type": (_set(["motion", "min_dwell_s"], "soon"), "motion.min_dwell_s"),
    "far-side thresholds on a two-sided exercise": (
        _set(["motion", "far_side"], {"start": 0.05, "minimum": 0.1, "target": 0.2}),
        "far_side thresholds need per_side: true"),
    "code in a condition": (_set(["faults", 0, "when"], "__import__('os').system('x') > 1"), "cannot read condition"),
    "duplicate fault id": (_set(["faults", 1, "id"], "feet_too_far"), "fault ids must be unique; repeated: feet_too_far"),
}


@pytest.mark.parametrize("name", list(BROKEN))
def test_broken_spec_message_names_file_field_and_problem(tmp_path: Path, name: str):
    change, expected = BROKEN[name]
    path = _broken(tmp_path, change)
    with pytest.raises(SpecError) as info:
        load_spec(path)
    message = str(info.value)
    assert message.startswith(str(path)), message
    assert expected in message
    assert "\n" not in message


def test_invalid_yaml_and_wrong_file_name(tmp_path: Path):
    bad = tmp_path / "bridge.yaml"
    bad.write_text("id: bridge\ntitle: [unclosed\n")
    with pytest.raises(SpecError, match=r"bridge.yaml: not valid YAML at line \d+"):
        load_spec(bad)
    renamed = tmp_path / "other.yaml"
    renamed.write_text((default_specs_dir() / "bridge.yaml").read_text())
    with pytest.raises(SpecError, match="id: 'bridge' must match the file name 'other'"):
        load_spec(renamed)


def test_validate_command(tmp_path: Path, run_cli):
    code, out, _ = run_cli("validate", *map(str, SPECS))
    assert code == 0 and out.count(": ok") == len(SPECS)
    path = _broken(tmp_path, _set(["motion", "signal"], "nope"))
    code, _, err = run_cli("validate", str(path))
    assert code == 2
    assert err.startswith(f"error: {path}: motion.signal uses unknown signal 'nope'") and err.count("\n") == 1


def test_exercises_command_lists_one_per_line(run_cli):
    code, out, _ = run_cli("exercises")
    assert code == 0
    lines = out.splitlines()
    specs = load_all_specs()
    assert [line.split()[0] for line in lines] == sorted(specs)
    assert "Prone press-up (side view)" in "\n".join(lines)


def test_catalogue_lists_every_exercise_and_fault(run_cli):
    code, text, _ = run_cli("exercises", "--markdown")
    assert code == 0
    for spec in load_all_specs().values():
        assert f"(`{spec.id}`)" in text
        for rule in [*spec.faults, *spec.event_faults]:
            assert f"`{rule.id}` ({rule.cue})" in text


def test_the_package_lists_every_subpackage_and_ships_the_specs():
    """An installed formcheck (a wheel, not this checkout) must carry its code and its library."""
    import tomllib

    root = Path(__file__).resolve().parents[1]
    setup = tomllib.loads((root / "pyproject.toml").read_text())["tool"]["setuptools"]
    code = {".".join(p.parent.relative_to(root).parts) for p in (root / "formcheck").rglob("__init__.py")}
    data = {"formcheck.exercise_specs", "formcheck.exercise_specs.routines"}
    assert set(setup["packages"]) == code | data
    assert setup["package-dir"] == {"formcheck.exercise_specs": "exercise_specs"}
    assert default_specs_dir().resolve() == (root / "exercise_specs").resolve()
    assert set(setup["package-data"]["formcheck.exercise_specs"]) == {"*.yaml"}
    assert sorted((root / "exercise_specs" / "routines").glob("*.yaml"))
