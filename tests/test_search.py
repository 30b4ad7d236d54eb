"""Search that finds (garrison.search): any script, any common spelling, near places, best match first."""

from __future__ import annotations

import dataclasses
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as hst
from paths import BUNDLED, GOOD, ROOT

import garrison
from garrison.dataset import Dataset
from garrison.dates import to_day
from garrison.search import Place, SearchIndex, best_match, fold, latin_key, load_places, nearest_record_day, skeleton

PLACES = load_places(ROOT / "static" / "basemap" / "places.json")


@pytest.fixture(scope="module")
def bundled() -> Dataset:
    return garrison.Loader(BUNDLED).load()


@pytest.fixture(scope="module")
def index(bundled) -> SearchIndex:
    return SearchIndex(bundled, PLACES)


@pytest.mark.parametrize("query", ["Tartus", "tartus", "TARTUS", "Tartous", "Тартус", "Тартусе"[:6], "طرطوس", "Tartuss"])
def test_every_spelling_and_script_of_tartus_finds_the_russian_base_first(index, query):
    ids = index.ids(query)
    if query == "طرطوس":  # both records' Arabic names are "<base|port> of Tartus": a tie, either first
        assert set(ids[:2]) == {"tartus", "tartus-syrian-navy"}
    else:
        assert ids[0] == "tartus" and "tartus-syrian-navy" in ids[:2]
    # must not: a base elsewhere slipping in among the Tartus bases
    assert not {"khmeimim", "port-sudan"} & set(ids)


@pytest.mark.parametrize("query", ["Latakia", "latakia", "Латакия", "Латакія", "Lattakia"])
def test_latakia_finds_what_is_in_and_near_latakia(index, bundled, query):
    ids = index.ids(query)
    assert {"khmeimim", "minet-el-beida-naval-base"} <= set(ids)
    assert "tartus" not in ids  # 60 km south: a different place


@pytest.mark.parametrize("query", ["Khmeimim", "Hmeimim", "Hmeymim", "Хмеймим", "Хмеймім", "حميميم", "hmeimim air base"])
def test_khmeimim_in_every_script(index, query):
    assert best_match(index.search(query)) == "khmeimim"


def test_a_named_place_finds_the_installations_near_it_nearest_first(bundled, index):
    # Damascus is a basemap place; Mezzeh (7 km) and Jamraya (10 km) carry no "Damascus" in their names
    hits = index.search("Дамаск")
    ids = [h.id for h in hits]
    assert {"mezzeh", "jamraya-research-centre"} <= set(ids)
    named = [h for h in hits if h.why.startswith("name")]
    near = [h for h in hits if "km from" in h.why]
    assert named and near and ids.index(near[0].id) > ids.index(named[-1].id)  # names first
    kms = [float(h.why.split(" km")[0]) for h in near]
    assert kms == sorted(kms)
    # must not: anything farther than NEAR_KM from Damascus counted as near it
    assert "khmeimim" not in ids and "al-tanf" not in ids


def test_near_comes_from_the_places_given_not_from_a_list(bundled):
    latakia = Place("Latakia", 35.5317, 35.7901, ("اللاذقية", "Латакия"))
    ids = SearchIndex(bundled, [latakia]).ids("اللاذقية")
    assert {"khmeimim", "minet-el-beida-naval-base"} <= set(ids)
    # without the place, Arabic Latakia finds only what carries the name itself (the port)
    named = {r.id for r in bundled.records if any("اللاذقية" in n for n in (*r.names.values(), *r.aliases))}
    assert set(SearchIndex(bundled, []).ids("اللاذقية")) == named and "khmeimim" not in named


def test_a_search_that_finds_nothing(index):
    assert index.search("Atlantis") == [] and index.search("   ") == [] and best_match([]) is None


def test_names_and_keys_fold_spellings_together():
    assert latin_key("Тартус") == latin_key("Tartous") == latin_key("Tartus") == "tartus"
    assert latin_key("Хмеймим") == latin_key("Khmeimim") == latin_key("Hmeimim")
    assert latin_key("Латакия") == latin_key("Latakia")
    assert latin_key("Дамаск") != latin_key("Damascus")  # a near miss: left to the fuzzy pass
    assert skeleton(latin_key("طرطوس")) == skeleton(latin_key("Tartus"))
    assert fold("Base aérienne  de Hmeïmim") == "base aerienne de hmeimim"


