"""Maskroom segmentation worker.

The worker speaks only the wire protocol defined in ``@maskroom/shared``; the JSON Schema it
validates against is generated from there (see ``protocol.schema.json``).
"""

__all__ = ["__version__"]

__version__ = "0.1.0"
