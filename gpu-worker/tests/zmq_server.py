"""A test stand-in for the server's dispatcher: a ROUTER on loopback that speaks the protocol
(every message it receives must be valid worker protocol), plus a helper to run the worker
command as a real process."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import zmq

from maskroom_worker.protocol import Message, decode_message, encode_message

PACKAGE_ROOT = Path(__file__).resolve().parents[1]


class TestServer:
    __test__ = False  # not a test class

    def __init__(self, port: int | None = None) -> None:
        self.context: zmq.Context[Any] = zmq.Context()
        self.sock: zmq.Socket[bytes] = self.context.socket(zmq.ROUTER)
        self.sock.setsockopt(zmq.LINGER, 0)
        self.sock.setsockopt(zmq.ROUTER_HANDOVER, 1)
        if port is None:
            self.port = self.sock.bind_to_random_port("tcp://127.0.0.1")
        else:
            self.port = port
            self.sock.bind(f"tcp://127.0.0.1:{port}")
        self.endpoint = f"tcp://127.0.0.1:{self.port}"
        self.identity: bytes | None = None
        self.received: list[Message] = []

    def recv(self, timeout: float = 10.0, skip_heartbeats: bool = True) -> Message:
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0 or not self.sock.poll(int(left * 1000)):
                raise TimeoutError("no message from the worker")
            identity, *frames = self.sock.recv_multipart()
            message = decode_message(frames, sender="worker")  # raises if the worker erred
            self.identity = identity
            self.received.append(message)
            if skip_heartbeats and message.type == "heartbeat":
                continue
            return message

    def expect(
        self,
        predicate: Callable[[Message], bool],
        timeout: float = 10.0,
        skip_heartbeats: bool = True,
    ) -> Message:
        deadline = time.monotonic() + timeout
        while True:
            message = self.recv(max(0.01, deadline - time.monotonic()), skip_heartbeats)
            if predicate(message):
                return message

    def until_answer(self, req_id: str, timeout: float = 30.0) -> tuple[list[Message], Message]:
        """The results of a request, then its answer (``done`` or ``error``)."""
        results: list[Message] = []
        deadline = time.monotonic() + timeout
        while True:
            message = self.recv(max(0.01, deadline - time.monotonic()))
            if message.header.get("reqId") != req_id:
                continue
            if message.type == "result":
                results.append(message)
            else:
                return results, message

    def send(self, type_name: str, header: dict[str, Any]) -> None:
        self.send_raw(encode_message(type_name, header, sender="server"))

    def send_raw(self, frames: list[bytes]) -> None:
        assert self.identity is not None, "no worker has spoken yet"
        self.sock.send_multipart([self.identity, *frames])

    def close(self) -> None:
        self.sock.close(linger=0)
        self.context.term()


def start_worker(endpoint: str, *args: str) -> subprocess.Popen[bytes]:
    """Starts ``python -m maskroom_worker``; its log goes to a temporary file (``log_of``)."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(PACKAGE_ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    command = [
        sys.executable,
        "-m",
        "maskroom_worker",
        "--endpoint",
        endpoint,
        "--backend",
        "classical",
        "--heartbeat-ms",
        "200",
        "--worker-id",
        "test-worker",
        *args,
    ]
    log = tempfile.TemporaryFile()
    process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    _LOGS[process.pid] = log
    return process


_LOGS: dict[int, Any] = {}


def log_of(process: subprocess.Popen[bytes]) -> str:
    log = _LOGS.pop(process.pid, None)
    if log is None:
        return ""
    log.seek(0)
    text: str = log.read().decode("utf-8", "replace")
    log.close()
    return text


def stop_worker(process: subprocess.Popen[bytes], timeout: float = 15.0) -> int:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    return process.returncode
