"""The ``sam3`` backend: Meta's SAM3 video predictor behind the worker protocol.

SAM3 holds **one concept per session**: every text (or box-exemplar) ``add_prompt`` resets the
session, and clicks (``points``) only work on frames for which the session has cached outputs,
i.e. after a detection there (a text/box prompt on that frame, or a propagation over it). A
Maskroom session needs several concepts and click-made objects side by side, so it is mapped
onto several SAM3 sessions, called *tracks* here (see ``gpu-worker/README.md``, "SAM3 sessions"):

- one **concept track** per text prompt, keyed by the prompt's object id ``X``: the first object
  the detector finds (highest score) is ``X``; later ones get derived ids ``X-1``, ``X-2``… in
  the order they appear. A new text on ``X`` re-prompts its track (its derived objects go).
  Clicks or a box on any of its objects refine that object inside the track;
- one **instance track** for every object made by clicks or a box. It is *primed* before its
  first object: a detection with a primer concept on the clicked frame, a full pass over the
  video (so every frame has cached outputs), then every primer detection removed;
- a concept track gets the same full pass before its first click, unless a propagation already
  covered every frame;
- a box on an existing or new object goes through the tracker's point path as two corner points
  with labels 2 and 3 (SAM2's box encoding), so it never resets the track.

A propagation runs every selected track's ``propagate_in_video`` stream in lock-step and merges
each frame's objects into one result; closing it closes the streams. All calls happen on the
engine's compute thread, inside the bf16 autocast it entered (``thread_context``).
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import cv2
import numpy as np
import numpy.typing as npt

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
    frame_order,
)
from ..errors import WorkerError
from ..frames import FrameStore
from ..masks import EncodedMask, encode_mask
from . import loader
from .loader import Predictor

__all__ = ["Sam3Backend"]

log = logging.getLogger(__name__)

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".tiff", ".webp")
"""The files SAM3 reads from a frames folder (it takes every one of them)."""

CLICK_ID_BASE = 1_000_000
"""SAM3 object ids the worker assigns to click-made objects, far from the detector's ids."""

DEFAULT_PRIMER = "object"

Outputs = dict[str, Any]


@dataclass
class _Track:
    """One SAM3 session inside a Maskroom session."""

    kind: Literal["instances", "concept"]
    sam_session: str
    base: str | None = None  # a concept track's object id
    anchor_frame: int = 0  # a concept's prompt frame (where its propagation starts)
    primed: bool = False
    seen: set[int] = field(default_factory=set)  # frames with cached outputs in SAM3
    ids: dict[int, str] = field(default_factory=dict)  # SAM3 obj id → Maskroom objId
    strays: set[int] = field(default_factory=set)  # SAM3 ids to remove (primer leftovers)
    next_click: int = CLICK_ID_BASE
    next_derived: int = 1

    def sam_id(self, obj_id: str) -> int | None:
        return next((sid for sid, oid in self.ids.items() if oid == obj_id), None)


@dataclass
class _Session:
    frames: FrameStore
    folder: Path
    tracks: list[_Track] = field(default_factory=list)
    concepts: dict[str, _Track] = field(default_factory=dict)  # base objId → track
    instances: _Track | None = None
    owner: dict[str, _Track] = field(default_factory=dict)  # objId → its track
    cache: dict[int, dict[str, EncodedMask]] = field(default_factory=dict)  # last masks
    counter: int = 0


