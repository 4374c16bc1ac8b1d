"""The worker protocol against the shared contract: every vector generated from the TypeScript
schemas (``protocol.vectors.json``) must be accepted, or rejected with the same code, here too."""

from __future__ import annotations

import json
import random
from importlib import resources
from typing import Any, get_args

import jsonschema
import pytest

from maskroom_worker import protocol
from maskroom_worker.protocol import (
    ERROR_CODES,
    MESSAGE_TYPES,
    PROTOCOL_VERSION,
    ErrorCode,
    Message,
    ProtocolError,
    Sender,
    decode_message,
    encode_message,
)


def _load(name: str) -> dict[str, Any]:
    text = resources.files("maskroom_worker").joinpath(name).read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


SCHEMA = _load("protocol.schema.json")
VECTORS = _load("protocol.vectors.json")
VALID = VECTORS["valid"]
INVALID = VECTORS["invalid"]


def _frame(spec: dict[str, Any]) -> bytes:
    if "text" in spec:
        return str(spec["text"]).encode("utf-8", "surrogatepass")
    if "hex" in spec:
        return bytes.fromhex(spec["hex"])
    return json.dumps(spec["json"]).encode("utf-8")


def test_contract_files_agree_with_this_module() -> None:
    assert VECTORS["protocolVersion"] == SCHEMA["protocolVersion"] == PROTOCOL_VERSION == 1
    assert set(SCHEMA["messages"]) == set(MESSAGE_TYPES)
    assert set(SCHEMA["errorCodes"]) == set(get_args(ErrorCode)) == set(ERROR_CODES)
    assert ERROR_CODES["NO_WORKER"].http_status == 503 and ERROR_CODES["NO_WORKER"].retryable
    for name, spec in SCHEMA["messages"].items():
        jsonschema.validators.Draft202012Validator.check_schema(spec["header"])
        declared = {rule.split(":", 1)[0] for rule in spec["crossFieldRules"]}
        assert declared == set(protocol.CROSS_FIELD_RULES.get(name, {})), name
    assert set(protocol.WORKER_MESSAGE_TYPES) == {"hello", "heartbeat", "result", "done", "error"}
    assert len(protocol.SERVER_MESSAGE_TYPES) == 7


def test_vectors_cover_every_type_and_have_unique_names() -> None:
    names = [v["name"] for v in VALID + INVALID]
    assert len(names) == len(set(names))
    assert {v["type"] for v in VALID} == set(MESSAGE_TYPES)


@pytest.mark.parametrize("vector", VALID, ids=[v["name"] for v in VALID])
def test_valid_vector_validates_and_round_trips(vector: dict[str, Any]) -> None:
    schema = SCHEMA["messages"][vector["type"]]["header"]
    jsonschema.validate(vector["header"], schema)
    frames = encode_message(vector["type"], vector["header"], sender=vector["sender"])
    assert frames[0] == vector["type"].encode()
    message = decode_message(frames, sender=vector["sender"])
    assert message == Message(vector["type"], vector["header"], ())
    assert message.sender == vector["sender"]
    assert decode_message(message.to_frames()) == message
    other: Sender = "server" if vector["sender"] == "worker" else "worker"
    with pytest.raises(ProtocolError) as info:
        decode_message(frames, sender=other)
    assert info.value.code == "INVALID_MESSAGE"


@pytest.mark.parametrize("vector", INVALID, ids=[v["name"] for v in INVALID])
def test_invalid_vector_is_rejected_with_the_same_code(vector: dict[str, Any]) -> None:
    frames = [_frame(spec) for spec in vector["frames"]]
    with pytest.raises(ProtocolError) as info:
        decode_message(frames, sender=vector.get("sender"))
    assert info.value.code == vector["code"], (vector["reason"], info.value.message)
    assert info.value.message


@pytest.mark.parametrize(
    "frames",
    [None, b"hello", "hello", 42, {}, [], [b"close"], [b"close", "{}"], [b"close", None]],
)
def test_garbage_frame_lists(frames: object) -> None:
    with pytest.raises(ProtocolError) as info:
        decode_message(frames)
    assert info.value.code == "INVALID_MESSAGE"


