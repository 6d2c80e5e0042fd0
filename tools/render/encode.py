"""H.264 mp4 writer (PyAV/libx264, yuv420p, faststart) that Chromium plays."""
from __future__ import annotations

from fractions import Fraction

import av


class Mp4Writer:
    def __init__(self, path, width, height, fps, crf=27):
        self.container = av.open(str(path), mode="w", options={"movflags": "+faststart"})
        self.stream = self.container.add_stream("libx264", rate=Fraction(fps))
        self.stream.width, self.stream.height = width, height
        self.stream.pix_fmt = "yuv420p"
        # "film" keeps skin and fabric shading smooth at a modest bitrate; deterministic output with 1 thread.
        self.stream.options = {"crf": str(crf), "preset": "medium", "tune": "film", "threads": "1"}

    def write(self, rgb):
        frame = av.VideoFrame.from_ndarray(rgb, format="rgb24")
        for packet in self.stream.encode(frame):
            self.container.mux(packet)

    def close(self):
        for packet in self.stream.encode():
            self.container.mux(packet)
        self.container.close()
