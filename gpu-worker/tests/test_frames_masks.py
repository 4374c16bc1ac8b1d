"""Mask encoding (pycocotools RLE, whole-pixel bbox) and frame sources (folder, HTTP + token)."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from pycocotools import mask as cocomask

from maskroom_worker.errors import WorkerError
from maskroom_worker.frames import DirSource, FrameStore, HttpSource, parse_source
from maskroom_worker.masks import decode_mask, encode_mask

from .conftest import BLOB_FRAMES, BLOB_H, BLOB_W, Video


def test_encode_mask_matches_pycocotools() -> None:
    rng = np.random.default_rng(1)
    mask = np.zeros((37, 53), bool)
    mask[5:20, 7:31] = True
    mask[rng.random(mask.shape) < 0.05] = True
    encoded = encode_mask("o1", mask, 0.73)
    assert encoded is not None
    rle = {"size": [37, 53], "counts": encoded.rle.encode()}
    assert encoded.area == int(cocomask.area(rle)) == int(mask.sum())
    assert list(encoded.bbox) == [int(v) for v in cocomask.toBbox(rle)]
    assert all(isinstance(v, int) for v in encoded.bbox)
    assert np.array_equal(decode_mask(encoded), mask)
    assert encoded.to_header()["score"] == 0.73


def test_empty_masks_are_not_encoded_and_scores_are_clamped() -> None:
    assert encode_mask("o", np.zeros((4, 4), bool)) is None
    one = np.zeros((4, 4), bool)
    one[1, 2] = True
    assert encode_mask("o", one, 1.7).score == 1.0  # type: ignore[union-attr]
    assert encode_mask("o", one, float("nan")).score == 0.0  # type: ignore[union-attr]
    with pytest.raises(ValueError):
        encode_mask("o", np.zeros((2, 2, 2), bool))


def test_folder_source_errors(tmp_path: Path, blob_video: Video) -> None:
    missing = FrameStore(DirSource(tmp_path / "nope"), 3, 10, 10)
    with pytest.raises(WorkerError) as info:
        missing.check()
    assert info.value.code == "NOT_FOUND"
    wrong_size = FrameStore(DirSource(blob_video.path), BLOB_FRAMES, BLOB_W + 1, BLOB_H)
    with pytest.raises(WorkerError) as info:
        wrong_size.check()
    assert info.value.code == "INVALID_REQUEST"
    store = blob_video.store()
    with pytest.raises(WorkerError) as info:
        store.get(BLOB_FRAMES)
    assert info.value.code == "FRAME_OUT_OF_RANGE"
    short = FrameStore(DirSource(blob_video.path), BLOB_FRAMES + 5, BLOB_W, BLOB_H)
    with pytest.raises(WorkerError) as info:
        short.get(BLOB_FRAMES + 1)
    assert info.value.code == "NOT_FOUND"
    assert store.get(3).shape == (BLOB_H, BLOB_W, 3)
    assert store.get(3) is store.get(3)  # cached


@pytest.fixture
def frame_server(blob_video: Video) -> Iterator[tuple[str, list[str]]]:
    seen: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
            seen.append(self.headers.get("Authorization", ""))
            if self.headers.get("Authorization") != "Bearer s3cret":
                self.send_error(401)
                return
            index = int(self.path.rsplit("/", 1)[1].split(".")[0])
            file = blob_video.path / f"{index:06d}.jpg"
            if not file.exists():
                self.send_error(404)
                return
            data = file.read_bytes()
            self.send_response(200)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/frames/{{index}}.jpg", seen
    finally:
        server.shutdown()
        server.server_close()


def test_http_source_with_token(frame_server: tuple[str, list[str]], blob_video: Video) -> None:
    template, seen = frame_server
    source = parse_source({"kind": "http", "urlTemplate": template, "token": "s3cret"})
    assert isinstance(source, HttpSource)
    store = FrameStore(source, BLOB_FRAMES, BLOB_W, BLOB_H)
    store.check()
    local = blob_video.store()
    assert np.array_equal(store.get(5), local.get(5))
    assert seen and all(h == "Bearer s3cret" for h in seen)
    folder = store.local_dir()
    assert sorted(p.name for p in folder.iterdir()) == [f"{i:06d}.jpg" for i in range(BLOB_FRAMES)]
    store.release()
    assert not folder.exists()
    bad = FrameStore(HttpSource(template, "wrong"), BLOB_FRAMES, BLOB_W, BLOB_H)
    with pytest.raises(WorkerError) as info:
        bad.get(0)
    assert info.value.code == "INTERNAL" and not info.value.retryable
    gone = FrameStore(HttpSource(template, "s3cret"), BLOB_FRAMES + 2, BLOB_W, BLOB_H)
    with pytest.raises(WorkerError) as info:
        gone.get(BLOB_FRAMES + 1)
    assert info.value.code == "NOT_FOUND"