def test_nearest_record_day(bundled):
    # Berbera: Soviet until an explicit end in Dec 1977, no record after
    berbera = bundled.records[bundled.index["berbera-soviet"]]
    first, last = berbera.history[0], berbera.history[-1]
    assert last.end is not None and last.end.text == "1977-12"
    assert nearest_record_day(bundled, "berbera-soviet", first.start.day) is None  # on record: stays
    assert nearest_record_day(bundled, "berbera-soviet", to_day("2026-01-01")) == last.end.day - 1  # its last day
    assert nearest_record_day(bundled, "berbera-soviet", first.start.day - 400) == first.start.day  # before: its first


# --- properties over the bundled data ----------------------------------------------------------
_records = hst.integers(min_value=0)


@settings(max_examples=60, deadline=None)
@given(k=_records, data=hst.data())
def test_every_name_of_every_installation_finds_it_near_the_top(bundled, index, k, data):
    rec = bundled.records[k % len(bundled.records)]
    name = data.draw(hst.sampled_from([rec.name, *rec.names.values(), *rec.aliases]))
    query = data.draw(hst.sampled_from([name, name.upper(), name.lower(), f"  {name} "]))
    hits = index.search(query)
    top = [h for h in hits if h.score == hits[0].score]
    # an exact name ranks first (other installations may share the very same alias)
    assert rec.id in [h.id for h in top]


@settings(max_examples=60, deadline=None)
@given(hst.text(max_size=25))
def test_any_text_is_a_query_that_never_raises_and_ranks_best_first(index, text):
    hits = index.search(text)
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    assert len({h.id for h in hits}) == len(hits)
    assert fold(fold(text)) == fold(text)


def test_folding_twice_changes_nothing_for_any_character():
    assert fold("𝚨") == fold("Α") == "α"  # a compatibility form folds as what it stands for
    # a character that neither case folding nor decomposition changes folds to itself (or a space)
    touched = (c for cp in range(0x110000) if not 0xD800 <= cp <= 0xDFFF
               and ((c := chr(cp)).casefold() != c or unicodedata.normalize("NFKD", c) != c))
    changed = [hex(ord(c)) for c in touched if fold(once := fold(c)) != once]
    assert changed == []


def test_the_good_fixture_keeps_its_simple_answers():
    ds = garrison.Loader(GOOD).load()
    ix = SearchIndex(ds, PLACES)
    assert ix.ids("Порт") == ["port-a"] and ix.ids("site-c") == ["site-c"]
    recs = list(ds.records)
    recs[ds.index["base-b"]] = dataclasses.replace(recs[ds.index["base-b"]], aliases=("Tartous",))
    mem = Dataset(recs, dict(ds.actors), dict(ds.sources), [], "mem", "v-test")
    # the alias first; then the installation near the basemap's Tartus (a GeoNames town since
    # places.json has more than Natural Earth's 243 places), 2 km from it
    hits = SearchIndex(mem, PLACES).search("Тартус")
    assert [h.id for h in hits] == ["base-b", "port-a"] and "Tartus" in hits[1].why


def test_only_places_near_an_installation_are_searched():
    from garrison.search import places_near

    ds = garrison.Loader(BUNDLED).load()
    points = [(r.lat, r.lon) for r in ds.records]
    near = places_near(PLACES, points, 30.0)
    names = {p.name for p in near}
    assert {"Latakia", "Tartus"} <= names  # Khmeimim and the naval facility
    assert "Tokyo" not in names and len(near) < len(PLACES) / 4
    # across the antimeridian and near a pole the buckets still see the point
    assert places_near([Place("East", 0.0, 179.9)], [(0.0, -179.9)], 30.0)
    assert places_near([Place("North", 80.0, 10.0)], [(80.0, 11.2)], 30.0)
    assert not places_near([Place("Far", 80.0, 10.0)], [(80.0, 13.0)], 30.0)
