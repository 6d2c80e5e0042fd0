"""Video reading and writing on real files made with PyAV and formcheck's own writer."""

from __future__ import annotations

import inspect
import os
from fractions import Fraction
from pathlib import Path
from typing import Iterator

import av
import cv2
import numpy as np
import pytest

from fixtures import (
    box_offsets,
    encode_frames,
    frame_index_of,
    indexed_frame,
    write_audio_only_mp4,
    write_indexed_clip,
    write_plain_mp4,
)
from formcheck.video import (
    Frame,
    VideoError,
    VideoInfo,
    VideoTruncatedError,
    VideoWriter,
    iter_frames,
    probe_video,
)


def assert_one_line_naming(exc: BaseException, path: Path) -> None:
    message = str(exc)
    assert "\n" not in message and message.strip() == message
    assert str(path) in message


def assert_unreadable(path: Path, match: str) -> list[VideoError]:
    """Both readers (probe and frames) refuse the file with one line naming it; their errors."""
    errors = []
    for read in (probe_video, lambda p: list(iter_frames(p))):
        with pytest.raises(VideoError, match=match) as err:
            read(path)
        assert_one_line_naming(err.value, path)
        errors.append(err.value)
    return errors


# --- writing and reading back -------------------------------------------------------------------


def test_round_trip_keeps_size_rate_order_and_content(tmp_path: Path) -> None:
    path = write_indexed_clip(tmp_path / "clip.mp4", n_frames=20, fps=30)

    info = probe_video(path)
    assert info == VideoInfo(
        path=path, width=64, height=48, fps=30.0, frame_count=20, duration_s=info.duration_s, codec="h264"
    )
    assert info.duration_s == pytest.approx(20 / 30, abs=1e-6)

    frames = list(iter_frames(path))
    assert [f.index for f in frames] == list(range(20))
    assert [frame_index_of(f.image) for f in frames] == list(range(20))
    assert [f.timestamp_s for f in frames] == pytest.approx([i / 30 for i in range(20)], abs=1e-6)
    first = frames[0].image
    assert first.dtype == np.uint8 and first.shape == (48, 64, 3)
    # RGB order (not BGR) and near-lossless on flat colours.
    assert np.abs(first[-4, -4].astype(int) - (30, 90, 160)).max() <= 4


def test_variable_frame_rate_timestamps_survive(tmp_path: Path) -> None:
    stamps = [0.0, 0.05, 0.07, 0.2, 0.21, 0.5, 0.9]
    path = write_indexed_clip(tmp_path / "vfr.mp4", n_frames=len(stamps), fps=30, timestamps=stamps)

    frames = list(iter_frames(path))
    assert [f.timestamp_s for f in frames] == pytest.approx(stamps, abs=1e-4)
    assert [frame_index_of(f.image) for f in frames] == list(range(len(stamps)))
    # The container's duration covers the last frame (no B-frame decode-time shortfall).
    assert probe_video(path).duration_s >= 0.9


def test_written_times_count_from_the_first_frame(tmp_path: Path) -> None:
    """A stretch cut from the middle of a video (times 12.0 s on) plays from 0 s, no pause first."""
    path = write_indexed_clip(tmp_path / "cut.mp4", n_frames=3, timestamps=[12.0, 12.1, 12.3])
    assert [f.timestamp_s for f in iter_frames(path)] == pytest.approx([0.0, 0.1, 0.3], abs=1e-4)
    assert probe_video(path).duration_s < 0.5


def test_writer_moves_a_repeated_timestamp_just_after_the_previous(tmp_path: Path) -> None:
    path = write_indexed_clip(tmp_path / "dup.mp4", n_frames=3, timestamps=[0.0, 0.1, 0.1])
    stamps = [f.timestamp_s for f in iter_frames(path)]
    assert len(stamps) == 3 and stamps[2] > stamps[1] == pytest.approx(0.1) and stamps[2] < 0.1 + 1e-3


def test_writer_output_is_browser_playable_h264_with_index_first(tmp_path: Path) -> None:
    path = write_indexed_clip(tmp_path / "web.mp4", n_frames=5, fps=Fraction(30000, 1001))
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        assert stream.codec_context.name == "h264"
        assert stream.codec_context.pix_fmt == "yuv420p"
        assert stream.average_rate == Fraction(30000, 1001)
    boxes = box_offsets(path.read_bytes())
    assert boxes[b"moov"] < boxes[b"mdat"], "faststart: the index must precede the media data"


def test_writer_pads_odd_sizes_to_even(tmp_path: Path) -> None:
    path = tmp_path / "odd.mp4"
    with VideoWriter(path, fps=25) as writer:
        for i in range(3):
            writer.write(indexed_frame(i, width=63, height=47))
    info = probe_video(path)
    assert (info.width, info.height) == (64, 48)
    # The padding repeats the edge, it does not add a black line.
    last = next(iter_frames(path)).image
    assert np.abs(last[-1, -1].astype(int) - (30, 90, 160)).max() <= 6


