"""The tiny condition grammar of exercise specs: `<signal> <op> <number>`.

Specs are data a physiotherapist edits, so conditions are parsed, never evaluated as code.
Examples: "knee_angle < 160", "pelvis_height >= 0.08".
"""

from __future__ import annotations

import operator
import re
from dataclasses import dataclass
from typing import Callable

_OPERATORS: dict[str, Callable[[float, float], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}
_PATTERN = re.compile(r"^\s*([a-z][a-z0-9_]*)\s*(<=|>=|<|>)\s*(-?\d+(?:\.\d+)?)\s*$")


@dataclass(frozen=True)
class Condition:
    signal: str
    op: str
    value: float

    @classmethod
    def parse(cls, text: str) -> "Condition":
        match = _PATTERN.match(text)
        if not match:
            raise ValueError(
                f"cannot read condition {text!r}: expected '<signal> <op> <number>' with op one of < <= > >="
            )
        return cls(match.group(1), match.group(2), float(match.group(3)))

    def holds(self, value: float) -> bool:
        return _OPERATORS[self.op](value, self.value)

    def __str__(self) -> str:
        return f"{self.signal} {self.op} {self.value:g}"
