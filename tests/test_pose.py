"""The pose backend with the real MediaPipe model, built offline from the installed wheel."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest

from fixtures import write_indexed_clip
from formcheck.landmarks import Landmark, Landmarks
from formcheck.pose import PoseEstimator, PoseModelError, create_pose_estimator
from formcheck.pose import bundle
from formcheck.video import VideoWriter, iter_frames

pytestmark = pytest.mark.slow


# --- the offline bundle -------------------------------------------------------------------------


def test_bundle_builds_offline_and_is_then_reused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FORMCHECK_CACHE_DIR", str(tmp_path / "cache"))

    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("the bundle build tried to reach the network")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    path = bundle.ensure_bundled_model()

    import mediapipe

    assert path.parent == tmp_path / "cache"
    assert mediapipe.__version__ in path.name and path.suffix == ".task"
    with zipfile.ZipFile(path) as zf:
        assert set(zf.namelist()) == {bundle.DETECTOR_MEMBER, bundle.LANDMARKS_MEMBER}
    assert [p.name for p in path.parent.iterdir()] == [path.name], "no temporary file left behind"

    stat = path.stat()

    def no_rebuild(target: Path) -> None:
        raise AssertionError("the cached bundle was rebuilt")

    monkeypatch.setattr(bundle, "build_bundle", no_rebuild)
    assert bundle.ensure_bundled_model() == path
    assert (path.stat().st_ino, path.stat().st_mtime_ns) == (stat.st_ino, stat.st_mtime_ns)


def test_a_half_written_bundle_is_replaced(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FORMCHECK_CACHE_DIR", str(tmp_path))
    target = bundle.bundled_model_path()
    target.write_bytes(b"PK\x03\x04 half a zip")
    assert bundle.ensure_bundled_model() == target
    assert zipfile.is_zipfile(target) and target.stat().st_size > 1_000_000


def test_cache_folder_follows_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("FORMCHECK_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert bundle.cache_dir() == tmp_path / "xdg" / "formcheck"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert bundle.cache_dir() == Path.home() / ".cache" / "formcheck"
    monkeypatch.setenv("FORMCHECK_CACHE_DIR", str(tmp_path / "own"))
    assert bundle.cache_dir() == tmp_path / "own"


def test_missing_wheel_model_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FORMCHECK_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(bundle, "_WHEEL_LANDMARKS", Path("modules/pose_landmark/gone.tflite"))
    with pytest.raises(PoseModelError, match="missing from the mediapipe") as err:
        bundle.ensure_bundled_model()
    assert "\n" not in str(err.value) and "gone.tflite" in str(err.value)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (None, "model file not found"),
        (b"not a model at all", "is not a .task file"),
        ("zip-without-models", "lacks pose_detector.tflite, pose_landmarks_detector.tflite"),
        ("zip-with-broken-models", "cannot load pose model .*not a valid Flatbuffer"),
    ],
)
def test_bad_model_path_is_a_clear_error(
    tmp_path: Path, capfd: pytest.CaptureFixture[str], content: bytes | str | None, expected: str
) -> None:
    path = tmp_path / "pose_landmarker_full.task"
    if content == "zip-without-models":
        with zipfile.ZipFile(path, "w") as zf:
            zf.writestr("readme.txt", "hello")
    elif content == "zip-with-broken-models":
        with zipfile.ZipFile(path, "w") as zf:
            zf.writestr(bundle.DETECTOR_MEMBER, b"x" * 100)
            zf.writestr(bundle.LANDMARKS_MEMBER, b"y" * 100)
    elif content is not None:
        path.write_bytes(content)
    with pytest.raises(PoseModelError, match=expected) as err:
        create_pose_estimator(model_path=path)
    assert "\n" not in str(err.value) and str(path) in str(err.value)
    assert capfd.readouterr().err == "", "the error is reported once, by the exception"


def test_a_task_file_given_by_path_is_used(tmp_path: Path) -> None:
    """A user-supplied pose_landmarker_*.task (here a copy of the built bundle) loads."""
    own = tmp_path / "pose_landmarker_full.task"
    own.write_bytes(bundle.ensure_bundled_model().read_bytes())
    with create_pose_estimator(model_path=own, running_mode="image") as estimator:
        assert estimator.model_path == own  # type: ignore[attr-defined]
        assert estimator.detect(np.zeros((64, 64, 3), np.uint8), 0.0) is None


# --- detection ----------------------------------------------------------------------------------


def _check_hopper(lm: Landmarks, width: int, height: int) -> None:
    """Landmarks expected on matplotlib's grace_hopper.jpg (512x600, head and shoulders, facing
    the camera), with tolerances far wider than the model's variation but far narrower than
    any misplacement, mirroring or coordinate-scale mistake."""
    assert (lm.image_width, lm.image_height) == (width, height)
    nose = lm[Landmark.NOSE]
    assert nose[:2] == pytest.approx((0.53 * width, 0.375 * height), abs=0.05 * width)
    for name in ("nose", "left_eye", "right_eye", "left_shoulder", "right_shoulder"):
        assert lm[name][3] > 0.9, f"{name} should be visible"
    # Her left is on the image's right; eyes above the nose, shoulders below it.
    assert lm["left_eye"][0] > nose[0] > lm["right_eye"][0]
    assert lm["left_shoulder"][0] > nose[0] > lm["right_shoulder"][0]
    assert lm["left_eye"][1] < nose[1] < lm["left_shoulder"][1]
    shoulder_width = lm["left_shoulder"][0] - lm["right_shoulder"][0]
    assert 0.5 * width < shoulder_width < 0.9 * width


@pytest.mark.parametrize("mode", ["image", "video"])
def test_detects_the_person_in_a_real_photo(person_photo_rgb: np.ndarray, mode: str) -> None:
    height, width = person_photo_rgb.shape[:2]
    with create_pose_estimator(running_mode=mode) as estimator:  # type: ignore[arg-type]
        assert isinstance(estimator, PoseEstimator)
        lm = estimator.detect(person_photo_rgb, 1.25)
    assert lm is not None
    assert lm.timestamp_s == 1.25
    _check_hopper(lm, width, height)


@pytest.mark.parametrize("mode", ["image", "video"])
def test_no_person_gives_none(mode: str) -> None:
    rng = np.random.default_rng(3)
    images = [np.zeros((480, 640, 3), np.uint8), rng.integers(0, 256, (240, 320, 3), dtype=np.uint8)]
    with create_pose_estimator(running_mode=mode) as estimator:  # type: ignore[arg-type]
        assert [estimator.detect(img, i / 30) for i, img in enumerate(images)] == [None, None]


def test_video_mode_accepts_repeated_and_backward_timestamps(person_photo_rgb: np.ndarray) -> None:
    """VIDEO mode needs increasing integer milliseconds; the estimator nudges bad ones on and
    still reports the caller's timestamps."""
    stamps = [0.0, 0.0, 0.0004, 0.0333, 0.02, 0.0667]
    with create_pose_estimator(running_mode="video") as estimator:
        results = [estimator.detect(person_photo_rgb, t) for t in stamps]
    assert all(r is not None for r in results)
    assert [r.timestamp_s for r in results] == stamps  # type: ignore[union-attr]


