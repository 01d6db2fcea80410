"""The cyclic garbage collector paused while a process builds its first app.

Why: starting the app creates ~130,000 objects (modules, classes, functions, SQLAlchemy mappers) and almost none
of them is garbage; the collector still scans them over and over as they pile up: ≈ 290 collections, two of
them full, ≈ 0.2 s of CPU of a ≈ 1.4 s start on the test machine (bench/cold_start.py, issue #8). Paused while
the first `create_app` runs, then `gc.freeze()` moves what exists at that point out of the collector's sight for
good (the objects live as long as the process anyway; it also keeps a forked worker's memory pages shared) and
collection resumes as usual for everything the requests create.

The cost: the little garbage made during the start (≈ 1,000 objects, some kilobytes) is frozen with the rest and
never freed. Only the first app of a process is affected: tests that create one app per test collect normally.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

_first_app_built = False


@contextmanager
def paused_for_first_app() -> Iterator[None]:
    global _first_app_built
    if _first_app_built or not gc.isenabled():  # a later app, or someone else manages the collector
        yield
        return
    _first_app_built = True
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        gc.enable()
