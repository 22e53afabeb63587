"""How a `wwc` command asks for memory: ordinary pages, and freed blocks kept for reuse.

A command owns its process and builds many column-sized arrays (millions of rows) once each.
Two defaults of the platform make each such array cost more than its arithmetic: numpy's request
for transparent huge pages, and glibc's habit of handing large freed blocks straight back to the
system, so that the next array faults in fresh pages. `wwc_analysis.cli.main` changes both for its
own process; `import wwc_analysis` changes nothing, and a setting the person made is kept.
"""

from __future__ import annotations

import ctypes
import os
import sys

_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3  # mallopt's parameter numbers (glibc's malloc.h)
_KEPT_BLOCK = 32 << 20  # the largest block glibc will serve from its heap on a 64-bit system
_KEPT_FREE = 1 << 30  # free memory at the top of the heap kept until the command ends, up to this
_MALLOC_SETTINGS = ("MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_", "MALLOC_TOP_PAD_", "GLIBC_TUNABLES")


def ordinary_pages() -> None:
    """Have numpy back large arrays with ordinary memory pages, unless NUMPY_MADVISE_HUGEPAGE says otherwise.

    numpy asks Linux for transparent huge pages on every array of 4 MB or more. Where the system
    grants huge pages only on request (the common `madvise` setting), faulting them in cost `wwc
    score` about 0.5 s of 2.3 s on 100,000 assessments, and ordinary pages do not.
    """
    if "NUMPY_MADVISE_HUGEPAGE" in os.environ:  # the person running it has chosen
        return
    from numpy._core import multiarray

    toggle = getattr(multiarray, "_set_madvise_hugepage", None)
    if toggle is not None:
        toggle(False)


def keep_freed_memory() -> bool:
    """Have glibc keep freed blocks of up to 32 MB in its heap for the next arrays; whether it was done.

    By default glibc maps each block of 128 KB or more on its own and unmaps it when freed (the limit
    grows a little as blocks are freed), so a column-sized temporary made after another one pays a
    page fault per 4 KB again. Kept blocks are reused as they are. Only on Linux with glibc, and not
    where the person set glibc's own malloc settings in the environment.
    """
    if not sys.platform.startswith("linux") or any(name in os.environ for name in _MALLOC_SETTINGS):
        return False
    try:
        libc = ctypes.CDLL(None)
        mallopt, _ = libc.mallopt, libc.gnu_get_libc_version  # the second only to make sure it is glibc
    except (OSError, AttributeError):
        return False
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    return bool(mallopt(_M_MMAP_THRESHOLD, _KEPT_BLOCK)) and bool(mallopt(_M_TRIM_THRESHOLD, _KEPT_FREE))
