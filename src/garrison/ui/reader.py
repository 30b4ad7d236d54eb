"""The data in the reader's language: installations' and actors' names, and dates.

A name comes from the data's `names` in the reader's language (data/installations/*.yaml,
data/actors.yaml: sourced, never machine-made). Where the data has none in that language the
English name is shown, marked as English (`MARK`) so a reader knows it is not the local form and
can search for it as written; an English reader never sees a mark.

Dates: an English page keeps the forms it always had (ISO days in headings, "3 Dec 2026" in the
details); every other language writes them as its own (Messages.date: "8 декабря 2024 г.",
"ноябрь 2015", "2017"), at the precision the data gives.
"""

from __future__ import annotations

import datetime as dt
import html
from dataclasses import dataclass

from ..dataset import Dataset
from ..dates import PartialDate, parse_partial
from ..i18n import DEFAULT, Messages


@dataclass(frozen=True, slots=True)
class Name:
    text: str
    lang: str  # the language the text is in (the reader's, or "en" for a fallback)
    english: bool  # True: the data has no name in the reader's language; this is the English one


def _pick(names: dict[str, str], english: str, m: Messages) -> Name:
    if m.lang == DEFAULT:
        return Name(english, DEFAULT, False)
    local = names.get(m.lang)
    return Name(local, m.lang, False) if local else Name(english, DEFAULT, True)


def installation(ds: Dataset, inst_id: str, m: Messages) -> Name:
    """An installation's name in the reader's language (Dataset.name_of), or its English name marked."""
    rec = ds.records[ds.index[inst_id]]
    return _pick(rec.names, rec.name, m)


def actor(ds: Dataset, actor_id: str | None, m: Messages, short: bool = False) -> Name | None:
    """An actor's name in the reader's language (Dataset.actor_name), or None for no actor.

    Where the data has none in that language: the English name (its short form with `short`,
    as the charts and tables use it), marked. An unknown id is shown as written.
    """
    if actor_id is None:
        return None
    a = ds.actors.get(actor_id)
    if a is None:
        return Name(actor_id, DEFAULT, False)
    english = a.short if short else a.name
    if m.lang == DEFAULT:
        return Name(english, DEFAULT, False)
    local = ds.actor_name(actor_id, m.lang) if m.lang in a.names else None
    return Name(local, m.lang, False) if local else Name(english, DEFAULT, True)


def mark(m: Messages) -> str:
    """The mark after a name shown in English: "(English)", "(англ.)" ..."""
    return m.pgettext("name shown in English", "(English)")


def plain(name: Name | None, m: Messages, empty: str = "") -> str:
    """The name as text (tables, buttons, captions): the mark after an English fallback."""
    if name is None:
        return empty
    return f"{name.text} {mark(m)}" if name.english else name.text


def markup(name: Name | None, m: Messages, empty: str = "") -> str:
    """The name as escaped HTML; an English fallback in a span of lang "en" (screen readers read it
    as English), the mark after it in small type."""
    if name is None:
        return html.escape(empty)
    text = html.escape(name.text, quote=True)
    if not name.english:
        return text
    return (f'<span dir="ltr" lang="{DEFAULT}">{text}</span>'
            f' <small class="garrison-name-english">{html.escape(mark(m), quote=True)}</small>')


def day(value: dt.date, m: Messages) -> str:
    """A day in headings and captions: ISO on an English page, the language's own long form otherwise."""
    return value.isoformat() if m.lang == DEFAULT else m.date(value)


def written(text: str, m: Messages) -> str:
    """A date as the data wrote it ("2015-09", "2024-12-08", "1971"), in the language's own forms
    at that precision (English keeps the text as written)."""
    if m.lang == DEFAULT or not text:
        return text
    try:
        return m.date(parse_partial(text))
    except ValueError:
        return text


def short(date: PartialDate, m: Messages) -> str:
    """A date as precise as it was written: 3 Dec 2026, Dec 2026 or 2026 (other languages: Messages.date)."""
    if m.lang != DEFAULT:
        return m.date(date)
    d = date.start
    if date.precision == "day":
        return f"{d.day} {d.strftime('%b')} {d.year}"
    return f"{d.strftime('%b')} {d.year}" if date.precision == "month" else str(d.year)


def join(items, m: Messages) -> str:
    """Items in a run of text, separated as the language does (Arabic: "، ")."""
    # i18n: the separator between the items of a list in running text
    return m.pgettext("list separator", ", ").join(items)