def test_tracks_the_person_through_a_video_file(person_photo_rgb: np.ndarray, tmp_path: Path) -> None:
    """The whole source -> pose path: the photo drifting across a 640x480 H.264 clip."""
    photo = person_photo_rgb[::2, ::2]  # 256x300
    path = tmp_path / "drift.mp4"
    with VideoWriter(path, fps=30) as writer:
        for i in range(15):
            frame = np.full((480, 640, 3), (90, 110, 130), np.uint8)
            x = 100 + 10 * i
            frame[90:390, x : x + 256] = photo
            writer.write(frame)

    with create_pose_estimator() as estimator:
        results = [(f, estimator.detect(f.image, f.timestamp_s)) for f in iter_frames(path)]
    assert len(results) == 15
    for frame, lm in results:
        assert lm is not None and lm.timestamp_s == frame.timestamp_s
        x = 100 + 10 * frame.index
        # The nose follows the photo: 0.53 of its width from its left edge.
        assert lm[Landmark.NOSE][0] == pytest.approx(x + 0.53 * 256, abs=15)


def test_rejects_images_that_are_not_rgb_uint8() -> None:
    with create_pose_estimator(running_mode="image") as estimator:
        with pytest.raises(ValueError, match="uint8 RGB"):
            estimator.detect(np.zeros((48, 64), np.uint8), 0.0)
        with pytest.raises(ValueError, match="uint8 RGB"):
            estimator.detect(np.zeros((48, 64, 3), np.float32), 0.0)


