"""Tiny test videos and images made on the spot, so tests need no stored media.

Frames carry their own index as the grey level of a large block (`frame_index_of` reads it
back), which survives H.264 compression and lets tests check frame order and dropping.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import Iterable, Sequence

import av
import numpy as np

from formcheck.video import VideoWriter

INDEX_STEP = 8  # grey levels between consecutive frame indices: far apart enough to survive crf 23


def indexed_frame(index: int, width: int = 64, height: int = 48) -> np.ndarray:
    """A flat background with a block whose grey level encodes `index` (0..30)."""
    image = np.empty((height, width, 3), np.uint8)
    image[:] = (30, 90, 160)
    level = 10 + INDEX_STEP * index
    if level > 255:
        raise ValueError(f"index {index} too large for an indexed frame")
    image[: height // 2, : width // 2] = level
    return image


def frame_index_of(image: np.ndarray) -> int:
    h, w = image.shape[:2]
    level = float(image[h // 8 : h // 2 - h // 8, w // 8 : w // 2 - w // 8].mean())
    return int(round((level - 10) / INDEX_STEP))


def write_indexed_clip(
    path: Path,
    n_frames: int = 20,
    fps: Fraction | int = 30,
    timestamps: Sequence[float] | None = None,
    width: int = 64,
    height: int = 48,
) -> Path:
    """An H.264 mp4 written by formcheck's own VideoWriter."""
    with VideoWriter(path, fps=fps) as writer:
        for i in range(n_frames):
            writer.write(indexed_frame(i, width, height), None if timestamps is None else timestamps[i])
    return path


def encode_frames(path: Path, images: Iterable[np.ndarray], codec: str = "libx264", fps: int = 30,
                  metadata: dict[str, str] | None = None, rotation: int | None = None) -> Path:
    """Images encoded with PyAV's defaults as a camera or browser would write them (the container
    from the file's suffix; an mp4's index at the end), with container `metadata` such as a
    creation_time and optionally display-rotation metadata as phones record portrait video."""
    with av.open(str(path), mode="w") as container:
        container.metadata.update(metadata or {})
        stream = None
        for image in images:
            if stream is None:
                stream = container.add_stream(codec, rate=fps)
                stream.height, stream.width = image.shape[:2]
                stream.pix_fmt = "yuv420p"
                if rotation is not None:
                    stream.set_display_rotation(rotation)
            for packet in stream.encode(av.VideoFrame.from_ndarray(image, format="rgb24")):
                container.mux(packet)
        if stream is not None:
            for packet in stream.encode(None):
                container.mux(packet)
    return path


def write_plain_mp4(path: Path, n_frames: int = 20, fps: int = 30, rotation: int | None = None) -> Path:
    """Indexed frames in an mp4 as cameras write it (index at the end), each with a white corner
    (bottom right) to check the orientation."""

    def cornered(i: int) -> np.ndarray:
        image = indexed_frame(i)
        image[-8:, -8:] = 255
        return image

    return encode_frames(path, (cornered(i) for i in range(n_frames)), fps=fps, rotation=rotation)


def write_audio_only_mp4(path: Path) -> Path:
    with av.open(str(path), mode="w") as container:
        stream = container.add_stream("aac", rate=16000)
        for i in range(8):
            frame = av.AudioFrame.from_ndarray(np.zeros((1, 1024), np.float32), format="fltp", layout="mono")
            frame.sample_rate = 16000
            frame.pts = i * 1024
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    return path


def box_offsets(data: bytes) -> dict[bytes, int]:
    """Byte offsets of the top-level mp4 boxes ('ftyp', 'moov', 'mdat', ...)."""
    offsets: dict[bytes, int] = {}
    pos = 0
    while pos + 8 <= len(data):
        size = int.from_bytes(data[pos : pos + 4], "big")
        kind = data[pos + 4 : pos + 8]
        offsets.setdefault(kind, pos)
        if size == 1:
            size = int.from_bytes(data[pos + 8 : pos + 16], "big")
        if size < 8:
            break
        pos += size
    return offsets