class Sam3Backend(Backend):
    name = "sam3"
    capabilities = Capabilities(points=True, box=True, text=True, propagate=True)

    def __init__(
        self,
        *,
        device: str = "cuda:0",
        checkpoint: str | None = None,
        predictor_factory: Callable[[], Predictor] | None = None,
        autocast: Callable[[], contextlib.AbstractContextManager[None]] | None = None,
        max_tracks: int = 8,
        primer_text: str = DEFAULT_PRIMER,
    ) -> None:
        """``predictor_factory``/``autocast`` replace the real SAM3 (tests use a fake); without
        them the device must be CUDA."""
        if predictor_factory is None:
            loader.cuda_index(device)  # refuses the CPU before anything is loaded
        self.device = device
        self.checkpoint = checkpoint
        self._factory = predictor_factory
        self._autocast = autocast
        self.max_tracks = max_tracks
        self.primer_text = primer_text
        self._predictor: Predictor | None = None
        self._sessions: dict[str, _Session] = {}

    # -- lifecycle --------------------------------------------------------------------------

    def thread_context(self) -> contextlib.AbstractContextManager[None]:
        if self._autocast is not None:
            return self._autocast()
        if self._factory is not None:
            return contextlib.nullcontext()
        return loader.autocast_context()

    def load(self) -> None:
        if self._factory is not None:
            self._predictor = self._factory()
        else:
            self._predictor = loader.load_predictor(self.device, self.checkpoint)

    def shutdown(self) -> None:
        for session_id in list(self._sessions):
            self.close(session_id)
        self._predictor = None

    def device_memory(self) -> tuple[int, int] | None:
        return None if self._factory is not None else loader.device_memory(self.device)

    def classify_error(self, error: BaseException) -> WorkerError | None:
        text = str(error).lower()
        if type(error).__name__ == "OutOfMemoryError" or "out of memory" in text:
            if self._factory is None:
                loader.release_cached_memory()
            return WorkerError("OUT_OF_MEMORY", f"SAM3 ran out of GPU memory: {error}"[:1000])
        return None

    @property
    def predictor(self) -> Predictor:
        if self._predictor is None:
            raise WorkerError("INTERNAL", "SAM3 is not loaded")
        return self._predictor

    def _request(self, **request: Any) -> dict[str, Any]:
        return self.predictor.handle_request(request)

    # -- sessions ---------------------------------------------------------------------------

    def open(self, spec: OpenSpec) -> None:
        frames = spec.frames
        frames.check()
        folder = frames.local_dir()
        images = [p for p in folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES]
        if len(images) != frames.num_frames:
            raise WorkerError(
                "INVALID_REQUEST",
                f"{folder} holds {len(images)} images but the session has {frames.num_frames} "
                "frames (SAM3 reads every image in the folder)",
            )
        self._sessions[spec.session_id] = _Session(frames, folder)

    def close(self, session_id: str) -> None:
        session = self._sessions.pop(session_id, None)
        if session is None:
            return
        for track in session.tracks:
            self._close_track(track)
        session.frames.release()

    def reset(self, session_id: str) -> None:
        session = self._session(session_id)
        for track in list(session.tracks):
            if track is session.instances:
                self._request(type="reset_session", session_id=track.sam_session)
                track.ids.clear()
                track.strays.clear()
                track.seen.clear()
                track.primed = False
            else:
                self._close_track(track)
                session.tracks.remove(track)
        session.concepts.clear()
        session.owner.clear()
        session.cache.clear()

    def remove_object(self, session_id: str, obj_id: str) -> None:
        session = self._session(session_id)
        track = session.owner.pop(obj_id, None)
        for masks in session.cache.values():
            masks.pop(obj_id, None)
        if track is None:
            return
        self._detach(track, obj_id)
        if track.kind == "concept" and track.base == obj_id:
            session.concepts.pop(obj_id, None)
        if track.kind == "concept" and not track.ids and track.base not in session.concepts:
            self._close_track(track)
            session.tracks.remove(track)

    def _session(self, session_id: str) -> _Session:
        session = self._sessions.get(session_id)
        if session is None:
            raise WorkerError("SESSION_NOT_OPEN", f"session {session_id} is not open here")
        return session

    # -- tracks -----------------------------------------------------------------------------

    def _new_track(self, session: _Session, kind: Literal["instances", "concept"]) -> _Track:
        if len(session.tracks) >= self.max_tracks:
            raise WorkerError(
                "UNSUPPORTED_PROMPT",
                f"a session holds at most {self.max_tracks} SAM3 sessions (concepts plus one "
                "for click-made objects); remove a concept first",
            )
        session.counter += 1
        sam_session = f"{id(session):x}-{session.counter}"
        response = self._request(
            type="start_session", resource_path=str(session.folder), session_id=sam_session
        )
        track = _Track(kind, str(response.get("session_id", sam_session)))
        session.tracks.append(track)
        return track

    def _close_track(self, track: _Track) -> None:
        try:
            self._request(type="close_session", session_id=track.sam_session)
        except Exception:  # noqa: BLE001 - closing is best effort
            log.exception("closing SAM3 session %s failed", track.sam_session)

    def _detach(self, track: _Track, obj_id: str) -> None:
        """Removes one object from its SAM3 session and from the track's id map."""
        sam_id = track.sam_id(obj_id)
        if sam_id is None:
            return
        del track.ids[sam_id]
        self._remove_in_sam(track, sam_id)

    def _remove_in_sam(self, track: _Track, sam_id: int) -> None:
        try:
            self._request(type="remove_object", session_id=track.sam_session, obj_id=sam_id)
        except AssertionError:
            pass  # SAM3 never tracked it (e.g. an object without any mask yet)

    def _drop_strays(self, track: _Track) -> None:
        for sam_id in sorted(track.strays):
            self._remove_in_sam(track, sam_id)
        track.strays.clear()

    def _derived_id(self, base: str, number: int) -> str:
        suffix = f"-{number}"
        if len(base) + len(suffix) <= 64:
            return base + suffix
        digest = hashlib.sha1(base.encode()).hexdigest()[:8]
        return f"{base[: 64 - len(suffix) - 9]}_{digest}{suffix}"

    def _adopt(self, session: _Session, track: _Track, outputs: Outputs) -> None:
        """Maps SAM3 ids the track has not seen: a concept's new detections become its base
        object (if unassigned) or derived objects, best score first; in the instance track
        they are primer leftovers, removed before the next call."""
        ids = [int(v) for v in np.asarray(outputs["out_obj_ids"]).tolist()]
        probs = [float(v) for v in np.asarray(outputs["out_probs"]).tolist()]
        new = [(p, i) for i, p in zip(ids, probs, strict=True) if i not in track.ids]
        for _, sam_id in sorted(new, key=lambda item: (-item[0], item[1])):
            if track.kind == "instances" or track.base is None:
                track.strays.add(sam_id)
                continue
            base_free = session.concepts.get(track.base) is track and (
                track.base not in track.ids.values()
            )
            if base_free:
                obj_id = track.base
            else:
                obj_id = self._derived_id(track.base, track.next_derived)
                track.next_derived += 1
            track.ids[sam_id] = obj_id
            session.owner[obj_id] = track

    def _masks(
        self, session: _Session, track: _Track, frame: int, outputs: Outputs
    ) -> list[EncodedMask]:
        self._adopt(session, track, outputs)
        ids = np.asarray(outputs["out_obj_ids"]).tolist()
        probs = np.asarray(outputs["out_probs"]).tolist()
        masks = np.asarray(outputs["out_binary_masks"])
        shape = (session.frames.height, session.frames.width)
        found: list[EncodedMask] = []
        for index, sam_id in enumerate(ids):
            obj_id = track.ids.get(int(sam_id))
            if obj_id is None:
                continue
            encoded = encode_mask(obj_id, _fit(masks[index], shape), float(probs[index]))
            if encoded is not None:
                found.append(encoded)
        cached = session.cache.setdefault(frame, {})
        for obj_id in track.ids.values():
            cached.pop(obj_id, None)
        for encoded in found:
            cached[encoded.obj_id] = encoded
        track.seen.add(frame)
        return found

    def _full_pass(self, session: _Session, track: _Track, start: int) -> set[int]:
        """Runs SAM3's propagation both ways from ``start`` without reporting it; returns the
        SAM3 ids it saw."""
        seen: set[int] = set()
        stream = self.predictor.handle_stream_request(
            {
                "type": "propagate_in_video",
                "session_id": track.sam_session,
                "propagation_direction": "both",
                "start_frame_index": start,
            }
        )
        try:
            for item in stream:
                outputs = item["outputs"]
                seen.update(int(v) for v in np.asarray(outputs["out_obj_ids"]).tolist())
                if track.kind == "concept":
                    self._masks(session, track, int(item["frame_index"]), outputs)
                track.seen.add(int(item["frame_index"]))
        finally:
            _close(stream)
        track.primed = len(track.seen) >= session.frames.num_frames
        return seen

    def _prime(self, session: _Session, track: _Track, frame: int) -> None:
        """Makes every frame of the track carry cached outputs, so clicks work anywhere and
        the tracker-only propagations after them find what they need."""
        if track.primed:
            return
        if track.kind == "instances":
            log.info("priming SAM3 session %s for click-made objects", track.sam_session)
            response = self._request(
                type="add_prompt",
                session_id=track.sam_session,
                frame_index=frame,
                text=self.primer_text,
            )
            primer = {int(v) for v in np.asarray(response["outputs"]["out_obj_ids"]).tolist()}
            primer |= self._full_pass(session, track, frame)
            for sam_id in sorted(primer):
                self._remove_in_sam(track, sam_id)
            track.primed = True
        else:
            log.info("running concept %s over the video before its first click", track.base)
            self._full_pass(session, track, track.anchor_frame)
            self._drop_strays(track)

    # -- prompts ----------------------------------------------------------------------------

    def prompt(self, spec: PromptSpec) -> FrameResult:
        session = self._session(spec.session_id)
        if isinstance(spec, TextPrompt):
            return self._text(session, spec)
        track = session.owner.get(spec.obj_id)
        if track is None:
            track = session.instances
            if track is None:
                track = session.instances = self._new_track(session, "instances")
        self._prime(session, track, spec.frame)
        self._drop_strays(track)
        sam_id = track.sam_id(spec.obj_id)
        if sam_id is None:
            sam_id = track.next_click
            track.next_click += 1
            track.ids[sam_id] = spec.obj_id
            session.owner[spec.obj_id] = track
        points, labels = _points_of(spec, session.frames)
        response = self._request(
            type="add_prompt",
            session_id=track.sam_session,
            frame_index=spec.frame,
            points=points,
            point_labels=labels,
            obj_id=sam_id,
        )
        found = self._masks(session, track, spec.frame, response["outputs"])
        return FrameResult(spec.frame, tuple(found))

    def _text(self, session: _Session, spec: TextPrompt) -> FrameResult:
        obj_id = spec.obj_id
        current = session.owner.get(obj_id)
        track = session.concepts.get(obj_id)
        if current is not None and current is not track:
            self._detach(current, obj_id)  # the object leaves its group to become a concept
            session.owner.pop(obj_id, None)
        if track is None:
            track = self._new_track(session, "concept")
            track.base = obj_id
            session.concepts[obj_id] = track
        else:
            for old in track.ids.values():
                session.owner.pop(old, None)
                for masks in session.cache.values():
                    masks.pop(old, None)
            track.ids.clear()
            track.strays.clear()
        response = self._request(
            type="add_prompt",
            session_id=track.sam_session,
            frame_index=spec.frame,
            text=spec.text,
        )  # SAM3 resets the session: a new concept starts over
        track.anchor_frame = spec.frame
        track.seen = set()
        track.primed = False
        session.owner[obj_id] = track
        found = self._masks(session, track, spec.frame, response["outputs"])
        return FrameResult(spec.frame, tuple(found))

    # -- propagation ------------------------------------------------------------------------

    def propagate(self, spec: PropagateSpec) -> Generator[FrameResult, None, None]:
        session = self._session(spec.session_id)
        num_frames = session.frames.num_frames
        if spec.obj_ids is None:
            tracks = [t for t in session.tracks if t.ids or (t.kind == "concept" and t.seen)]
        else:
            wanted = {
                id(session.owner[o]): session.owner[o] for o in spec.obj_ids if o in session.owner
            }
            tracks = [t for t in session.tracks if id(t) in wanted]
        for track in tracks:
            self._drop_strays(track)
        order = frame_order(spec.direction, spec.start, spec.end, num_frames)
        request: dict[str, Any] = {"type": "propagate_in_video", "start_frame_index": spec.start}
        if spec.direction == "forward":
            request.update(
                propagation_direction="forward", max_frame_num_to_track=spec.end - spec.start
            )
        elif spec.direction == "backward":
            request.update(
                propagation_direction="backward", max_frame_num_to_track=spec.start - spec.end
            )
        else:
            request.update(propagation_direction="both")
        streams: dict[int, _Stream] = {}
        try:
            for frame in order:
                objects: list[EncodedMask] = []
                if spec.direction == "backward" and frame == spec.start:
                    # SAM3's backward pass starts at start - 1: this frame's masks are the last
                    # ones known (the prompt's, or an earlier propagation's).
                    cached = session.cache.get(frame, {})
                    for track in tracks:
                        objects.extend(m for o, m in cached.items() if o in track.ids.values())
                else:
                    for track in tracks:
                        stream = streams.get(id(track))
                        if stream is None:
                            stream = streams[id(track)] = _Stream(
                                self.predictor.handle_stream_request(
                                    {**request, "session_id": track.sam_session}
                                )
                            )
                        outputs = stream.frame(frame)
                        if outputs is not None:
                            objects.extend(self._masks(session, track, frame, outputs))
                yield FrameResult(frame, tuple(sorted(objects, key=lambda m: m.obj_id)))
        finally:
            for stream in streams.values():
                stream.close()
            for track in tracks:
                track.primed = track.primed or len(track.seen) >= num_frames


