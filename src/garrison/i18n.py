"""The interface's languages: gettext catalogs (Babel), the reader's language, and dates,
numbers and plurals in that language's own forms.

The catalogs live in ``garrison/locale/<lang>/LC_MESSAGES/garrison.po``; the template
``garrison/locale/garrison.pot`` is made from the sources by ``scripts/messages.py`` (Babel's
extractor plus the vocabulary's terms). The .po files are compiled in memory when first used, so
there is no second, compiled copy to keep in step. The CLI and validation messages stay English.
"""

from __future__ import annotations

import datetime as dt
import functools
import gettext
import io
from collections.abc import Iterable
from pathlib import Path

from babel import Locale
from babel.dates import format_date, get_date_format
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal

from .dates import PartialDate, from_day, parse_partial

#: The interface's languages, each named in itself (the language menu shows these).
LANGUAGES: dict[str, str] = {"en": "English", "ru": "Русский", "uk": "Українська", "be": "Беларуская", "ar": "العربية"}
DEFAULT = "en"
DOMAIN = "garrison"
LOCALE_DIR = Path(__file__).with_name("locale")
TEMPLATE = LOCALE_DIR / f"{DOMAIN}.pot"

#: Babel date patterns per precision. A year is the bare number in every language ("2017", not
#: "2017 г."); a month is the stand-alone month name ("ноябрь 2015", not the genitive "ноября").
_PATTERNS = {"year": "y", "month": "LLLL y"}


def catalog_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def supported(lang: str | None) -> str | None:
    """The interface language for a tag such as 'ru', 'ru-RU' or 'be_BY', or None."""
    if not lang:
        return None
    base = str(lang).replace("_", "-").split("-")[0].strip().lower()
    return base if base in LANGUAGES else None


def negotiate(preferred: Iterable[str]) -> str:
    """The first of the reader's preferred languages (browser order) that the interface has."""
    for tag in preferred:
        if (lang := supported(tag)) is not None:
            return lang
    return DEFAULT


def accept_language(header: str | None) -> list[str]:
    """The tags of an HTTP Accept-Language header, best first (q-values respected)."""
    tags = []
    for i, part in enumerate((header or "").split(",")):
        tag, _, params = part.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        if tag and q > 0:
            tags.append((-q, i, tag))
    return [tag for _, _, tag in sorted(tags)]


def direction(lang: str) -> str:
    """'rtl' or 'ltr', from the language's CLDR character order."""
    return "rtl" if Locale.parse(lang).character_order == "right-to-left" else "ltr"


class Messages:
    """One language's messages: ``gettext``/``ngettext``/``pgettext`` plus dates and numbers."""

    def __init__(self, lang: str, translations: gettext.NullTranslations) -> None:
        self.lang = lang
        self.locale = Locale.parse(lang)
        self._t = translations

    @property
    def direction(self) -> str:
        return direction(self.lang)

    def gettext(self, message: str) -> str:
        return self._t.gettext(message)

    def ngettext(self, singular: str, plural: str, n: int, **values: object) -> str:
        """The plural form for n, formatted with ``{n}`` as the language writes the number (and
        any other ``{name}`` the message has from `values`)."""
        return self._t.ngettext(singular, plural, n).format(n=self.number(n), **values)

    def pgettext(self, context: str, message: str) -> str:
        return self._t.pgettext(context, message)

    def term(self, section: str, term_id: str) -> str:
        """A vocabulary term (kind, status, confidence) in this language, e.g. term('status', 'blockaded')."""
        return self.pgettext(section, term_id.replace("_", " "))

    def term_of(self, section: str):
        """A format function for one vocabulary section (e.g. a selectbox's format_func)."""
        return lambda term_id: self.term(section, term_id)

    def number(self, value: float) -> str:
        return format_decimal(value, locale=self.locale)

    def date(self, value: PartialDate | str | dt.date | int) -> str:
        """A date at its own precision: '2017', 'November 2015' / 'ноябрь 2015', '8 декабря 2024 г.'."""
        if isinstance(value, int):
            value = from_day(value)
        if isinstance(value, dt.date):
            return format_date(value, "long", locale=self.locale)
        partial = value if isinstance(value, PartialDate) else parse_partial(value)
        if partial.precision == "day":
            return format_date(partial.start, "long", locale=self.locale)
        return format_date(partial.start, _PATTERNS[partial.precision], locale=self.locale)

    def month_names(self) -> list[str]:
        """The twelve stand-alone month names (slider and chart axes)."""
        names = self.locale.months["stand-alone"]["wide"]
        return [names[m] for m in range(1, 13)]

    def time_locale(self) -> dict:
        """A d3 time-format locale (Vega-Lite's ``config.locale.time``): the charts' time axes
        name months and days in this language. Axis ticks show a month alone, so its names are
        the stand-alone forms ("ноябрь", not "ноября"); ISO-like numeric patterns for the rest."""
        months, days = self.locale.months["stand-alone"], self.locale.days["stand-alone"]
        periods = self.locale.periods.get("am", "AM"), self.locale.periods.get("pm", "PM")
        return {"dateTime": "%x, %X", "date": "%Y-%m-%d", "time": "%H:%M:%S", "periods": list(periods),
                # d3 counts days from Sunday; CLDR (Babel) from Monday = 0
                "days": [days["wide"][(d + 6) % 7] for d in range(7)],
                "shortDays": [days["abbreviated"][(d + 6) % 7] for d in range(7)],
                "months": [months["wide"][m] for m in range(1, 13)],
                "shortMonths": [months["abbreviated"][m] for m in range(1, 13)]}


