"""The interface's languages: catalogs complete and current, dates and plurals in each language's forms."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from garrison import catalogs
from garrison.i18n import LANGUAGES, accept_language, browser_table, direction, messages, negotiate, supported
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


def test_the_charts_time_locale_is_the_languages():
    loc = messages("ru").time_locale()
    assert loc["months"][10] == "ноябрь" and loc["shortMonths"][0] == "янв."  # stand-alone: a tick is a month alone
    assert loc["days"][0] == "воскресенье"  # d3 counts from Sunday
    assert messages("ar").time_locale()["months"][11] == "ديسمبر"
    # must not: the genitive month ("ноября") on an axis
    assert "ноября" not in loc["months"]


def test_a_plural_message_fills_its_other_placeholders():
    m = messages("ru")
    text = m.ngettext("{n} installation matches, but none is on the map at {date} with these filters: {names}. "
                      "Press Enter in the search box to open it.",
                      "{n} installations match, but none is on the map at {date} with these filters: {names}. "
                      "Press Enter in the search box to open the best match.", 3, date="8 декабря 2024 г.", names="Тартус")
    assert text.startswith("Найдено 3 объекта, но на 8 декабря 2024 г.") and "Тартус" in text
    assert "{" not in text


@pytest.mark.parametrize("lang", [lang for lang in LANGUAGES if lang != "en"])
@pytest.mark.parametrize("section, context", catalogs.VOCAB_CONTEXTS.items())
def test_every_vocabulary_term_is_translated_and_terms_stay_apart(lang, section, context):
    m = messages(lang)
    words = [m.term(context, e["id"]) for e in VOCAB[section]]
    english = [e["id"].replace("_", " ") for e in VOCAB[section]]
    assert all(w and w != en for w, en in zip(words, english, strict=True)), words
    assert len(set(words)) == len(words), f"two {section} share a {lang} word: {words}"


def test_glossary_agrees_with_the_catalogs():
    text = GLOSSARY.read_text(encoding="utf-8")
    text, _, map_words = text.partition("\n| message |")
    rows = [line.split("|")[1:-1] for line in text.splitlines()
            if line.startswith("| ") and not line.startswith(("| id", "| field", "|---"))]
    # the map's own words (legend, tooltips, pictures): message, context, ru, uk, be, ar
    for line in map_words.splitlines()[2:]:
        if not line.startswith("| "):
            break
        message, context, *words = [c.strip() for c in line.split("|")[1:-1]][:6]
        for lang, word in zip(["ru", "uk", "be", "ar"], words, strict=True):
            m = messages(lang)
            got = m.ngettext(message, message, 1) if "{n}" in message else m.pgettext(context, message) if context else m.gettext(message)
            assert got == (word.replace("{n}", "1") if "{n}" in message else word), (message, lang, got)
    checked = 0
    for cells in rows:
        cells = [c.strip() for c in cells]
        term = cells[0]
        if term in ("operator", "territory"):  # the roles table: the words of the KML balloons
            for lang, word in zip(["ru", "uk", "be", "ar"], cells[1:], strict=False):
                assert messages(lang).gettext(f"{term}: {{name}}").startswith(word + ":"), (term, lang)
            continue
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


@pytest.mark.parametrize("lang, forms", [
    ("en", {1: "1 error", 3: "3 errors", 5: "5 errors", 21: "21 errors"}),
    ("ru", {1: "1 ошибка", 3: "3 ошибки", 5: "5 ошибок", 11: "11 ошибок", 21: "21 ошибка", 22: "22 ошибки"}),
    ("uk", {1: "1 помилка", 3: "3 помилки", 5: "5 помилок", 21: "21 помилка"}),
    ("be", {1: "1 памылка", 3: "3 памылкі", 5: "5 памылак", 21: "21 памылка"}),
    # Arabic has six forms; the counted noun is accusative singular for 11-99, genitive singular from 100
    ("ar", {0: "لا توجد أخطاء", 1: "خطأ واحد", 2: "خطآن", 3: "3 أخطاء", 11: "11 خطأً", 100: "100 خطأ"}),
])
def test_plural_forms_follow_the_language(lang, forms):
    m = messages(lang)
    assert {n: m.ngettext("{n} error", "{n} errors", n) for n in forms} == forms


def test_the_browser_gets_the_same_words_with_plural_categories():
    table = browser_table("ru")
    assert table["lang"] == "ru" and table["dir"] == "ltr"
    assert table["messages"]["Date"] == messages("ru").gettext("Date") == "Дата"
    assert table["messages"]["status\u0004blockaded"] == messages("ru").term("status", "blockaded")
    assert browser_table("ar")["dir"] == "rtl"
    assert browser_table("en")["messages"] == {}
    # only what the map shows: the page's own messages stay on the server
    assert "{n} error" not in table["messages"]


def test_map_data_carries_the_readers_words():
    from paths import BUNDLED

    from garrison import Loader
    from garrison.render.mapstate import map_data
    from garrison.ui.permalink import View

    ds = Loader(BUNDLED).load()
    view = View(date=ds.span()[1])
    assert map_data(ds, view, "/p.bin", lang="be")["words"] == browser_table("be")
    assert map_data(ds, view, "/p.bin")["words"]["lang"] == "en"


# The interface's files whose every string goes through the catalogs (tests/untranslated.py finds
# the ones that bypass them). Field names of the data files stay as the files write them.
TRANSLATED_PY = {
    "app_editor.py": frozenset({"lat", "lon", "id", "en"}),  # "en": a language code as placeholder
    "app.py": frozenset({"Garrison"}),  # the project's name, the same in every language
    **{f"src/garrison/{part}/{name}.py": frozenset() for part, names in {
        "ui": ("compare", "downloads", "feed", "generated_files", "generated_route", "map_component", "page_language", "panels", "permalink", "reader", "search",
               "session", "words"),
        # render/payload.py and render/elements/ are the map's (the browser side's) own
        "render": ("generated", "layers", "mapstate", "mapview"),
    }.items() for name in names},
}
# Every module of the map (static/vendor/ holds the third-party ones).
TRANSLATED_JS = tuple(sorted(p.name for p in (Path(__file__).parents[1] / "static" / "garrison" / "map").glob("*.js")))


@pytest.mark.parametrize("name", TRANSLATED_PY)
def test_no_interface_string_bypasses_the_catalogs_python(name):
    from paths import ROOT
    from untranslated import html_offenders, python_offenders

    path = ROOT / name
    assert python_offenders(path, TRANSLATED_PY[name]) + html_offenders(path) == []


@pytest.mark.parametrize("name", TRANSLATED_JS)
def test_no_interface_string_bypasses_the_catalogs_js(name):
    from paths import ROOT
    from untranslated import js_offenders

    assert js_offenders(ROOT / "static" / "garrison" / "map" / name, frozenset({"Garrison"})) == []  # the app's name


def test_the_bypass_finder_finds_js_bypasses(tmp_path):
    from untranslated import js_offenders

    js = tmp_path / "part.js"
    js.write_text('box.appendChild(text("div", null, "stale: " + why));\nrows.push({ title: "Status", rows });\n'
                  'png.title = "Save the map";\nctx.fillText("Sources", 0, 0);\nline.bindTooltip("A route");\n'
                  'box.appendChild(text("div", null, w.t("Status")));\nrows.push({ title: w.t("Kind") });\n'
                  'const o = { title: "Garrison" };\n', encoding="utf-8")
    assert js_offenders(js, frozenset({"Garrison"})) == [
        "part.js:1: 'stale: '", "part.js:2: 'Status'", "part.js:3: 'Save the map'", "part.js:4: 'Sources'", "part.js:5: 'A route'"]


def test_every_interface_module_is_guarded():
    """A new module of the page's Python (ui/, render/ but the map's own) joins TRANSLATED_PY."""
    from paths import ROOT

    wanted = {"app.py", "app_editor.py"} | {p.relative_to(ROOT).as_posix() for part in ("ui", "render")
                                            for p in (ROOT / "src" / "garrison" / part).glob("*.py")
                                            if p.name not in ("__init__.py", "payload.py")}
    assert wanted == set(TRANSLATED_PY)


def test_the_bypass_finder_finds_bypasses(tmp_path):
    from untranslated import html_offenders, js_offenders, python_offenders

    py = tmp_path / "page.py"
    py.write_text('st.button("Save")\nst.caption(f"{n} installations")\nst.button(_("Save"))\n'
                  'st.text_input("lat")\nx = "<p>Also known as</p>"\n', encoding="utf-8")
    assert python_offenders(py, frozenset({"lat"})) == ["page.py:1: 'Save'", "page.py:2: ' installations'"]
    assert html_offenders(py) == ["page.py:5: 'Also known as'"]
    js = tmp_path / "m.js"
    js.write_text('b.textContent = "Play";\nb.textContent = w.t("Play");\nel("span", {}, "Operators");\n'
                  's.setAttribute("aria-label", "Date");\n', encoding="utf-8")
    assert [o.split(":")[1] for o in js_offenders(js)] == ["1", "3", "4"]


def test_the_editors_reasons_are_in_the_readers_language(tmp_path):
    from garrison.edit.mode import PasswordGate, edit_mode
    from garrison.edit.origin import write_refusal
    from garrison.ui.generated_files import Place, cannot_write

    ru = messages("ru")
    texts = [
        edit_mode({}, {}, "127.0.0.1", ru.gettext).reason,
        edit_mode({"GARRISON_EDIT": "1"}, {}, "0.0.0.0", ru.gettext).reason,
        write_refusal({"host": "evil.example"}, 8501, (), ru.gettext),
        write_refusal({"host": "localhost:8501", "origin": "http://evil.example"}, 8501, (), ru.gettext),
        PasswordGate(free=0).check("client", "guess", "secret", ru.gettext)[1],
        cannot_write(Place(tmp_path, "/garrison/generated", True), PermissionError(13, "Permission denied"), ru.gettext),
    ]
    assert all(re.search("[а-яё]{4}", t) for t in texts), texts
    assert "'evil.example'" in texts[2] and "http://localhost:8501/" in texts[2]
    assert "'http://evil.example'" in texts[3] and "GARRISON_EDIT=1" in texts[0] and str(tmp_path) in texts[5]
    # must NOT happen: a placeholder left unfilled, or the English reason on a Russian page
    assert not [t for t in texts if re.search(r"\{\w+\}", t)], texts
    assert edit_mode({}, {}, "127.0.0.1").reason.startswith("Edit mode is off")  # tools and logs keep English
