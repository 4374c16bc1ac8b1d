"""The export formats (issue 8) read back by their own readers.

``tools/export-fixture.ts`` builds a synthetic session in real Y.Docs (a ring with a hole, a
two-part object, shapes touching at a corner, a lone pixel, overlapping objects, frames without
masks), exports it with the TypeScript builders into ``export.zip`` and writes ``truth.json``
with every stored mask as row-major 0/1 bytes. Then:

- Python's ``zipfile`` opens the ZIP and every entry's CRC checks out;
- pycocotools ``COCO`` loads ``coco/annotations.json`` and every annotation decodes to exactly the
  stored mask (IoU 1.0), with pycocotools' own area and bbox;
- YOLO polygons rasterized with ``cv2.fillPoly`` reach IoU >= 0.95 per object;
- binary PNGs read by OpenCV equal the masks;
- DAVIS PNGs: OpenCV expands them through their palette to the DAVIS colours of the right
  indices; Pillow (when installed) opens them as mode ``P`` with the DAVIS palette and indices.
"""

from __future__ import annotations

import base64
import io
import json
import shutil
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest
from pycocotools import mask as cocomask
from pycocotools.coco import COCO

REPO_ROOT = Path(__file__).resolve().parents[2]

# pycocotools' Masks.__array__ predates NumPy 2's `copy` keyword; harmless, and not ours to fix.
pytestmark = pytest.mark.filterwarnings("ignore:__array__ implementation doesn't accept a copy")


def davis_palette() -> np.ndarray:
    """The DAVIS toolkit's colour map (bitget over the index's 3-bit groups)."""
    cmap = np.zeros((256, 3), dtype=np.uint8)
    for i in range(256):
        c, r, g, b = i, 0, 0, 0
        for j in range(8):
            r |= ((c >> 0) & 1) << (7 - j)
            g |= ((c >> 1) & 1) << (7 - j)
            b |= ((c >> 2) & 1) << (7 - j)
            c >>= 3
        cmap[i] = (r, g, b)
    return cmap


class Export:
    def __init__(self, out: Path) -> None:
        self.zip = zipfile.ZipFile(out / "export.zip")
        self.truth: dict[str, Any] = json.loads((out / "truth.json").read_text())
        self.w: int = self.truth["width"]
        self.h: int = self.truth["height"]
        self.masks: dict[tuple[int, str], np.ndarray] = {}
        for m in self.truth["masks"]:
            raw = np.frombuffer(base64.b64decode(m["mask"]), dtype=np.uint8)
            self.masks[(m["frame"], m["objId"])] = raw.reshape(self.h, self.w)
        self.objects: list[dict[str, Any]] = self.truth["objects"]

    def read(self, path: str) -> bytes:
        return self.zip.read(path)

    def image(self, path: str) -> np.ndarray:
        data = np.frombuffer(self.read(path), dtype=np.uint8)
        img = cv2.imdecode(data, cv2.IMREAD_UNCHANGED)
        assert img is not None, path
        return img

    def present(self, frame: int) -> list[dict[str, Any]]:
        return [o for o in self.objects if (frame, o["id"]) in self.masks]


@pytest.fixture(scope="module")
def export(tmp_path_factory: pytest.TempPathFactory) -> Export:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    out = tmp_path_factory.mktemp("export")
    subprocess.run(
        [
            node,
            "--conditions=@maskroom/source",
            "--import",
            "tsx",
            "tools/export-fixture.ts",
            str(out),
        ],
        cwd=REPO_ROOT,
        check=True,
        capture_output=True,
        timeout=120,
    )
    return Export(out)


def test_zip_opens_with_zipfile(export: Export) -> None:
    assert export.zip.testzip() is None
    names = export.zip.namelist()
    assert len(names) == len(set(names))
    assert {"coco/annotations.json", "yolo/classes.txt", "maskroom.json"} <= set(names)
    stored = {i.filename: i.compress_type for i in export.zip.infolist()}
    assert all(stored[n] == zipfile.ZIP_STORED for n in names if n.endswith(".png"))
    assert stored["coco/annotations.json"] == zipfile.ZIP_DEFLATED


