"""The engine over real ZeroMQ: a real ``maskroom-worker`` process (classical backend) talks to a
test ROUTER on loopback; the sam3 backend (fake predictor) runs in an in-process engine."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from maskroom_worker.config import WorkerConfig
from maskroom_worker.engine import Engine
from maskroom_worker.protocol import PROTOCOL_VERSION

from .conftest import BLOB_FRAMES, BLOB_H, BLOB_W, Video, blob_centre, make_sam3_fake
from .fake_sam3 import OutOfMemoryError
from .zmq_server import TestServer, log_of, start_worker, stop_worker


def _click(name: str, frame: int = 0) -> list[dict[str, Any]]:
    x, y = blob_centre(name, frame)
    return [{"x": x / BLOB_W, "y": y / BLOB_H, "label": 1}]


def _prompt(req_id: str, session_id: str = "s1", frame: int = 0, obj: str = "o1") -> dict[str, Any]:
    return {
        "reqId": req_id,
        "sessionId": session_id,
        "frame": frame,
        "objId": obj,
        "kind": "points",
        "points": _click("blue", min(frame, BLOB_FRAMES - 1)),
    }


@pytest.fixture(scope="module")
def worker(blob_video: Video) -> Iterator[TestServer]:
    """One worker process for the module, with session s1 open on the blob video."""
    server = TestServer()
    process = start_worker(server.endpoint)
    try:
        hello = server.recv(20)
        assert hello.type == "hello"
        server.send("open", blob_video.open_header("s1", "open-s1"))
        _, answer = server.until_answer("open-s1")
        assert answer.type == "done", answer.header
        yield server
    finally:
        assert stop_worker(process) == 0
        output = log_of(process)
        server.close()
        assert "Traceback" not in output, output
        assert "invalid message" in output  # invalid messages are logged


def test_hello_then_heartbeats(worker: TestServer) -> None:
    hello = next(m for m in worker.received if m.type == "hello")
    assert hello.header["protocolVersion"] == PROTOCOL_VERSION
    assert hello.header["workerId"] == "test-worker"
    assert hello.header["backend"] == "classical" and hello.header["device"] == "cpu"
    assert hello.header["capabilities"] == {
        "points": True,
        "box": True,
        "text": False,
        "propagate": True,
    }
    assert hello.header["heartbeatIntervalMs"] == 200
    count = sum(m.type == "heartbeat" for m in worker.received)
    start = time.monotonic()
    while sum(m.type == "heartbeat" for m in worker.received) < count + 4:
        worker.recv(3, skip_heartbeats=False)
    assert time.monotonic() - start < 2.0  # one every 200 ms
    beat = [m for m in worker.received if m.type == "heartbeat"][-1]
    assert beat.header["workerId"] == "test-worker"
    assert "s1" in beat.header["openSessions"]
    assert beat.header["busy"] in (True, False) and beat.header["queued"] >= 0


def test_prompt_gives_a_result_then_done(worker: TestServer) -> None:
    worker.send("prompt", _prompt("p1"))
    results, answer = worker.until_answer("p1")
    assert answer.type == "done" and answer.header["summary"]["framesDone"] == 1
    assert len(results) == 1
    header = results[0].header
    assert header["sessionId"] == "s1" and header["frame"] == 0
    (obj,) = header["objects"]
    assert obj["objId"] == "o1" and obj["area"] > 100 and obj["score"] == 1


def test_propagation_streams_frames_in_order_then_done(worker: TestServer) -> None:
    worker.send("prompt", _prompt("p2"))
    worker.until_answer("p2")
    worker.send(
        "propagate",
        {"reqId": "g1", "sessionId": "s1", "direction": "forward", "startFrame": 0},
    )
    results, answer = worker.until_answer("g1")
    assert answer.type == "done"
    assert [r.header["frame"] for r in results] == list(range(BLOB_FRAMES))
    assert [r.header["progress"]["framesDone"] for r in results] == list(range(1, BLOB_FRAMES + 1))
    assert all(r.header["progress"]["framesTotal"] == BLOB_FRAMES for r in results)
    assert answer.header["summary"]["framesDone"] == BLOB_FRAMES


def test_errors_are_answered_and_the_worker_goes_on(worker: TestServer) -> None:
    worker.send("prompt", _prompt("e1", session_id="nope"))
    _, answer = worker.until_answer("e1")
    assert answer.type == "error" and answer.header["code"] == "SESSION_NOT_OPEN"
    assert answer.header["retryable"] is True
    worker.send("prompt", _prompt("e2", frame=999))
    _, answer = worker.until_answer("e2")
    assert answer.header["code"] == "FRAME_OUT_OF_RANGE" and answer.header["retryable"] is False
    text = {
        "reqId": "e3",
        "sessionId": "s1",
        "frame": 0,
        "objId": "o9",
        "kind": "text",
        "text": "a dog",
    }
    worker.send("prompt", text)
    _, answer = worker.until_answer("e3")
    assert answer.header["code"] == "UNSUPPORTED_PROMPT"
    worker.send("prompt", _prompt("e4"))
    _, answer = worker.until_answer("e4")
    assert answer.type == "done"


def test_invalid_messages_are_answered_or_dropped(worker: TestServer) -> None:
    # Schema-invalid, with a usable reqId: answered INVALID_MESSAGE.
    bad = json.dumps({"reqId": "bad1", "sessionId": "s1", "frame": -1}).encode()
    worker.send_raw([b"prompt", bad])
    _, answer = worker.until_answer("bad1")
    assert answer.type == "error" and answer.header["code"] == "INVALID_MESSAGE"
    # Garbage without a usable reqId: dropped.
    worker.send_raw([b"\xff\xfe", b"{not json"])
    worker.send_raw([b"prompt"])
    worker.send_raw([b"result", json.dumps({"reqId": "x y"}).encode()])
    # A malformed cancel is never answered (its reqId names another request).
    worker.send_raw([b"cancel", json.dumps({"reqId": "p1", "extra": 1}).encode()])
    # The worker still serves.
    worker.send("prompt", _prompt("after-bad"))
    results, answer = worker.until_answer("after-bad")
    assert answer.type == "done" and len(results) == 1
    answers = [
        m for m in worker.received if m.type == "error" and m.header["reqId"] in ("p1", None, "x y")
    ]
    assert answers == []


@pytest.fixture(scope="module")
def long_video(sequences: dict[str, Any]) -> Video:
    _, video = sequences["occluded"]
    assert isinstance(video, Video)
    return video  # 60 frames at 320x240: long enough to cancel mid-way


def test_cancel_mid_propagation_stops_it(worker: TestServer, long_video: Video) -> None:
    worker.send("open", long_video.open_header("long", "open-long"))
    assert worker.until_answer("open-long")[1].type == "done"
    worker.send(
        "prompt",
        {**_prompt("lp", session_id="long"), "points": [{"x": 0.29, "y": 0.55, "label": 1}]},
    )
    assert worker.until_answer("lp")[1].type == "done"
    worker.send(
        "propagate",
        {"reqId": "c1", "sessionId": "long", "direction": "forward", "startFrame": 0},
    )
    worker.expect(lambda m: m.type == "result" and m.header["reqId"] == "c1")
    worker.send("cancel", {"reqId": "c1"})
    results, answer = worker.until_answer("c1")
    assert answer.type == "error" and answer.header["code"] == "CANCELLED"
    assert answer.header["retryable"] is False
    assert len(results) < 50
    # Nothing more for c1 after its answer.
    worker.send("prompt", _prompt("c-after"))
    _, after = worker.until_answer("c-after")
    assert after.type == "done"
    tail = worker.received[worker.received.index(answer) + 1 :]
    assert not any(m.header.get("reqId") == "c1" for m in tail)


def test_cancel_of_a_queued_request_answers_without_running(
    worker: TestServer, long_video: Video
) -> None:
    worker.send(
        "propagate",
        {"reqId": "q1", "sessionId": "long", "direction": "forward", "startFrame": 0},
    )
    worker.send("prompt", _prompt("q2"))
    worker.send("cancel", {"reqId": "q2"})
    message = worker.expect(lambda m: m.header.get("reqId") == "q2")
    assert message.type == "error" and message.header["code"] == "CANCELLED"
    worker.send("cancel", {"reqId": "q1"})
    worker.until_answer("q1")
    assert not any(m.type == "result" and m.header["reqId"] == "q2" for m in worker.received)
    worker.send("cancel", {"reqId": "never-sent"})  # ignored


def test_close_and_reopen(worker: TestServer, blob_video: Video) -> None:
    worker.send("close", {"sessionId": "long"})
    worker.send("prompt", _prompt("cl1", session_id="long"))
    _, answer = worker.until_answer("cl1")
    assert answer.header["code"] == "SESSION_NOT_OPEN"
    worker.send("remove_object", {"reqId": "rm1", "sessionId": "s1", "objId": "o1"})
    assert worker.until_answer("rm1")[1].type == "done"
    worker.send("reset", {"reqId": "rs1", "sessionId": "s1"})
    assert worker.until_answer("rs1")[1].type == "done"


def test_limits_idle_close_and_sigterm(blob_video: Video, long_video: Video) -> None:
    server = TestServer()
    process = start_worker(server.endpoint, "--max-sessions", "1", "--idle-timeout", "1")
    try:
        assert server.recv(20).type == "hello"
        server.send("open", blob_video.open_header("a", "o-a"))
        assert server.until_answer("o-a")[1].type == "done"
        server.send("open", blob_video.open_header("b", "o-b"))
        _, answer = server.until_answer("o-b")
        assert answer.header["code"] == "SESSION_LIMIT" and answer.header["retryable"] is True
        # Idle for over a second: closed, reported with reqId null.
        closed = server.expect(lambda m: m.type == "error" and m.header["reqId"] is None, 10)
        assert closed.header["sessionId"] == "a" and closed.header["code"] == "SESSION_NOT_OPEN"
        beat = server.expect(lambda m: m.type == "heartbeat", 5, skip_heartbeats=False)
        assert beat.header["openSessions"] == []
        # SIGTERM mid-propagation: the request is answered WORKER_LOST (retryable), exit 0.
        server.send("open", long_video.open_header("long", "o-long"))
        assert server.until_answer("o-long")[1].type == "done"
        server.send(
            "prompt", {**_prompt("lp", "long"), "points": [{"x": 0.29, "y": 0.55, "label": 1}]}
        )
        assert server.until_answer("lp")[1].type == "done"
        server.send(
            "propagate", {"reqId": "t1", "sessionId": "long", "direction": "both", "startFrame": 0}
        )
        server.send("prompt", _prompt("t2", "long"))  # queued behind it
        server.expect(lambda m: m.type == "result" and m.header["reqId"] == "t1")
        started = time.monotonic()
        code = stop_worker(process)
        assert code == 0 and time.monotonic() - started < 10
        answers = {
            m.header["reqId"]: m
            for m in _drain(server)
            if m.type == "error" and m.header["reqId"] in ("t1", "t2")
        }
        assert {k: (m.header["code"], m.header["retryable"]) for k, m in answers.items()} == {
            "t1": ("WORKER_LOST", True),
            "t2": ("WORKER_LOST", True),
        }
    finally:
        stop_worker(process)
        server.close()


def _drain(server: TestServer) -> list[Any]:
    out = []
    while True:
        try:
            out.append(server.recv(1.0, skip_heartbeats=False))
        except TimeoutError:
            return out


def test_the_worker_says_hello_again_when_the_server_comes_back() -> None:
    server = TestServer()
    port = server.port
    process = start_worker(server.endpoint)
    try:
        assert server.recv(20).type == "hello"
        server.close()  # the server goes away...
        time.sleep(0.8)
        server = TestServer(port)  # ...and a new one binds the same endpoint
        hello = server.recv(15)
        assert hello.type == "hello" and hello.header["workerId"] == "test-worker"
        beat = server.recv(5, skip_heartbeats=False)
        assert beat.type == "heartbeat"  # right after the hello
    finally:
        assert stop_worker(process) == 0
        server.close()


def test_sam3_engine_in_process(blob_video: Video) -> None:
    """The sam3 backend behind the real engine and sockets: every SAM3 call happens on the
    compute thread inside its autocast (the fake fails otherwise), OOM is retryable, and the
    loop goes on."""
    backend, fakes = make_sam3_fake()
    server = TestServer()
    config = WorkerConfig(
        endpoint=server.endpoint,
        backend="sam3",
        device="cuda:0",
        worker_id="sam3-test",
        heartbeat_ms=200,
    )
    engine = Engine(config, backend)
    thread = threading.Thread(target=engine.run, daemon=True)
    thread.start()
    try:
        hello = server.recv(10)
        assert hello.header["backend"] == "sam3" and hello.header["capabilities"]["text"] is True
        server.send("open", blob_video.open_header("s", "o"))
        assert server.until_answer("o")[1].type == "done"
        text = {
            "reqId": "t",
            "sessionId": "s",
            "frame": 0,
            "objId": "cars",
            "kind": "text",
            "text": "red",
        }
        server.send("prompt", text)
        results, answer = server.until_answer("t")
        assert answer.type == "done"
        assert {o["objId"] for o in results[0].header["objects"]} == {"cars", "cars-1"}
        fakes[0].fail_next = OutOfMemoryError("CUDA out of memory")
        server.send("prompt", {**text, "reqId": "oom"})
        _, answer = server.until_answer("oom")
        assert answer.header["code"] == "OUT_OF_MEMORY" and answer.header["retryable"] is True
        server.send(
            "propagate", {"reqId": "g", "sessionId": "s", "direction": "both", "startFrame": 0}
        )
        results, answer = server.until_answer("g")
        assert answer.type == "done" and len(results) == BLOB_FRAMES
        server.send(
            "propagate", {"reqId": "g2", "sessionId": "s", "direction": "both", "startFrame": 0}
        )
        server.expect(lambda m: m.type == "result" and m.header["reqId"] == "g2")
        server.send("cancel", {"reqId": "g2"})
        _, answer = server.until_answer("g2")
        # A cancel arriving after the last frame finds the request done (the protocol allows it).
        assert answer.type == "done" or answer.header["code"] == "CANCELLED"
        assert fakes[0].violations == []
        assert fakes[0].streams_opened == fakes[0].streams_closed
    finally:
        engine.stop()
        thread.join(10)
        server.close()
    assert not thread.is_alive()
    assert fakes[0].sessions == {}  # sessions closed at shutdown


@pytest.mark.parametrize("where", ["load", "context"])
def test_a_backend_that_cannot_load_stops_the_worker(where: str) -> None:
    import contextlib

    from maskroom_worker.classical import ClassicalBackend
    from maskroom_worker.errors import StartupError

    class Broken(ClassicalBackend):
        def load(self) -> None:
            if where == "load":
                raise StartupError("no model")

        def thread_context(self) -> contextlib.AbstractContextManager[None]:
            if where == "context":
                raise StartupError("no autocast")
            return contextlib.nullcontext()

    engine = Engine(WorkerConfig(endpoint="tcp://127.0.0.1:1"), Broken())
    assert engine.run() == 1
