"""A session's frames: where they come from (``open``'s ``frames``) and a bounded decode cache.

- ``{kind: 'dir', path}``: the extracted JPEG folder, files ``000000.jpg``, ``000001.jpg``…
- ``{kind: 'http', urlTemplate, token}``: each frame fetched from the server with a bearer token;
  ``{index}`` in the template is the frame index. ``local_dir`` materializes such a source as a
  folder (SAM3 reads folders).

Frames are decoded lazily and kept in a least-recently-used cache bounded in bytes.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
import threading
import urllib.error
import urllib.request
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import numpy.typing as npt

from .errors import WorkerError

__all__ = ["DirSource", "FrameSource", "FrameStore", "HttpSource", "frame_name", "parse_source"]

log = logging.getLogger(__name__)

Image = npt.NDArray[np.uint8]

_HTTP_TIMEOUT_S = 30.0


def frame_name(index: int) -> str:
    return f"{index:06d}.jpg"


@dataclass(frozen=True)
class DirSource:
    path: Path

    def read(self, index: int) -> bytes:
        file = self.path / frame_name(index)
        try:
            return file.read_bytes()
        except FileNotFoundError:
            raise WorkerError("NOT_FOUND", f"frame {index} is missing ({file})") from None
        except OSError as exc:
            raise WorkerError(
                "INTERNAL", f"frame {index} cannot be read: {exc}", retryable=True
            ) from None


@dataclass(frozen=True)
class HttpSource:
    url_template: str
    token: str

    def read(self, index: int) -> bytes:
        url = self.url_template.replace("{index}", str(index))
        request = urllib.request.Request(url, headers={"Authorization": f"Bearer {self.token}"})
        try:
            with urllib.request.urlopen(request, timeout=_HTTP_TIMEOUT_S) as response:
                data: bytes = response.read()
                return data
        except urllib.error.HTTPError as exc:
            if exc.code == 404:
                raise WorkerError("NOT_FOUND", f"frame {index}: HTTP 404") from None
            raise WorkerError(
                "INTERNAL", f"frame {index}: HTTP {exc.code}", retryable=exc.code >= 500
            ) from None
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise WorkerError(
                "INTERNAL", f"frame {index} cannot be fetched: {exc}", retryable=True
            ) from None


FrameSource = DirSource | HttpSource


def parse_source(frames: Mapping[str, Any]) -> FrameSource:
    """The source described by a validated ``open`` header's ``frames``."""
    if frames["kind"] == "dir":
        return DirSource(Path(str(frames["path"])))
    return HttpSource(str(frames["urlTemplate"]), str(frames["token"]))


class FrameStore:
    """Decoded frames (BGR ``uint8``) of one session, cached up to ``cache_bytes``."""

    def __init__(
        self,
        source: FrameSource,
        num_frames: int,
        width: int,
        height: int,
        *,
        cache_bytes: int = 256 * 1024 * 1024,
    ) -> None:
        self.source = source
        self.num_frames = num_frames
        self.width = width
        self.height = height
        self._cache: OrderedDict[int, Image] = OrderedDict()
        self._capacity = max(2, cache_bytes // max(1, width * height * 3))
        self._lock = threading.Lock()
        self._materialized: Path | None = None

    def check(self) -> None:
        """Reads frame 0 and checks its size: a wrong path or size fails at ``open``."""
        if isinstance(self.source, DirSource) and not self.source.path.is_dir():
            raise WorkerError("NOT_FOUND", f"frames folder {self.source.path} does not exist")
        self.get(0)

    def get(self, index: int) -> Image:
        if not 0 <= index < self.num_frames:
            raise WorkerError(
                "FRAME_OUT_OF_RANGE", f"frame {index} is outside [0, {self.num_frames})"
            )
        with self._lock:
            cached = self._cache.get(index)
            if cached is not None:
                self._cache.move_to_end(index)
                return cached
        image = self._decode(index, self.source.read(index))
        with self._lock:
            self._cache[index] = image
            while len(self._cache) > self._capacity:
                self._cache.popitem(last=False)
        return image

    def _decode(self, index: int, data: bytes) -> Image:
        buffer = np.frombuffer(data, np.uint8)
        image = cv2.imdecode(buffer, cv2.IMREAD_COLOR)
        if image is None:
            raise WorkerError("INGEST_FAILED", f"frame {index} is not a decodable image")
        h, w = image.shape[:2]
        if (w, h) != (self.width, self.height):
            raise WorkerError(
                "INVALID_REQUEST",
                f"frame {index} is {w}x{h}, but the session says {self.width}x{self.height}",
            )
        return np.asarray(image, dtype=np.uint8)

    def local_dir(self, scratch: Path | None = None) -> Path:
        """A folder holding exactly the session's frames, for readers that want one."""
        if isinstance(self.source, DirSource):
            return self.source.path
        if self._materialized is None:
            target = Path(tempfile.mkdtemp(prefix="maskroom-frames-", dir=scratch))
            for index in range(self.num_frames):
                (target / frame_name(index)).write_bytes(self.source.read(index))
            self._materialized = target
        return self._materialized

    def release(self) -> None:
        with self._lock:
            self._cache.clear()
        if self._materialized is not None:
            shutil.rmtree(self._materialized, ignore_errors=True)
            self._materialized = None