def test_coco_loads_in_pycocotools_and_masks_are_exact(export: Export, tmp_path: Path) -> None:
    path = tmp_path / "annotations.json"
    path.write_bytes(export.read("coco/annotations.json"))
    coco = COCO(str(path))
    assert sorted(coco.getImgIds()) == list(range(1, export.truth["numFrames"] + 1))
    assert coco.loadImgs(4)[0]["file_name"] == "000003.jpg"
    names = {c["id"]: c["name"] for c in coco.loadCats(coco.getCatIds())}
    ann_ids = coco.getAnnIds()
    assert len(ann_ids) == len(export.masks)
    seen = set()
    for ann in coco.loadAnns(ann_ids):
        frame = ann["image_id"] - 1
        obj = export.objects[ann["attributes"]["track_id"] - 1]
        assert ann["attributes"]["obj_id"] == obj["id"]
        assert names[ann["category_id"]] == (obj["className"] or "object")
        assert ann["iscrowd"] == 0
        truth = export.masks[(frame, obj["id"])]
        decoded = coco.annToMask(ann)
        assert decoded.shape == truth.shape
        assert np.array_equal(decoded, truth), f"frame {frame} {obj['id']}"
        rle = coco.annToRLE(ann)
        reencoded = cocomask.encode(np.asfortranarray(truth))
        assert cocomask.iou([rle], [reencoded], [0])[0][0] == pytest.approx(1.0)
        assert ann["area"] == int(cocomask.area(reencoded))
        assert ann["bbox"] == pytest.approx(cocomask.toBbox(reencoded).tolist())
        seen.add((frame, obj["id"]))
    assert seen == set(export.masks)
    for frame in export.truth["emptyFrames"]:
        assert coco.getAnnIds(imgIds=[frame + 1]) == []


def test_yolo_polygons_rasterize_back_to_the_masks(export: Export) -> None:
    classes = export.read("yolo/classes.txt").decode().splitlines()
    ious = []
    for frame in range(export.truth["numFrames"]):
        text = export.read(f"yolo/labels/{frame:06d}.txt").decode()
        present = export.present(frame)
        if not present:
            assert text == ""
            continue
        lines = text.splitlines()
        assert len(lines) == len(present)
        for line, obj in zip(lines, present, strict=True):
            fields = line.split()
            assert classes[int(fields[0])] == (obj["className"] or "object")
            coords = np.array([float(v) for v in fields[1:]]).reshape(-1, 2)
            assert len(coords) >= 3
            assert coords.min() >= 0.0 and coords.max() <= 1.0
            pts = np.round(coords * [export.w, export.h]).astype(np.int32)
            back = np.zeros((export.h, export.w), dtype=np.uint8)
            cv2.fillPoly(back, [pts.reshape(-1, 1, 2)], 1)
            truth = export.masks[(frame, obj["id"])].astype(bool)
            iou = (back.astype(bool) & truth).sum() / (back.astype(bool) | truth).sum()
            assert iou >= 0.95, f"frame {frame} {obj['id']}: IoU {iou:.4f}"
            ious.append(iou)
    assert len(ious) == len(export.masks)


def test_binary_pngs_equal_the_masks(export: Export) -> None:
    manifest = json.loads(export.read("maskroom.json"))
    folders = {o["objIds"][0]: o["pngFolder"] for o in manifest["objects"]}
    names = set(export.zip.namelist())
    for frame in range(export.truth["numFrames"]):
        for obj in export.objects:
            path = f"{folders[obj['id']]}/{frame:06d}.png"
            truth = export.masks.get((frame, obj["id"]))
            if truth is None:
                assert path not in names
                continue
            img = export.image(path)
            assert img.dtype == np.uint8 and img.shape == (export.h, export.w)
            assert np.array_equal(img, truth * 255), path


def davis_truth(export: Export, frame: int) -> np.ndarray:
    expected = np.zeros((export.h, export.w), dtype=np.uint8)
    for obj in export.objects:  # creation order: later objects are painted over earlier ones
        m = export.masks.get((frame, obj["id"]))
        if m is not None:
            expected[m != 0] = obj["number"]
    return expected


def test_davis_pngs_have_the_palette_and_indices_opencv(export: Export) -> None:
    palette = davis_palette()
    assert palette[1].tolist() == [128, 0, 0] and palette[2].tolist() == [0, 128, 0]
    for frame in range(export.truth["numFrames"]):
        img = export.image(f"davis/{frame:06d}.png")  # OpenCV expands the palette (BGR)
        expected = palette[davis_truth(export, frame)][:, :, ::-1]
        assert np.array_equal(img, expected), frame


def test_davis_pngs_in_pillow(export: Export) -> None:
    image_mod = pytest.importorskip("PIL.Image")
    palette = davis_palette()
    for frame in range(export.truth["numFrames"]):
        with image_mod.open(io.BytesIO(export.read(f"davis/{frame:06d}.png"))) as im:
            assert im.mode == "P"
            assert np.array_equal(
                np.array(im.getpalette()[:768], dtype=np.uint8).reshape(256, 3), palette
            )
            assert np.array_equal(np.array(im), davis_truth(export, frame)), frame
