"""Errors a request can end with. Each carries a shared error code (``protocol.ERROR_CODES``);
the engine answers the request with it and goes on serving."""

from __future__ import annotations

from .protocol import ERROR_CODES, ErrorCode

__all__ = ["Cancelled", "StartupError", "WorkerError"]


class WorkerError(Exception):
    """A request failed in a way the server can act on. ``retryable`` defaults to the code's."""

    def __init__(self, code: ErrorCode, message: str, *, retryable: bool | None = None) -> None:
        super().__init__(f"{code}: {message}")
        self.code: ErrorCode = code
        self.message = message
        self.retryable = ERROR_CODES[code].retryable if retryable is None else retryable


class Cancelled(WorkerError):
    """The request was stopped: by the server's ``cancel`` (``CANCELLED``) or because the worker
    is shutting down (``WORKER_LOST``, retryable: another worker can take it)."""

    def __init__(self, *, shutting_down: bool = False) -> None:
        if shutting_down:
            super().__init__("WORKER_LOST", "the worker is shutting down", retryable=True)
        else:
            super().__init__("CANCELLED", "cancelled")


class StartupError(Exception):
    """The worker cannot start as configured (e.g. SAM3 without CUDA)."""