class _Stream:
    """One SAM3 propagation stream, read frame by frame in the caller's order."""

    def __init__(self, items: Iterator[dict[str, Any]]) -> None:
        self._items = items
        self._buffer: dict[int, Outputs] = {}
        self._done = False

    def frame(self, index: int) -> Outputs | None:
        while index not in self._buffer and not self._done:
            try:
                item = next(self._items)
            except StopIteration:
                self._done = True
                break
            self._buffer[int(item["frame_index"])] = item["outputs"]
        return self._buffer.pop(index, None)

    def close(self) -> None:
        _close(self._items)


def _close(items: Iterator[Any]) -> None:
    """Closes a generator (SAM3 stops a propagation when its generator is closed)."""
    close = getattr(items, "close", None)
    if callable(close):
        close()


def _points_of(
    spec: PointsPrompt | BoxPrompt, frames: FrameStore
) -> tuple[list[list[float]], list[int]]:
    """SAM3's normalized points and labels: clicks 1/0, a box as corners labelled 2 and 3."""
    if isinstance(spec, PointsPrompt):
        return [[x, y] for x, y, _ in spec.points], [1 if pos else 0 for _, _, pos in spec.points]
    x, y, w, h = spec.box
    return [[x, y], [min(1.0, x + w), min(1.0, y + h)]], [2, 3]


def _fit(mask: npt.NDArray[Any], shape: tuple[int, int]) -> npt.NDArray[np.bool_]:
    out = np.asarray(mask).astype(bool)
    if out.ndim == 3:
        out = out[0]
    if out.shape != shape:
        resized = cv2.resize(
            out.astype(np.uint8), (shape[1], shape[0]), interpolation=cv2.INTER_NEAREST
        )
        out = resized.astype(bool)
    return out
