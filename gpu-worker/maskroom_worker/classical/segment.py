"""Interactive segmentation for the classical backend: clicks or a box → one object's mask.

GrabCut (an iterated graph cut over colour mixture models) does the work; what this module adds is
how its inputs are made from a click set, and a guard against its failure modes:

- *Clicks.* A click gives a point, not an extent, so the object's rectangle is searched: GrabCut
  runs in rectangles of growing size around the positive clicks, each with disks of definite
  foreground (positive clicks) and background (negative clicks). A rectangle too small for the
  object yields a mask that runs into its sides; once the rectangle holds the object, the mask
  stops changing as the rectangle grows. The first rectangle whose mask is clear of its sides and
  stable against the next size wins. Refinement is the same computation on the full click set
  (the protocol sends every click of the object on that frame), so a given click set always
  gives the same mask, which is what a replay on another worker needs.
- *Boxes.* GrabCut's own rectangle mode, plus the box's clicks if any.
- Only the connected parts that hold a positive click (or, for a box, the largest parts) are
  kept, and small holes are filled.

Everything runs at a working resolution (``max_side``) and the mask is scaled back up; OpenCV's
random generator is seeded before each GrabCut so results are deterministic.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

__all__ = [
    "Click",
    "fill_small_holes",
    "keep_components",
    "refine_in_band",
    "segment_box",
    "segment_clicks",
]

Image = npt.NDArray[np.uint8]
Mask = npt.NDArray[np.bool_]

_SEED = 12345
_CONTACT_SCALE = 0.25


@dataclass(frozen=True)
class Click:
    """A click in pixels of the full frame; ``positive`` = include."""

    x: float
    y: float
    positive: bool


def _grabcut(image: Image, mask: npt.NDArray[np.uint8], iterations: int) -> Mask:
    """GrabCut with a prepared GC_* mask; returns foreground (definite or probable)."""
    labels = mask.copy()
    if not np.any((labels == cv2.GC_FGD) | (labels == cv2.GC_PR_FGD)):
        return np.zeros(mask.shape, bool)
    if not np.any((labels == cv2.GC_BGD) | (labels == cv2.GC_PR_BGD)):
        return np.ones(mask.shape, bool)
    bgd = np.zeros((1, 65), np.float64)
    fgd = np.zeros((1, 65), np.float64)
    cv2.setRNGSeed(_SEED)
    try:
        cv2.grabCut(image, labels, (0, 0, 0, 0), bgd, fgd, iterations, cv2.GC_INIT_WITH_MASK)
    except cv2.error:
        # Degenerate colour statistics (e.g. a flat image): keep the seeds' own labelling.
        pass
    out: Mask = (labels == cv2.GC_FGD) | (labels == cv2.GC_PR_FGD)
    return out


def keep_components(mask: Mask, seeds: Sequence[tuple[int, int]], min_fraction: float) -> Mask:
    """Keeps the connected parts that contain a seed (x, y); without seeds, the parts holding at
    least ``min_fraction`` of the largest one."""
    if not mask.any():
        return mask
    count, labels, stats, _ = cv2.connectedComponentsWithStats(
        mask.astype(np.uint8), connectivity=8
    )
    keep = np.zeros(count, bool)
    h, w = mask.shape
    for x, y in seeds:
        if 0 <= y < h and 0 <= x < w and labels[y, x] > 0:
            keep[labels[y, x]] = True
    if not keep.any():
        areas = stats[1:, cv2.CC_STAT_AREA]
        if areas.size == 0:
            return np.zeros_like(mask)
        keep[1:] = areas >= areas.max() * min_fraction
    out: Mask = keep[labels]
    return out


def fill_small_holes(mask: Mask, max_area: int) -> Mask:
    """Fills holes (background parts not touching the border) up to ``max_area`` pixels."""
    if not mask.any():
        return mask
    inv = (~mask).astype(np.uint8)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(inv, connectivity=4)
    h, w = mask.shape
    small = np.zeros(count, bool)
    for i in range(1, count):
        x, y, bw, bh, area = stats[i]
        touches = x == 0 or y == 0 or x + bw == w or y + bh == h
        small[i] = area <= max_area and not touches
    out: Mask = mask | small[labels]
    return out


def _scale_for(shape: tuple[int, ...], max_side: int) -> float:
    return min(1.0, max_side / max(shape[0], shape[1]))


def _resize_image(image: Image, scale: float) -> Image:
    if scale == 1.0:
        return image
    h, w = image.shape[:2]
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    return np.asarray(cv2.resize(image, size, interpolation=cv2.INTER_AREA), dtype=np.uint8)


def _upscale_mask(mask: Mask, shape: tuple[int, int]) -> Mask:
    if mask.shape == shape:
        return mask
    soft = cv2.resize(mask.astype(np.float32), (shape[1], shape[0]), interpolation=cv2.INTER_LINEAR)
    out: Mask = soft >= 0.5
    return out


def _disk_radius(shape: tuple[int, ...]) -> int:
    return max(2, round(min(shape[0], shape[1]) / 80))


def _side_contact(mask: Mask, rect: tuple[int, int, int, int]) -> float:
    """Fraction of the rectangle's inner sides (those not on the image border) that the mask
    touches."""
    x0, y0, x1, y1 = rect
    h, w = mask.shape
    touched = 0
    total = 0
    if x0 > 0:
        touched += int(mask[y0:y1, x0].sum())
        total += y1 - y0
    if x1 < w:
        touched += int(mask[y0:y1, x1 - 1].sum())
        total += y1 - y0
    if y0 > 0:
        touched += int(mask[y0, x0:x1].sum())
        total += x1 - x0
    if y1 < h:
        touched += int(mask[y1 - 1, x0:x1].sum())
        total += x1 - x0
    return touched / total if total else 0.0


def _iou(a: Mask, b: Mask) -> float:
    union = int(np.count_nonzero(a | b))
    return int(np.count_nonzero(a & b)) / union if union else 1.0


def _seed_labels(
    shape: tuple[int, int], clicks: Sequence[Click], scale: float, radius: int
) -> npt.NDArray[np.uint8]:
    """GC labels of the click disks on an otherwise 'probable background' canvas."""
    labels = np.full(shape, cv2.GC_PR_BGD, np.uint8)
    for c in clicks:
        if not c.positive:
            center = (round(c.x * scale), round(c.y * scale))
            cv2.circle(labels, center, radius, int(cv2.GC_BGD), -1)
    for c in clicks:
        if c.positive:
            center = (round(c.x * scale), round(c.y * scale))
            cv2.circle(labels, center, radius, int(cv2.GC_FGD), -1)
    return labels


def _rect_candidates(
    small: Image, clicks: Sequence[Click], scale: float, seed_area_out: list[float]
) -> list[tuple[tuple[int, int, int, int], Mask, float]]:
    """GrabCut in rectangles of growing size around the positive clicks (at a coarse scale)."""
    h, w = small.shape[:2]
    radius = _disk_radius((h, w))
    seeds = _seed_labels((h, w), clicks, scale, radius)
    positives = [c for c in clicks if c.positive]
    xs = [c.x * scale for c in positives]
    ys = [c.y * scale for c in positives]
    bx0, by0, bx1, by1 = min(xs), min(ys), max(xs), max(ys)
    pos_pixels = [(round(x), round(y)) for x, y in zip(xs, ys, strict=True)]
    seed_area_out.append(float(np.pi * radius * radius * len(positives)))
    half = max(4.0, min(h, w) / 14)
    candidates: list[tuple[tuple[int, int, int, int], Mask, float]] = []
    while len(candidates) < 12:
        rect = (
            max(0, int(bx0 - half)),
            max(0, int(by0 - half)),
            min(w, int(bx1 + half) + 1),
            min(h, int(by1 + half) + 1),
        )
        if (rect[2] - rect[0]) * (rect[3] - rect[1]) > 0.55 * h * w:
            break  # GrabCut has too little background left to model; such rectangles leak
        margin = max(5, int(half * 0.5))
        cx0, cy0 = max(0, rect[0] - margin), max(0, rect[1] - margin)
        cx1, cy1 = min(w, rect[2] + margin), min(h, rect[3] + margin)
        labels = _rect_labels(seeds, (cx0, cy0, cx1, cy1), rect)
        mask = np.zeros((h, w), bool)
        mask[cy0:cy1, cx0:cx1] = _grabcut(small[cy0:cy1, cx0:cx1], labels, 2)
        mask = keep_components(mask, pos_pixels, 1.0)
        candidates.append((rect, mask, _side_contact(mask, rect)))
        half *= 1.4
    return candidates


def _rect_labels(
    seeds: npt.NDArray[np.uint8],
    crop: tuple[int, int, int, int],
    rect: tuple[int, int, int, int],
) -> npt.NDArray[np.uint8]:
    """GC labels of ``crop``: probable foreground inside ``rect``, background outside, and the
    click disks kept."""
    cx0, cy0, cx1, cy1 = crop
    labels = seeds[cy0:cy1, cx0:cx1].copy()
    inside = np.zeros(labels.shape, bool)
    inside[rect[1] - cy0 : rect[3] - cy0, rect[0] - cx0 : rect[2] - cx0] = True
    labels[inside & (labels == cv2.GC_PR_BGD)] = cv2.GC_PR_FGD
    labels[~inside & (labels != cv2.GC_FGD)] = cv2.GC_BGD
    return labels


def segment_clicks(
    image: Image, clicks: Sequence[Click], *, max_side: int = 320, search_side: int = 160
) -> Mask:
    """The mask of the object the clicks designate (see the module notes)."""
    full_shape = (image.shape[0], image.shape[1])
    positives = [c for c in clicks if c.positive]
    if not positives:
        return np.zeros(full_shape, bool)

    # 1. Find the object's rectangle at a coarse scale.
    coarse_scale = _scale_for(image.shape, search_side)
    coarse = _resize_image(image, coarse_scale)
    seed_area: list[float] = []
    candidates = _rect_candidates(coarse, clicks, coarse_scale, seed_area)
    if not candidates:
        return np.zeros(full_shape, bool)
    rect = _choose(candidates, seed_area[0], _edge_strength(coarse))

    chosen = next(c[1] for c in candidates if c[0] == rect)
    if not chosen.any():
        return np.zeros(full_shape, bool)

    # 2. Refine that mask at the working scale, in a band around its outline.
    scale = _scale_for(image.shape, max_side)
    small = _resize_image(image, scale)
    h, w = small.shape[:2]
    prior = _upscale_mask(chosen, (h, w))
    band = _band_width(prior)
    seeds = _seed_labels((h, w), clicks, scale, _disk_radius((h, w)))
    mask = refine_in_band(small, prior, band, seeds=seeds, iterations=3)
    pos_pixels = [(round(c.x * scale), round(c.y * scale)) for c in positives]
    mask = keep_components(mask, pos_pixels, 1.0)
    mask = fill_small_holes(mask, max_area=int(mask.sum() * 0.05) + 4)
    return _upscale_mask(mask, full_shape)


def _band_width(mask: Mask) -> int:
    """Half-width of the refinement band: a little over a tenth of the object's size."""
    ys, xs = np.nonzero(mask)
    if xs.size == 0:
        return 3
    extent = max(int(xs.max() - xs.min()), int(ys.max() - ys.min())) + 1
    return int(np.clip(extent * 0.12, 3, 40))


