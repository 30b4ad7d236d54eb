"""Name search across every language, accent- and case-insensitive."""

from __future__ import annotations

import unicodedata

from ..dataset import Dataset


def fold(text: str) -> str:
    """Lowercase, without accents or Arabic diacritics, for matching."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def search_ids(ds: Dataset, query: str) -> list[str]:
    """Ids of installations whose id, name, any other-language name or alias contains the query."""
    q = fold(query.strip())
    if not q:
        return [r.id for r in ds.records]
    return [r.id for r in ds.records
            if any(q in fold(n) for n in (r.id, r.name, *r.names.values(), *r.aliases))]
