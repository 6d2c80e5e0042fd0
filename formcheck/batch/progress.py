"""The batch's progress on stderr: on a terminal one line redrawn in place (videos done, frames per
second, time left); otherwise (a log file, a cron job) one line per finished video."""

from __future__ import annotations

import time
from typing import TextIO

_BAR = 24


def duration_text(seconds: float) -> str:
    seconds = int(round(seconds))
    if seconds < 60:
        return f"{seconds}s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes}m{seconds:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m"


class BatchProgress:
    def __init__(self, stream: TextIO, total: int, done_before: int, frames_to_do: int) -> None:
        self.stream = stream
        self.live = stream.isatty()
        self.total = total
        self.done = done_before
        self.frames_to_do = frames_to_do  # expected, from the containers: for the time left only
        self.frames = 0
        self.started = time.monotonic()
        self._width = 0

    @property
    def elapsed_s(self) -> float:
        return time.monotonic() - self.started

    @property
    def frames_per_s(self) -> float:
        elapsed = self.elapsed_s
        return self.frames / elapsed if elapsed > 0 else 0.0

    def video_done(self, label: str, frames: int, expected_frames: int) -> None:
        self.done += 1
        self.frames += frames
        # What was expected of this video is no longer to do, whatever it turned out to hold.
        self.frames_to_do = max(0, self.frames_to_do - max(frames, expected_frames))
        if self.live:
            self.draw()
        else:
            self.stream.write(f"[{self.done}/{self.total}] {label}\n")
            self.stream.flush()

    def draw(self) -> None:
        if not self.live:
            return
        filled = _BAR * self.done // self.total if self.total else _BAR
        rate = self.frames_per_s
        left = f"{duration_text(self.frames_to_do / rate)} left" if rate > 0 and self.frames else "time left: -"
        line = (f"batch [{'#' * filled}{'.' * (_BAR - filled)}] {self.done}/{self.total} videos  "
                f"{rate:5.1f} frames/s  {left}  ({duration_text(self.elapsed_s)})")
        self.stream.write("\r" + line.ljust(self._width))
        self._width = len(line)
        self.stream.flush()

    def close(self) -> None:
        if self.live and self._width:
            self.stream.write("\n")
            self.stream.flush()
