"""The bundled samples as the app lists them: by the exercise their sidecar names, without reading
the rest of the sidecar (ground truth of hundreds of kB) until it is needed."""

from __future__ import annotations

import json

from formcheck.ui.samples import list_samples


def test_clips_are_listed_by_the_exercise_their_sidecar_names_and_half_written_ones_are_skipped(tmp_path):
    truth = {"joints_2d": [[0.0] * 66] * 200}
    for name, sidecar in (("bridge_clean", {"clip": "bridge_clean", "exercise": "bridge", "reps": 5, **truth}),
                          ("late_key", {"reps": 2, **truth, "exercise": "superman"}),  # not among the first keys
                          ("no_exercise", {"clip": "no_exercise", **truth})):
        (tmp_path / f"{name}.mp4").write_bytes(b"")
        (tmp_path / f"{name}.json").write_text(json.dumps(sidecar), encoding="utf-8")
    (tmp_path / "half_written.mp4").write_bytes(b"")
    whole = json.dumps({"clip": "half_written", "exercise": "bridge", **truth})
    (tmp_path / "half_written.json").write_text(whole[: len(whole) // 2], encoding="utf-8")
    (tmp_path / "no_sidecar.mp4").write_bytes(b"")
    clips = list_samples(tmp_path)
    assert [(c.name, c.exercise) for c in clips] == [("bridge_clean", "bridge"), ("late_key", "superman")]
    assert "sidecar" not in vars(clips[0])  # not read yet
    assert clips[0].clean and clips[0].expected_reps == 5
