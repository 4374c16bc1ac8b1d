"""The ``classical`` backend: CPU, OpenCV, deterministic.

Per session it keeps the frames (decoded lazily, LRU-cached) and, per object:
- ``anchors``: the mask made by the user's prompt on each prompted frame (a click set or a box),
- ``masks``: the latest mask on every frame it has one (from a prompt or a propagation), stored
  as RLE.

A propagation walks the frames in order. On each frame an object's mask is its anchor when the
user prompted that frame (prompts win over tracking, as conditioning frames do in SAM), else the
previous frame's mask carried by ``FlowTracker`` (optical flow + refinement), else, on the first
frame of the run, the stored mask. With ``both``, the backward half starts from the forward
half's start-frame state. Text prompts answer ``UNSUPPORTED_PROMPT``.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass, field

import numpy as np

from ..backend import (
    Backend,
    BoxPrompt,
    Capabilities,
    FrameResult,
    OpenSpec,
    PointsPrompt,
    PromptSpec,
    PropagateSpec,
    TextPrompt,
    unsupported,
)
from ..errors import WorkerError
from ..frames import FrameStore
from ..masks import EncodedMask, decode_mask, encode_mask
from .segment import Click, Mask, segment_box, segment_clicks
from .track import FlowTracker, PreparedFrame, TrackState

__all__ = ["ClassicalBackend"]


@dataclass
class _Object:
    anchors: dict[int, EncodedMask | None] = field(default_factory=dict)
    masks: dict[int, EncodedMask] = field(default_factory=dict)


@dataclass
class _Session:
    frames: FrameStore
    objects: dict[str, _Object] = field(default_factory=dict)


class ClassicalBackend(Backend):
    name = "classical"
    capabilities = Capabilities(points=True, box=True, text=False, propagate=True)

    def __init__(
        self,
        *,
        device: str = "cpu",
        click_side: int = 320,
        track_side: int = 480,
    ) -> None:
        if device != "cpu":
            raise WorkerError("INVALID_REQUEST", "the classical backend runs on the CPU only")
        self.device = "cpu"
        self.click_side = click_side
        self.track_side = track_side
        self._sessions: dict[str, _Session] = {}

    # -- sessions ---------------------------------------------------------------------------

    def open(self, spec: OpenSpec) -> None:
        spec.frames.check()
        self._sessions[spec.session_id] = _Session(spec.frames)

    def close(self, session_id: str) -> None:
        session = self._sessions.pop(session_id, None)
        if session is not None:
            session.frames.release()

    def reset(self, session_id: str) -> None:
        self._session(session_id).objects.clear()

    def remove_object(self, session_id: str, obj_id: str) -> None:
        self._session(session_id).objects.pop(obj_id, None)

    def _session(self, session_id: str) -> _Session:
        session = self._sessions.get(session_id)
        if session is None:
            raise WorkerError("SESSION_NOT_OPEN", f"session {session_id} is not open here")
        return session

    # -- prompts ----------------------------------------------------------------------------

    def prompt(self, spec: PromptSpec) -> FrameResult:
        if isinstance(spec, TextPrompt):
            raise unsupported("the classical backend cannot segment from text; click or draw a box")
        session = self._session(spec.session_id)
        frames = session.frames
        image = frames.get(spec.frame)
        w, h = frames.width, frames.height
        mask: Mask
        if isinstance(spec, PointsPrompt):
            clicks = [Click(x * w, y * h, positive) for x, y, positive in spec.points]
            mask = segment_clicks(image, clicks, max_side=self.click_side)
        elif isinstance(spec, BoxPrompt):
            x, y, bw, bh = spec.box
            box = (x * w, y * h, (x + bw) * w, (y + bh) * h)
            mask = segment_box(image, box, max_side=self.click_side)
        else:  # pragma: no cover - the union is exhaustive
            raise AssertionError(spec)
        encoded = encode_mask(spec.obj_id, mask)
        obj = session.objects.setdefault(spec.obj_id, _Object())
        obj.anchors[spec.frame] = encoded
        if encoded is None:
            obj.masks.pop(spec.frame, None)
            return FrameResult(spec.frame, ())
        obj.masks[spec.frame] = encoded
        return FrameResult(spec.frame, (encoded,))

    # -- propagation ------------------------------------------------------------------------

    def propagate(self, spec: PropagateSpec) -> Generator[FrameResult, None, None]:
        session = self._session(spec.session_id)
        names = list(session.objects) if spec.obj_ids is None else list(spec.obj_ids)
        objects = {name: session.objects[name] for name in names if name in session.objects}
        tracker = FlowTracker(self.track_side)
        order = spec.order(session.frames.num_frames)
        if spec.direction != "both":
            yield from self._run(session, objects, tracker, order, None)
            return
        split = session.frames.num_frames - spec.start
        start_state: dict[str, TrackState] = {}
        yield from self._run(session, objects, tracker, order[:split], None, start_state)
        backward = order[split:]
        if backward:
            start_frame = tracker.prepare(session.frames.get(spec.start))
            yield from self._run(
                session, objects, tracker, backward, (start_frame, start_state), None
            )

    def _run(
        self,
        session: _Session,
        objects: dict[str, _Object],
        tracker: FlowTracker,
        order: list[int],
        resume: tuple[PreparedFrame, dict[str, TrackState]] | None,
        keep_first: dict[str, TrackState] | None = None,
    ) -> Generator[FrameResult, None, None]:
        """One pass over ``order``; ``resume`` continues from a neighbouring frame's states,
        ``keep_first`` receives the states on the first frame."""
        previous, states = resume if resume is not None else (None, {})
        states = dict(states)
        for position, index in enumerate(order):
            current = tracker.prepare(session.frames.get(index))
            flow = None
            results: list[EncodedMask] = []
            for name, obj in objects.items():
                state = self._state_on(
                    name, obj, index, position == 0 and resume is None, states, current
                )
                if state is None and previous is not None and name in states:
                    if flow is None:
                        flow = tracker.flow(previous, current)
                    state = tracker.step(states[name], current, flow)
                if state is None:
                    states.pop(name, None)
                    obj.masks.pop(index, None)
                    continue
                states[name] = state
                encoded = encode_mask(name, state.mask)
                if encoded is None:
                    obj.masks.pop(index, None)
                else:
                    obj.masks[index] = encoded
                    results.append(encoded)
            if position == 0 and keep_first is not None:
                keep_first.update(states)
            previous = current
            yield FrameResult(index, tuple(results))

    @staticmethod
    def _state_on(
        name: str,
        obj: _Object,
        index: int,
        first: bool,
        states: dict[str, TrackState],
        frame: PreparedFrame,
    ) -> TrackState | None:
        """The state that starts (or restarts) tracking on this frame, if any: the user's
        anchor, or on the first frame of a run the stored mask."""
        tracker_start = FlowTracker.start
        if index in obj.anchors:
            anchor = obj.anchors[index]
            return tracker_start(_decode(anchor, frame), frame)
        if first and index in obj.masks:
            return tracker_start(decode_mask(obj.masks[index]), frame)
        return None


def _decode(encoded: EncodedMask | None, frame: PreparedFrame) -> Mask:
    if encoded is None:
        return np.zeros(frame.full_shape, bool)
    return decode_mask(encoded)