def test_closed_estimator_refuses_work() -> None:
    estimator = create_pose_estimator(running_mode="image")
    estimator.close()
    estimator.close()  # closing twice is harmless
    with pytest.raises(RuntimeError, match="closed"):
        estimator.detect(np.zeros((48, 64, 3), np.uint8), 0.0)


def test_mediapipe_start_up_chatter_stays_off_stderr(person_photo_rgb: np.ndarray, tmp_path: Path) -> None:
    """Loading the model and the first inferences must not print absl/TF-Lite logs, which would
    clutter the command line's output. Run in a fresh process, where they would first appear."""
    photo = tmp_path / "person.npy"
    np.save(photo, person_photo_rgb)
    script = (
        "import numpy as np\n"
        "from formcheck.pose import create_pose_estimator\n"
        f"image = np.load({str(photo)!r})\n"
        "with create_pose_estimator() as e:\n"
        "    assert e.detect(np.zeros_like(image), 0.0) is None\n"
        "    assert e.detect(image, 0.04) is not None\n"
        "    assert e.detect(image, 0.08) is not None\n"
        "import sys; print('done', file=sys.stderr)\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, env=dict(os.environ)
    )
    assert run.returncode == 0, run.stderr
    assert run.stderr == "done\n"


def test_clip_without_a_person_gives_none_on_every_frame(tmp_path: Path) -> None:
    """Synthetic clips hold no person: every frame gives None, with no error on the way."""
    path = write_indexed_clip(tmp_path / "flat.mp4", n_frames=5, width=320, height=240)
    with create_pose_estimator() as estimator:
        assert [estimator.detect(f.image, f.timestamp_s) for f in iter_frames(path)] == [None] * 5


def test_stderr_filter_drops_only_mediapipe_chatter() -> None:
    """What else reaches stderr while MediaPipe's start-up lines are held back is passed on."""
    script = (
        "import os\n"
        "from formcheck.pose.mediapipe_tasks import _quiet_native_logs\n"
        "with _quiet_native_logs():\n"
        "    os.write(2, b'I0000 00:00:1795312515.202809    3444 task_runner.cc:85] GPU suport is not available\\n')\n"
        "    os.write(2, b'INFO: Created TensorFlow Lite XNNPACK delegate for CPU.\\n')\n"
        "    os.write(2, b'a real problem\\n')\n"
        "os.write(2, b'after\\n')\n"
    )
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert run.stderr == "a real problem\nafter\n"


SAMPLE_CLIP = Path(__file__).resolve().parent.parent / "sample_videos" / "prone_press_up_clean.mp4"


@pytest.mark.skipif(
    not (SAMPLE_CLIP.exists() and SAMPLE_CLIP.with_suffix(".json").exists()), reason="rendered sample clip not present"
)
def test_full_body_on_the_floor_matches_the_rendered_ground_truth() -> None:
    """A whole body lying prone, seen from the side (the rendered sample clip): the joints facing
    the camera land within a few pixels of where the renderer put them."""
    import json

    from formcheck.landmarks import landmark_index

    truth = json.loads(SAMPLE_CLIP.with_suffix(".json").read_text())
    names = truth["joints_2d"]["names"]
    indices = [landmark_index(n) for n in names]
    errors: list[float] = []
    with create_pose_estimator() as estimator:
        for frame in iter_frames(SAMPLE_CLIP):
            if frame.timestamp_s > 10.0:
                break
            lm = estimator.detect(frame.image, frame.timestamp_s)
            assert lm is not None, f"no person found at {frame.timestamp_s:.2f} s"
            for idx, (x, y, visible) in zip(indices, truth["joints_2d"]["frames"][frame.index]):
                if visible:
                    errors.append(float(np.hypot(lm.points[idx, 0] - x, lm.points[idx, 1] - y)))
    assert len(errors) > 500
    assert np.median(errors) < 10.0 and np.percentile(errors, 90) < 25.0
