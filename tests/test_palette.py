"""Operator colours that can be told apart (issue 11): any two actors that are operators on the
map on the same day are at least ΔE2000 20 apart, and still ΔE2000 10 apart under simulated
deuteranopia (Viénot 1999, Brettel 1997 and Machado 2009 at full severity, the weakest counts).
The status colours fixed in vocab.yaml (abandoned, destroyed) are on the map with every operator.

Why 10 under deuteranopia: a deuteranope sees a two-dimensional gamut (lightness and blue-yellow),
where 20 apart for the 19 actors that are on the map together in December 2024 does not fit; 10
is about five just-noticeable differences, colours told apart at a glance, not side by side only."""

from __future__ import annotations

import itertools

import pytest
from coloraide import Color
from paths import BUNDLED

from garrison import Loader, vocab

MIN_DE = 20
MIN_DE_DEUTAN = 10
CVD_METHODS = ("vienot", "brettel", "machado")


@pytest.fixture(scope="module")
def ds():
    return Loader(BUNDLED).load()


def together(ds) -> set[tuple[str, str]]:
    """Pairs of actors that operate installations on the same day (some change day: the map's
    state is constant between two)."""
    pt, pairs = ds.periods, set()
    for day in pt.change_days():
        snap = pt.state_at(int(day))
        ops = sorted({pt.actor(int(c)) for c in pt.operator[snap.period] if c >= 0})
        pairs.update(itertools.combinations(ops, 2))
    return pairs


def distances(a: str, b: str) -> tuple[float, float]:
    """(ΔE2000, the smallest ΔE2000 under simulated deuteranopia) of two '#rrggbb' colours."""
    ca, cb = Color(a), Color(b)
    deutan = min(ca.clone().filter("deutan", method=m).delta_e(cb.clone().filter("deutan", method=m), method="2000")
                 for m in CVD_METHODS)
    return ca.delta_e(cb, method="2000"), deutan


def too_close(ds) -> list[tuple[str, str, float, float]]:
    fixed = {f"status {s}": look["colour"] for s, look in vocab.STATUS_LOOKS.items() if look["colour"] != "operator"}
    colour = {a: ds.actors[a].colour for pair in together(ds) for a in pair}
    pairs = together(ds) | {(a, f) for a in colour for f in fixed}
    colour |= fixed
    out = []
    for a, b in sorted(pairs):
        de, deutan = distances(colour[a], colour[b])
        if de < MIN_DE or deutan < MIN_DE_DEUTAN:
            out.append((a, b, round(de, 1), round(deutan, 1)))
    return out


def test_operators_on_the_map_together_have_colours_told_apart(ds):
    pairs = together(ds)
    assert len(pairs) > 100  # the bundled data puts many actors on the map at once
    assert too_close(ds) == []


#: Operators that are never on the map together still meet in the charts' "All years" legend and
#: in a compare across years: never the same colour there either.
MIN_DE_EVER = 5


def test_no_two_operators_ever_share_a_colour(ds):
    ops = sorted({ds.periods.actor(int(c)) for c in ds.periods.operator if c >= 0})
    same = [(a, b, round(d, 1)) for a, b in itertools.combinations(ops, 2)
            if (d := distances(ds.actors[a].colour, ds.actors[b].colour)[0]) < MIN_DE_EVER]
    assert same == []


def test_the_check_sees_colours_that_nearly_coincide(ds):
    # must not: a check that passes the old palette's near twins (Russia's and Turkey's reds, and
    # the opposition's and transitional government's greens)
    de, deutan = distances("#c62828", "#e53935")
    assert de < MIN_DE and deutan < MIN_DE_DEUTAN
    assert distances("#2e7d32", "#43a047")[0] < MIN_DE
    assert distances("#000000", "#ffffff") == (pytest.approx(100, abs=0.5), pytest.approx(100, abs=0.5))
