"""Worker protocol (DESIGN §5), Python side.

The contract lives in ``@maskroom/shared`` (``shared/src/protocol``). Its generator writes
``protocol.schema.json`` beside this module: a JSON Schema per message header, the protocol
version and the shared error-code table. This module validates against that file and adds only
what JSON Schema cannot say, so both sides accept and reject the same messages with the same codes
(``protocol.vectors.json`` pins that; see ``tests/test_protocol.py``).

A message is the multipart ``[type, header-json, ...binary]``. ``decode_message`` checks, in the
same order as the TypeScript ``decodeMessage``: frame list, type frame, sender, binary count,
header size, UTF-8, JSON, object, ``hello`` version (``PROTOCOL_VERSION_MISMATCH``), then schema
and cross-field rules (``INVALID_MESSAGE``).

JavaScript semantics are reproduced where Python differs:
- ``NaN``/``Infinity`` literals are not JSON; numbers that overflow are infinite and rejected;
  integers beyond 2**53 become floats, as ``JSON.parse`` makes them;
- ``$`` in a schema pattern matches only at the very end (Python's also before a final newline);
- string lengths count code points on both sides (zod 4 does too).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any, Final, Literal, cast, get_args

# jsonschema ships no type information; it is used through `Any` here.
import jsonschema.exceptions  # type: ignore[import-untyped, unused-ignore]
import jsonschema.validators  # type: ignore[import-untyped, unused-ignore]

__all__ = [
    "ERROR_CODES",
    "LIMITS",
    "MAX_HEADER_BYTES",
    "MAX_TYPE_BYTES",
    "MESSAGE_TYPES",
    "PROTOCOL_VERSION",
    "SERVER_MESSAGE_TYPES",
    "WORKER_MESSAGE_TYPES",
    "ErrorCode",
    "ErrorCodeInfo",
    "Message",
    "MessageType",
    "ProtocolError",
    "Sender",
    "decode_message",
    "encode_message",
    "message_sender",
]

MessageType = Literal[
    "hello",
    "heartbeat",
    "result",
    "done",
    "error",
    "open",
    "prompt",
    "propagate",
    "cancel",
    "remove_object",
    "reset",
    "close",
]
Sender = Literal["worker", "server"]
ErrorCode = Literal[
    "VIDEO_TOO_LONG",
    "RESOLUTION_TOO_HIGH",
    "STORAGE_FULL",
    "FILE_TOO_LARGE",
    "UNSUPPORTED_MEDIA",
    "INGEST_FAILED",
    "INVALID_PROMPT",
    "UNSUPPORTED_PROMPT",
    "FRAME_OUT_OF_RANGE",
    "CANCELLED",
    "CONFLICT",
    "INVALID_IMPORT",
    "NO_WORKER",
    "WORKER_LOST",
    "SESSION_NOT_OPEN",
    "SESSION_LIMIT",
    "OUT_OF_MEMORY",
    "TIMEOUT",
    "INVALID_MESSAGE",
    "PROTOCOL_VERSION_MISMATCH",
    "INVALID_REQUEST",
    "UNAUTHENTICATED",
    "FORBIDDEN",
    "LINK_EXPIRED",
    "LINK_REVOKED",
    "SIGNUP_CLOSED",
    "NOT_FOUND",
    "RATE_LIMITED",
    "UNAVAILABLE",
    "INTERNAL",
]
"""Mirrors the table in the schema file (a test checks they agree)."""

_INVALID: Final = "INVALID_MESSAGE"
_MISMATCH: Final = "PROTOCOL_VERSION_MISMATCH"
_MAX_SAFE_INTEGER: Final = 2**53 - 1
_MAX_PROBLEM_LENGTH: Final = 300


@dataclass(frozen=True)
class ErrorCodeInfo:
    http_status: int
    retryable: bool
    description: str


class ProtocolError(Exception):
    """A message that is not valid protocol; ``code`` is a shared error code."""

    def __init__(self, code: ErrorCode, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code: ErrorCode = code
        self.message = message


def _load_schema() -> dict[str, Any]:
    text = resources.files("maskroom_worker").joinpath("protocol.schema.json").read_text("utf-8")
    return cast(dict[str, Any], json.loads(text))


_SCHEMA: Final = _load_schema()

PROTOCOL_VERSION: Final[int] = int(_SCHEMA["protocolVersion"])
LIMITS: Final[Mapping[str, float]] = dict(_SCHEMA["limits"])
MAX_TYPE_BYTES: Final[int] = int(_SCHEMA["limits"]["maxTypeBytes"])
MAX_HEADER_BYTES: Final[int] = int(_SCHEMA["limits"]["maxHeaderBytes"])
_EPSILON: Final[float] = float(_SCHEMA["limits"]["normalizedEpsilon"])

ERROR_CODES: Final[Mapping[str, ErrorCodeInfo]] = {
    code: ErrorCodeInfo(
        http_status=int(info["httpStatus"]),
        retryable=bool(info["retryable"]),
        description=str(info["description"]),
    )
    for code, info in _SCHEMA["errorCodes"].items()
}

MESSAGE_TYPES: Final[tuple[MessageType, ...]] = get_args(MessageType)
_SENDERS: Final[dict[str, Sender]] = {
    name: cast(Sender, spec["sender"]) for name, spec in _SCHEMA["messages"].items()
}
WORKER_MESSAGE_TYPES: Final = tuple(t for t in MESSAGE_TYPES if _SENDERS.get(t) == "worker")
SERVER_MESSAGE_TYPES: Final = tuple(t for t in MESSAGE_TYPES if _SENDERS.get(t) == "server")


def message_sender(type_name: MessageType) -> Sender:
    return _SENDERS[type_name]


# --- JSON Schema validation with JavaScript semantics ------------------------------------------


@lru_cache(maxsize=64)
def _ecma_regex(pattern: str) -> re.Pattern[str]:
    """Compiles a schema pattern so that an unescaped ``$`` outside a class means end of string."""
    out: list[str] = []
    in_class = False
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\" and i + 1 < len(pattern):
            out.append(pattern[i : i + 2])
            i += 2
            continue
        if ch == "[":
            in_class = True
        elif ch == "]":
            in_class = False
        elif ch == "$" and not in_class:
            ch = r"\Z"
        out.append(ch)
        i += 1
    return re.compile("".join(out))


def _pattern_keyword(
    validator: Any, pattern: str, instance: object, schema: Mapping[str, Any]
) -> Iterator[Any]:
    if isinstance(instance, str) and not _ecma_regex(pattern).search(instance):
        shown = instance if len(instance) <= 40 else instance[:40] + "…"
        yield jsonschema.exceptions.ValidationError(f"{shown!r} does not match {pattern!r}")


def _is_finite_number(checker: object, instance: object) -> bool:
    if isinstance(instance, bool):
        return False
    if isinstance(instance, int):
        return True
    return isinstance(instance, float) and math.isfinite(instance)


def _make_validator_class() -> Any:
    base = jsonschema.validators.Draft202012Validator
    return jsonschema.validators.extend(
        base,
        validators={"pattern": _pattern_keyword},
        type_checker=base.TYPE_CHECKER.redefine("number", _is_finite_number),
    )


_VALIDATOR_CLASS: Final = _make_validator_class()
_VALIDATORS: Final[dict[str, Any]] = {
    name: _VALIDATOR_CLASS(spec["header"]) for name, spec in _SCHEMA["messages"].items()
}
_MAX_BINARY: Final[dict[str, int]] = {
    name: int(spec["maxBinaryFrames"]) for name, spec in _SCHEMA["messages"].items()
}


# --- Cross-field rules (zod refinements the JSON Schema cannot state) ---------------------------

_Rule = Callable[[Mapping[str, Any]], "str | None"]


def _box_inside_frame(header: Mapping[str, Any]) -> str | None:
    if header.get("kind") != "box":
        return None
    x, y, w, h = header["box"]
    if x + w <= 1 + _EPSILON and y + h <= 1 + _EPSILON:
        return None
    return "box: box must lie inside the frame (x + w <= 1 and y + h <= 1)"


def _end_frame_direction(header: Mapping[str, Any]) -> str | None:
    end = header.get("endFrame")
    if end is None:
        return None
    start = header["startFrame"]
    direction = header["direction"]
    if (direction == "forward" and end >= start) or (direction == "backward" and end <= start):
        return None
    return "endFrame: must be >= startFrame forward, <= startFrame backward, absent for both"


def _progress_within_total(header: Mapping[str, Any]) -> str | None:
    progress = header.get("progress")
    if progress is None or progress["framesDone"] <= progress["framesTotal"]:
        return None
    return "progress: framesDone must not exceed framesTotal"


CROSS_FIELD_RULES: Final[dict[str, dict[str, _Rule]]] = {
    "prompt": {"box-inside-frame": _box_inside_frame},
    "propagate": {"end-frame-direction": _end_frame_direction},
    "result": {"progress-within-total": _progress_within_total},
}
"""Rule ids per message type; they match ``crossFieldRules`` in the schema file."""


# --- Framing ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Message:
    """A decoded, valid message. ``header`` is the parsed JSON object."""

    type: MessageType
    header: dict[str, Any]
    binary: tuple[bytes, ...] = ()

    @property
    def sender(self) -> Sender:
        return _SENDERS[self.type]

    def to_frames(self) -> list[bytes]:
        return encode_message(self.type, self.header, *self.binary)


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _parse_int(text: str) -> int | float:
    # JSON.parse turns every number into a double; keep Python ints only where that is exact.
    if len(text) <= 15:
        return int(text)
    as_float = float(text)
    if abs(as_float) <= _MAX_SAFE_INTEGER:
        return int(text)
    return as_float


def _is_integral(value: object) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return True
    return isinstance(value, float) and value.is_integer()


def _as_bytes(frame: object) -> bytes:
    if isinstance(frame, bytes):
        return frame
    if isinstance(frame, (bytearray, memoryview)):
        return bytes(frame)
    try:
        return memoryview(frame).tobytes()  # type: ignore[arg-type]  # e.g. zmq.Frame
    except TypeError:
        raise ProtocolError(_INVALID, "every frame must be bytes") from None


def _schema_error(validator: Any, header: Mapping[str, Any]) -> str | None:
    error = jsonschema.exceptions.best_match(validator.iter_errors(header))
    if error is None:
        return None
    path = ".".join(str(p) for p in error.absolute_path)
    message = str(error.message)
    if len(message) > _MAX_PROBLEM_LENGTH:  # jsonschema quotes the instance, which may be huge
        message = message[:_MAX_PROBLEM_LENGTH] + "…"
    return f"{path}: {message}" if path else message


def decode_message(
    frames: Sequence[bytes | bytearray | memoryview] | object,
    *,
    sender: Sender | None = None,
    max_header_bytes: int = MAX_HEADER_BYTES,
) -> Message:
    """Decodes and validates received frames; raises ``ProtocolError`` for anything invalid.

    ``sender``: accept only messages that side sends (the worker decodes with ``"server"``).
    """
    if not isinstance(frames, (list, tuple)):
        raise ProtocolError(_INVALID, "frames must be a list")
    if len(frames) < 2:
        raise ProtocolError(_INVALID, f"expected [type, header, ...binary], got {len(frames)}")
    raw = [_as_bytes(frame) for frame in frames]
    type_frame, header_frame, *binary = raw

    if len(type_frame) > MAX_TYPE_BYTES:
        raise ProtocolError(_INVALID, "type frame too long")
    try:
        type_name = type_frame.decode("utf-8")
    except UnicodeDecodeError:
        raise ProtocolError(_INVALID, "type frame is not UTF-8") from None
    validator = _VALIDATORS.get(type_name)
    if validator is None:
        raise ProtocolError(_INVALID, f"unknown message type {type_name!r}")
    spec_sender = _SENDERS[type_name]
    if sender is not None and spec_sender != sender:
        raise ProtocolError(_INVALID, f"{type_name} is sent by the {spec_sender}, not the {sender}")
    if len(binary) > _MAX_BINARY[type_name]:
        limit = _MAX_BINARY[type_name]
        raise ProtocolError(
            _INVALID, f"{type_name} takes at most {limit} binary frame(s), got {len(binary)}"
        )

    if len(header_frame) > max_header_bytes:
        raise ProtocolError(
            _INVALID, f"{type_name} header is {len(header_frame)} bytes, over {max_header_bytes}"
        )
    try:
        text = header_frame.decode("utf-8")
    except UnicodeDecodeError:
        raise ProtocolError(_INVALID, f"{type_name} header is not UTF-8") from None
    try:
        header = json.loads(text, parse_constant=_reject_constant, parse_int=_parse_int)
    except (ValueError, RecursionError):
        raise ProtocolError(_INVALID, f"{type_name} header is not JSON") from None
    if not isinstance(header, dict):
        raise ProtocolError(_INVALID, f"{type_name} header must be a JSON object")

    if type_name == "hello" and "protocolVersion" in header:
        version = header["protocolVersion"]
        if _is_integral(version) and version != PROTOCOL_VERSION:
            raise ProtocolError(_MISMATCH, f"protocol version {version} is not {PROTOCOL_VERSION}")

    problem = _schema_error(validator, header)
    if problem is None:
        for rule in CROSS_FIELD_RULES.get(type_name, {}).values():
            problem = rule(header)
            if problem is not None:
                break
    if problem is not None:
        raise ProtocolError(_INVALID, f"{type_name} header: {problem}")
    return Message(cast(MessageType, type_name), header, tuple(binary))


def _json_default(value: object) -> Any:
    tolist = getattr(value, "tolist", None)  # numpy scalars and arrays
    if callable(tolist):
        return tolist()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def encode_message(
    type_name: str,
    header: Mapping[str, Any],
    *binary: bytes,
    sender: Sender | None = None,
) -> list[bytes]:
    """Frames a message after validating exactly the bytes that will be sent.

    Raises ``ProtocolError(INVALID_MESSAGE)`` when the message breaks its schema (a bug on this
    side). numpy scalars in the header are converted to plain numbers.
    """
    try:
        text = json.dumps(header, separators=(",", ":"), allow_nan=False, default=_json_default)
    except (TypeError, ValueError) as exc:
        raise ProtocolError(
            _INVALID, f"{type_name} header is not JSON-serializable: {exc}"
        ) from None
    frames = [type_name.encode("utf-8", "surrogatepass"), text.encode("ascii"), *map(bytes, binary)]
    decode_message(frames, sender=sender)
    return frames
