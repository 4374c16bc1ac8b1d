"""Reference exporter for the export bench: what a Python pipeline on the same RLEs would do.

COCO with pycocotools (area, toBbox; counts kept as they are), YOLO-seg with
``cv2.findContours(RETR_EXTERNAL, CHAIN_APPROX_SIMPLE)`` on ``mask.decode`` (ultralytics'
``convert_segment_masks_to_yolo_seg`` way: one line per outer contour of at least 3 points),
binary PNGs with ``cv2.imencode``, all into one ZIP in memory (``zipfile``: PNG stored, text
deflated), the layout of docs/export.md.

    python bench/export/reference.py <dataset.json>   → prints one JSON line of timings
"""

from __future__ import annotations

import io
import json
import sys
import time
import zipfile
from typing import Any

import cv2
import numpy as np
from pycocotools import mask as cocomask


def export(d: dict[str, Any]) -> dict[str, Any]:
    w, h, frames = d["width"], d["height"], d["frames"]
    objects = d["objects"]
    classes: list[str] = []
    for o in objects:
        if o["className"] not in classes:
            classes.append(o["className"])
    buf = io.BytesIO()
    files = 0
    annotations: list[dict[str, Any]] = []
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as z:
        for f in range(frames):
            lines: list[str] = []
            for k, counts in enumerate(d["masks"][f]):
                if counts is None:
                    continue
                obj = objects[k]
                rle = {"size": [h, w], "counts": counts}
                cat = classes.index(obj["className"])
                annotations.append(
                    {
                        "id": len(annotations) + 1,
                        "image_id": f + 1,
                        "category_id": cat + 1,
                        "segmentation": {"size": [h, w], "counts": counts},
                        "area": int(cocomask.area(rle)),
                        "bbox": cocomask.toBbox(rle).tolist(),
                        "iscrowd": 0,
                        "attributes": {
                            "track_id": k + 1,
                            "instance_name": obj["instanceName"],
                        },
                    }
                )
                m = cocomask.decode(rle)
                contours, _ = cv2.findContours(
                    m, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE
                )
                for c in contours:
                    if len(c) < 3:
                        continue
                    pts = (c.reshape(-1, 2) / np.array([w, h])).reshape(-1)
                    lines.append(f"{cat} " + " ".join(f"{v:.6f}" for v in pts))
                ok, png = cv2.imencode(".png", m * 255)
                assert ok
                folder = f"{k + 1:03d}_{obj['instanceName'].replace(' ', '_')}"
                z.writestr(
                    f"png/{folder}/{f:06d}.png", png.tobytes(), zipfile.ZIP_STORED
                )
                files += 1
            z.writestr(
                f"yolo/labels/{f:06d}.txt", "\n".join(lines) + ("\n" if lines else "")
            )
            files += 1
        z.writestr("yolo/classes.txt", "\n".join(classes) + "\n")
        images = [
            {
                "id": f + 1,
                "file_name": f"{f:06d}.jpg",
                "width": w,
                "height": h,
                "frame_index": f,
            }
            for f in range(frames)
        ]
        cats = [{"id": i + 1, "name": c} for i, c in enumerate(classes)]
        coco = {"images": images, "annotations": annotations, "categories": cats}
        z.writestr("coco/annotations.json", json.dumps(coco))
        files += 2
    return {
        "bytes": buf.getbuffer().nbytes,
        "files": files,
        "annotations": len(annotations),
    }


def main() -> None:
    with open(sys.argv[1]) as fh:
        d = json.load(fh)
    t0 = time.perf_counter()
    result = export(d)
    result["ms"] = (time.perf_counter() - t0) * 1000
    result["versions"] = {"opencv": cv2.__version__, "numpy": np.__version__}
    print(json.dumps(result))


if __name__ == "__main__":
    main()
