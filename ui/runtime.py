"""Process settings the app needs, applied once from ``app.py``'s start-up, not at import."""

from __future__ import annotations

import ctypes
import os


def limit_malloc_arenas(arenas: int = 2) -> bool:
    """glibc gives each of Gradio's worker threads its own heap ("arena", up to 8 per core);
    freed image buffers scattered across them are not returned, so RSS crept up ~3.5 MB per
    100 requests under load. Two arenas kept it flat (benchmarks/RESULTS.md). Same as
    ``MALLOC_ARENA_MAX=2``, which wins if set; a no-op off glibc."""
    if "MALLOC_ARENA_MAX" in os.environ:
        return False
    try:
        libc = ctypes.CDLL("libc.so.6")
        return bool(libc.mallopt(-8, arenas))  # -8 = M_ARENA_MAX in <malloc.h>
    except (OSError, AttributeError):
        return False


def configure_process() -> dict[str, object]:
    """Call before the demo is built (Gradio reads these when its queue is created).

    - Gradio keeps a record of every event and, after each one, summarises all of them with
      pandas (10,000 by default): per-request work and memory that grow with traffic. A short
      window, summarised now and then, keeps a slider move as cheap after a day as after a
      minute.
    - Two malloc arenas (see ``limit_malloc_arenas``), before Gradio starts its threads.
    """
    os.environ.setdefault("GRADIO_ANALYTICS_MAX_EVENTS", "500")
    os.environ.setdefault("GRADIO_ANALYTICS_CACHE_FREQUENCY", "100")
    return {"malloc_arenas_limited": limit_malloc_arenas()}