def _catalog(lang: str):
    with catalog_path(lang).open("rb") as fh:
        return read_po(fh, locale=Locale.parse(lang), domain=DOMAIN)


@functools.cache
def _browser_messages() -> frozenset[tuple[str, str | None]]:
    """(msgid, context) of the messages the map's JavaScript shows (from the template's locations)."""
    with TEMPLATE.open("rb") as fh:
        template = read_po(fh, domain=DOMAIN)
    return frozenset(((m.id if isinstance(m.id, str) else m.id[0]), m.context) for m in template
                     if m.id and any(loc.endswith(".js") for loc, _ in m.locations)
                     or m.context in ("kind", "status", "confidence", "layer"))


def browser_dates(lang: str) -> dict:
    """How the map writes a date in `lang`, from CLDR (Babel): the patterns of each precision
    (the same as Messages.date) and the month names they use ("MMMM": the form inside a date,
    "LLLL": the stand-alone form). i18n.js formats with them; digits are CLDR's (Latin for every
    interface language)."""
    locale = Locale.parse(lang)
    months = {key: [locale.months[context]["wide"][m] for m in range(1, 13)]
              for key, context in (("MMMM", "format"), ("LLLL", "stand-alone"))}
    return {"day": get_date_format("long", locale=locale).pattern, **_PATTERNS, "months": months}


@functools.cache
def browser_table(lang: str = DEFAULT) -> dict:
    """This language's words for the map (static/garrison/map/i18n.js): {lang, dir, messages, dates}.

    A plural message maps each CLDR plural category (what the browser's Intl.PluralRules names) to
    its form, so the browser needs no gettext plural formula. English has no `dates`: the English
    map writes ISO dates (what its links and the date inputs say).
    """
    lang = supported(lang) or DEFAULT
    table: dict = {"lang": lang, "dir": direction(lang), "messages": {}}
    if lang == DEFAULT or not catalog_path(lang).exists():
        return table
    table["dates"] = browser_dates(lang)
    cat = _catalog(lang)
    index_of = gettext.c2py(cat.plural_expr)
    locale = Locale.parse(lang)
    samples = [*range(0, 201), 1000, 1_000_000, 0.5, 1.5]
    category_index: dict[str, int] = {}
    for n in samples:
        category_index.setdefault(locale.plural_form(n), index_of(int(n)) if float(n).is_integer() else index_of(2))
    wanted = _browser_messages()
    for m in cat:
        key_id = m.id if isinstance(m.id, str) else (m.id[0] if m.id else "")
        if not key_id or (key_id, m.context) not in wanted or m.fuzzy:
            continue
        key = f"{m.context}\u0004{key_id}" if m.context else key_id
        if isinstance(m.string, (list, tuple)):
            if all(m.string):
                table["messages"][key] = {cat_: m.string[i] for cat_, i in category_index.items() if i < len(m.string)}
        elif m.string:
            table["messages"][key] = m.string
    return table


@functools.cache
def messages(lang: str = DEFAULT) -> Messages:
    """The catalog for a language (English: the source strings themselves); compiled once."""
    lang = supported(lang) or DEFAULT
    if lang == DEFAULT or not catalog_path(lang).exists():
        return Messages(lang, gettext.NullTranslations())
    buf = io.BytesIO()
    write_mo(buf, _catalog(lang), use_fuzzy=False)
    buf.seek(0)
    return Messages(lang, gettext.GNUTranslations(buf))
