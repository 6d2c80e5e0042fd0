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
    return write_camera_sequence([ClipPart(source)], target, lead_s, tail_s)


@dataclass(frozen=True)
class ClipPart:
    """A stretch of a clip, or (source None) an empty room for `seconds`."""

    source: Path | None
    start_s: float = 0.0
    end_s: float | None = None
    seconds: float = 0.0


def write_camera_sequence(parts: list[ClipPart], target: Path, lead_s: float, tail_s: float) -> FakeCameraClip:
    """The parts one after another, with the first frame held for `lead_s` and the last for `tail_s`
    (clip_frames counts the parts' frames). All parts must share a size and frame rate."""
    clip_frames, fps, size, last = 0, None, None, None
    with av.open(str(target), mode="w", format="yuv4mpegpipe") as out:
        video = None

        def write(still: np.ndarray, copies: int = 1) -> None:
            for _ in range(copies):
                for packet in video.encode(av.VideoFrame.from_ndarray(still, format="yuv420p")):
                    out.mux(packet)

        for part in parts:
            if part.source is None:
                assert last is not None and fps is not None, "a sequence starts with a clip"
                room = np.full_like(last, 128)  # grey: nobody in the picture
                count = int(round(part.seconds * fps))
                write(room, count)
                clip_frames, last = clip_frames + count, room
                continue
            with av.open(str(part.source)) as container:  # streamed: raw video would not fit in memory twice
                stream = container.streams.video[0]
                part_fps = Fraction(stream.average_rate or 15).limit_denominator(1001)
                if video is None:
                    fps, size = part_fps, (stream.width, stream.height)
                    video = out.add_stream("wrapped_avframe", rate=fps)
                    video.width, video.height, video.pix_fmt = stream.width, stream.height, "yuv420p"
                assert (part_fps, (stream.width, stream.height)) == (fps, size), "parts differ in size or rate"
                for i, frame in enumerate(container.decode(stream)):
                    t = i / float(fps)
                    if t < part.start_s or (part.end_s is not None and t >= part.end_s):
                        continue
                    still = frame.reformat(format="yuv420p").to_ndarray()
                    if last is None:
                        write(still, int(round(lead_s * fps)))
                    write(still)
                    clip_frames, last = clip_frames + 1, still
        if last is None:
            raise ValueError("the sequence has no frames")
        write(last, int(round(tail_s * fps)))
        for packet in video.encode(None):
            out.mux(packet)
    return FakeCameraClip(target, fps, int(round(lead_s * fps)), clip_frames, int(round(tail_s * fps)))


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
