"""Names for the codes the data uses: countries (ISO 3166-1 alpha-2) and languages (ISO 639 / BCP 47 tags).

The names come from the Unicode CLDR through Babel, in the language asked for (English by
default), so no list of names is kept here. A code CLDR does not know is shown as written.
"""

from __future__ import annotations

import functools

from babel import Locale, UnknownLocaleError


@functools.cache
def _locale(lang: str) -> Locale | None:
    try:
        return Locale.parse(lang)
    except (UnknownLocaleError, ValueError):
        return None


def country_name(code: str, lang: str = "en") -> str:
    """'SY' -> 'Syria' (CLDR's short everyday name); an unknown code is returned as written."""
    loc = _locale(lang)
    return (loc.territories.get(code.upper()) if loc and code else None) or code


def language_name(tag: str, lang: str = "en") -> str:
    """'ru' -> 'Russian', 'ar-SY' -> 'Arabic (Syria)', as CLDR writes them; an unknown tag is returned as written."""
    loc = _locale(lang)
    if loc is None or not tag:
        return tag
    try:
        named = Locale.parse(tag.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        return loc.languages.get(tag, tag)
    return named.get_display_name(loc) or tag