def test_writer_leaves_no_file_on_error_or_without_frames(tmp_path: Path) -> None:
    failed = tmp_path / "failed.mp4"
    with pytest.raises(RuntimeError):
        with VideoWriter(failed, fps=30) as writer:
            writer.write(indexed_frame(0))
            raise RuntimeError("caller failed")
    empty = tmp_path / "empty.mp4"
    with VideoWriter(empty, fps=30):
        pass
    assert not failed.exists() and not empty.exists()
    assert list(tmp_path.iterdir()) == [], "no temporary files left behind"


def test_writer_rejects_a_change_of_frame_size(tmp_path: Path) -> None:
    with VideoWriter(tmp_path / "x.mp4", fps=30) as writer:
        writer.write(indexed_frame(0, 64, 48))
        with pytest.raises(ValueError, match="differs"):
            writer.write(indexed_frame(1, 80, 48))


def _resident_bytes() -> int:
    # Frame buffers are allocated by FFmpeg, which tracemalloc does not see: measure the process.
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


@pytest.mark.skipif(not Path("/proc/self/statm").exists(), reason="needs /proc")
def test_iter_frames_streams_without_holding_the_video(tmp_path: Path) -> None:
    n_frames, width, height = 120, 640, 480
    path = tmp_path / "long.mp4"
    with VideoWriter(path, fps=30) as writer:
        for i in range(n_frames):
            writer.write(indexed_frame(i % 30, width, height))

    frames = iter_frames(path)
    assert inspect.isgenerator(frames)
    baseline = _resident_bytes()
    peak, count = baseline, 0
    for _ in frames:
        count += 1
        peak = max(peak, _resident_bytes())
    assert count == n_frames
    all_frames = n_frames * width * height * 3
    assert peak - baseline < all_frames / 3, f"grew by {peak - baseline} bytes: frames are being kept"


def test_plain_mp4_with_index_at_end_reads_fully(tmp_path: Path) -> None:
    path = write_plain_mp4(tmp_path / "camera.mp4", n_frames=12)
    boxes = box_offsets(path.read_bytes())
    assert boxes[b"mdat"] < boxes[b"moov"]
    frames = list(iter_frames(path))
    assert [frame_index_of(f.image) for f in frames] == list(range(12))


