"""Mask propagation for the classical backend: dense optical flow, then colour refinement.

One step carries an object's mask from frame ``a`` to a neighbouring frame ``b``:

1. DIS optical flow from ``b`` to ``a`` (for every pixel of ``b``, where it was in ``a``),
   computed once per frame pair and shared by all objects;
2. the mask of ``a`` is pulled along that flow (backward warping, so every pixel of ``b`` gets a
   value and the result has no holes);
3. GrabCut refines the warped mask in a band around its outline, so the outline snaps back onto
   the colour edges instead of accumulating the flow's errors (drift);
4. a guard keeps the warped mask when the refinement disagrees with it wildly (e.g. the colour
   model collapsed), and only the parts that overlap the warped mask are kept.

Everything runs at a working resolution (``max_side``); masks are scaled back to full size.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

from .segment import fill_small_holes, refine_in_band

__all__ = ["ColourModel", "FlowTracker", "PreparedFrame", "TrackState"]

Image = npt.NDArray[np.uint8]
Mask = npt.NDArray[np.bool_]
Flow = npt.NDArray[np.float32]


@dataclass(frozen=True)
class PreparedFrame:
    """A frame at the working resolution: colour for refinement, grey for the flow, and colour
    bins for the appearance model."""

    color: Image
    gray: Image
    bins: npt.NDArray[np.int32]
    full_shape: tuple[int, int]


_BINS = 4096  # 16 levels per BGR channel


def _quantize(image: Image) -> npt.NDArray[np.int32]:
    q = np.asarray(cv2.GaussianBlur(image, (0, 0), 1.0), dtype=np.int32) >> 4
    out: npt.NDArray[np.int32] = (q[..., 0] << 8) | (q[..., 1] << 4) | q[..., 2]
    return out


class ColourModel:
    """Long-term appearance of one object: colour histograms of the object and of its
    surroundings, learned where the object was first segmented and updated slowly."""

    def __init__(self, bins: npt.NDArray[np.int32], mask: Mask) -> None:
        self.fg = np.zeros(_BINS, np.float32)
        self.bg = np.zeros(_BINS, np.float32)
        self.update(bins, mask, rate=1.0)

    def update(self, bins: npt.NDArray[np.int32], mask: Mask, rate: float) -> None:
        if not mask.any():
            return
        band = _band_for(mask) * 2
        kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * band + 1, 2 * band + 1))
        ring = cv2.dilate(mask.astype(np.uint8), kernel).astype(bool) & ~mask
        fg = _histogram(bins[mask])
        bg = _histogram(bins[ring])
        self.fg = (1 - rate) * self.fg + rate * fg
        if ring.any():
            self.bg = (1 - rate) * self.bg + rate * bg

    def object_probability(self, bins: npt.NDArray[np.int32]) -> npt.NDArray[np.float32]:
        posterior = self.fg / (self.fg + self.bg + 1e-6)
        out: npt.NDArray[np.float32] = posterior[bins]
        return out


def _histogram(values: npt.NDArray[np.int32]) -> npt.NDArray[np.float32]:
    hist = np.bincount(values, minlength=_BINS).astype(np.float32)
    # Spread each count over neighbouring bins (JPEG noise, lighting), then normalize.
    hist = np.asarray(cv2.GaussianBlur(hist.reshape(16, 256), (0, 0), 0.7), np.float32).ravel()
    total = float(hist.sum())
    out: npt.NDArray[np.float32] = hist / total if total > 0 else hist
    return out


@dataclass
class TrackState:
    """One object during a propagation: its visible mask (full size), its *amodal* mask (working
    size, soft: visible parts plus parts predicted behind an occluder, fading unless seen again)
    and its colour model."""

    mask: Mask
    amodal: npt.NDArray[np.float32]
    colours: ColourModel


class FlowTracker:
    def __init__(
        self, max_side: int = 480, hidden_decay: float = 0.93, fast_flow: bool = False
    ) -> None:
        self.max_side = max_side
        self.hidden_decay = hidden_decay
        preset = cv2.DISOpticalFlow_PRESET_FAST if fast_flow else cv2.DISOpticalFlow_PRESET_MEDIUM
        self._dis = cv2.DISOpticalFlow.create(preset)

    def prepare(self, image: Image) -> PreparedFrame:
        h, w = image.shape[:2]
        scale = min(1.0, self.max_side / max(h, w))
        if scale < 1.0:
            size = (max(1, round(w * scale)), max(1, round(h * scale)))
            color = np.asarray(cv2.resize(image, size, interpolation=cv2.INTER_AREA), np.uint8)
        else:
            color = image
        gray = np.asarray(cv2.cvtColor(color, cv2.COLOR_BGR2GRAY), dtype=np.uint8)
        return PreparedFrame(color, gray, _quantize(color), (h, w))

    @staticmethod
    def start(mask: Mask, frame: PreparedFrame) -> TrackState:
        """The state of an object whose mask on ``frame`` is known (full size)."""
        small = _resize_mask(mask, (frame.gray.shape[0], frame.gray.shape[1]))
        return TrackState(mask, small.astype(np.float32), ColourModel(frame.bins, small))

    def flow(self, src: PreparedFrame, dst: PreparedFrame) -> Flow:
        """For each pixel of ``dst``, its displacement to where it was in ``src``."""
        initial = np.zeros((*dst.gray.shape, 2), np.float32)  # unused: no initial flow set
        return np.asarray(self._dis.calc(dst.gray, src.gray, initial), np.float32)

    def step(self, state: TrackState, dst: PreparedFrame, flow: Flow) -> TrackState:
        """``state`` carried onto ``dst`` (see the module notes)."""
        h, w = dst.gray.shape
        small = _resize_mask(state.mask, (h, w))
        empty = np.zeros(dst.full_shape, bool)
        if not small.any() and not (state.amodal >= 0.5).any():
            return TrackState(empty, np.zeros((h, w), np.float32), state.colours)
        grid_x, grid_y = np.meshgrid(np.arange(w, dtype=np.float32), np.arange(h, dtype=np.float32))
        map_x, map_y = grid_x + flow[..., 0], grid_y + flow[..., 1]
        warped_soft = cv2.remap(
            small.astype(np.float32), map_x, map_y, cv2.INTER_LINEAR, borderValue=0.0
        )
        warped: Mask = warped_soft >= 0.5

        # Parts hidden behind an occluder move with the object as a whole.
        motion = _object_motion(small, map_x, map_y)
        amodal = cv2.warpAffine(state.amodal, motion, (w, h), flags=cv2.INTER_LINEAR)
        hidden = (amodal >= 0.5) & ~warped
        reappearing = hidden & (state.colours.object_probability(dst.bins) > 0.65)
        prior = warped | reappearing
        if not prior.any():
            decayed = amodal * self.hidden_decay
            return TrackState(empty, decayed.astype(np.float32), state.colours)

        refined = refine_in_band(dst.color, prior, _band_for(prior), iterations=2)
        refined = _keep_overlapping(refined, prior)
        refined = _drop_stray_parts(refined, warped, motion, map_x, map_y)
        if _iou(refined, prior) < 0.6:
            refined = prior  # the refinement went astray; trust the motion for this frame
        refined = fill_small_holes(refined, max_area=int(refined.sum() * 0.02) + 4)
        new_amodal = np.maximum(refined.astype(np.float32), amodal * self.hidden_decay)
        state.colours.update(dst.bins, refined, rate=0.05)
        return TrackState(
            _resize_mask(refined, dst.full_shape), new_amodal.astype(np.float32), state.colours
        )


def _object_motion(
    mask: Mask, map_x: npt.NDArray[np.float32], map_y: npt.NDArray[np.float32]
) -> npt.NDArray[np.float64]:
    """A similarity transform (source → destination) fitted robustly to the flow of the pixels
    that land on the object; the identity when there are too few."""
    src_x, src_y = map_x.ravel(), map_y.ravel()
    h, w = mask.shape
    xi = np.clip(np.rint(src_x).astype(np.int64), 0, w - 1)
    yi = np.clip(np.rint(src_y).astype(np.int64), 0, h - 1)
    on_object = mask[yi, xi]
    idx = np.flatnonzero(on_object)
    identity = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
    if idx.size < 12:
        return identity
    if idx.size > 600:
        idx = idx[:: idx.size // 600]
    dst = np.stack([idx % w, idx // w], axis=1).astype(np.float32)
    src = np.stack([src_x[idx], src_y[idx]], axis=1).astype(np.float32)
    matrix, _ = cv2.estimateAffinePartial2D(
        src, dst, method=cv2.RANSAC, ransacReprojThreshold=2.0, maxIters=200, refineIters=5
    )
    if matrix is None:
        return identity
    out: npt.NDArray[np.float64] = matrix.astype(np.float64)
    return out


def _drop_stray_parts(
    mask: Mask,
    flow_supported: Mask,
    motion: npt.NDArray[np.float64],
    map_x: npt.NDArray[np.float32],
    map_y: npt.NDArray[np.float32],
) -> Mask:
    """Drops detached parts that do not move with the object.

    A piece of background that the refinement once absorbed drifts away from the object as soon
    as their motions differ; a part of the object cut off by an occluder keeps moving with it.
    The test: how far the flow of a part's pixels is from the object's fitted motion, against
    the same measure for the largest part (which absorbs the object's own deformation). Parts
    that are mostly where the object's motion predicted hidden pixels to reappear (not where
    the flow carried the mask) are kept: their flow belongs to what uncovered them.
    """
    count, labels, stats, _ = cv2.connectedComponentsWithStats(
        mask.astype(np.uint8), connectivity=8
    )
    if count <= 2:
        return mask
    h, w = mask.shape
    grid_x, grid_y = np.meshgrid(np.arange(w, dtype=np.float32), np.arange(h, dtype=np.float32))
    # Where the fitted motion sends each pixel's source, minus where the pixel really is.
    pred_x = motion[0, 0] * map_x + motion[0, 1] * map_y + motion[0, 2]
    pred_y = motion[1, 0] * map_x + motion[1, 1] * map_y + motion[1, 2]
    residual = np.hypot(pred_x - grid_x, pred_y - grid_y)
    largest = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
    reference = float(np.median(residual[labels == largest]))
    limit = max(1.2, 3.0 * reference)
    keep = np.ones(count, bool)
    keep[0] = False
    for i in range(1, count):
        if i == largest:
            continue
        part = labels == i
        carried = part & flow_supported
        if np.count_nonzero(carried) < 0.5 * np.count_nonzero(part):
            continue
        if float(np.median(residual[carried])) > limit:
            keep[i] = False
    out: Mask = keep[labels]
    return out


def _band_for(mask: Mask) -> int:
    ys, xs = np.nonzero(mask)
    extent = max(int(xs.max() - xs.min()), int(ys.max() - ys.min())) + 1
    return int(np.clip(extent * 0.06, 3, 24))


def _keep_overlapping(mask: Mask, reference: Mask) -> Mask:
    """Drops connected parts of ``mask`` that barely overlap ``reference``."""
    if not mask.any():
        return mask
    count, labels = cv2.connectedComponents(mask.astype(np.uint8), connectivity=8)
    inside = np.bincount(labels[reference], minlength=count)
    sizes = np.bincount(labels.ravel(), minlength=count)
    keep = inside >= 0.5 * sizes
    keep[0] = False
    out: Mask = keep[labels]
    return out


def _iou(a: Mask, b: Mask) -> float:
    union = int(np.count_nonzero(a | b))
    return int(np.count_nonzero(a & b)) / union if union else 1.0


def _resize_mask(mask: Mask, shape: tuple[int, int]) -> Mask:
    if mask.shape == shape:
        return mask
    soft = cv2.resize(mask.astype(np.float32), (shape[1], shape[0]), interpolation=cv2.INTER_LINEAR)
    out: Mask = soft >= 0.5
    return out
