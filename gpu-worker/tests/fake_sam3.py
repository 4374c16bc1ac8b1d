"""A fake of SAM3's video predictor (``Sam3VideoPredictor``), for tests without a GPU.

It reproduces the request/response *shapes* and the *rules* documented in
``shared/research/sam3-api.md`` (§1.2-1.7), which the ``sam3`` backend has to live with:

- ``handle_request`` types ``start_session`` (sets ``request["session_id"]`` when missing),
  ``add_prompt``, ``remove_object``, ``reset_session``, ``close_session`` (idempotent); anything
  else is ``RuntimeError("invalid request type")``; an unknown session is
  ``RuntimeError("Cannot find session …")``;
- ``handle_stream_request`` type ``propagate_in_video`` is a generator of
  ``{"frame_index", "outputs"}``; forward ``start..min(start+max, N-1)`` then backward
  ``start-1..max(start-max, 0)``; ``start`` defaults to the earliest prompted frame, and with no
  prompt at all it raises ``RuntimeError("No prompts are received …")``;
- outputs: ``out_obj_ids`` int64 (N,), ``out_probs`` float32 (N,), ``out_boxes_xywh`` float32
  (N, 4) normalized, ``out_binary_masks`` bool (N, H, W), ``frame_stats``; ids sorted, empty
  masks dropped;
- **one concept per session**: a text/box ``add_prompt`` resets the session first;
- **points need a prior detection**: points on a frame without cached outputs fail with
  SAM3's assertion, and a tracker-only ("partial") propagation after clicks needs cached outputs
  on every frame it visits; ``points`` with ``text``/``bounding_boxes`` or without ``obj_id``
  fail; point labels 2/3 are a box's corners (SAM2's encoding in the tracker);
- propagation type from the action history (full after a text prompt, partial after clicks,
  fetch otherwise); a full propagation yields with a hot-start lag;
- ``remove_object`` of an unknown id fails (assertion); detector ids are never reused;
- **bf16 autocast is per thread**: every call, and every step of a propagation, must run on
  the thread that built the predictor with ``autocast()`` entered, else it fails.

Its "model" is simple vision on synthetic frames: saturated blobs on a grey background are the
objects; a text prompt detects the blobs whose colour name it contains; a click picks the blob
under it; tracking follows each blob by overlap.
"""

from __future__ import annotations

import contextlib
import re
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import numpy.typing as npt

Mask = npt.NDArray[np.bool_]

_COLOURS = {
    "red": ((0, 10), (170, 180)),
    "yellow": ((20, 35),),
    "green": ((36, 85),),
    "blue": ((95, 130),),
}


NO_CACHE = "No cached outputs found. Ensure normal propagation has run first to populate the cache."

_AUTOCAST = threading.local()


@contextlib.contextmanager
def autocast() -> Iterator[None]:
    """Stands for ``torch.autocast("cuda", dtype=torch.bfloat16)``: per thread."""
    _AUTOCAST.depth = getattr(_AUTOCAST, "depth", 0) + 1
    try:
        yield
    finally:
        _AUTOCAST.depth -= 1


class OutOfMemoryError(RuntimeError):
    """Named like ``torch.cuda.OutOfMemoryError``."""


@dataclass
class _Obj:
    score: float
    masks: dict[int, Mask] = field(default_factory=dict)
    colour: str | None = None


@dataclass
class _State:
    folder: Path
    frames: list[Path]
    height: int
    width: int
    text: str | None = None
    objects: dict[int, _Obj] = field(default_factory=dict)
    cached: set[int] = field(default_factory=set)
    prompted: set[int] = field(default_factory=set)
    actions: list[tuple[str, list[int], int | None]] = field(default_factory=list)
    max_obj_id: int = -1


