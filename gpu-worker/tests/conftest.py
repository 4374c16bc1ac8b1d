"""Shared fixtures: generated videos on disk, backends, and protocol checks of what they return."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest

from maskroom_worker.backend import Backend, FrameResult, OpenSpec
from maskroom_worker.classical import ClassicalBackend
from maskroom_worker.frames import DirSource, FrameStore
from maskroom_worker.protocol import decode_message, encode_message
from maskroom_worker.sam3 import Sam3Backend
from maskroom_worker.synthetic import Sequence, make_sequence, write_sequence

from .fake_sam3 import FakeSam3Predictor
from .fake_sam3 import autocast as fake_autocast

# pycocotools' Masks.__array__ predates NumPy 2's `copy` keyword; harmless, and not ours to fix.
pytestmark = pytest.mark.filterwarnings("ignore:__array__ implementation doesn't accept a copy")


@dataclass(frozen=True)
class Video:
    path: Path
    num_frames: int
    width: int
    height: int

    def store(self) -> FrameStore:
        return FrameStore(DirSource(self.path), self.num_frames, self.width, self.height)

    def open_header(self, session_id: str, req_id: str = "open-1") -> dict[str, Any]:
        return {
            "reqId": req_id,
            "sessionId": session_id,
            "frames": {"kind": "dir", "path": str(self.path)},
            "numFrames": self.num_frames,
            "width": self.width,
            "height": self.height,
        }


# Coloured blobs on grey: what the fake SAM3 "sees" (and easy for the classical backend too).
BLOBS = {
    # name: (BGR colour, radius, centre at t=0 (x, y), velocity per frame (dx, dy))
    "red_a": ((40, 40, 220), 7, (16, 20), (2.0, 0.5)),
    "red_b": ((30, 30, 200), 6, (78, 50), (-1.5, -0.5)),
    "blue": ((220, 60, 40), 8, (50, 30), (0.0, 1.0)),
    "yellow": ((40, 220, 230), 6, (20, 55), (1.0, -0.5)),
}
BLOB_FRAMES, BLOB_W, BLOB_H = 12, 96, 72


def blob_centre(name: str, frame: int) -> tuple[float, float]:
    _, _, (x, y), (dx, dy) = BLOBS[name]
    return x + dx * frame, y + dy * frame


def write_blob_video(folder: Path) -> Video:
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(3)
    for i in range(BLOB_FRAMES):
        image = np.full((BLOB_H, BLOB_W, 3), 128, np.float32)
        image += rng.normal(0, 4, image.shape)
        for name, (colour, radius, _, _) in BLOBS.items():
            x, y = blob_centre(name, i)
            cv2.circle(image, (round(x), round(y)), radius, colour, -1)
        cv2.imwrite(str(folder / f"{i:06d}.jpg"), np.clip(image, 0, 255).astype(np.uint8))
    return Video(folder, BLOB_FRAMES, BLOB_W, BLOB_H)


@pytest.fixture(scope="session")
def blob_video(tmp_path_factory: pytest.TempPathFactory) -> Video:
    return write_blob_video(tmp_path_factory.mktemp("blobs"))


@pytest.fixture(scope="session")
def sequences(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Sequence, Video]]:
    """The three generated sequences of the quality target, 60 frames at 320x240, on disk."""
    out = {}
    for name in ("glide", "occluded", "crossing"):
        seq = make_sequence(name)
        folder = write_sequence(seq, tmp_path_factory.mktemp(name))
        w, h = seq.size
        out[name] = (seq, Video(folder, len(seq.frames), w, h))
    return out


# -- backends ------------------------------------------------------------------------------


@dataclass
class Harness:
    """A backend plus what a test needs to drive it as the compute thread would."""

    name: str
    backend: Backend
    fakes: list[FakeSam3Predictor]

    @property
    def fake(self) -> FakeSam3Predictor:
        return self.fakes[0]

    def __enter__(self) -> Harness:
        self._context = self.backend.thread_context()
        self._context.__enter__()
        self.backend.load()
        return self

    def __exit__(self, *exc: object) -> None:
        self.backend.shutdown()
        self._context.__exit__(None, None, None)

    def open(self, video: Video, session_id: str = "s1") -> None:
        self.backend.open(OpenSpec(session_id, video.store()))


def make_sam3_fake(**kwargs: Any) -> tuple[Sam3Backend, list[FakeSam3Predictor]]:
    """A ``sam3`` backend whose predictor is the fake (built by ``load``, like the real one)."""
    fakes: list[FakeSam3Predictor] = []

    def factory() -> FakeSam3Predictor:
        fakes.append(FakeSam3Predictor())
        return fakes[-1]

    backend = Sam3Backend(
        device="cuda:0", predictor_factory=factory, autocast=fake_autocast, **kwargs
    )
    return backend, fakes


@pytest.fixture(params=["classical", "sam3"])
def harness(request: pytest.FixtureRequest) -> Iterator[Harness]:
    if request.param == "classical":
        with Harness("classical", ClassicalBackend(), []) as h:
            yield h
    else:
        backend, fakes = make_sam3_fake()
        with Harness("sam3", backend, fakes) as h:
            yield h
            assert not h.fake.violations


# -- protocol checks -----------------------------------------------------------------------


def check_result(result: FrameResult, session_id: str, req_id: str = "r1") -> dict[str, Any]:
    """Builds the ``result`` message the engine would send and validates it with protocol.py."""
    header = {
        "reqId": req_id,
        "sessionId": session_id,
        "frame": result.frame,
        "objects": [obj.to_header() for obj in result.objects],
    }
    frames = encode_message("result", header, sender="worker")
    decoded = decode_message(frames, sender="worker")
    for obj in decoded.header["objects"]:
        assert obj["area"] > 0
        assert all(isinstance(v, int) for v in obj["bbox"])
    return decoded.header


def iou(a: np.ndarray, b: np.ndarray) -> float:
    union = int(np.count_nonzero(a | b))
    return int(np.count_nonzero(a & b)) / union if union else 1.0
