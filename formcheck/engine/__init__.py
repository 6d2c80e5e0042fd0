"""The pure core: landmarks in, frame states and a report out."""

from .analyzer import Analyzer
from .state import ActiveFault, FrameState

__all__ = ["ActiveFault", "Analyzer", "FrameState"]
