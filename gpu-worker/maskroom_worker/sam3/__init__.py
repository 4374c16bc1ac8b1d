"""The sam3 backend: Meta's SAM3 video predictor (CUDA only; ``torch``/``sam3`` are the
``sam3`` extra's and are imported only when the backend loads)."""

from .backend import Sam3Backend

__all__ = ["Sam3Backend"]
