"""Generated videos with known ground truth, for the classical backend's quality tests and bench.

Each sequence is deterministic (seeded) and made of: a textured, cluttered background that the
camera pans over; a textured target object that moves and deforms; and, depending on the
sequence, an occluder that passes in front of the target. The ground truth is the target's
*visible* pixels on every frame. ``click`` is where a person would click on frame 0: the point of
the visible target farthest from its outline.

Frames are BGR ``uint8`` (OpenCV's order), masks are ``bool``. ``write_sequence`` stores frames as
``000000.jpg``… (the layout the server extracts) and the masks as PNGs beside them.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import cv2
import numpy as np
import numpy.typing as npt

__all__ = ["SEQUENCES", "Sequence", "make_sequence", "write_sequence"]

Image = npt.NDArray[np.uint8]
Mask = npt.NDArray[np.bool_]
FloatArray = npt.NDArray[np.float32]


@dataclass(frozen=True)
class Sequence:
    name: str
    frames: list[Image]
    masks: list[Mask]
    click: tuple[float, float]
    """Normalized (x, y) of a positive click on frame 0, inside the target."""

    @property
    def size(self) -> tuple[int, int]:
        h, w = self.frames[0].shape[:2]
        return w, h


def _noise(rng: np.random.Generator, h: int, w: int, scales: tuple[float, ...]) -> FloatArray:
    """Multi-scale smooth noise in [0, 1]."""
    out = np.zeros((h, w), np.float32)
    for i, s in enumerate(scales):
        field = rng.standard_normal((h, w)).astype(np.float32)
        k = max(1, int(s * max(h, w)))
        field = np.asarray(cv2.GaussianBlur(field, (0, 0), sigmaX=k / 3 + 0.5), np.float32)
        field /= float(np.abs(field).max()) + 1e-6
        out += field / (i + 1)
    out -= out.min()
    out /= float(out.max()) + 1e-6
    return out


def _palette(t: FloatArray, colors: list[tuple[int, int, int]]) -> FloatArray:
    """Maps t in [0, 1] through a piecewise-linear BGR palette."""
    stops = np.linspace(0.0, 1.0, len(colors), dtype=np.float32)
    out = np.empty((*t.shape, 3), np.float32)
    for c in range(3):
        out[..., c] = np.interp(t, stops, np.array([col[c] for col in colors], np.float32))
    return out


def _background(rng: np.random.Generator, h: int, w: int) -> FloatArray:
    base = _palette(
        _noise(rng, h, w, (0.25, 0.08, 0.02)),
        [(60, 90, 40), (90, 130, 70), (140, 150, 110), (80, 110, 120), (50, 70, 60)],
    )
    # Clutter: rectangles and discs in background colours, with hard edges.
    for _ in range(int(h * w / 6000) + 6):
        color = tuple(float(v) for v in rng.uniform((40, 60, 30), (170, 170, 140)))
        x, y = int(rng.integers(0, w)), int(rng.integers(0, h))
        size = int(rng.integers(max(4, w // 60), max(8, w // 12)))
        if rng.random() < 0.5:
            cv2.rectangle(base, (x, y), (x + size, y + size // 2), color, -1)
        else:
            cv2.circle(base, (x, y), size // 2, color, -1)
    grain = rng.standard_normal((h, w, 1)).astype(np.float32) * 10.0
    out: FloatArray = base + grain
    return out


def _object_texture(rng: np.random.Generator, h: int, w: int, warm: bool) -> FloatArray:
    colors = (
        [(40, 60, 200), (30, 110, 230), (60, 160, 240), (30, 40, 170)]
        if warm
        else [(200, 80, 60), (230, 120, 90), (170, 60, 110), (240, 160, 120)]
    )
    tex = _palette(_noise(rng, h, w, (0.1, 0.03)), colors)
    grain = rng.standard_normal((h, w, 1)).astype(np.float32) * 12.0
    out: FloatArray = tex + grain
    return out


def _blob(
    h: int, w: int, cx: float, cy: float, r: float, angle: float, aspect: float, lobes: float
) -> Mask:
    """A smooth star-ish blob: radius modulated by a few harmonics, rotated and stretched."""
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    dx, dy = xx - cx, yy - cy
    ca, sa = math.cos(angle), math.sin(angle)
    u = (dx * ca + dy * sa) / aspect
    v = -dx * sa + dy * ca
    rho = np.sqrt(u * u + v * v)
    theta = np.arctan2(v, u)
    radius = r * (1.0 + lobes * np.cos(3 * theta) + 0.5 * lobes * np.sin(5 * theta + 1.0))
    inside: Mask = rho <= radius
    return inside


Generator = Callable[[int, int, int, int], Sequence]


def _render(
    name: str,
    width: int,
    height: int,
    num_frames: int,
    seed: int,
    *,
    path: Callable[[float], tuple[float, float]],
    occluder: Callable[[float, npt.NDArray[np.float32], npt.NDArray[np.float32]], Mask] | None,
    pan: tuple[float, float],
    lobes: float,
) -> Sequence:
    rng = np.random.default_rng(seed)
    pad = int(max(abs(pan[0]), abs(pan[1])) * num_frames) + 8
    bg = _background(rng, height + 2 * pad, width + 2 * pad)
    scale = min(width, height)
    tex = _object_texture(rng, height, width, warm=True)
    occ_tex = _palette(
        _noise(rng, height, width, (0.05,)), [(30, 30, 35), (70, 60, 55), (45, 45, 50)]
    )
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
    frames: list[Image] = []
    masks: list[Mask] = []
    for i in range(num_frames):
        t = i / max(1, num_frames - 1)
        ox, oy = pad + pan[0] * i, pad + pan[1] * i
        m = np.array([[1, 0, -ox], [0, 1, -oy]], np.float32)
        frame = np.asarray(
            cv2.warpAffine(bg, m, (width, height), flags=cv2.INTER_LINEAR), np.float32
        )
        cx, cy = path(t)
        r = 0.17 * scale * (1.0 + 0.15 * math.sin(2 * math.pi * 1.5 * t))
        aspect = 1.25 + 0.25 * math.sin(2 * math.pi * t + 0.5)
        angle = 0.6 * math.sin(2 * math.pi * 0.8 * t)
        obj = _blob(height, width, cx * width, cy * height, r, angle, aspect, lobes)
        # The object's texture moves with it (shifted copy of a texture larger than the frame).
        shift = np.array(
            [[1, 0, cx * width - width / 2], [0, 1, cy * height - height / 2]], np.float32
        )
        moved = cv2.warpAffine(tex, shift, (width, height), borderMode=cv2.BORDER_REFLECT)
        shade = (1.0 - 0.25 * ((yy - cy * height) / (r * 2.0))).clip(0.6, 1.2)[..., None]
        frame[obj] = (moved * shade)[obj]
        visible = obj.copy()
        if occluder is not None:
            occ = occluder(t, xx, yy)
            frame[occ] = occ_tex[occ]
            visible &= ~occ
        noise = rng.standard_normal(frame.shape).astype(np.float32) * 3.0
        frames.append(np.clip(frame + noise, 0, 255).astype(np.uint8))
        masks.append(visible)
    dist = cv2.distanceTransform(masks[0].astype(np.uint8), cv2.DIST_L2, 5)
    y0, x0 = np.unravel_index(int(np.argmax(dist)), dist.shape)
    click = ((float(x0) + 0.5) / width, (float(y0) + 0.5) / height)
    return Sequence(name, frames, masks, click)


def _glide(width: int, height: int, num_frames: int, seed: int) -> Sequence:
    """The target glides along a curve and deforms while the camera pans."""
    return _render(
        "glide",
        width,
        height,
        num_frames,
        seed,
        path=lambda t: (0.28 + 0.42 * t, 0.5 + 0.18 * math.sin(2 * math.pi * 0.9 * t)),
        occluder=None,
        pan=(0.6 * width / 320, 0.25 * height / 240),
        lobes=0.12,
    )


def _occluded(width: int, height: int, num_frames: int, seed: int) -> Sequence:
    """A dark pole sweeps across the target, hiding up to about a third of it."""
    bar = 0.09 * width

    def occluder(t: float, xx: FloatArray, yy: FloatArray) -> Mask:
        x = (0.95 - 0.75 * t) * width
        inside: Mask = (np.abs(xx - x - 0.15 * (yy - height / 2)) <= bar / 2) & (yy >= 0.1 * height)
        return inside

    return _render(
        "occluded",
        width,
        height,
        num_frames,
        seed,
        path=lambda t: (0.3 + 0.35 * t, 0.45 + 0.1 * math.cos(2 * math.pi * 0.7 * t)),
        occluder=occluder,
        pan=(-0.3 * width / 320, 0.15 * height / 240),
        lobes=0.18,
    )


def _crossing(width: int, height: int, num_frames: int, seed: int) -> Sequence:
    """A disc-shaped occluder crosses in front of the deforming target."""

    def occluder(t: float, xx: FloatArray, yy: FloatArray) -> Mask:
        cx = (0.15 + 0.7 * t) * width
        cy = (0.8 - 0.45 * t) * height
        r = 0.11 * min(width, height)
        inside: Mask = (xx - cx) ** 2 + (yy - cy) ** 2 <= r * r
        return inside

    return _render(
        "crossing",
        width,
        height,
        num_frames,
        seed,
        path=lambda t: (0.62 - 0.2 * t, 0.42 + 0.08 * math.sin(2 * math.pi * t)),
        occluder=occluder,
        pan=(0.4 * width / 320, -0.2 * height / 240),
        lobes=0.22,
    )


SEQUENCES: Final[dict[str, Generator]] = {
    "glide": _glide,
    "occluded": _occluded,
    "crossing": _crossing,
}


def make_sequence(
    name: str, width: int = 320, height: int = 240, num_frames: int = 60, seed: int = 7
) -> Sequence:
    return SEQUENCES[name](width, height, num_frames, seed)


def write_sequence(seq: Sequence, directory: Path, *, quality: int = 92) -> Path:
    """Writes ``000000.jpg``… and ``mask-000000.png``… into ``directory``; returns it."""
    directory.mkdir(parents=True, exist_ok=True)
    for i, (frame, mask) in enumerate(zip(seq.frames, seq.masks, strict=True)):
        cv2.imwrite(str(directory / f"{i:06d}.jpg"), frame, [cv2.IMWRITE_JPEG_QUALITY, quality])
        cv2.imwrite(str(directory / f"mask-{i:06d}.png"), mask.astype(np.uint8) * 255)
    return directory
