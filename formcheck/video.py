"""Reading frames from video files and writing browser-playable H.264 mp4, through PyAV.

No analysis happens here. Every failure a user can cause (wrong path, empty or non-video file,
damaged data) surfaces as a `VideoError` whose message is one readable line naming the file.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from fractions import Fraction
from pathlib import Path
from typing import Iterator

import av
import av.error
import numpy as np

# H.264 in mp4 plays in every browser; yuv420p is the only chroma layout they all decode.
_CODEC = "libx264"
_PIX_FMT = "yuv420p"
# The 90 kHz MPEG clock: exact for 24, 25, 30, 60 and 30000/1001 fps, fine enough for any
# variable frame rate timestamp.
_WRITER_TIME_BASE = Fraction(1, 90000)
_UNCOUNTED_END_MARGIN_S = 1.0  # see _ends_early


class VideoError(Exception):
    """A video cannot be read or written; str() is one user-readable line naming the file."""


class VideoTruncatedError(VideoError):
    """The video breaks off or is damaged part way; every decodable frame was yielded first.

    `last_timestamp_s` is the timestamp of the last frame yielded (None if there was none).
    """

    def __init__(self, message: str, last_timestamp_s: float | None) -> None:
        super().__init__(message)
        self.last_timestamp_s = last_timestamp_s


@dataclass(frozen=True)
class VideoInfo:
    path: Path
    width: int  # as displayed, i.e. after the file's rotation metadata is applied
    height: int
    fps: float  # average frame rate; 0.0 only if the file gives no way to tell
    frame_count: int  # from the container, else estimated from duration and fps
    duration_s: float
    codec: str
    recorded_at: datetime | None = None  # the recording's creation time from its metadata, if it has one


@dataclass(frozen=True)
class Frame:
    index: int  # position among the frames yielded, from 0
    timestamp_s: float  # presentation time in seconds since the stream's first frame
    image: np.ndarray  # (H, W, 3) uint8 RGB, upright


def _quoted(path: str | os.PathLike[str]) -> str:
    # Messages must stay on one line whatever the file is called.
    return "'" + str(path).replace("\n", "\\n").replace("\r", "\\r") + "'"


def _first_line(exc: BaseException) -> str:
    """The gist of an OS or FFmpeg error, to follow a colon in one of our messages."""
    text = str(getattr(exc, "strerror", None) or exc).strip()
    if not text:
        return type(exc).__name__
    line = text.splitlines()[0].rstrip(".")
    return line[:1].lower() + line[1:]


def _open_input(path: str | os.PathLike[str]) -> tuple[av.container.InputContainer, av.video.stream.VideoStream]:
    """Open `path` for decoding and return it with its first video stream, or raise VideoError."""
    p = Path(path)
    name = _quoted(path)
    if not p.exists():
        raise VideoError(f"file not found: {name}")
    if p.is_dir():
        raise VideoError(f"{name} is a folder, not a video file")
    try:
        size = p.stat().st_size
    except OSError as exc:
        raise VideoError(f"cannot read {name}: {_first_line(exc)}") from None
    if size == 0:
        raise VideoError(f"cannot read {name}: file is empty")
    try:
        container = av.open(str(p), mode="r")
    except av.error.PermissionError:
        raise VideoError(f"cannot read {name}: permission denied") from None
    except (av.error.InvalidDataError, av.error.DemuxerNotFoundError, av.error.EOFError):
        if _looks_like_video_container(p):
            raise VideoError(f"cannot read {name}: the video file is damaged or incomplete") from None
        raise VideoError(f"{name} is not a video file") from None
    except (av.error.FFmpegError, OSError) as exc:
        raise VideoError(f"cannot read {name}: {_first_line(exc)}") from None
    if not container.streams.video:
        container.close()
        raise VideoError(f"{name} has no video stream")
    # FFmpeg opens a still image as a one-frame video; that is never what a user meant to analyse.
    if container.format.name == "image2" or container.format.name.endswith("_pipe"):
        container.close()
        raise VideoError(f"{name} is a still image, not a video file")
    stream = container.streams.video[0]
    if stream.codec_context is None or stream.codec_context.width <= 0:
        container.close()
        raise VideoError(f"cannot read {name}: its video stream cannot be decoded")
    return container, stream


def _looks_like_video_container(path: Path) -> bool:
    """Does the file start like an mp4/mov, mkv/webm or avi? Then a file that fails to open is a
    damaged video (e.g. a recording cut off before its index was written), not some other file."""
    try:
        with path.open("rb") as f:
            head = f.read(12)
    except OSError:
        return False
    return (
        head[4:8] in (b"ftyp", b"moov", b"mdat", b"free", b"wide", b"skip")
        or head.startswith(b"\x1a\x45\xdf\xa3")
        or (head.startswith(b"RIFF") and head[8:12] == b"AVI ")
    )


def _stream_fps(stream: av.video.stream.VideoStream) -> float:
    for rate in (stream.average_rate, stream.guessed_rate, stream.base_rate):
        if rate:
            return float(rate)
    return 0.0


def _stream_duration_s(container: av.container.InputContainer, stream: av.video.stream.VideoStream) -> float:
    if stream.duration and stream.time_base:
        return float(stream.duration * stream.time_base)
    if container.duration:
        return container.duration / av.time_base
    return 0.0


def _creation_time(container: av.container.InputContainer, stream: av.video.stream.VideoStream) -> datetime | None:
    """When the camera says the recording was made (phones write it, in UTC). A missing, unreadable
    or implausible value (encoders write 1904 or 1970 for "unknown") gives None."""
    for metadata in (container.metadata, stream.metadata):
        text = next((v for k, v in metadata.items() if k.lower() == "creation_time"), None)
        if not text:
            continue
        try:
            when = datetime.fromisoformat(text.strip())
        except ValueError:
            continue
        when = when if when.tzinfo else when.replace(tzinfo=timezone.utc)
        if datetime(2000, 1, 1, tzinfo=timezone.utc) <= when <= datetime.now(timezone.utc) + timedelta(days=1):
            return when
    return None


def recording_started_at(path: str | os.PathLike[str], file_time: bool = True) -> datetime | None:
    """When the recording began, to date its session: the creation time in its metadata, else with
    `file_time` (a file as the camera left it, not a fresh copy) its modification time less its
    length; None if neither tells."""
    try:
        info = probe_video(path)
        if info.recorded_at is not None:
            return info.recorded_at
        if file_time:
            modified = datetime.fromtimestamp(Path(path).stat().st_mtime, timezone.utc)
            return modified - timedelta(seconds=info.duration_s)
    except (VideoError, OSError):
        pass
    return None


def probe_video(path: str | os.PathLike[str]) -> VideoInfo:
    """Size, frame rate, length and codec of a video file; VideoError if it cannot be read."""
    container, stream = _open_input(path)
    try:
        fps = _stream_fps(stream)
        duration = _stream_duration_s(container, stream)
        frame_count = stream.frames
        if frame_count <= 0:
            frame_count = int(round(duration * fps)) if fps > 0 else 0
        if duration <= 0 and fps > 0:
            duration = frame_count / fps
        width, height = stream.codec_context.width, stream.codec_context.height
        rotation = _first_frame_rotation(container, stream)
        if rotation in (90, 270):
            width, height = height, width
        return VideoInfo(
            path=Path(path),
            width=width,
            height=height,
            fps=fps,
            frame_count=frame_count,
            duration_s=duration,
            codec=stream.codec_context.name,
            recorded_at=_creation_time(container, stream),
        )
    finally:
        container.close()


def _first_frame_rotation(container: av.container.InputContainer, stream: av.video.stream.VideoStream) -> int:
    """Rotation of the first decodable frame (0 if none decodes); PyAV reports rotation per frame."""
    try:
        for frame in container.decode(stream):
            return _frame_rotation(frame)
    except av.error.FFmpegError:
        pass
    return 0


def _frame_rotation(frame: av.VideoFrame) -> int:
    try:
        degrees = frame.rotation
    except (AttributeError, av.error.FFmpegError):
        return 0
    return int(round((degrees or 0) / 90.0)) * 90 % 360


def _upright_rgb(frame: av.VideoFrame) -> np.ndarray:
    image = frame.to_ndarray(format="rgb24")
    rotation = _frame_rotation(frame)
    if rotation:
        # np.rot90 turns counter-clockwise, the same sense as the display matrix.
        image = np.ascontiguousarray(np.rot90(image, k=rotation // 90))
    return image


def iter_frames(path: str | os.PathLike[str]) -> Iterator[Frame]:
    """Decode a video file frame by frame, as upright RGB images with presentation timestamps.

    Streams: only a few frames are held at any time, whatever the video's length. Timestamps come
    from the stream's pts (measured from the stream's start), so variable frame rate is kept;
    index / fps is used only for a frame without pts. Timestamps strictly increase: a frame whose
    timestamp is not later than the previous one is dropped.

    Raises VideoError if the file cannot be opened (on the first `next()`, as this is a generator;
    call `probe_video` first to fail early), and VideoTruncatedError after the last decodable frame
    if the file breaks off or has damaged data part way.
    """
    container, stream = _open_input(path)
    name = _quoted(path)
    # Frame threading: decoding overlaps with the caller's work on the other core.
    stream.thread_type = "AUTO"
    fps = _stream_fps(stream)
    start_pts = stream.start_time if stream.start_time is not None else None
    time_base = stream.time_base
    declared_frames = stream.frames
    duration = _stream_duration_s(container, stream)

    index = 0
    decoded = 0
    last_ts: float | None = None
    damage: str | None = None  # the first error met, if any
    broke_off = False  # True when the file could not be read past some point

    def timestamp_of(frame: av.VideoFrame) -> float:
        if frame.pts is not None and time_base:
            offset = frame.pts - start_pts if start_pts is not None else frame.pts
            return float(offset * time_base)
        return decoded / fps if fps > 0 else float(decoded)

    def accept(frame: av.VideoFrame) -> Frame | None:
        nonlocal index, decoded, last_ts
        ts = timestamp_of(frame)
        decoded += 1
        if last_ts is not None and ts <= last_ts:
            return None
        out = Frame(index=index, timestamp_s=ts, image=_upright_rgb(frame))
        index += 1
        last_ts = ts
        return out

    try:
        packets = container.demux(stream)
        while True:
            try:
                packet = next(packets)
            except StopIteration:
                break
            except av.error.FFmpegError as exc:
                # The container itself breaks off: nothing after this point can be read.
                damage = damage or _first_line(exc)
                broke_off = True
                break
            try:
                frames = packet.decode()
            except av.error.FFmpegError as exc:
                # One damaged packet: note it and go on, later key frames may decode again.
                damage = damage or _first_line(exc)
                continue
            for frame in frames:
                out = accept(frame)
                if out is not None:
                    yield out
        if damage is not None:
            # Frames still inside the decoder (reordering, frame threads) are not lost.
            try:
                for frame in stream.codec_context.decode(None):
                    out = accept(frame)
                    if out is not None:
                        yield out
            except av.error.FFmpegError:
                pass
    finally:
        container.close()

    if not broke_off and _ends_early(declared_frames, decoded, duration, last_ts, fps):
        damage = (f"only {decoded} of {declared_frames} frames could be read" if declared_frames > 0
                  else f"the picture stops at {last_ts or 0:.1f} s of {duration:.1f} s")
        broke_off = True
    if broke_off:
        where = f"after {last_ts:.2f} s" if last_ts is not None else "before the first frame"
        raise VideoTruncatedError(f"{name} is truncated or damaged: reading stopped {where} ({damage})", last_ts)
    if damage is not None:
        raise VideoTruncatedError(f"{name} is damaged: some frames could not be decoded ({damage})", last_ts)


def _ends_early(declared_frames: int, decoded: int, duration_s: float, last_ts: float | None, fps: float) -> bool:
    """Did the frames run out well before the container said they would?

    Where the frame count is declared (mp4, mov), both it and the duration must fall short: an edit
    list (a video trimmed on a phone) can declare more frames than it shows while still ending on
    time. Matroska and WebM declare no frame count, only a duration, which may be the whole file's
    (a sound track can run a little longer than the picture), so there the picture must stop more
    than a second short.
    """
    if duration_s <= 0 or 0 < declared_frames <= decoded:
        return False
    frame_s = 1.0 / fps if fps > 0 else 0.1
    shown_until = (last_ts if last_ts is not None else -frame_s) + frame_s
    margin = 2 * frame_s if declared_frames > 0 else max(2 * frame_s, _UNCOUNTED_END_MARGIN_S)
    return shown_until < duration_s - margin


class VideoWriter:
    """Writes RGB frames to a browser-playable H.264 mp4 (libx264, yuv420p, faststart).

    The size is taken from the first frame; an odd width or height is padded by one pixel on the
    right or bottom (H.264 with 4:2:0 chroma needs even sizes), repeating the edge pixels. The file
    appears at `path` only when the writer is closed without error, never half written.

        with VideoWriter("out.mp4", fps=Fraction(30)) as writer:
            for frame in iter_frames("in.mp4"):
                writer.write(frame.image, frame.timestamp_s)
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        fps: Fraction | int | float = Fraction(30),
        *,
        crf: int = 23,
        preset: str = "veryfast",
    ) -> None:
        self.path = Path(path)
        self.fps = Fraction(fps).limit_denominator(1001) if not isinstance(fps, Fraction) else fps
        if self.fps <= 0:
            raise ValueError(f"fps must be positive, got {fps}")
        self._crf = crf
        self._preset = preset
        self._container: av.container.OutputContainer | None = None
        self._stream: av.video.stream.VideoStream | None = None
        self._size: tuple[int, int] | None = None  # (height, width) of the images given
        self._last_pts: int | None = None
        self._first_timestamp_s: float | None = None
        self._tmp_path: Path | None = None
        self._closed = False

    def _open(self, height: int, width: int) -> None:
        name = _quoted(self.path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{self.path.stem}.", suffix=".mp4", dir=self.path.parent)
            os.close(fd)
            # mkstemp makes the file private (0600); the video is an ordinary shareable file.
            os.chmod(tmp, 0o644)
        except OSError as exc:
            raise VideoError(f"cannot write {name}: {_first_line(exc)}") from None
        self._tmp_path = Path(tmp)
        try:
            self._container = av.open(tmp, mode="w", format="mp4", options={"movflags": "+faststart"})
            stream = self._container.add_stream(_CODEC, rate=self.fps)
        except av.error.FFmpegError as exc:
            self.discard()
            raise VideoError(f"cannot write {name}: {_first_line(exc)}") from None
        stream.width = width + (width % 2)
        stream.height = height + (height % 2)
        stream.pix_fmt = _PIX_FMT
        stream.codec_context.time_base = _WRITER_TIME_BASE
        # No B-frames: with them, variable frame rate input gives mp4 decode times that end before
        # the last frames are shown, so players report a short duration and cut the end off.
        stream.codec_context.max_b_frames = 0
        stream.options = {"crf": str(self._crf), "preset": self._preset}
        self._stream = stream
        self._size = (height, width)

    def write(self, image_rgb: np.ndarray, timestamp_s: float | None = None) -> None:
        """Append one (H, W, 3) uint8 RGB frame, shown at `timestamp_s` seconds.

        Times count from the first timestamp given, which is shown at 0 s (as `iter_frames` counts
        from the stream's start), so a clip cut from the middle of a video does not begin with a
        pause. Without a timestamp the frame follows the previous one at the writer's fps. A
        timestamp not later than the previous frame's is moved just after it (mp4 needs
        increasing times).
        """
        if self._closed:
            raise ValueError("write() on a closed VideoWriter")
        if image_rgb.ndim != 3 or image_rgb.shape[2] != 3 or image_rgb.dtype != np.uint8:
            raise ValueError(f"expected an (H, W, 3) uint8 RGB image, got {image_rgb.shape} {image_rgb.dtype}")
        height, width = image_rgb.shape[:2]
        if self._container is None:
            self._open(height, width)
        elif (height, width) != self._size:
            raise ValueError(f"frame size {width}x{height} differs from the first frame's {self._size[1]}x{self._size[0]}")
        assert self._stream is not None and self._container is not None

        if height % 2 or width % 2:
            image_rgb = np.pad(image_rgb, ((0, height % 2), (0, width % 2), (0, 0)), mode="edge")

        ticks_per_frame = 1 / (self.fps * _WRITER_TIME_BASE)
        if timestamp_s is not None:
            if self._first_timestamp_s is None:
                # Frames written before the first timestamp keep their place ahead of it.
                ahead = 0 if self._last_pts is None else self._last_pts + ticks_per_frame
                self._first_timestamp_s = timestamp_s - float(ahead * _WRITER_TIME_BASE)
            pts = int(round((timestamp_s - self._first_timestamp_s) / _WRITER_TIME_BASE))
        elif self._last_pts is None:
            pts = 0
        else:
            pts = self._last_pts + int(round(ticks_per_frame))
        if self._last_pts is not None and pts <= self._last_pts:
            pts = self._last_pts + 1
        self._last_pts = pts

        frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(image_rgb), format="rgb24")
        frame.pts = pts
        frame.time_base = _WRITER_TIME_BASE
        try:
            for packet in self._stream.encode(frame):
                self._container.mux(packet)
        except av.error.FFmpegError as exc:
            raise VideoError(f"cannot write {_quoted(self.path)}: {_first_line(exc)}") from None

    def close(self) -> None:
        """Finish the file and move it into place. A writer that got no frames writes no file."""
        if self._closed:
            return
        self._closed = True
        if self._container is None or self._stream is None:
            return
        try:
            for packet in self._stream.encode(None):
                self._container.mux(packet)
            self._container.close()
            self._container = None
            assert self._tmp_path is not None
            os.replace(self._tmp_path, self.path)
            self._tmp_path = None
        except (av.error.FFmpegError, OSError) as exc:
            self.discard()
            raise VideoError(f"cannot write {_quoted(self.path)}: {_first_line(exc)}") from None

    def discard(self) -> None:
        """Drop what was written (after an error, or when it is no result): the file at `path`,
        if any was there, stays as it was."""
        self._closed = True
        if self._container is not None:
            try:
                self._container.close()
            except (av.error.FFmpegError, OSError):
                pass
            self._container = None
        if self._tmp_path is not None:
            self._tmp_path.unlink(missing_ok=True)
            self._tmp_path = None

    def __enter__(self) -> "VideoWriter":
        return self

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        if exc_type is None:
            self.close()
        else:
            self.discard()
