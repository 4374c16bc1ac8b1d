"""The interface between the engine and a segmentation backend.

The engine decodes and validates messages, checks session existence, frame ranges and limits,
and turns what a backend returns into ``result``/``done``/``error`` messages. A backend only
segments. Every method is called on the engine's single compute thread, inside
``thread_context()``, which that thread enters once for its whole life (SAM3 needs its bf16
autocast entered on the thread that runs it).
"""

from __future__ import annotations

import contextlib
from abc import ABC, abstractmethod
from collections.abc import Generator
from dataclasses import dataclass
from typing import Literal

from .errors import WorkerError
from .frames import FrameStore
from .masks import EncodedMask

__all__ = [
    "Backend",
    "BoxPrompt",
    "Capabilities",
    "Direction",
    "FrameResult",
    "OpenSpec",
    "PointsPrompt",
    "PromptSpec",
    "PropagateSpec",
    "TextPrompt",
    "frame_order",
]

Direction = Literal["forward", "backward", "both"]


@dataclass(frozen=True)
class Capabilities:
    points: bool
    box: bool
    text: bool
    propagate: bool

    def to_header(self) -> dict[str, bool]:
        return {
            "points": self.points,
            "box": self.box,
            "text": self.text,
            "propagate": self.propagate,
        }


@dataclass(frozen=True)
class OpenSpec:
    session_id: str
    frames: FrameStore

    @property
    def num_frames(self) -> int:
        return self.frames.num_frames


@dataclass(frozen=True)
class PointsPrompt:
    session_id: str
    frame: int
    obj_id: str
    points: tuple[tuple[float, float, bool], ...]
    """Normalized (x, y, positive) — the object's full click set on this frame."""


@dataclass(frozen=True)
class BoxPrompt:
    session_id: str
    frame: int
    obj_id: str
    box: tuple[float, float, float, float]
    """Normalized (x, y, w, h), top-left and size."""


@dataclass(frozen=True)
class TextPrompt:
    session_id: str
    frame: int
    obj_id: str
    text: str


PromptSpec = PointsPrompt | BoxPrompt | TextPrompt


@dataclass(frozen=True)
class PropagateSpec:
    session_id: str
    direction: Direction
    start: int
    end: int
    """Inclusive last frame of a one-direction run (resolved by the engine); ignored for both."""
    obj_ids: tuple[str, ...] | None

    def order(self, num_frames: int) -> list[int]:
        return frame_order(self.direction, self.start, self.end, num_frames)


def frame_order(direction: Direction, start: int, end: int, num_frames: int) -> list[int]:
    """The frames a propagation yields, in order: forward ``start..end``, backward
    ``start..end`` descending, both ``start..last`` then ``start-1..0``."""
    if direction == "forward":
        return list(range(start, end + 1))
    if direction == "backward":
        return list(range(start, end - 1, -1))
    return list(range(start, num_frames)) + list(range(start - 1, -1, -1))


@dataclass(frozen=True)
class FrameResult:
    frame: int
    objects: tuple[EncodedMask, ...]


class Backend(ABC):
    """A segmentation backend (see the module notes)."""

    name: Literal["sam3", "classical"]
    device: str
    capabilities: Capabilities

    def thread_context(self) -> contextlib.AbstractContextManager[None]:
        """Entered once by the compute thread, around ``load`` and every call after it."""
        return contextlib.nullcontext()

    def load(self) -> None:
        """Loads the model (on the compute thread). Raises ``StartupError`` when it cannot."""
        return None

    @abstractmethod
    def open(self, spec: OpenSpec) -> None: ...

    @abstractmethod
    def prompt(self, spec: PromptSpec) -> FrameResult:
        """Applies one prompt; returns the masks it produced on its frame (at least the prompted
        object's when non-empty)."""

    @abstractmethod
    def propagate(self, spec: PropagateSpec) -> Generator[FrameResult, None, None]:
        """Yields one result per frame of ``spec.order``; closing the generator stops it."""

    @abstractmethod
    def remove_object(self, session_id: str, obj_id: str) -> None:
        """Forgets the object; a no-op for an unknown one."""

    @abstractmethod
    def reset(self, session_id: str) -> None: ...

    @abstractmethod
    def close(self, session_id: str) -> None:
        """Drops the session's state; idempotent."""

    def device_memory(self) -> tuple[int, int] | None:
        """(used, total) bytes of accelerator memory, when the backend can tell."""
        return None

    def classify_error(self, error: BaseException) -> WorkerError | None:
        """Maps a backend-specific failure (e.g. CUDA out of memory) to a protocol error."""
        return None

    def shutdown(self) -> None:
        """Releases the model; called last, on the compute thread."""
        return None


def unsupported(what: str) -> WorkerError:
    return WorkerError("UNSUPPORTED_PROMPT", what)
