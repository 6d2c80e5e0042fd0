"""Pose estimation with MediaPipe's Tasks API `PoseLandmarker` (one person per frame).

By default it runs the offline bundle built from the mediapipe wheel (see `bundle.py`); a
downloaded `pose_landmarker_{lite,full,heavy}.task` can be given instead.
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Literal

import numpy as np

from formcheck.landmarks import Landmarks
from formcheck.pose.bundle import PoseModelError, check_task_file, ensure_bundled_model

# mediapipe 0.10.21 logs through absl's C++ logger straight to file descriptor 2 when the graph
# starts and when each model first runs. That logger ignores GLOG_minloglevel and
# TF_CPP_MIN_LOG_LEVEL (tried), so those lines are caught at the descriptor instead; these are
# the ones dropped, anything else caught while listening is passed on unchanged.
_NATIVE_NOISE = re.compile(
    r"^(WARNING: All log messages before absl::InitializeLog\(\)"
    r"|INFO: Created TensorFlow Lite"
    r"|[IW]\d{4} [\d:. ]+\d+ \w+\.cc:\d+\])"
)


class MediaPipePoseEstimator:
    """`PoseEstimator` backed by `mediapipe.tasks.vision.PoseLandmarker`.

    VIDEO mode tracks the person between frames (faster and steadier) and needs strictly
    increasing timestamps; IMAGE mode treats every frame on its own. Keep one instance per video
    or per live session: the tracking state belongs to one stream.
    """

    def __init__(
        self,
        model_path: str | Path | None = None,
        running_mode: Literal["video", "image"] = "video",
        *,
        segmentation: bool = False,
        min_detection_confidence: float = 0.5,
        min_presence_confidence: float = 0.5,
        min_tracking_confidence: float = 0.5,
    ) -> None:
        if running_mode not in ("video", "image"):
            raise ValueError(f"running_mode must be 'video' or 'image', got {running_mode!r}")
        path = ensure_bundled_model() if model_path is None else check_task_file(model_path)

        from mediapipe.tasks.python import BaseOptions, vision

        mode = vision.RunningMode.VIDEO if running_mode == "video" else vision.RunningMode.IMAGE
        options = vision.PoseLandmarkerOptions(
            base_options=BaseOptions(model_asset_path=str(path)),
            running_mode=mode,
            num_poses=1,
            # The person's silhouette, for specs that read the outline of the back: about 3 ms more
            # per frame at 720p, so only when asked.
            output_segmentation_masks=segmentation,
            min_pose_detection_confidence=min_detection_confidence,
            min_pose_presence_confidence=min_presence_confidence,
            min_tracking_confidence=min_tracking_confidence,
        )
        error: Exception | None = None
        with _quiet_native_logs() as held:
            try:
                self._landmarker = vision.PoseLandmarker.create_from_options(options)
            except (RuntimeError, ValueError) as exc:
                error = exc
                held.discard = True  # TF-Lite also prints the reason; our message carries it
        if error is not None:
            reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
            raise PoseModelError(f"cannot load pose model '{path}': {reason}")
        self.model_path = path
        self.running_mode = running_mode
        self.segmentation = segmentation
        self._last_ms = -1
        # The landmark model first runs when a person is first found, and logs then; listen until then.
        self._models_warm = False
        self._closed = False

    def detect(self, image_rgb: np.ndarray, timestamp_s: float) -> Landmarks | None:
        """Landmarks of the most prominent person in an RGB uint8 image, or None if nobody is found."""
        if self._closed:
            raise RuntimeError("pose estimator is closed")
        if image_rgb.ndim != 3 or image_rgb.shape[2] != 3 or image_rgb.dtype != np.uint8:
            raise ValueError(f"expected an (H, W, 3) uint8 RGB image, got {image_rgb.shape} {image_rgb.dtype}")
        import mediapipe as mp

        image = mp.Image(image_format=mp.ImageFormat.SRGB, data=np.ascontiguousarray(image_rgb))
        if self._models_warm:
            result = self._run(image, timestamp_s)
        else:
            with _quiet_native_logs():
                result = self._run(image, timestamp_s)
        if not result.pose_landmarks:
            return None
        self._models_warm = True
        height, width = image_rgb.shape[:2]
        mask = None
        if self.segmentation and result.segmentation_masks:
            # A copy: the view points into MediaPipe's buffer, which the next frame reuses.
            mask = np.array(result.segmentation_masks[0].numpy_view(), dtype=np.float32).reshape(height, width)
        return Landmarks.from_mediapipe(result.pose_landmarks[0], timestamp_s, width, height, mask)

    def _run(self, image, timestamp_s: float):
        if self.running_mode == "image":
            return self._landmarker.detect(image)
        # VIDEO mode rejects a timestamp that is not later than the previous one; a repeated or
        # rounded-together timestamp is nudged 1 ms on rather than dropping the frame.
        ms = int(round(timestamp_s * 1000.0))
        if ms <= self._last_ms:
            ms = self._last_ms + 1
        self._last_ms = ms
        return self._landmarker.detect_for_video(image, ms)

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self._landmarker.close()

    def __enter__(self) -> "MediaPipePoseEstimator":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


_STDERR_FD = 2  # native code writes here whatever Python's sys.stderr has been replaced by
# fd 2 is process-wide: two estimators warming up in two threads (two live sessions) must not
# interleave their redirections, or one would restore the other's sink as stderr for good.
_redirect_lock = threading.Lock()


@dataclass
class _HeldOutput:
    discard: bool = False  # set to drop everything held back, not only the known chatter


@contextmanager
def _quiet_native_logs() -> Iterator[_HeldOutput]:
    """Hold back what is written to fd 2 and pass on all but MediaPipe's start-up chatter.

    Only used around model creation and until the first person is found, so the window in which
    other threads' stderr output is delayed (never lost) stays short.
    """
    held = _HeldOutput()
    with _redirect_lock, tempfile.TemporaryFile(mode="w+b") as sink:
        try:
            saved_fd = os.dup(_STDERR_FD)
        except OSError:
            # No fd 2 at all (a daemon): there is nothing to keep clean.
            yield held
            return
        _flush_python_stderr()
        os.dup2(sink.fileno(), _STDERR_FD)
        try:
            yield held
        finally:
            _flush_python_stderr()
            os.dup2(saved_fd, _STDERR_FD)
            os.close(saved_fd)
            sink.seek(0)
            kept = [
                line
                for line in sink.read().splitlines(keepends=True)
                if not _NATIVE_NOISE.match(line.decode("utf-8", "replace"))
            ]
            if kept and not held.discard:
                os.write(_STDERR_FD, b"".join(kept))


def _flush_python_stderr() -> None:
    try:
        if sys.stderr is not None:
            sys.stderr.flush()
    except (OSError, ValueError):
        pass
