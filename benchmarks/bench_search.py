"""Benchmark of the search (garrison.search) and the event feed (garrison.feed) on synthetic data.

Run on demand (not a pytest test):

    python benchmarks/bench_search.py [--sizes 112,1000,10000]

For each size: building the search index (once per dataset), a query in each path (an exact
name, a Cyrillic word, a misspelling that only the fuzzy pass finds, one matching nothing), the same query asked again
(the page asks on every rerun: the last answers are kept), and
the feed around a date (its events are computed once per dataset, then each date is a lookup).
Prints the median of a few runs in milliseconds.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [p for p in (str(HERE.parent / "src"), str(HERE)) if p not in sys.path]

import synthetic  # noqa: E402

from garrison.dates import to_day  # noqa: E402
from garrison.feed import feed_items  # noqa: E402
from garrison.search import SearchIndex, load_places  # noqa: E402

PLACES = HERE.parent / "static" / "basemap" / "places.json"
QUERIES = {"exact name": "Synthetic radar 7", "Cyrillic": "Синтетическая", "misspelt": "Syntetic", "no hit": "Atlantis"}


def ms(fn, runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="112,1000,10000")
    args = ap.parse_args()
    places = load_places(PLACES)
    print(f"{'installations':>13} {'index':>8} " + " ".join(f"{k:>12}" for k in QUERIES) + f" {'again':>8} {'feed 1st':>9} {'feed':>7}")
    for n in (int(s) for s in args.sizes.split(",")):
        ds = synthetic.make_dataset(n)
        build = ms(lambda ds=ds: SearchIndex(ds, places), runs=1)
        index = SearchIndex(ds, places)
        index.search("warm")  # the fuzzy pass builds its runs of words once
        cols = [ms(lambda q=q, ix=index: ix._search(q)) for q in QUERIES.values()]  # unkept: a new query each time
        kept = ms(lambda ix=index: ix.search("Syntetic"))  # asked again (every rerun): kept
        first = ms(lambda ds=ds: feed_items(ds, to_day("2015-06-01")), runs=1)
        again = ms(lambda ds=ds: feed_items(ds, to_day("2016-06-01")))
        print(f"{n:>13} {build:>8.1f} " + " ".join(f"{c:>12.1f}" for c in cols)
              + f" {kept:>8.2f} {first:>9.1f} {again:>7.1f}")


if __name__ == "__main__":
    main()