def refine_in_band(
    image: Image,
    prior: Mask,
    band: int,
    *,
    seeds: npt.NDArray[np.uint8] | None = None,
    iterations: int = 2,
) -> Mask:
    """GrabCut seeded by a rough mask: pixels farther than ``band`` outside it are background,
    the rest keeps the prior as 'probable' labels, so the outline can move by up to ``band``
    pixels towards the colour edges. ``seeds``, when given, adds definite click disks."""
    if not prior.any():
        return prior
    h, w = prior.shape
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * band + 1, 2 * band + 1))
    near = cv2.dilate(prior.astype(np.uint8), kernel).astype(bool)
    ys, xs = np.nonzero(near)
    margin = band + 4
    x0, y0 = max(0, int(xs.min()) - margin), max(0, int(ys.min()) - margin)
    x1, y1 = min(w, int(xs.max()) + margin + 1), min(h, int(ys.max()) + margin + 1)
    labels = np.where(prior[y0:y1, x0:x1], cv2.GC_PR_FGD, cv2.GC_PR_BGD).astype(np.uint8)
    labels[~near[y0:y1, x0:x1]] = cv2.GC_BGD
    if seeds is not None:
        crop_seeds = seeds[y0:y1, x0:x1]
        labels[crop_seeds == cv2.GC_FGD] = cv2.GC_FGD
        labels[crop_seeds == cv2.GC_BGD] = cv2.GC_BGD
    out = np.zeros((h, w), bool)
    out[y0:y1, x0:x1] = _grabcut(image[y0:y1, x0:x1], labels, iterations)
    return out


