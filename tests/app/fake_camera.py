"""Test media for the app: a fake-camera y4m made from a sample clip, and a broken "video"."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import numpy as np


@dataclass(frozen=True)
class FakeCameraClip:
    path: Path
    fps: Fraction
    lead_frames: int  # copies of the first frame before the clip starts
    clip_frames: int
    tail_frames: int  # copies of the last frame after it ends

    @property
    def duration_s(self) -> float:
        return float((self.lead_frames + self.clip_frames + self.tail_frames) / self.fps)

    def clip_time_to_file_time(self, clip_s: float) -> float:
        """Where a moment of the clip falls in the y4m (which Chromium plays from its start, in real time)."""
        return float(self.lead_frames / self.fps) + clip_s


def write_fake_camera_y4m(source: Path, target: Path, lead_s: float, tail_s: float) -> FakeCameraClip:
    """Chromium's `--use-file-for-fake-video-capture` plays a raw y4m file (looping at its end).
    The still lead gives the WebRTC connection time to come up before the movement starts; the
    still tail gives time to read the final count before the file loops."""
    clip_frames = 0
    with av.open(str(source)) as container, av.open(str(target), mode="w", format="yuv4mpegpipe") as out:
        stream = container.streams.video[0]
        fps = Fraction(stream.average_rate or 15).limit_denominator(1001)
        lead, tail = int(round(lead_s * fps)), int(round(tail_s * fps))
        video = out.add_stream("wrapped_avframe", rate=fps)
        video.width, video.height, video.pix_fmt = stream.width, stream.height, "yuv420p"

        def write(frame: av.VideoFrame, copies: int = 1) -> None:
            still = frame.reformat(format="yuv420p").to_ndarray()
            for _ in range(copies):
                for packet in video.encode(av.VideoFrame.from_ndarray(still, format="yuv420p")):
                    out.mux(packet)

        last = None
        for frame in container.decode(stream):  # streamed: the raw clip would not fit in memory twice
            if last is None:
                write(frame, lead)
            write(frame)
            last, clip_frames = frame, clip_frames + 1
        if last is None:
            raise ValueError(f"{source} has no frames")
        write(last, tail)
        for packet in video.encode(None):
            out.mux(packet)
    return FakeCameraClip(target, fps, lead, clip_frames, tail)


def write_not_a_video(path: Path) -> Path:
    """Bytes with a video's name that no demuxer accepts."""
    rng = np.random.default_rng(7)
    path.write_bytes(b"this is not a video\n" + rng.integers(0, 256, 4096, dtype=np.uint8).tobytes())
    return path


def write_first_seconds(source: Path, target: Path, seconds: float) -> Path:
    """The start of a clip as its own H.264 mp4 (a quick upload with a real person in it)."""
    from formcheck.video import VideoWriter, iter_frames

    with VideoWriter(target, fps=15) as writer:
        for frame in iter_frames(source):
            if frame.timestamp_s >= seconds:
                break
            writer.write(frame.image, frame.timestamp_s)
    return target
