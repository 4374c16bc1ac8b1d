"""The worker engine: one I/O thread around one compute thread (DESIGN §5).

**I/O thread** (the caller of ``run``, normally the main thread) owns the ZeroMQ DEALER socket:
- sends ``hello`` on every completed connection handshake (the first one and each reconnect;
  a socket monitor reports them), then a ``heartbeat`` every ``heartbeatIntervalMs`` while
  connected; nothing else is sent before that ``hello``;
- decodes incoming frames with ``protocol.decode_message``. An invalid message is logged and,
  when it carries a usable ``reqId`` not already in flight (and is not a ``cancel``), answered
  with ``error`` (``INVALID_MESSAGE``); otherwise dropped;
- queues requests for the compute thread; answers a ``cancel`` of a queued request itself
  (``CANCELLED``, the request never runs) and flags a running one; on ``close`` it cancels the
  session's queued and running requests, then queues the close;
- forwards what the compute thread produced (an outbox plus a wake-up pipe). While the server
  is away, messages wait (the compute thread pauses once the backlog is large) and go out after
  the next ``hello``.

**Compute thread** runs the backend, inside ``backend.thread_context()`` for its whole life
(SAM3's bf16 autocast must be entered on the thread that computes): loads the model, then takes
requests in order. Each request with a ``reqId`` is answered exactly once: ``done``, or ``error``
with a shared code (``WorkerError``; ``CANCELLED``; ``OUT_OF_MEMORY``; ``INTERNAL`` for a bug);
``prompt`` and ``propagate`` send their ``result``s first. A propagation stops between frames
when cancelled (its generator is closed). Between requests it closes sessions idle for longer
than ``idle_timeout_s`` and reports each with ``error`` (``reqId: null``, ``SESSION_NOT_OPEN``).

**Shutdown** (``stop()``, safe from a signal handler): queued requests are answered
``WORKER_LOST`` (retryable: another worker can run them), a running propagation stops at the
next frame with the same answer, sessions are closed, the backlog is flushed and the socket
closed with a linger; ZeroMQ never sends part of a multipart message.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import threading
import time
import uuid
from collections import deque
from collections.abc import Generator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, cast

import zmq
from zmq.utils.monitor import recv_monitor_message

from .backend import (
    Backend,
    BoxPrompt,
    Direction,
    FrameResult,
    OpenSpec,
    PointsPrompt,
    PromptSpec,
    PropagateSpec,
    TextPrompt,
)
from .config import WorkerConfig
from .errors import Cancelled, WorkerError
from .frames import FrameStore, parse_source
from .protocol import (
    ERROR_CODES,
    MAX_HEADER_BYTES,
    PROTOCOL_VERSION,
    ErrorCode,
    Message,
    ProtocolError,
    decode_message,
    encode_message,
)

__all__ = ["Engine"]

log = logging.getLogger("maskroom_worker.engine")

TaskKind = Literal["open", "prompt", "propagate", "remove_object", "reset", "close"]
Frames = list[bytes]

_MAX_BACKLOG = 256
"""Messages waiting for the server beyond which the compute thread pauses."""
_IDLE_SWEEP_S = 1.0
_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}\Z")
_LINGER_MS = 2000


@dataclass
class _Task:
    kind: TaskKind
    header: dict[str, Any]
    req_id: str | None
    session_id: str
    cancel: threading.Event = field(default_factory=threading.Event)
    shutting_down: bool = False

    def check(self) -> None:
        if self.cancel.is_set():
            raise Cancelled(shutting_down=self.shutting_down)


@dataclass
class _Session:
    frames: FrameStore
    last_used: float


class Engine:
    def __init__(
        self, config: WorkerConfig, backend: Backend, *, context: zmq.Context[Any] | None = None
    ) -> None:
        self.config = config
        self.backend = backend
        self._own_context = context is None
        self._context: zmq.Context[Any] = context if context is not None else zmq.Context()
        self.routing_id = f"{config.worker_id}/{uuid.uuid4().hex[:8]}".encode("ascii")

        self._lock = threading.Lock()
        self._work = threading.Condition(self._lock)
        self._queue: deque[_Task] = deque()
        self._running: _Task | None = None
        self._in_flight: set[str] = set()

        self._out_lock = threading.Condition()
        self._outbox: deque[Frames] = deque()
        self._backlog = 0  # outbox + pending, i.e. not yet handed to ZeroMQ
        self._wake_r, self._wake_w = os.pipe()
        os.set_blocking(self._wake_r, False)
        os.set_blocking(self._wake_w, False)

        self._stopping = threading.Event()
        self._loaded = threading.Event()
        self._load_error: BaseException | None = None
        self._started_serving = False
        self._sessions: dict[str, _Session] = {}  # compute thread only
        self._open_sessions: tuple[str, ...] = ()  # snapshot for heartbeats
        self._device_memory: tuple[int, int] | None = None
        self.connected = False
        self.hellos_sent = 0

    # -- lifecycle --------------------------------------------------------------------------

    def stop(self) -> None:
        """Asks the engine to shut down; safe from signal handlers and other threads."""
        self._stopping.set()
        self._wake()

    def run(self) -> int:
        """Loads the backend, serves until ``stop()``, shuts down; returns an exit status."""
        compute = threading.Thread(target=self._compute_main, name="maskroom-compute", daemon=True)
        compute.start()
        while not self._loaded.wait(0.1):
            if not compute.is_alive():
                break
        if self._load_error is not None or not self._loaded.is_set():
            compute.join()
            log.error("backend %s failed to load: %s", self.backend.name, self._load_error)
            self._close_pipe()
            if self._own_context:
                self._context.term()
            return 1
        log.info(
            "worker %s (%s on %s) connecting to %s",
            self.config.worker_id,
            self.backend.name,
            self.backend.device,
            self.config.endpoint,
        )
        try:
            self._io_loop(compute)
        finally:
            self._close_pipe()
            if self._own_context:
                self._context.term()
        return 0

    def _close_pipe(self) -> None:
        for fd in (self._wake_r, self._wake_w):
            with contextlib.suppress(OSError):
                os.close(fd)

    def _wake(self) -> None:
        with contextlib.suppress(BlockingIOError, OSError):
            os.write(self._wake_w, b"\0")

    # -- I/O thread -------------------------------------------------------------------------

    def _make_socket(self) -> tuple[zmq.Socket[bytes], zmq.Socket[bytes]]:
        sock: zmq.Socket[bytes] = self._context.socket(zmq.DEALER)
        hb = self.config.heartbeat_ms
        sock.setsockopt(zmq.ROUTING_ID, self.routing_id)
        sock.setsockopt(zmq.LINGER, _LINGER_MS)
        sock.setsockopt(zmq.IMMEDIATE, 1)  # nothing queues for a peer that is not there
        sock.setsockopt(zmq.RECONNECT_IVL, 100)
        sock.setsockopt(zmq.RECONNECT_IVL_MAX, 2000)
        sock.setsockopt(zmq.HEARTBEAT_IVL, hb)  # ZMTP pings find a vanished server
        sock.setsockopt(zmq.HEARTBEAT_TIMEOUT, 3 * hb)
        sock.setsockopt(zmq.SNDHWM, 10_000)
        sock.setsockopt(zmq.RCVHWM, 10_000)
        sock.setsockopt(zmq.MAXMSGSIZE, MAX_HEADER_BYTES + 4096)
        monitor: zmq.Socket[bytes] = sock.get_monitor_socket(
            zmq.EVENT_HANDSHAKE_SUCCEEDED | zmq.EVENT_DISCONNECTED
        )
        sock.connect(self.config.endpoint)
        return sock, monitor

    def _io_loop(self, compute: threading.Thread) -> None:
        sock, monitor = self._make_socket()
        poller = zmq.Poller()
        poller.register(sock, zmq.POLLIN)
        poller.register(monitor, zmq.POLLIN)
        poller.register(self._wake_r, zmq.POLLIN)
        pending: deque[Frames] = deque()
        interval = self.config.heartbeat_ms / 1000
        next_heartbeat = time.monotonic() + interval
        try:
            while not self._stopping.is_set():
                now = time.monotonic()
                timeout = max(0.0, next_heartbeat - now) if self.connected else 1.0
                if pending and self.connected:
                    timeout = min(timeout, 0.02)
                events = dict(poller.poll(int(timeout * 1000) + 1))
                if monitor in events:
                    if self._on_monitor(monitor, pending):
                        next_heartbeat = time.monotonic() + interval
                if self._wake_r in events:
                    with contextlib.suppress(BlockingIOError, OSError):
                        os.read(self._wake_r, 4096)
                if sock in events:
                    self._receive(sock)
                if not compute.is_alive() and not self._stopping.is_set():
                    log.error("the compute thread died; stopping")
                    self._stopping.set()
                if self.connected and time.monotonic() >= next_heartbeat:
                    pending.append(self._heartbeat_frames())
                    with self._out_lock:
                        self._backlog += 1
                    next_heartbeat = time.monotonic() + interval
                self._take_outbox(pending)
                if self.connected:
                    self._flush(sock, pending)
            self._shutdown(compute, sock, monitor, pending)
        finally:
            sock.disable_monitor()
            monitor.close(linger=0)
            sock.close(linger=_LINGER_MS)

    def _on_monitor(self, monitor: zmq.Socket[bytes], pending: deque[Frames]) -> bool:
        """Handles socket events; True when a connection was (re)established."""
        reconnected = False
        while True:
            try:
                event = recv_monitor_message(monitor, zmq.NOBLOCK)
            except zmq.Again:
                return reconnected
            kind = event["event"]
            if kind == zmq.EVENT_HANDSHAKE_SUCCEEDED:
                self.connected = True
                reconnected = True
                # hello first, then a heartbeat so the server learns the state at once.
                pending.appendleft(self._heartbeat_frames())
                pending.appendleft(self._hello_frames())
                with self._out_lock:
                    self._backlog += 2
                self.hellos_sent += 1
                log.info("connected to %s; hello sent", self.config.endpoint)
            elif kind == zmq.EVENT_DISCONNECTED:
                if self.connected:
                    log.warning("disconnected from %s; reconnecting", self.config.endpoint)
                self.connected = False

    def _hello_frames(self) -> Frames:
        return encode_message(
            "hello",
            {
                "protocolVersion": PROTOCOL_VERSION,
                "workerId": self.config.worker_id,
                "backend": self.backend.name,
                "device": self.backend.device,
                "capabilities": self.backend.capabilities.to_header(),
                "maxSessions": self.config.max_sessions,
                "heartbeatIntervalMs": self.config.heartbeat_ms,
            },
            sender="worker",
        )

    def _heartbeat_frames(self) -> Frames:
        with self._lock:
            busy = self._running is not None
            queued = len(self._queue)
        header: dict[str, Any] = {
            "workerId": self.config.worker_id,
            "openSessions": list(self._open_sessions),
            "busy": busy,
            "queued": queued,
        }
        memory = self._device_memory
        if memory is not None:
            header["deviceMemory"] = {"usedBytes": memory[0], "totalBytes": memory[1]}
        return encode_message("heartbeat", header, sender="worker")

    def _take_outbox(self, pending: deque[Frames]) -> None:
        with self._out_lock:
            while self._outbox:
                pending.append(self._outbox.popleft())

    def _flush(self, sock: zmq.Socket[bytes], pending: deque[Frames]) -> None:
        sent = 0
        while pending:
            try:
                sock.send_multipart(pending[0], flags=zmq.NOBLOCK)
            except zmq.Again:
                break
            pending.popleft()
            sent += 1
        if sent:
            with self._out_lock:
                self._backlog -= sent
                self._out_lock.notify_all()

    def _receive(self, sock: zmq.Socket[bytes]) -> None:
        for _ in range(1000):
            try:
                frames = sock.recv_multipart(flags=zmq.NOBLOCK)
            except zmq.Again:
                return
            self._on_message(frames)

    def _on_message(self, frames: list[bytes]) -> None:
        try:
            message = decode_message(frames, sender="server")
        except ProtocolError as exc:
            self._on_invalid(frames, exc)
            return
        self._dispatch(message)

    def _on_invalid(self, frames: list[bytes], exc: ProtocolError) -> None:
        req_id, session_id, type_name = _salvage(frames)
        answer = (
            req_id is not None and type_name not in ("cancel", "close") and not self._in_use(req_id)
        )
        log.warning(
            "invalid message (%s) %s: %s; %s",
            type_name or "?",
            exc.code,
            exc.message[:300],
            f"answered for reqId {req_id}" if answer else "dropped",
        )
        if answer and req_id is not None:
            header = _error_header(req_id, exc.code, exc.message, session_id=session_id)
            self._post("error", header)

    def _in_use(self, req_id: str) -> bool:
        with self._lock:
            return req_id in self._in_flight

    def _dispatch(self, message: Message) -> None:
        header = message.header
        if message.type == "cancel":
            self._cancel(str(header["reqId"]))
            return
        if message.type == "close":
            self._close_session(str(header["sessionId"]))
            return
        kind = cast(TaskKind, message.type)
        task = _Task(kind, header, str(header["reqId"]), str(header["sessionId"]))
        with self._work:
            if task.req_id in self._in_flight:
                log.warning("duplicate reqId %s while it is in flight; dropped", task.req_id)
                return
            if self._stopping.is_set():
                refused: _Task | None = task
            else:
                refused = None
                self._in_flight.add(cast(str, task.req_id))
                self._queue.append(task)
                self._work.notify_all()
        if refused is not None:
            self._answer_now(refused, Cancelled(shutting_down=True))

    def _cancel(self, req_id: str) -> None:
        with self._work:
            queued = next((t for t in self._queue if t.req_id == req_id), None)
            if queued is not None:
                self._queue.remove(queued)
                self._in_flight.discard(req_id)
            elif self._running is not None and self._running.req_id == req_id:
                self._running.cancel.set()
                log.info("cancelling running request %s", req_id)
                return
            else:
                log.info("cancel for %s, which is not queued or running; ignored", req_id)
                return
        log.info("cancelled queued request %s", req_id)
        self._answer_now(queued, Cancelled())

    def _close_session(self, session_id: str) -> None:
        with self._work:
            dropped = [t for t in self._queue if t.session_id == session_id]
            for task in dropped:
                self._queue.remove(task)
                if task.req_id is not None:
                    self._in_flight.discard(task.req_id)
            running = self._running
            if running is not None and running.session_id == session_id:
                running.cancel.set()
            self._queue.append(_Task("close", {"sessionId": session_id}, None, session_id))
            self._work.notify_all()
        for task in dropped:
            self._answer_now(task, Cancelled())

    def _answer_now(self, task: _Task, error: WorkerError) -> None:
        if task.req_id is not None:
            header = _error_header(
                task.req_id, error.code, error.message, retryable=error.retryable
            )
            self._post("error", header)

    def _shutdown(
        self,
        compute: threading.Thread,
        sock: zmq.Socket[bytes],
        monitor: zmq.Socket[bytes],
        pending: deque[Frames],
    ) -> None:
        log.info("shutting down")
        with self._work:
            queued = list(self._queue)
            self._queue.clear()
            for task in queued:
                if task.req_id is not None:
                    self._in_flight.discard(task.req_id)
            if self._running is not None:
                self._running.shutting_down = True
                self._running.cancel.set()
            self._work.notify_all()
        for task in queued:
            if task.kind != "close":
                self._answer_now(task, Cancelled(shutting_down=True))
        with self._out_lock:
            self._out_lock.notify_all()
        compute.join(self.config.shutdown_grace_s)
        if compute.is_alive():
            log.error("the compute thread did not stop within %.0f s", self.config.shutdown_grace_s)
        self._take_outbox(pending)
        deadline = time.monotonic() + 1.0
        while pending and self.connected and time.monotonic() < deadline:
            self._flush(sock, pending)
            if pending:
                time.sleep(0.01)
        if pending:
            log.warning("%d message(s) could not be sent before exit", len(pending))

    # -- compute thread ---------------------------------------------------------------------

    def _compute_main(self) -> None:
        try:
            with self.backend.thread_context():
                try:
                    self.backend.load()
                finally:
                    self._loaded.set()
                self._device_memory = self.backend.device_memory()
                self._serve()
                for session_id in list(self._sessions):
                    self._drop_session(session_id)
                self.backend.shutdown()
        except BaseException as exc:  # noqa: BLE001 - reported by run() or logged
            if self._load_error is None and not self._started_serving:
                self._load_error = exc  # entering the context or loading failed
                self._loaded.set()
                return
            log.exception("compute thread failed")

    def _serve(self) -> None:
        self._started_serving = True
        while True:
            with self._work:
                if not self._queue and not self._stopping.is_set():
                    self._work.wait(_IDLE_SWEEP_S)
                if self._stopping.is_set():
                    return
                task = self._queue.popleft() if self._queue else None
                self._running = task
            if task is None:
                self._sweep_idle()
                continue
            try:
                self._execute(task)
            finally:
                with self._work:
                    self._running = None
                    if task.req_id is not None:
                        self._in_flight.discard(task.req_id)
            self._sweep_idle()

    def _execute(self, task: _Task) -> None:
        started = time.monotonic()
        try:
            task.check()
            frames_done = self._handle(task)
        except WorkerError as exc:
            self._fail(task, exc)
        except MemoryError:
            self._fail(task, WorkerError("OUT_OF_MEMORY", "the worker ran out of host memory"))
        except Exception as exc:  # noqa: BLE001 - every request gets an answer
            mapped = self.backend.classify_error(exc)
            if mapped is None:
                log.exception("request %s (%s) failed", task.req_id, task.kind)
                mapped = WorkerError("INTERNAL", f"{type(exc).__name__}: {exc}"[:1000])
            self._fail(task, mapped)
        else:
            if task.req_id is not None:
                elapsed_ms = (time.monotonic() - started) * 1000
                summary = {"framesDone": frames_done, "elapsedMs": round(elapsed_ms, 3)}
                self._post("done", {"reqId": task.req_id, "summary": summary})
        finally:
            with contextlib.suppress(Exception):
                self._device_memory = self.backend.device_memory()

    def _fail(self, task: _Task, error: WorkerError) -> None:
        if task.req_id is None:
            log.warning("%s of session %s failed: %s", task.kind, task.session_id, error)
            return
        if error.code not in ("CANCELLED", "WORKER_LOST"):
            log.info("request %s (%s) failed: %s", task.req_id, task.kind, error)
        self._post(
            "error",
            _error_header(
                task.req_id,
                error.code,
                error.message,
                retryable=error.retryable,
                session_id=task.session_id,
            ),
        )

    def _handle(self, task: _Task) -> int:
        if task.kind == "open":
            self._open(task)
            return 0
        if task.kind == "close":
            self._drop_session(task.session_id)
            return 0
        session = self._session(task.session_id)
        session.last_used = time.monotonic()
        try:
            if task.kind == "prompt":
                return self._prompt(task, session)
            if task.kind == "propagate":
                return self._propagate(task, session)
            if task.kind == "remove_object":
                self.backend.remove_object(task.session_id, str(task.header["objId"]))
                return 0
            if task.kind == "reset":
                self.backend.reset(task.session_id)
                return 0
        finally:
            session.last_used = time.monotonic()
        raise AssertionError(task.kind)  # pragma: no cover

    def _session(self, session_id: str) -> _Session:
        session = self._sessions.get(session_id)
        if session is None:
            raise WorkerError("SESSION_NOT_OPEN", f"session {session_id} is not open here")
        return session

    def _open(self, task: _Task) -> None:
        header = task.header
        session_id = task.session_id
        if session_id in self._sessions:
            self._drop_session(session_id)  # a re-open starts from a clean state
        elif len(self._sessions) >= self.config.max_sessions:
            raise WorkerError(
                "SESSION_LIMIT", f"this worker holds {self.config.max_sessions} sessions already"
            )
        frames = FrameStore(
            parse_source(header["frames"]),
            int(header["numFrames"]),
            int(header["width"]),
            int(header["height"]),
        )
        self.backend.open(OpenSpec(session_id, frames))
        self._sessions[session_id] = _Session(frames, time.monotonic())
        self._open_sessions = tuple(self._sessions)

    def _drop_session(self, session_id: str) -> None:
        session = self._sessions.pop(session_id, None)
        self._open_sessions = tuple(self._sessions)
        try:
            self.backend.close(session_id)
        except Exception:  # noqa: BLE001 - closing must not stop the loop
            log.exception("closing session %s failed", session_id)
        if session is not None:
            session.frames.release()

    def _sweep_idle(self) -> None:
        now = time.monotonic()
        for session_id, session in list(self._sessions.items()):
            if now - session.last_used < self.config.idle_timeout_s:
                continue
            log.info("closing session %s after %.0f s idle", session_id, now - session.last_used)
            self._drop_session(session_id)
            self._post(
                "error",
                _error_header(
                    None,
                    "SESSION_NOT_OPEN",
                    f"session closed after {self.config.idle_timeout_s:g} s without requests",
                    session_id=session_id,
                ),
            )

    def _check_frame(self, frame: int, session: _Session) -> None:
        if frame >= session.frames.num_frames:
            raise WorkerError(
                "FRAME_OUT_OF_RANGE",
                f"frame {frame} is outside [0, {session.frames.num_frames})",
            )

    def _prompt(self, task: _Task, session: _Session) -> int:
        spec = _prompt_spec(task.header)
        self._check_frame(spec.frame, session)
        result = self.backend.prompt(spec)
        self._emit_result(task, result, None)
        return 1

    def _propagate(self, task: _Task, session: _Session) -> int:
        header = task.header
        num_frames = session.frames.num_frames
        direction = cast(Direction, header["direction"])
        start = int(header["startFrame"])
        self._check_frame(start, session)
        end_value = header.get("endFrame")
        if direction == "forward":
            end = num_frames - 1 if end_value is None else int(end_value)
        elif direction == "backward":
            end = 0 if end_value is None else int(end_value)
        else:
            end = num_frames - 1
        self._check_frame(end, session)
        obj_ids = header.get("objIds")
        spec = PropagateSpec(
            task.session_id,
            direction,
            start,
            end,
            None if obj_ids is None else tuple(str(o) for o in obj_ids),
        )
        total = len(spec.order(num_frames))
        done = 0
        results: Generator[FrameResult, None, None] = self.backend.propagate(spec)
        try:
            while True:
                task.check()  # between frames: a cancel stops before the next one is computed
                result = next(results, None)
                if result is None:
                    break
                task.check()
                done += 1
                self._emit_result(task, result, (min(done, total), total))
                session.last_used = time.monotonic()
        finally:
            results.close()  # stops the backend's work (SAM3: closes its stream)
        return done

    def _emit_result(
        self, task: _Task, result: FrameResult, progress: tuple[int, int] | None
    ) -> None:
        header: dict[str, Any] = {
            "reqId": task.req_id,
            "sessionId": task.session_id,
            "frame": result.frame,
            "objects": [obj.to_header() for obj in result.objects],
        }
        if progress is not None:
            header["progress"] = {"framesDone": progress[0], "framesTotal": progress[1]}
        self._wait_for_room(task)
        self._post("result", header)

    def _wait_for_room(self, task: _Task) -> None:
        """Pauses while the server is away and the backlog is large (stops on cancel)."""
        with self._out_lock:
            while self._backlog >= _MAX_BACKLOG and not self._stopping.is_set():
                task.check()
                self._out_lock.wait(0.1)

    # -- both threads -----------------------------------------------------------------------

    def _post(self, type_name: str, header: Mapping[str, Any]) -> None:
        """Validates and queues a message for the I/O thread."""
        try:
            frames = encode_message(type_name, header, sender="worker")
        except ProtocolError as exc:  # our bug: never send it, answer the request instead
            log.error("refusing to send an invalid %s: %s", type_name, exc.message)
            req_id = header.get("reqId")
            if type_name in ("error", "done") or not isinstance(req_id, str):
                return
            frames = encode_message(
                "error",
                _error_header(req_id, "INTERNAL", f"the worker built an invalid {type_name}"),
                sender="worker",
            )
        with self._out_lock:
            self._outbox.append(frames)
            self._backlog += 1
        self._wake()


def _prompt_spec(header: Mapping[str, Any]) -> PromptSpec:
    session_id = str(header["sessionId"])
    frame = int(header["frame"])
    obj_id = str(header["objId"])
    kind = header["kind"]
    if kind == "points":
        points = tuple(
            (float(p["x"]), float(p["y"]), int(p["label"]) == 1) for p in header["points"]
        )
        return PointsPrompt(session_id, frame, obj_id, points)
    if kind == "box":
        x, y, w, h = (float(v) for v in header["box"])
        return BoxPrompt(session_id, frame, obj_id, (x, y, w, h))
    return TextPrompt(session_id, frame, obj_id, str(header["text"]))


def _error_header(
    req_id: str | None,
    code: ErrorCode,
    message: str,
    *,
    retryable: bool | None = None,
    session_id: str | None = None,
) -> dict[str, Any]:
    header: dict[str, Any] = {
        "reqId": req_id,
        "code": code,
        "message": message[:4000],
        "retryable": ERROR_CODES[code].retryable if retryable is None else retryable,
    }
    if session_id is not None:
        header["sessionId"] = session_id
    return header


def _salvage(frames: list[bytes]) -> tuple[str | None, str | None, str | None]:
    """Best-effort (reqId, sessionId, type) of an invalid message, each only if well-formed."""
    pattern = _ID
    type_name: str | None = None
    try:
        if len(frames) >= 1 and len(frames[0]) <= 32:
            type_name = frames[0].decode("utf-8")
    except (UnicodeDecodeError, AttributeError):
        type_name = None
    if len(frames) < 2 or len(frames[1]) > MAX_HEADER_BYTES:
        return None, None, type_name
    try:
        header = json.loads(frames[1].decode("utf-8"))
    except (ValueError, RecursionError, UnicodeDecodeError):
        return None, None, type_name
    if not isinstance(header, dict):
        return None, None, type_name
    req_id = header.get("reqId")
    session_id = header.get("sessionId")
    good_req = req_id if isinstance(req_id, str) and pattern.match(req_id) else None
    good_session = session_id if isinstance(session_id, str) and pattern.match(session_id) else None
    return good_req, good_session, type_name
