"""Keeping the garbage collector off the large structures a process holds for its whole life.

CPython's cyclic collector walks every container object it tracks on each full (oldest
generation) collection. The matching index of a 100,000-reference pool is some 400,000 such
objects, so a full collection in a web worker took about 0.8 s, every few hundred requests, and
wrote to every object's header, which also undid the memory the forked workers shared with the
master. `gc.freeze()` moves every object alive now into a generation the collector never visits:
it is done once the index is built (in gunicorn's master before forking, and in a worker after
the index is rebuilt). Frozen objects are still freed as usual when nothing refers to them any
more; only a reference cycle among them would never be collected, so the collector runs once
first, leaving no unreachable cycle to freeze.
"""

from __future__ import annotations

import gc


def freeze_long_lived() -> None:
    """Collect once, then hide every object alive now from future collections."""
    gc.collect()
    gc.freeze()