def test_accepts_bytearray_memoryview_and_buffer_objects() -> None:
    header = b'{"sessionId":"s_1"}'
    for kind in (bytes, bytearray, memoryview):
        message = decode_message([kind(b"close"), kind(header)], sender="server")
        assert message.header == {"sessionId": "s_1"}


def test_header_size_limit_and_binary_frames() -> None:
    frames = encode_message("close", {"sessionId": "s_1"})
    with pytest.raises(ProtocolError):
        decode_message(frames, max_header_bytes=5)
    assert decode_message(frames, max_header_bytes=len(frames[1])).type == "close"
    with pytest.raises(ProtocolError):
        encode_message("close", {"sessionId": "s_1"}, b"\x00")


def test_encode_rejects_invalid_headers_and_converts_numpy_scalars() -> None:
    np = pytest.importorskip("numpy")
    with pytest.raises(ProtocolError) as info:
        encode_message("close", {"sessionId": "a b"})
    assert info.value.code == "INVALID_MESSAGE" and "sessionId" in info.value.message
    with pytest.raises(ProtocolError):
        encode_message(
            "done", {"reqId": "r", "summary": {"framesDone": 1, "elapsedMs": float("nan")}}
        )
    with pytest.raises(ProtocolError):
        encode_message("close", {"sessionId": object()})
    frames = encode_message(
        "result",
        {
            "reqId": "r",
            "sessionId": "s",
            "frame": np.int64(3),
            "objects": [
                {
                    "objId": "o",
                    "rle": "PPYo1",
                    "bbox": np.array([1.0, 2.0, 3.0, 4.0]),
                    "area": np.uint32(5),
                    "score": np.float32(0.5),
                }
            ],
        },
        sender="worker",
    )
    decoded = decode_message(frames)
    assert decoded.header["frame"] == 3 and decoded.header["objects"][0]["bbox"] == [1, 2, 3, 4]


def test_hello_version_mismatch() -> None:
    hello = next(v["header"] for v in VALID if v["type"] == "hello")
    frames = [b"hello", json.dumps({**hello, "protocolVersion": PROTOCOL_VERSION + 1}).encode()]
    with pytest.raises(ProtocolError) as info:
        decode_message(frames)
    assert info.value.code == "PROTOCOL_VERSION_MISMATCH"


def test_deep_nesting_and_large_results() -> None:
    deep = "[" * 100_000 + "]" * 100_000
    for text in (deep, '{"sessionId":"s","x":' + deep + "}"):
        with pytest.raises(ProtocolError):
            decode_message([b"close", text.encode()])
    objects = [
        {"objId": f"o{i}", "rle": "PPYo1", "bbox": [0, 0, 1, 1], "area": 1, "score": 1}
        for i in range(20_000)
    ]
    header = {"reqId": "r", "sessionId": "s", "frame": 0, "objects": objects}
    assert len(decode_message([b"result", json.dumps(header).encode()]).header["objects"]) == 20_000


def test_random_frames_never_raise_anything_but_protocol_errors() -> None:
    rng = random.Random(0x5EED)
    pieces = [
        "hello",
        "result",
        "close",
        "{",
        "}",
        "[",
        '"',
        ":",
        ",",
        "null",
        "1e999",
        '"reqId"',
        '"sessionId"',
        '"s"',
        "\\u0000",
        "\uffff",
        "__proto__",
        "NaN",
    ]
    for _ in range(5000):
        frames: list[bytes] = []
        for _ in range(rng.randrange(5)):
            if rng.random() < 0.5:
                frames.append(bytes(rng.randrange(256) for _ in range(rng.randrange(40))))
            else:
                text = "".join(rng.choice(pieces) for _ in range(rng.randrange(8)))
                frames.append(text.encode("utf-8", "surrogatepass"))
        try:
            decode_message(frames)
        except ProtocolError as error:
            code: ErrorCode = error.code
            assert code in ("INVALID_MESSAGE", "PROTOCOL_VERSION_MISMATCH")
