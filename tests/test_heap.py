"""heap.settle: the loaded dataset is kept out of full collections, a replaced one is still freed."""

from __future__ import annotations

import gc
import weakref

from paths import BUNDLED

import garrison
from garrison import heap


class Node:
    pass


def test_settle_exempts_what_is_alive_and_frees_it_after_the_next_settle():
    try:
        cycle = Node()
        cycle.me = cycle  # only the cycle collector can free it
        ref = weakref.ref(cycle)
        heap.settle()
        assert gc.get_freeze_count() > 0
        del cycle
        gc.collect()
        assert ref() is not None  # frozen: a full collection does not even look at it
        heap.settle()  # as after a reload: the old objects are put back and collected
        assert ref() is None
    finally:
        gc.unfreeze()


def test_a_full_collection_after_settle_does_not_walk_the_dataset():
    try:
        gc.unfreeze()
        ds = garrison.Loader(BUNDLED).load()
        walked = len(gc.get_objects())  # what a full collection walks: the dataset among it
        heap.settle()
        assert gc.get_freeze_count() > 10_000
        assert len(gc.get_objects()) < walked / 10, (len(gc.get_objects()), walked)
        assert ds.records  # still usable
    finally:
        gc.unfreeze()
