"""The worker's configuration: read once from the command line (with environment fallbacks)."""

from __future__ import annotations

import argparse
import os
import re
import socket
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from .protocol import PROTOCOL_VERSION

__all__ = ["WorkerConfig", "default_worker_id", "parse_args"]

BackendName = Literal["sam3", "classical"]

_ID_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
DEFAULT_ENDPOINT = "tcp://127.0.0.1:5560"


@dataclass(frozen=True)
class WorkerConfig:
    endpoint: str = DEFAULT_ENDPOINT
    backend: BackendName = "classical"
    device: str = "cpu"
    worker_id: str = "worker"
    max_sessions: int = 4
    idle_timeout_s: float = 900.0
    heartbeat_ms: int = 1000
    checkpoint: str | None = None
    shutdown_grace_s: float = 10.0
    log_level: str = "INFO"


def default_worker_id() -> str:
    """``<host>-<pid>-<random>``, restricted to the id alphabet and 64 characters."""
    host = re.sub(r"[^A-Za-z0-9_-]", "-", socket.gethostname())[:32] or "worker"
    return f"{host}-{os.getpid()}-{uuid.uuid4().hex[:6]}"


def _worker_id(text: str) -> str:
    if not _ID_PATTERN.match(text):
        raise argparse.ArgumentTypeError("1-64 characters of A-Z a-z 0-9 _ -")
    return text


def _positive_int(text: str) -> int:
    value = int(text)
    if value <= 0:
        raise argparse.ArgumentTypeError("must be positive")
    return value


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="maskroom-worker",
        description=(
            "Maskroom segmentation worker: connects a DEALER socket to the server's ROUTER and "
            f"serves worker-protocol v{PROTOCOL_VERSION} requests."
        ),
    )
    parser.add_argument(
        "--endpoint",
        default=os.environ.get("MASKROOM_WORKER_ENDPOINT", DEFAULT_ENDPOINT),
        help="the server's ROUTER endpoint (env MASKROOM_WORKER_ENDPOINT; default %(default)s)",
    )
    parser.add_argument("--backend", choices=["sam3", "classical"], default="classical")
    parser.add_argument(
        "--device",
        default=None,
        help="cpu (classical) or cuda:N (sam3); default: the backend's",
    )
    parser.add_argument("--worker-id", type=_worker_id, default=None)
    parser.add_argument("--max-sessions", type=_positive_int, default=4)
    parser.add_argument(
        "--idle-timeout",
        type=float,
        default=900.0,
        help="close a session unused for this many seconds (default %(default)s)",
    )
    parser.add_argument(
        "--heartbeat-ms", type=int, default=1000, help="heartbeat interval, 100-60000 ms"
    )
    parser.add_argument(
        "--checkpoint",
        default=os.environ.get("MASKROOM_SAM3_CHECKPOINT"),
        help="sam3: local checkpoint file (env MASKROOM_SAM3_CHECKPOINT); default: the gated "
        "Hugging Face repo facebook/sam3 (log in first with `hf auth login`)",
    )
    parser.add_argument("--log-level", default=os.environ.get("MASKROOM_LOG_LEVEL", "INFO"))
    return parser


def parse_args(argv: Sequence[str] | None = None) -> WorkerConfig:
    parser = _parser()
    args = parser.parse_args(argv)
    backend: BackendName = args.backend
    device = args.device or ("cuda:0" if backend == "sam3" else "cpu")
    if not 100 <= args.heartbeat_ms <= 60_000:
        parser.error("--heartbeat-ms must be within 100..60000")
    if args.max_sessions > 1024:
        parser.error("--max-sessions must be at most 1024")
    if args.idle_timeout <= 0:
        parser.error("--idle-timeout must be positive")
    return WorkerConfig(
        endpoint=args.endpoint,
        backend=backend,
        device=device,
        worker_id=args.worker_id or default_worker_id(),
        max_sessions=args.max_sessions,
        idle_timeout_s=float(args.idle_timeout),
        heartbeat_ms=int(args.heartbeat_ms),
        checkpoint=args.checkpoint,
        log_level=str(args.log_level).upper(),
    )