@pytest.mark.parametrize("rotation", [90, -90, 180])
def test_rotation_metadata_gives_upright_frames(tmp_path: Path, rotation: int) -> None:
    path = write_plain_mp4(tmp_path / "phone.mp4", n_frames=3, rotation=rotation)
    info = probe_video(path)
    image = next(iter_frames(path)).image
    # The stored frame is 64x48 with a white bottom-right corner; rotating counter-clockwise by
    # `rotation` degrees for display moves that corner as np.rot90 does.
    stored = np.zeros((48, 64), bool)
    stored[-8:, -8:] = True
    expected = np.rot90(stored, k=(rotation // 90) % 4)
    assert (info.height, info.width) == expected.shape == image.shape[:2]
    white = image.min(axis=2) > 200
    assert white[expected].mean() > 0.9 and white[~expected].mean() < 0.02


# --- unreadable input ---------------------------------------------------------------------------


def test_missing_file(tmp_path: Path) -> None:
    assert_unreadable(tmp_path / "x.mp4", r"^file not found: ")


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "x.mp4"
    path.touch()
    with pytest.raises(VideoError, match=r"file is empty$") as err:
        probe_video(path)
    assert type(err.value) is VideoError
    assert_one_line_naming(err.value, path)


def test_text_file_named_mp4(tmp_path: Path) -> None:
    path = tmp_path / "notes.mp4"
    path.write_text("exercise notes\n" * 50)
    assert_unreadable(path, r"is not a video file$")


def test_still_image_is_not_a_video(tmp_path: Path) -> None:
    path = tmp_path / "photo.mp4"
    ok, png = cv2.imencode(".png", indexed_frame(0))
    assert ok
    path.write_bytes(png.tobytes())
    with pytest.raises(VideoError, match=r"still image") as err:
        probe_video(path)
    assert_one_line_naming(err.value, path)


def test_folder_is_not_a_video(tmp_path: Path) -> None:
    with pytest.raises(VideoError, match="folder") as err:
        probe_video(tmp_path)
    assert_one_line_naming(err.value, tmp_path)


def test_audio_only_file_has_no_video_stream(tmp_path: Path) -> None:
    path = write_audio_only_mp4(tmp_path / "voice.mp4")
    with pytest.raises(VideoError, match=r"has no video stream$") as err:
        probe_video(path)
    assert_one_line_naming(err.value, path)


def test_recording_cut_off_before_its_index_was_written(tmp_path: Path) -> None:
    """A camera-style mp4 (index at the end) that lost its tail cannot be opened at all."""
    whole = write_plain_mp4(tmp_path / "whole.mp4", n_frames=30).read_bytes()
    path = tmp_path / "cut.mp4"
    path.write_bytes(whole[: len(whole) // 2])
    assert all(type(error) is VideoError for error in assert_unreadable(path, "damaged or incomplete"))


def _read_until_error(path: Path) -> tuple[list[Frame], VideoTruncatedError]:
    frames: list[Frame] = []
    with pytest.raises(VideoTruncatedError) as err:
        for frame in iter_frames(path):
            frames.append(frame)
    return frames, err.value


def test_faststart_file_missing_its_tail_yields_what_is_there(tmp_path: Path) -> None:
    whole = _noisy_clip(tmp_path / "whole.mp4", n_frames=30).read_bytes()
    path = tmp_path / "cut.mp4"
    path.write_bytes(whole[: len(whole) // 2])

    frames, err = _read_until_error(path)
    assert 5 < len(frames) < 30
    assert [frame_index_of(f.image) for f in frames] == list(range(len(frames)))
    assert err.last_timestamp_s == frames[-1].timestamp_s
    assert "truncated or damaged" in str(err)
    assert_one_line_naming(err, path)
    # probe_video only reads the header, which is intact.
    assert probe_video(path).frame_count == 30


def test_faststart_file_with_its_middle_cut_out_yields_frames_before_the_damage(tmp_path: Path) -> None:
    whole = _noisy_clip(tmp_path / "whole.mp4", n_frames=30).read_bytes()
    mdat = box_offsets(whole)[b"mdat"]
    middle = (mdat + len(whole)) // 2
    path = tmp_path / "holed.mp4"
    path.write_bytes(whole[:middle] + whole[middle + 4000 :])

    frames, err = _read_until_error(path)
    assert 5 < len(frames) < 30
    assert [frame_index_of(f.image) for f in frames[:5]] == list(range(5))
    assert err.last_timestamp_s == frames[-1].timestamp_s
    assert_one_line_naming(err, path)


def _textured_frames(n_frames: int, seed: int) -> Iterator[np.ndarray]:
    """Frames with texture, so packets are big and a byte cut lands inside frame data."""
    texture = np.random.default_rng(seed).integers(0, 256, (96, 128, 3), dtype=np.uint8)
    return (np.roll(texture, 3 * i, axis=1) for i in range(n_frames))


def _noisy_clip(path: Path, n_frames: int) -> Path:
    with VideoWriter(path, fps=30) as writer:
        for i, image in enumerate(_textured_frames(n_frames, seed=7)):
            image[:48, :64] = 10 + 8 * i  # the index block, as in indexed_frame
            writer.write(image)
    return path


def test_garbage_inside_the_media_data_is_reported_after_the_readable_frames(tmp_path: Path) -> None:
    whole = _noisy_clip(tmp_path / "whole.mp4", n_frames=30).read_bytes()
    middle = (box_offsets(whole)[b"mdat"] + len(whole)) // 2
    garbage = np.random.default_rng(11).integers(0, 256, 3000, dtype=np.uint8).tobytes()
    path = tmp_path / "garbled.mp4"
    path.write_bytes(whole[:middle] + garbage + whole[middle + 3000 :])

    frames, err = _read_until_error(path)
    assert len(frames) > 15, "frames after the damage are still read"
    assert err.last_timestamp_s == frames[-1].timestamp_s
    assert "damaged" in str(err)
    assert_one_line_naming(err, path)


def test_times_count_from_the_stream_start_in_a_transport_stream(tmp_path: Path) -> None:
    """MPEG-TS streams start at an arbitrary clock value (here 0.08 s); frames count from it."""
    path = encode_frames(tmp_path / "broadcast.ts", (indexed_frame(i) for i in range(10)), fps=25)
    with av.open(str(path)) as container:
        assert container.streams.video[0].start_time > 0
    frames = list(iter_frames(path))
    assert [f.timestamp_s for f in frames] == pytest.approx([i / 25 for i in range(10)], abs=1e-6)
    assert probe_video(path).frame_count == 10


def _noisy_webm(path: Path, n_frames: int) -> Path:
    """A VP8 WebM, as browsers record: Matroska declares a duration but no frame count."""
    return encode_frames(path, _textured_frames(n_frames, seed=5), codec="libvpx")


def test_webm_missing_its_tail_is_reported_from_its_duration(tmp_path: Path) -> None:
    whole = _noisy_webm(tmp_path / "whole.webm", n_frames=120)
    assert probe_video(whole).duration_s == pytest.approx(4.0, abs=0.1)
    assert len(list(iter_frames(whole))) == 120  # read whole: no complaint
    path = tmp_path / "cut.webm"
    data = whole.read_bytes()
    path.write_bytes(data[: len(data) // 3])

    frames, err = _read_until_error(path)
    assert 10 < len(frames) < 80
    assert "truncated or damaged" in str(err) and "of 4.0 s" in str(err)
    assert_one_line_naming(err, path)
