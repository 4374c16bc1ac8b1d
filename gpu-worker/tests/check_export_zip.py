"""Checks any Maskroom export ZIP with the formats' own readers; exit 0 when it passes.

``bash tools/py.sh gpu-worker/tests/check_export_zip.py export.zip`` (the Playwright export spec
runs it on a ZIP a browser built). The COCO masks, decoded by pycocotools, are the reference
for the other formats:

- ``zipfile`` opens the ZIP and every entry's CRC checks out;
- pycocotools loads ``coco/annotations.json``; each annotation decodes, its area and bbox are
  pycocotools' own;
- YOLO: one line per annotation of the frame, in track order, the class named as the COCO
  category, ``cv2.fillPoly`` of the polygon at IoU >= 0.95 with the COCO mask;
- binary PNGs (read by OpenCV) equal the COCO masks;
- DAVIS PNGs open in Pillow as mode ``P`` with the DAVIS palette, each pixel the track id of the
  last-painted object there (higher track ids over lower).
Only the formats present in the ZIP are checked; COCO must be there.
"""

from __future__ import annotations

import io
import json
import sys
import tempfile
import warnings
import zipfile
from pathlib import Path
from typing import Any

import cv2
import numpy as np
from PIL import Image
from pycocotools import mask as cocomask
from pycocotools.coco import COCO

sys.path.insert(0, str(Path(__file__).resolve().parent))
from test_export_readers import davis_palette  # noqa: E402

warnings.filterwarnings("ignore", message="__array__ implementation doesn't accept a copy")


def fail(message: str) -> None:
    raise SystemExit(f"export check failed: {message}")


def check(path: Path) -> list[str]:
    done: list[str] = []
    archive = zipfile.ZipFile(path)
    bad = archive.testzip()
    if bad is not None:
        fail(f"CRC mismatch in {bad}")
    names = set(archive.namelist())
    if "coco/annotations.json" not in names:
        fail("no coco/annotations.json")
    with tempfile.TemporaryDirectory() as tmp:
        ann_file = Path(tmp) / "annotations.json"
        ann_file.write_bytes(archive.read("coco/annotations.json"))
        coco = COCO(str(ann_file))
    images = {img["id"]: img for img in coco.dataset["images"]}
    frame_of = {img_id: int(img.get("frame_index", img_id - 1)) for img_id, img in images.items()}
    categories = {c["id"]: c["name"] for c in coco.dataset["categories"]}
    masks: dict[int, list[tuple[int, np.ndarray, int]]] = {}  # frame -> [(track, mask, category)]
    for ann in coco.dataset["annotations"]:
        m = coco.annToMask(ann)
        rle = ann["segmentation"]
        if int(cocomask.area(rle)) != int(m.sum()) or abs(ann["area"] - m.sum()) > 0.5:
            fail(f"annotation {ann['id']}: area {ann['area']} but the mask has {m.sum()} pixels")
        box = cocomask.toBbox(rle)
        if not np.allclose(box, ann["bbox"]):
            fail(f"annotation {ann['id']}: bbox {ann['bbox']} is not pycocotools' {box}")
        attrs: dict[str, Any] = ann.get("attributes", {})
        frame = frame_of[ann["image_id"]]
        masks.setdefault(frame, []).append((int(attrs["track_id"]), m, ann["category_id"]))
    for entries in masks.values():
        entries.sort(key=lambda e: e[0])
    done.append(f"coco: {len(coco.dataset['annotations'])} annotations decode in pycocotools")
    frames = sorted(frame_of.values())
    h = images[next(iter(images))]["height"]
    w = images[next(iter(images))]["width"]

    if "yolo/classes.txt" in names:
        classes = archive.read("yolo/classes.txt").decode().splitlines()
        worst = 1.0
        for frame in frames:
            lines = archive.read(f"yolo/labels/{frame:06d}.txt").decode().splitlines()
            present = masks.get(frame, [])
            if len(lines) != len(present):
                fail(f"yolo frame {frame}: {len(lines)} lines for {len(present)} objects")
            for line, (track, truth, category) in zip(lines, present, strict=True):
                fields = line.split()
                if classes[int(fields[0])] != categories[category]:
                    fail(f"yolo frame {frame}, track {track}: class {classes[int(fields[0])]}")
                pts = np.array([float(v) for v in fields[1:]]).reshape(-1, 2)
                back = np.zeros((h, w), dtype=np.uint8)
                cv2.fillPoly(back, [np.round(pts * [w, h]).astype(np.int32).reshape(-1, 1, 2)], 1)
                union = (back.astype(bool) | truth.astype(bool)).sum()
                iou = (back.astype(bool) & truth.astype(bool)).sum() / union
                if iou < 0.95:
                    fail(f"yolo frame {frame}, track {track}: IoU {iou:.4f} < 0.95")
                worst = min(worst, float(iou))
        done.append(f"yolo: every polygon rasterizes back at IoU >= {worst:.4f}")

    manifest = json.loads(archive.read("maskroom.json")) if "maskroom.json" in names else None
    if manifest is not None and any(o.get("pngFolder") for o in manifest["objects"]):
        folder = {int(o["number"]): o["pngFolder"] for o in manifest["objects"]}
        count = 0
        for frame in frames:
            for track, truth, _ in masks.get(frame, []):
                raw = archive.read(f"{folder[track]}/{frame:06d}.png")
                data = np.frombuffer(raw, dtype=np.uint8)
                img = cv2.imdecode(data, cv2.IMREAD_UNCHANGED)
                if img is None or not np.array_equal(img, truth * 255):
                    fail(f"png frame {frame}, track {track}: not the COCO mask")
                count += 1
        done.append(f"png: {count} binary masks equal the COCO masks")

    if any(n.startswith("davis/") for n in names):
        palette = davis_palette()
        for frame in frames:
            expected = np.zeros((h, w), dtype=np.uint8)
            for track, truth, _ in masks.get(frame, []):
                expected[truth != 0] = track
            with Image.open(io.BytesIO(archive.read(f"davis/{frame:06d}.png"))) as im:
                if im.mode != "P":
                    fail(f"davis frame {frame}: mode {im.mode}, not P")
                got = np.array(im.getpalette()[:768], dtype=np.uint8).reshape(256, 3)
                if not np.array_equal(got, palette):
                    fail(f"davis frame {frame}: not the DAVIS palette")
                if not np.array_equal(np.array(im), expected):
                    fail(f"davis frame {frame}: indices differ from the COCO masks")
        done.append(f"davis: {len(frames)} palette PNGs, right palette and indices (Pillow)")
    return done


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit("usage: check_export_zip.py <export.zip>")
    for line in check(Path(sys.argv[1])):
        print(line)
