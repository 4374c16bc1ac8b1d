"""The classical backend: interactive segmentation (GrabCut) and optical-flow propagation."""

from .backend import ClassicalBackend

__all__ = ["ClassicalBackend"]
