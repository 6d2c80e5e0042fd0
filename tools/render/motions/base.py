"""Helpers shared by the exercise scripts: eased keyframe tracks, events, fault windows, a solver."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


def ease(x):
    """Cosine ease in-out on [0, 1]: zero velocity at both ends, like an unhurried human movement."""
    x = np.clip(x, 0.0, 1.0)
    return 0.5 - 0.5 * np.cos(np.pi * x)


def bisect(fn, lo, hi, target, iters=24):
    """x in [lo, hi] with fn(x) == target, for an increasing fn (solves a pose for a wanted measure)."""
    for _ in range(iters):
        mid = 0.5 * (lo + hi)
        if fn(mid) < target:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


def smoothstep(x):
    x = np.clip(x, 0.0, 1.0)
    return x * x * (3 - 2 * x)


class Track:
    """Piecewise eased scalar: keys (t, value); each span eases from one value to the next."""

    def __init__(self, value=0.0):
        self.keys = [(0.0, float(value))]

    def hold_until(self, t):
        self.keys.append((float(t), self.keys[-1][1]))
        return self

    def move_to(self, t, value):
        self.keys.append((float(t), float(value)))
        return self

    @property
    def end(self):
        return self.keys[-1][0]

    def __call__(self, t):
        keys = self.keys
        if t <= keys[0][0]:
            return keys[0][1]
        for (t0, v0), (t1, v1) in zip(keys, keys[1:]):
            if t <= t1:
                if t1 <= t0:
                    return v1
                return v0 + (v1 - v0) * float(ease((t - t0) / (t1 - t0)))
        return keys[-1][1]


def breathing(t, period=4.2, phase=0.0):
    """Slow breathing oscillation in [-1, 1]."""
    return float(np.sin(2 * np.pi * t / period + phase))


@dataclass
class Event:
    kind: str             # rep | partial | hold | step
    start_s: float
    end_s: float
    side: str | None = None
    duration_s: float | None = None
    direction: str | None = None
    faults: list = field(default_factory=list)
    # (first, last) second at the top / held position; for a step its midpoint. Not in the sidecar:
    # the stress set uses it to decide whether a repetition cut by the recording still counts.
    top_s: tuple | None = None

    def to_json(self, index):
        d = {"kind": self.kind, "index": index, "start_s": round(self.start_s, 2), "end_s": round(self.end_s, 2),
             "side": self.side}
        if self.duration_s is not None:
            d["duration_s"] = round(self.duration_s, 2)
        if self.direction is not None:
            d["direction"] = self.direction
        d["faults"] = sorted(set(self.faults))
        return d


def windows_where(times, values, threshold, min_len=0.0):
    """Time windows where values > threshold (a fault really present), as [(start, end)]."""
    above = np.asarray(values) > threshold
    out, start = [], None
    for t, a in zip(times, above):
        if a and start is None:
            start = t
        elif not a and start is not None:
            out.append((start, t))
            start = None
    if start is not None:
        out.append((start, times[-1]))
    return [(s, e) for s, e in out if e - s >= min_len]


def attach_faults(events, fault_windows):
    """Put a fault id into every event its window overlaps (by more than a frame or two)."""
    for ev in events:
        for fw in fault_windows:
            if min(fw["end_s"], ev.end_s) - max(fw["start_s"], ev.start_s) > 0.1:
                ev.faults.append(fw["fault"])
    return events


def limb_reach(l1, l2, joint_deg):
    """End-to-end distance of a two-segment limb (l1, l2) bent to this inside angle (law of cosines)."""
    return np.sqrt(l1 ** 2 + l2 ** 2 - 2 * l1 * l2 * np.cos(np.radians(joint_deg)))


def torso_length(body):
    """Shoulder-to-hip length of the rig (the T of the fault thresholds)."""
    return float(np.linalg.norm(body.head("upperarm01.L") - body.head("upperleg01.L")))


class Script:
    """An exercise performance: posture at time t plus its ground truth."""

    exercise = ""
    view = "side"
    counted_kind = "rep"  # the event kind that counts as a complete repetition

    def __init__(self):
        self.duration = 0.0
        self.events: list[Event] = []
        self.fault_signals = {}  # fault id -> (callable t -> magnitude, threshold)

    def posture(self, t):
        raise NotImplementedError

    def fault_windows(self, times):
        out = []
        for fault, (signal, threshold) in self.fault_signals.items():
            values = [signal(t) for t in times]
            for s, e in windows_where(times, values, threshold):
                out.append({"fault": fault, "start_s": round(float(s), 2), "end_s": round(float(e), 2)})
        return sorted(out, key=lambda w: w["start_s"])

    def reps_count(self):
        """Complete repetitions in the ground truth: events of the kind this exercise counts."""
        return sum(1 for e in self.events if e.kind == self.counted_kind)

    def finish(self, times):
        """Fault windows over the rendered frame times, attached to the events they overlap."""
        windows = self.fault_windows(times)
        attach_faults(self.events, windows)
        return windows

    def extra_json(self):
        return {}

    def props(self):
        """Static scene objects the exercise needs (e.g. a stool): [(center, size, rgb)]."""
        return []
