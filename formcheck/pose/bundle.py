"""The offline PoseLandmarker model: a `.task` bundle built from the models inside the mediapipe wheel.

mediapipe 0.10.21 ships the BlazePose detector and full landmark model as bare `.tflite` files for
its legacy API. The Tasks API wants a `.task` bundle (a zip of both models) whose image inputs
carry normalisation metadata, which those files lack. We add it with mediapipe's own metadata
writers and bundle the result once, into the user's cache folder, so no download is ever needed.
"""

from __future__ import annotations

import os
import tempfile
import zipfile
from pathlib import Path

import platformdirs

# Member names the PoseLandmarker graph looks for inside a `.task` bundle.
DETECTOR_MEMBER = "pose_detector.tflite"
LANDMARKS_MEMBER = "pose_landmarks_detector.tflite"

_WHEEL_DETECTOR = Path("modules/pose_detection/pose_detection.tflite")
_WHEEL_LANDMARKS = Path("modules/pose_landmark/pose_landmark_full.tflite")

# Input normalisation of the two models (pixel value v becomes (v - mean) / std): the detector
# expects [-1, 1], the landmark model [0, 1]. With these the bundle reproduces the legacy
# `mp.solutions.pose` output.
_DETECTOR_NORM = (127.5, 127.5)
_LANDMARKS_NORM = (0.0, 255.0)


class PoseModelError(Exception):
    """The pose model cannot be found, built or loaded; the message is one user-readable line."""


def cache_dir() -> Path:
    """Where built models are kept: $FORMCHECK_CACHE_DIR, else the user's cache folder (on Linux
    $XDG_CACHE_HOME/formcheck or ~/.cache/formcheck; ~/Library/Caches/formcheck on macOS; the local
    AppData folder on Windows)."""
    override = os.environ.get("FORMCHECK_CACHE_DIR")
    if override:
        return Path(override).expanduser()
    return platformdirs.user_cache_path("formcheck", appauthor=False)


def _mediapipe_dir_and_version() -> tuple[Path, str]:
    try:
        import mediapipe
    except ImportError as exc:
        raise PoseModelError(f"mediapipe is not installed ({exc}); install formcheck's dependencies") from None
    return Path(mediapipe.__file__).parent, str(getattr(mediapipe, "__version__", "unknown"))


def bundled_model_path() -> Path:
    """Path of the cached bundle for the installed mediapipe; the version is part of the name
    so an upgrade of mediapipe never reuses a bundle built from another wheel's models."""
    _, version = _mediapipe_dir_and_version()
    return cache_dir() / f"pose_landmarker_full_mediapipe-{version}.task"


def ensure_bundled_model() -> Path:
    """The offline `.task` bundle, built on first use and reused afterwards."""
    target = bundled_model_path()
    if target.is_file():
        try:
            return check_task_file(target)
        except PoseModelError:
            pass  # damaged (e.g. the disk filled up while copying the cache): build it again
    build_bundle(target)
    return target


def build_bundle(target: Path) -> None:
    """Build the bundle at `target`, atomically: it is written to a temporary file in the same
    folder and renamed, so a concurrent reader sees either nothing or a complete bundle."""
    mp_dir, version = _mediapipe_dir_and_version()
    detector = _with_image_metadata(mp_dir / _WHEEL_DETECTOR, "pose_detector", *_DETECTOR_NORM, version)
    landmarks = _with_image_metadata(mp_dir / _WHEEL_LANDMARKS, "pose_landmarks_detector", *_LANDMARKS_NORM, version)

    from mediapipe.tasks.python.metadata.metadata_writers import model_asset_bundle_utils

    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=target.name + ".", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise PoseModelError(f"cannot write the pose model cache in '{target.parent}': {exc.strerror or exc}") from None
    os.close(fd)
    try:
        # mkstemp makes the file private (0600); the cache is an ordinary shareable file.
        os.chmod(tmp_name, 0o644)
        model_asset_bundle_utils.create_model_asset_bundle(
            {DETECTOR_MEMBER: detector, LANDMARKS_MEMBER: landmarks}, tmp_name
        )
        os.replace(tmp_name, target)
    except OSError as exc:
        raise PoseModelError(f"cannot write the pose model '{target}': {exc.strerror or exc}") from None
    finally:
        if os.path.exists(tmp_name):
            os.unlink(tmp_name)


def _with_image_metadata(path: Path, name: str, mean: float, std: float, mp_version: str) -> bytes:
    """The model's bytes with image-input normalisation metadata and one feature entry per output."""
    from mediapipe.tasks.python.metadata.metadata_writers import metadata_writer, writer_utils

    try:
        model = path.read_bytes()
    except OSError:
        raise PoseModelError(
            f"the pose model '{path}' is missing from the mediapipe {mp_version} installation; "
            "reinstall mediapipe==0.10.21 or pass a pose_landmarker .task file with --model"
        ) from None
    writer = metadata_writer.MetadataWriter.create(bytearray(model))
    writer.add_general_info(name).add_image_input(norm_mean=[mean] * 3, norm_std=[std] * 3)
    for _ in writer_utils.get_output_tensor_types(model):
        writer.add_feature_output()
    populated, _ = writer.populate()
    return bytes(populated)


def check_task_file(path: str | Path) -> Path:
    """A user-supplied model path, checked to be a readable `.task` bundle of a pose landmarker."""
    p = Path(path).expanduser()
    if not p.exists():
        raise PoseModelError(f"model file not found: '{p}'")
    if not p.is_file():
        raise PoseModelError(f"model '{p}' is not a file")
    try:
        with zipfile.ZipFile(p) as zf:
            members = set(zf.namelist())
    except zipfile.BadZipFile:
        raise PoseModelError(f"model '{p}' is not a .task file (expected a pose_landmarker_*.task bundle)") from None
    except OSError as exc:
        raise PoseModelError(f"cannot read model '{p}': {exc.strerror or exc}") from None
    missing = {DETECTOR_MEMBER, LANDMARKS_MEMBER} - members
    if missing:
        raise PoseModelError(
            f"model '{p}' is not a pose landmarker .task file (it lacks {', '.join(sorted(missing))})"
        )
    return p
