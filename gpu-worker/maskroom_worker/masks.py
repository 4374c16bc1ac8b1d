"""Masks on the wire: COCO compressed RLE made by pycocotools, with its bbox and area."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

import numpy as np
import numpy.typing as npt
from pycocotools import mask as cocomask  # type: ignore[import-untyped, unused-ignore]

__all__ = ["EncodedMask", "decode_mask", "encode_mask"]

Mask = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class EncodedMask:
    """One object's mask on one frame, ready for a ``result``: ``rle`` is pycocotools' counts
    string (column-major), ``bbox`` is ``[x, y, w, h]`` in whole pixels (pycocotools' ``toBbox``),
    ``area`` the pixel count, ``score`` a confidence in [0, 1]."""

    obj_id: str
    rle: str
    bbox: tuple[int, int, int, int]
    area: int
    height: int
    width: int
    score: float = 1.0

    def to_header(self) -> dict[str, Any]:
        return {
            "objId": self.obj_id,
            "rle": self.rle,
            "bbox": list(self.bbox),
            "area": self.area,
            "score": self.score,
        }

    def with_score(self, score: float) -> EncodedMask:
        return EncodedMask(
            self.obj_id, self.rle, self.bbox, self.area, self.height, self.width, score
        )


def encode_mask(obj_id: str, mask: Mask, score: float = 1.0) -> EncodedMask | None:
    """Encodes a boolean (H, W) mask; ``None`` when it is empty (results list only non-empty
    masks). ``score`` is clamped to [0, 1]."""
    if mask.ndim != 2:
        raise ValueError(f"expected an (H, W) mask, got shape {mask.shape}")
    if not mask.any():
        return None
    rle = cocomask.encode(np.asfortranarray(mask, dtype=np.uint8))
    area = int(cocomask.area(rle))
    x, y, w, h = (int(round(float(v))) for v in cocomask.toBbox(rle))
    counts = rle["counts"]
    text = counts.decode("ascii") if isinstance(counts, bytes) else str(counts)
    height, width = mask.shape
    safe_score = float(min(1.0, max(0.0, score))) if np.isfinite(score) else 0.0
    return EncodedMask(obj_id, text, (x, y, w, h), area, int(height), int(width), safe_score)


def decode_mask(encoded: EncodedMask) -> Mask:
    rle = {"size": [encoded.height, encoded.width], "counts": encoded.rle.encode("ascii")}
    out = cast(npt.NDArray[np.uint8], cocomask.decode(rle))
    result: Mask = out.astype(bool)
    return result