class FakeSam3Predictor:
    hotstart_delay = 3

    def __init__(self) -> None:
        self.thread = threading.get_ident()
        self.sessions: dict[str, _State] = {}
        self.requests: list[dict[str, Any]] = []
        self.streams_opened = 0
        self.streams_closed = 0
        self.fail_next: BaseException | None = None
        self.violations: list[str] = []

    # -- the threading/autocast rule --------------------------------------------------------

    def _check_thread(self) -> None:
        if threading.get_ident() != self.thread or not getattr(_AUTOCAST, "depth", 0):
            message = "SAM3 called outside its bf16 autocast thread (dtype mismatch)"
            self.violations.append(message)
            raise RuntimeError(message)
        if self.fail_next is not None:
            error, self.fail_next = self.fail_next, None
            raise error

    # -- requests ---------------------------------------------------------------------------

    def handle_request(self, request: dict[str, Any]) -> dict[str, Any]:
        self._check_thread()
        self.requests.append(dict(request))
        kind = request["type"]
        if kind == "start_session":
            if not request.get("session_id"):
                request["session_id"] = str(uuid.uuid4())
            return self._start(request["resource_path"], request["session_id"])
        if kind == "add_prompt":
            return self._add_prompt(request)
        if kind == "remove_object":
            state = self._state(request["session_id"])
            obj_id = request["obj_id"]
            assert obj_id in state.objects, f"Object {obj_id} not found in any GPU."
            del state.objects[obj_id]
            state.actions.append(("remove", [obj_id], None))
            return {"is_success": True}
        if kind == "reset_session":
            self._reset(self._state(request["session_id"]))
            return {"is_success": True}
        if kind == "close_session":
            self.sessions.pop(request["session_id"], None)
            return {"is_success": True}
        raise RuntimeError(f"invalid request type: {kind}")

    def handle_stream_request(self, request: dict[str, Any]) -> Iterator[dict[str, Any]]:
        self._check_thread()
        self.requests.append(dict(request))
        if request["type"] != "propagate_in_video":
            raise RuntimeError(f"invalid request type: {request['type']}")
        return self._propagate(
            self._state(request["session_id"]),
            request.get("propagation_direction", "both"),
            request.get("start_frame_index"),
            request.get("max_frame_num_to_track"),
        )

    def _state(self, session_id: str) -> _State:
        state = self.sessions.get(session_id)
        if state is None:
            raise RuntimeError(f"Cannot find session {session_id}; it might have expired")
        return state

    def _start(self, resource_path: str, session_id: str) -> dict[str, Any]:
        folder = Path(resource_path)
        frames = sorted(
            (p for p in folder.iterdir() if p.suffix.lower() in (".jpg", ".jpeg", ".png")),
            key=lambda p: int(p.stem) if p.stem.isdigit() else -1,
        )
        first = cv2.imread(str(frames[0]))
        assert first is not None, frames[0]
        self.sessions[session_id] = _State(folder, frames, first.shape[0], first.shape[1])
        return {"session_id": session_id}

    @staticmethod
    def _reset(state: _State) -> None:
        state.text = None
        state.objects.clear()
        state.cached.clear()
        state.prompted.clear()
        state.actions.clear()

    # -- the "model" ------------------------------------------------------------------------

    def _blobs(self, state: _State, frame: int) -> list[tuple[str, Mask]]:
        image = cv2.imread(str(state.frames[frame]))
        assert image is not None
        hsv = cv2.cvtColor(image, cv2.COLOR_BGR2HSV)
        saturated = (hsv[..., 1] > 100) & (hsv[..., 2] > 60)
        count, labels = cv2.connectedComponents(saturated.astype(np.uint8), connectivity=8)
        blobs = []
        for label in range(1, count):
            mask = labels == label
            if mask.sum() < 20:
                continue
            hue = float(np.median(hsv[..., 0][mask]))
            name = next(
                (n for n, ranges in _COLOURS.items() if any(a <= hue <= b for a, b in ranges)),
                "other",
            )
            blobs.append((name, mask))
        return blobs

    def _detect(self, state: _State, frame: int, exclude: list[Mask]) -> list[tuple[str, Mask]]:
        words = set(re.findall(r"[a-z]+", (state.text or "").lower()))
        found = []
        for name, mask in self._blobs(state, frame):
            if name in words and not any(
                (mask & other).sum() > 0.3 * mask.sum() for other in exclude
            ):
                found.append((name, mask))
        return found

    def _new_object(self, state: _State, score: float, colour: str | None) -> int:
        state.max_obj_id += 1  # ids are never reused
        state.objects[state.max_obj_id] = _Obj(score, colour=colour)
        return state.max_obj_id

    def _outputs(self, state: _State, frame: int) -> dict[str, Any]:
        ids = sorted(
            i for i, o in state.objects.items() if frame in o.masks and o.masks[frame].any()
        )
        h, w = state.height, state.width
        masks = np.zeros((len(ids), h, w), bool)
        boxes = np.zeros((len(ids), 4), np.float32)
        for k, obj_id in enumerate(ids):
            masks[k] = state.objects[obj_id].masks[frame]
            ys, xs = np.nonzero(masks[k])
            boxes[k] = (
                xs.min() / w,
                ys.min() / h,
                (xs.max() - xs.min() + 1) / w,
                (ys.max() - ys.min() + 1) / h,
            )
        return {
            "out_obj_ids": np.array(ids, np.int64),
            "out_probs": np.array([state.objects[i].score for i in ids], np.float32),
            "out_boxes_xywh": boxes,
            "out_binary_masks": masks,
            "frame_stats": None,
        }

    def _add_prompt(self, request: dict[str, Any]) -> dict[str, Any]:
        state = self._state(request["session_id"])
        frame = request["frame_index"]
        points = request.get("points")
        if points is not None:
            assert request.get("text") is None and request.get("bounding_boxes") is None, (
                "When points are provided, text_str and boxes_xywh must be None."
            )
            obj_id = request.get("obj_id")
            assert obj_id is not None, "When points are provided, obj_id must be provided."
            assert frame in state.cached, NO_CACHE
            mask = self._mask_from_points(state, frame, points, request.get("point_labels") or [])
            is_new = obj_id not in state.objects
            if is_new:
                state.objects[obj_id] = _Obj(1.0)
                state.max_obj_id = max(state.max_obj_id, obj_id)
            state.objects[obj_id].score = 1.0
            state.objects[obj_id].masks[frame] = mask
            state.actions.append(("add" if is_new else "refine", [obj_id], frame))
            state.prompted.add(frame)
            return {"frame_index": frame, "outputs": self._outputs(state, frame)}
        text = request.get("text")
        boxes = request.get("bounding_boxes")
        assert text is not None or boxes is not None, (
            "at least one type of prompt (text, boxes) must be provided"
        )
        assert 0 <= frame < len(state.frames)
        self._reset(state)  # "since it's a semantic prompt, we start over"
        state.text = None if text == "visual" else text
        for k, (colour, mask) in enumerate(self._detect(state, frame, [])):
            obj_id = self._new_object(state, round(0.9 - 0.05 * k, 3), colour)
            state.objects[obj_id].masks[frame] = mask
        state.cached.add(frame)
        state.prompted.add(frame)
        return {"frame_index": frame, "outputs": self._outputs(state, frame)}

    def _mask_from_points(
        self, state: _State, frame: int, points: list[list[float]], labels: list[int]
    ) -> Mask:
        h, w = state.height, state.width
        blobs = [m for _, m in self._blobs(state, frame)]
        mask = np.zeros((h, w), bool)
        pixels = [(min(w - 1, int(x * w)), min(h - 1, int(y * h))) for x, y in points]
        if 2 in labels and 3 in labels:
            (x0, y0), (x1, y1) = pixels[labels.index(2)], pixels[labels.index(3)]
            for blob in blobs:
                ys, xs = np.nonzero(blob)
                if x0 <= xs.mean() <= x1 and y0 <= ys.mean() <= y1:
                    mask |= blob
        for (x, y), label in zip(pixels, labels, strict=True):
            for blob in blobs:
                if blob[y, x]:
                    if label == 1:
                        mask |= blob
                    elif label == 0:
                        mask &= ~blob
        return mask

    # -- propagation ------------------------------------------------------------------------

    def _propagation_type(self, state: _State) -> tuple[str, list[int]]:
        """SAM3's choice from the action history: full the first time; after a full/partial
        pass, the same again for the other direction unless both ran (or it started at an
        end frame), then fetch; after clicks, partial for the clicked objects; else fetch."""
        if not state.actions:
            return "propagation_full", []
        last_kind, last_ids, last_frame = state.actions[-1]
        if last_kind.startswith("propagation"):
            if last_kind == "propagation_fetch":
                return "propagation_fetch", []
            both_ran = len(state.actions) > 1 and state.actions[-2][0] in (
                "propagation_partial",
                "propagation_full",
            )
            if both_ran or last_frame in (0, len(state.frames) - 1):
                return "propagation_fetch", []
            return last_kind, last_ids
        touched: list[int] = []
        for kind, ids, _ in reversed(state.actions):
            if kind.startswith("propagation"):
                break
            if kind in ("add", "refine"):
                touched.extend(ids)
        return (
            ("propagation_partial", sorted(set(touched))) if touched else ("propagation_fetch", [])
        )

    def _propagate(
        self, state: _State, direction: str, start: int | None, max_frames: int | None
    ) -> Iterator[dict[str, Any]]:
        if not state.prompted and start is None:
            raise RuntimeError(
                "No prompts are received on any frames. "
                "Please add prompt on at least one frame before propagation."
            )
        if direction not in ("both", "forward", "backward"):
            raise ValueError(f"invalid propagation direction: {direction}")
        self.streams_opened += 1
        return self._stream(state, direction, start, max_frames)

    def _stream(
        self, state: _State, direction: str, start: int | None, max_frames: int | None
    ) -> Iterator[dict[str, Any]]:
        n = len(state.frames)
        first = min(state.prompted) if start is None else start
        limit = n if max_frames is None else max_frames
        try:
            if direction in ("both", "forward"):
                order = list(range(first, min(first + limit, n - 1) + 1))
                yield from self._pass(state, order, first, reverse=False)
            if direction in ("both", "backward"):
                order = list(range(first - 1, max(first - limit, 0) - 1, -1))
                yield from self._pass(state, order, first, reverse=True)
        finally:
            self.streams_closed += 1

    def _pass(
        self, state: _State, order: list[int], start: int, reverse: bool
    ) -> Iterator[dict[str, Any]]:
        kind, touched = self._propagation_type(state)
        state.actions.append((kind, touched, start))
        buffer: list[int] = []
        for frame in order:
            self._check_thread()
            if kind == "propagation_partial":
                assert frame in state.cached, NO_CACHE
            if kind != "propagation_fetch":
                self._track(state, frame, reverse, None if kind == "propagation_full" else touched)
                state.cached.add(frame)
            if kind == "propagation_full":
                buffer.append(frame)  # hot start: yields lag the computation
                if len(buffer) <= self.hotstart_delay and frame != order[-1]:
                    continue
                ready, buffer = (buffer, []) if frame == order[-1] else (buffer[:1], buffer[1:])
            else:
                ready = [frame]
            for out in ready:
                yield {"frame_index": out, "outputs": self._outputs(state, out)}

    def _track(self, state: _State, frame: int, reverse: bool, only: list[int] | None) -> None:
        blobs = self._blobs(state, frame)
        step = 1 if reverse else -1
        for obj_id, obj in state.objects.items():
            if only is not None and obj_id not in only:
                continue
            if frame in obj.masks and only is not None and frame in state.prompted:
                continue  # a clicked frame keeps its click mask
            previous = obj.masks.get(frame + step)
            if previous is None or not previous.any():
                if frame not in obj.masks:
                    obj.masks[frame] = np.zeros((state.height, state.width), bool)
                continue
            best = max(blobs, key=lambda b: int((b[1] & previous).sum()), default=None)
            if best is not None and (best[1] & previous).any():
                obj.masks[frame] = best[1]
            else:
                obj.masks[frame] = np.zeros((state.height, state.width), bool)
        if only is None and state.text:
            taken = [o.masks[frame] for o in state.objects.values() if frame in o.masks]
            for colour, mask in self._detect(state, frame, taken):
                obj_id = self._new_object(state, 0.8, colour)
                state.objects[obj_id].masks[frame] = mask
