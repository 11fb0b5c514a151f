"""C allocator tuning for the server process (glibc only; elsewhere nothing happens).

glibc gives each thread that allocates its own malloc arena, up to eight per
core, and every arena keeps freed memory of its own. The app's thread pool
(eight threads) thus grows the process by a few megabytes of half-empty arenas
under load; two arenas serve two cores as well, and the GIL keeps the lock
between them cold. MALLOC_ARENA_MAX would do the same but is read only when
the process starts, before our code runs, so we call mallopt instead.
"""

from __future__ import annotations

import ctypes

M_ARENA_MAX = -8  # from glibc's malloc.h
ARENAS = 2


def limit_arenas(count: int = ARENAS) -> bool:
    """Cap the malloc arenas of this process; call before the thread pool starts.

    Returns whether the cap was applied (False when the C library is not glibc)."""
    try:
        # The symbols the interpreter is linked with: no library search (find_library
        # would run ldconfig, tens of milliseconds of start-up).
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    return bool(mallopt(M_ARENA_MAX, count))
