"""The speed layer: a build cache that memoises the pipeline's stages on their declared inputs, and worker
processes. Removable as a unit: without it (build.py --no-cache) a build makes the same bytes."""

from .build import Cache

__all__ = ["Cache"]
