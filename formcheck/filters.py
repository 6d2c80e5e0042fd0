"""Smoothing of landmark positions over time (One Euro filter, Casiez et al. 2012).

It removes jitter when the body is still and follows fast movement with little lag: the cut-off
frequency rises with speed. Works on whole arrays (all landmarks at once) and on real frame times,
so dropped frames are handled correctly.
"""

from __future__ import annotations

import math

import numpy as np


def _smoothing_factor(dt: float, cutoff: np.ndarray | float) -> np.ndarray | float:
    tau = 1.0 / (2.0 * math.pi * cutoff)
    return 1.0 / (1.0 + tau / dt)


class OneEuroFilter:
    def __init__(
        self,
        min_cutoff_hz: float = 1.5,
        beta: float = 0.02,
        derivative_cutoff_hz: float = 1.0,
        reset_after_s: float = 1.0,
    ) -> None:
        self.min_cutoff_hz = min_cutoff_hz
        self.beta = beta
        self.derivative_cutoff_hz = derivative_cutoff_hz
        # After a gap this long, old values say nothing about the new ones: start afresh.
        self.reset_after_s = reset_after_s
        self._value: np.ndarray | None = None
        self._derivative: np.ndarray | None = None
        self._time: float | None = None

    def reset(self) -> None:
        self._value = self._derivative = self._time = None

    def __call__(self, value: np.ndarray, timestamp_s: float) -> np.ndarray:
        value = np.asarray(value, dtype=np.float64)
        if self._value is None or self._time is None:
            return self._start(value, timestamp_s)
        dt = timestamp_s - self._time
        if dt <= 0:
            return self._value
        if dt > self.reset_after_s:
            return self._start(value, timestamp_s)
        raw_derivative = (value - self._value) / dt
        a_d = _smoothing_factor(dt, self.derivative_cutoff_hz)
        self._derivative = a_d * raw_derivative + (1 - a_d) * self._derivative
        cutoff = self.min_cutoff_hz + self.beta * np.abs(self._derivative)
        a = _smoothing_factor(dt, cutoff)
        self._value = a * value + (1 - a) * self._value
        self._time = timestamp_s
        return self._value

    def _start(self, value: np.ndarray, timestamp_s: float) -> np.ndarray:
        self._value = value.copy()
        self._derivative = np.zeros_like(value)
        self._time = timestamp_s
        return self._value
