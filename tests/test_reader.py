"""The data in the reader's language (garrison.ui.reader) and the panels and charts that use it:
names from the data's `names` (an English fallback marked), dates in the language's own forms at
their precision, every word of the details, history, claims, compare and feed in the catalogs.

Each test also checks what must NOT happen: an unmarked English name on a Russian page, a mark on
an English page, a month padded to a day, an English word left in a translated panel.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import shutil
from pathlib import Path

import pytest

import garrison
from garrison.compare import compare_changes, heading_counts, table_rows
from garrison.dataset import Dataset
from garrison.dates import parse_partial
from garrison.feed import feed_items
from garrison.feed import what_changed as english_what_changed
from garrison.i18n import messages
from garrison.ui import compare, panels, reader
from garrison.ui.feed import what_changed

ROOT = Path(__file__).resolve().parents[1]
GOOD = ROOT / "tests" / "fixtures" / "good"
RU, EN = messages("ru"), messages("en")


@pytest.fixture(scope="module")
def ds() -> Dataset:
    return garrison.Loader(GOOD).load()


def _with_actor_names(ds: Dataset, actor_id: str, names: dict[str, str]) -> Dataset:
    actors = dict(ds.actors, **{actor_id: dataclasses.replace(ds.actors[actor_id], names=names)})
    return dataclasses.replace(ds, actors=actors)


def test_an_installation_is_named_in_the_readers_language_else_in_english_marked(ds):
    assert reader.installation(ds, "port-a", RU) == reader.Name("Порт А", "ru", False)
    base = reader.installation(ds, "base-b", RU)
    assert base == reader.Name("Base B", "en", True)
    assert reader.plain(base, RU) == "Base B (англ.)"
    assert reader.markup(base, RU) == '<span dir="ltr" lang="en">Base B</span> <small class="garrison-name-english">(англ.)</small>'
    # must not: a mark on an English page, or on a name the data gives in the reader's language
    assert reader.plain(reader.installation(ds, "base-b", EN), EN) == "Base B"
    assert reader.plain(reader.installation(ds, "port-a", RU), RU) == "Порт А"
    assert reader.installation(ds, "port-a", messages("uk")).english  # Ukrainian: no name in the data


def test_an_actor_is_named_in_the_readers_language_else_its_english_name_marked(ds):
    named = _with_actor_names(ds, "red", {"ru": "Красные силы"})
    assert reader.plain(reader.actor(named, "red", RU), RU) == "Красные силы"
    assert reader.plain(reader.actor(named, "red", RU, short=True), RU) == "Красные силы"  # the data has only a full name
    assert reader.plain(reader.actor(ds, "red", RU, short=True), RU) == "Red (англ.)"
    assert reader.plain(reader.actor(ds, "red", RU), RU) == "Red Forces (англ.)"
    assert reader.actor(ds, None, RU) is None and reader.plain(None, RU, "—") == "—"
    assert reader.plain(reader.actor(ds, "red", EN, short=True), EN) == "Red"  # must not: a mark in English


@pytest.mark.parametrize("text, ru, ar", [
    ("2024-12-08", "8 декабря 2024\u202fг.", "8 ديسمبر 2024"),
    ("2015-11", "ноябрь 2015", "نوفمبر 2015"),
    ("2017", "2017", "2017"),
])
def test_dates_keep_their_precision_in_the_readers_forms(text, ru, ar):
    assert (reader.written(text, RU), reader.written(text, messages("ar"))) == (ru, ar)
    assert reader.written(text, EN) == text  # English keeps the text as written
    assert reader.short(parse_partial(text), RU) == ru
    # must not: a month or a year padded to a day
    assert "1 " not in reader.written("2015-11", RU) and "января" not in reader.written("2017", RU)


def test_the_details_panel_in_russian(ds):
    out = panels.details_html(ds, "port-a", RU)
    assert "<h3>Порт А</h3>" in out
    assert "военно-морская база · Сирия ·" in out and "(широта, долгота)" in out
    assert "Запись проверена:" in out or "Дата проверки записи не указана" in out
    # must not: English words left, or the heading marked although the data has the Russian name
    for english in ("naval base", "Syria", "(lat, lon)", "Record check", "garrison-name-english"):
        assert english not in out, english
    base = panels.details_html(ds, "base-b", RU)
    assert '<h3><span dir="ltr" lang="en">Base B</span> <small class="garrison-name-english">(англ.)</small></h3>' in base


def test_the_history_panel_in_russian_names_actors_and_marks_english_ones(ds):
    out = panels.history_html(ds, "port-a", RU)
    assert "в блокаде" in out and "территория вокруг: " in out
    assert '<span dir="ltr" lang="en">Red Forces</span> <small class="garrison-name-english">(англ.)</small>' in out
    named = panels.history_html(_with_actor_names(ds, "red", {"ru": "Красные силы"}), "port-a", RU)
    assert "Красные силы" in named and ">Red Forces<" not in named
    # must not: the English status, confidence or "ongoing"
    assert "<b>blockaded</b>" not in out and "territory:" not in out and "ongoing" not in out


def test_the_claims_table_in_russian(good_copy: Path):
    shutil.copy(ROOT / "tests" / "fixtures" / "claims" / "installations" / "disputed-d.yaml", good_copy / "installations")
    ds = garrison.Loader(good_copy).load()
    out = panels.history_html(ds, "disputed-d", RU)
    assert "Источники расходятся: кто что сообщает" in out and "<th>Эта запись</th>" in out
    assert "<th>удерживает</th>" in out and "<th>территория вокруг</th>" in out
    # must not: the English headings of the table
    assert "This record" not in out and "<th>operator</th>" not in out and "Sources disagree:" not in out


def test_the_compare_table_and_heading_in_russian(ds):
    d1, d2 = dt.date(2020, 1, 1), dt.date(2024, 12, 10)
    changes = compare_changes(ds, d1, d2)
    rows = compare.rows(ds, changes, RU)
    assert list(rows[0]) == ["Объект", "Что изменилось", "Кто удерживает", "Статус", "Территория вокруг", "Начиная с"]
    port = next(r for r in rows if r["Объект"] == "Порт А")
    assert port["Статус"] == "действует → в блокаде" and port["Начиная с"] == "8 декабря 2024\u202fг."
    assert port["Территория вокруг"] == "Blue (англ.) → Green (англ.)"
    assert {r["Объект"] for r in rows} >= {"Base B (англ.)", "Порт А"}
    head = compare.heading(changes, d1, d2, RU)
    assert head.startswith("С 1 января 2020\u202fг. по 10 декабря 2024\u202fг.: ")
    assert "у 2 объектов сменился статус" in head and "1 объект появился в данных" in head
    # English reads exactly as garrison.compare writes it (one source of the words' order and form)
    assert compare.rows(ds, changes, EN) == table_rows(changes)
    assert compare.heading(changes, d1, d2, EN) == f"From {d1} to {d2}: {heading_counts(changes)}"
    assert compare.heading([], d1, d2, RU).endswith(": ничего не изменилось")


def test_the_feed_line_in_russian_and_as_before_in_english(ds):
    items = feed_items(ds, garrison.dates.to_day(dt.date(2025, 7, 1)))
    assert items
    for item in items:
        assert what_changed(ds, item.change, EN) == english_what_changed(item.change)
        line = what_changed(ds, item.change, RU)
        # must not: an English heading word ("Operator:", "Appeared:") on a Russian page
        assert not any(w in line for w in ("Operator:", "Status:", "Territory:", "Appeared:", "Record ended:")), line
    lines = [what_changed(ds, i.change, RU) for i in items]
    assert any(line.startswith(("Удерживает: ", "Статус: ", "Территория вокруг: ", "Появление в данных: ")) for line in lines)


def test_the_charts_speak_the_readers_language(ds):
    spec = panels.history_chart(ds, "port-a", dt.date(2024, 12, 10), RU).to_dict()
    assert spec["config"]["locale"]["time"]["months"][10] == "ноябрь"  # stand-alone: an axis tick is a month alone
    bar = next(layer for layer in spec["layer"] if (layer["mark"]["type"] if isinstance(layer["mark"], dict) else layer["mark"]) == "bar")
    titles = [t.get("title") for t in bar["encoding"]["tooltip"]]
    assert titles == ["начало", "конец", "статус", "удерживает", "территория вокруг", "достоверность", "начало указано как"]
    rows = spec["datasets"][bar["data"]["name"]] if "data" in bar else spec["datasets"][spec["data"]["name"]]
    assert {r["status"] for r in rows} <= {RU.term("status", s) for s in ("active", "blockaded", "contested", "reduced")}
    counts = ds.periods.counts_by_operator([int(d) for d in ds.periods.change_days()])
    op = panels.operator_chart(counts, ds, dt.date(2025, 7, 1), RU).to_dict()
    area = next(layer for layer in op["layer"] if (layer["mark"]["type"] if isinstance(layer["mark"], dict) else layer["mark"]) == "area")
    assert area["encoding"]["y"]["title"] == "объекты"
    assert set(area["encoding"]["color"]["scale"]["domain"]) == {"Red (англ.)", "Red PMC (англ.)", "Green (англ.)"}
    # must not: a locale or a mark on the English chart
    en = panels.operator_chart(counts, ds, dt.date(2025, 7, 1)).to_dict()
    assert "locale" not in en.get("config", {}) and "(English)" not in str(en)
