"""pycocotools side of the RLE bench, driven by bench/rle/main.ts (through tools/py.sh).

Usage: pycoco_bench.py <dir>   where <dir>/manifest.json lists the masks the TS side generated
(row-major uint8 0/1 files, <name>.bin). The script loads them, prints one JSON line
``{"ready": true, "pycocotools": ..., "counts": {case: counts string}}``, then answers requests,
one JSON line each way, until stdin closes:

    {"case": name, "op": "encode" | "decode", "batches": k, "batch_s": s, "warmup_s": w}
    -> {"samples_ms": [ms/op of each of the k batches], "ops_per_batch": n}

main.ts alternates these requests with its own TS timings of the same case and op, so both sides
see the same machine load (this machine is shared and its load drifts).

What is timed (per call, public API, as a Python caller would use it):
- encode: ``mask.encode(F)`` with ``F`` the mask as a Fortran-ordered (column-major) uint8 array,
  the layout pycocotools wants (converting to it is done once, outside the timing). Includes the
  Python wrapper, the C run scan and the counts-string coding; result is a dict with bytes counts.
- decode: ``mask.decode(rle)`` on the dict ``encode`` returned. Includes string parsing, allocating
  the mask and filling it; the result is an (h, w) array in Fortran order (no transpose).
"""

from __future__ import annotations

import json
import sys
import time
import warnings
from collections.abc import Callable
from functools import partial
from importlib.metadata import version
from pathlib import Path
from typing import Any

import numpy as np
from pycocotools import mask as cocomask

warnings.filterwarnings("ignore", message=".*__array__ implementation doesn't accept a copy.*")


def measure(fn: Callable[[], Any], batches: int, batch_s: float, warmup_s: float) -> dict[str, Any]:
    """Warm up, size a batch to ~batch_s, time `batches` batches; ms/op of each batch."""
    warm_end = time.perf_counter() + warmup_s
    n = 0
    while n < 3 or time.perf_counter() < warm_end:
        fn()
        n += 1
    t0 = time.perf_counter()
    k = 0
    while True:
        fn()
        k += 1
        if time.perf_counter() - t0 >= batch_s / 4:
            break
    size = max(1, int(batch_s / ((time.perf_counter() - t0) / k)))
    samples = []
    for _ in range(batches):
        t0 = time.perf_counter()
        for _ in range(size):
            fn()
        samples.append((time.perf_counter() - t0) / size * 1e3)
    return {"samples_ms": samples, "ops_per_batch": size}


def main(directory: str) -> None:
    root = Path(directory)
    manifest = json.loads((root / "manifest.json").read_text())
    inputs: dict[str, tuple[np.ndarray, dict[str, Any]]] = {}
    counts: dict[str, str] = {}
    for case in manifest["cases"]:
        h, w = case["height"], case["width"]
        m = np.fromfile(root / case["file"], dtype=np.uint8).reshape(h, w)
        f = np.asfortranarray(m)
        rle = cocomask.encode(f)
        assert np.array_equal(cocomask.decode(rle), m), case["name"]
        inputs[case["name"]] = (f, rle)
        counts[case["name"]] = rle["counts"].decode("ascii")
    ready = {
        "ready": True,
        "pycocotools": version("pycocotools"),
        "numpy": np.__version__,
        "python": sys.version.split()[0],
        "counts": counts,
    }
    print(json.dumps(ready), flush=True)
    for line in sys.stdin:
        if not line.strip():
            continue
        req = json.loads(line)
        f, rle = inputs[req["case"]]
        if req["op"] == "encode":
            fn = partial(cocomask.encode, f)
        elif req["op"] == "decode":
            fn = partial(cocomask.decode, rle)
        else:
            raise ValueError(req["op"])
        print(json.dumps(measure(fn, req["batches"], req["batch_s"], req["warmup_s"])), flush=True)


if __name__ == "__main__":
    main(sys.argv[1])
