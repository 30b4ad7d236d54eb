"""The interface's languages: catalogs complete and current, dates and plurals in each language's forms."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from garrison import catalogs
from garrison.i18n import LANGUAGES, accept_language, direction, messages, negotiate, supported
from garrison.vocab import VOCAB

GLOSSARY = Path(catalogs.__file__).with_name("locale") / "GLOSSARY.md"


def test_catalogs_are_complete_and_current():
    assert catalogs.problems() == []


# CLDR puts a narrow no-break space before the year mark ("2024\u202fг."), as typesetting does.
@pytest.mark.parametrize("lang, day, month, year", [
    ("en", "December 8, 2024", "November 2015", "2017"),
    ("ru", "8 декабря 2024\u202fг.", "ноябрь 2015", "2017"),
    ("uk", "8 грудня 2024\u202fр.", "листопад 2015", "2017"),
    ("be", "8 снежня 2024\u202fг.", "лістапад 2015", "2017"),
    ("ar", "8 ديسمبر 2024", "نوفمبر 2015", "2017"),
])
def test_partial_dates_keep_their_precision_in_each_language(lang, day, month, year):
    m = messages(lang)
    assert (m.date("2024-12-08"), m.date("2015-11"), m.date("2017")) == (day, month, year)
    assert m.date(dt.date(2024, 12, 8)) == day


def test_month_names_are_stand_alone_forms():
    assert messages("ru").month_names()[11] == "декабрь"  # not the genitive "декабря"
    assert messages("be").month_names()[0] == "студзень"
    assert len(set(messages("ar").month_names())) == 12


@pytest.mark.parametrize("lang", [lang for lang in LANGUAGES if lang != "en"])
@pytest.mark.parametrize("section, context", catalogs.VOCAB_CONTEXTS.items())
def test_every_vocabulary_term_is_translated_and_terms_stay_apart(lang, section, context):
    m = messages(lang)
    words = [m.term(context, e["id"]) for e in VOCAB[section]]
    english = [e["id"].replace("_", " ") for e in VOCAB[section]]
    assert all(w and w != en for w, en in zip(words, english, strict=True)), words
    assert len(set(words)) == len(words), f"two {section} share a {lang} word: {words}"


def test_glossary_agrees_with_the_catalogs():
    rows = [line.split("|")[1:-1] for line in GLOSSARY.read_text(encoding="utf-8").splitlines()
            if line.startswith("| ") and not line.startswith(("| id", "|---"))]
    checked = 0
    for cells in rows:
        cells = [c.strip() for c in cells]
        term = cells[0]
        context = next(ctx for sec, ctx in catalogs.VOCAB_CONTEXTS.items()
                       if term.replace(" ", "_") in {e["id"] for e in VOCAB[sec]})
        langs = ["en", "ru", "uk", "be", "ar"] if context == "status" else ["ru", "uk", "be", "ar"]
        for lang, word in zip(langs, cells[1:], strict=False):
            if lang != "en":
                assert messages(lang).term(context, term.replace(" ", "_")) == word, (term, lang)
                checked += 1
    assert checked == 4 * sum(len(VOCAB[s]) for s in catalogs.VOCAB_CONTEXTS)


def test_the_language_comes_from_the_readers_preferences():
    assert accept_language("en-GB;q=0.5, ru-RU, be;q=0.9") == ["ru-RU", "be", "en-GB"]
    assert negotiate(accept_language("de-DE, uk;q=0.8, en;q=0.5")) == "uk"
    assert negotiate(accept_language("de-DE, fr")) == "en"
    assert negotiate([]) == "en"
    assert supported("be_BY") == "be" and supported("xx") is None and supported(None) is None
    assert accept_language("ru;q=0, ar;q=abc") == []


def test_direction_follows_the_language():
    assert [direction(lang) for lang in LANGUAGES] == ["ltr", "ltr", "ltr", "ltr", "rtl"]


def test_unknown_language_falls_back_to_english():
    assert messages("xx").lang == "en"
    assert messages("xx").term("status", "blockaded") == "blockaded"


def test_catalog_headers_carry_the_plural_rules():
    for lang in ("ru", "uk", "be", "ar"):
        text = catalogs.catalog_path(lang).read_text(encoding="utf-8")
        assert re.search(r'"Plural-Forms: nplurals=\d', text), lang
        assert "#, fuzzy" not in text, lang
