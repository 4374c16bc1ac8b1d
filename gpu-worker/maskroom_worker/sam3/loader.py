"""Building Meta's SAM3 video predictor (imported lazily: ``torch`` and ``sam3`` are the
``sam3`` extra's, never needed by the classical backend or the tests).

Weights: ``--checkpoint /path/sam3.pt`` (or ``MASKROOM_SAM3_CHECKPOINT``) loads a local file.
Without it, ``build_sam3_video_predictor`` downloads ``sam3.pt`` from the Hugging Face repo
``facebook/sam3``, which is *gated*: request access on its page, then log in on the worker
machine (``hf auth login``, or ``huggingface-cli login`` with older clients, or set
``HF_TOKEN``) before the first start.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol

from ..errors import StartupError

__all__ = ["Predictor", "autocast_context", "cuda_index", "device_memory", "load_predictor"]


class Predictor(Protocol):
    """The part of ``Sam3VideoPredictor`` the backend uses."""

    def handle_request(self, request: dict[str, Any]) -> dict[str, Any]: ...

    def handle_stream_request(self, request: dict[str, Any]) -> Iterator[dict[str, Any]]: ...


def cuda_index(device: str) -> int:
    """``cuda`` → 0, ``cuda:N`` → N; anything else is refused (SAM3 cannot run without CUDA)."""
    if device == "cuda":
        return 0
    prefix, _, index = device.partition(":")
    if prefix != "cuda" or not index.isdigit():
        raise StartupError(
            f"SAM3 runs on CUDA only (it cannot even be built without it); got --device {device}. "
            "Use --device cuda:N on a GPU machine, or --backend classical on the CPU."
        )
    return int(index)


def _torch() -> Any:
    try:
        import torch  # type: ignore[import-not-found, unused-ignore]
    except ImportError:
        raise StartupError(
            "the sam3 backend needs PyTorch with CUDA and the sam3 package: "
            "pip install 'maskroom-worker[sam3]' (see gpu-worker/README.md)"
        ) from None
    return torch


def load_predictor(device: str, checkpoint: str | None) -> Predictor:
    """Builds the predictor on ``device``. Call it on the thread that will run it: the model
    enters its bf16 autocast in its constructor, and autocast is per thread."""
    index = cuda_index(device)
    torch = _torch()
    if not torch.cuda.is_available():
        raise StartupError("no CUDA device is available: SAM3 cannot be built without CUDA")
    if index >= torch.cuda.device_count():
        raise StartupError(f"{device} does not exist ({torch.cuda.device_count()} CUDA devices)")
    if checkpoint is not None and not Path(checkpoint).is_file():
        raise StartupError(f"SAM3 checkpoint {checkpoint} is not a file")
    try:
        from sam3.model_builder import (  # type: ignore[import-not-found, unused-ignore]
            build_sam3_video_predictor,
        )
    except ImportError as exc:
        raise StartupError(f"the sam3 package cannot be imported: {exc}") from None
    torch.cuda.set_device(index)
    predictor: Predictor = build_sam3_video_predictor(
        checkpoint_path=checkpoint, gpus_to_use=[index]
    )
    return predictor


@contextlib.contextmanager
def autocast_context() -> Iterator[None]:
    """bf16 autocast plus inference mode, entered by the compute thread for its whole life."""
    torch = _torch()
    with torch.autocast(device_type="cuda", dtype=torch.bfloat16), torch.inference_mode():
        yield


def device_memory(device: str) -> tuple[int, int] | None:
    try:
        torch = _torch()
        free, total = torch.cuda.mem_get_info(cuda_index(device))
    except Exception:  # noqa: BLE001 - memory figures are optional
        return None
    return int(total - free), int(total)


def release_cached_memory() -> None:
    with contextlib.suppress(Exception):
        _torch().cuda.empty_cache()
