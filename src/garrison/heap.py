"""Keeping the loaded dataset out of Python's full garbage collections.

A loaded dataset is a great many long-lived objects (every file's round-trip YAML tree, the
tables): a process with the bundled 32 installations tracks ~75k, and each installation adds
more. CPython's full collection walks all of them: 160-175 ms at 1k installations,
and it stopped the whole server -- websocket and static files too -- in the middle of a fresh
page's first paint. :func:`settle` moves everything alive into the permanent generation
(``gc.freeze``), which full collections skip; calling it again after a reload first puts the
previous objects back (``gc.unfreeze``), so a replaced dataset's reference cycles are still freed.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


def settle() -> None:
    """Collect what is garbage now, then exempt everything alive from later collections."""
    gc.unfreeze()
    gc.collect()
    gc.freeze()


@contextlib.contextmanager
def paused() -> Iterator[None]:
    """No automatic collections inside: a cold load makes millions of objects that all stay alive, and
    the collections their allocation triggers found no garbage but walked them all, again and again."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