def _edge_strength(image: Image) -> npt.NDArray[np.float32]:
    """Colour gradient magnitude of a smoothed copy (texture flattened, outlines kept)."""
    lab = cv2.cvtColor(cv2.GaussianBlur(image, (0, 0), 1.5), cv2.COLOR_BGR2Lab).astype(np.float32)
    gx = cv2.Sobel(lab, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(lab, cv2.CV_32F, 0, 1, ksize=3)
    out: npt.NDArray[np.float32] = np.sqrt((gx * gx + gy * gy).sum(axis=2))
    return out


def _outline_score(mask: Mask, edges: npt.NDArray[np.float32]) -> float:
    """Mean edge strength along the mask's outline: high where it follows the object's edges."""
    inner = cv2.erode(mask.astype(np.uint8), np.ones((3, 3), np.uint8)).astype(bool)
    outline = mask & ~inner
    return float(edges[outline].mean()) if outline.any() else 0.0


def _choose(
    candidates: list[tuple[tuple[int, int, int, int], Mask, float]],
    seed_area: float,
    edges: npt.NDArray[np.float32],
) -> tuple[int, int, int, int]:
    """The rectangle whose mask's outline follows the strongest edges, discounted by how much of
    the rectangle's sides it runs into. A rectangle inside the object cuts it along weak texture
    edges and runs into its sides; one that leaks follows background edges. Masks no larger than
    the click disks, or covering most of the image, are not candidates."""
    area = edges.shape[0] * edges.shape[1]
    plausible = [c for c in candidates if 3 * seed_area <= c[1].sum() <= 0.5 * area]
    if not plausible:
        return candidates[-1][0]

    def score(c: tuple[tuple[int, int, int, int], Mask, float]) -> float:
        return _outline_score(c[1], edges) * max(0.0, 1.0 - c[2] / _CONTACT_SCALE)

    return max(plausible, key=score)[0]


def segment_box(
    image: Image,
    box: tuple[float, float, float, float],
    clicks: Sequence[Click] = (),
    *,
    max_side: int = 400,
) -> Mask:
    """The mask of the object inside ``box`` = (x0, y0, x1, y1) in full-frame pixels."""
    full_shape = (image.shape[0], image.shape[1])
    scale = _scale_for(image.shape, max_side)
    small = _resize_image(image, scale)
    h, w = small.shape[:2]
    x0 = max(0, int(np.floor(box[0] * scale)))
    y0 = max(0, int(np.floor(box[1] * scale)))
    x1 = min(w, max(x0 + 1, int(np.ceil(box[2] * scale))))
    y1 = min(h, max(y0 + 1, int(np.ceil(box[3] * scale))))
    radius = _disk_radius((h, w))
    labels = _seed_labels((h, w), clicks, scale, radius)
    inner = np.zeros((h, w), bool)
    inner[y0:y1, x0:x1] = True
    labels[inner & (labels == cv2.GC_PR_BGD)] = cv2.GC_PR_FGD
    labels[~inner & (labels != cv2.GC_FGD)] = cv2.GC_BGD
    margin = max(8, (x1 - x0 + y1 - y0) // 8)
    cx0, cy0, cx1, cy1 = (
        max(0, x0 - margin),
        max(0, y0 - margin),
        min(w, x1 + margin),
        min(h, y1 + margin),
    )
    crop = _grabcut(small[cy0:cy1, cx0:cx1], labels[cy0:cy1, cx0:cx1], 5)
    mask = np.zeros((h, w), bool)
    mask[cy0:cy1, cx0:cx1] = crop
    seeds = [(round(c.x * scale), round(c.y * scale)) for c in clicks if c.positive]
    mask = keep_components(mask, seeds, 0.2)
    mask = fill_small_holes(mask, max_area=int(mask.sum() * 0.05) + 4)
    return _upscale_mask(mask, full_shape)
