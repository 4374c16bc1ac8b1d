"""``maskroom-worker``: the command-line entry point (``python -m maskroom_worker`` too)."""

from __future__ import annotations

import logging
import signal
import sys
from collections.abc import Sequence
from types import FrameType

from .backend import Backend
from .config import WorkerConfig, parse_args
from .engine import Engine
from .errors import StartupError, WorkerError

__all__ = ["build_backend", "main"]

log = logging.getLogger("maskroom_worker")


def build_backend(config: WorkerConfig) -> Backend:
    """The configured backend, not loaded yet (``load`` runs on the compute thread)."""
    if config.backend == "classical":
        from .classical import ClassicalBackend

        if config.device != "cpu":
            raise StartupError(f"the classical backend runs on the CPU, not {config.device}")
        return ClassicalBackend()
    from .sam3 import Sam3Backend

    return Sam3Backend(device=config.device, checkpoint=config.checkpoint)


def main(argv: Sequence[str] | None = None) -> int:
    config = parse_args(argv)
    logging.basicConfig(
        level=getattr(logging, config.log_level, logging.INFO),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    try:
        backend = build_backend(config)
    except (StartupError, WorkerError) as exc:
        log.error("cannot start: %s", exc)
        return 2
    engine = Engine(config, backend)

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        log.info("received %s", signal.Signals(signum).name)
        engine.stop()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    return engine.run()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
