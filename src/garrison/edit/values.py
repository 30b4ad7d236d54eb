"""Form values made safe to write: size and character limits, and scalars that read back as written.

Everything a browser sends is untrusted text. It is checked here before it enters a document:
at most 2,000 characters per string, no NUL or other control characters (newline and tab are
allowed in notes only), no lone surrogates or Unicode line separators. Strings are handed to
ruamel.yaml as strings, so a value such as ``!!python/object:os.system`` is written quoted and
reads back as that literal text. The loader reads with ruamel's YAML 1.2 rules too, so ruamel
quotes exactly the strings it would read as something else (``2017``, ``true``, ``null``) and
leaves ``yes``, ``on`` and ``1:20`` plain: they are text in YAML 1.2.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping
from typing import Any

from ruamel.yaml.comments import CommentedSeq
from ruamel.yaml.scalarstring import SingleQuotedScalarString

from .errors import EditError

MAX_STRING = 2_000
MAX_FILE_BYTES = 1_000_000
#: fields whose text may span lines (newline and tab allowed)
MULTILINE_FIELDS = frozenset({"note"})

_BAD_ALWAYS = "\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufffe\uffff"
_BAD_MULTI = re.compile(f"[{_BAD_ALWAYS}]")
_BAD_SINGLE = re.compile(f"[\t\n{_BAD_ALWAYS}]")


def _char_name(ch: str) -> str:
    names = {"\x00": "NUL", "\t": "tab", "\n": "newline", "\r": "carriage return", "\x1b": "escape", "\x7f": "DEL"}
    return f"U+{ord(ch):04X}" + (f" ({names[ch]})" if ch in names else "")


def clean_text(value: Any, field: str, multiline: bool | None = None) -> str:
    """``value`` if it is acceptable text for ``field``; EditError naming the field otherwise."""
    if not isinstance(value, str):
        raise EditError(f"{field}: expected text, got {type(value).__name__}")
    if len(value) > MAX_STRING:  # checked first: a 10 MB paste is refused without scanning it
        raise EditError(f"{field}: text is {len(value):,} characters long; the limit is {MAX_STRING:,}")
    if multiline is None:
        multiline = field.rsplit(".", 1)[-1] in MULTILINE_FIELDS
    if multiline:
        value = value.replace("\r\n", "\n")  # browsers send textarea line ends as CRLF
    bad = (_BAD_MULTI if multiline else _BAD_SINGLE).search(value)
    if bad:
        allowed = "" if multiline else " (line breaks and tabs are allowed in notes only)"
        raise EditError(f"{field}: contains the control character {_char_name(bad.group())} at position "
                        f"{bad.start() + 1}; remove it{allowed}")
    return value


def text(value: Any, field: str, multiline: bool | None = None) -> str:
    """Checked text for ``field`` (ruamel quotes it when written if YAML would read it as anything else)."""
    return clean_text(value, field, multiline)


def date_text(value: Any, field: str) -> str:
    """A date string, always single-quoted (a bare year would be read as a number)."""
    if isinstance(value, dt.datetime):
        value = value.date().isoformat()
    elif isinstance(value, dt.date):
        value = value.isoformat()
    return SingleQuotedScalarString(clean_text(value, field, multiline=False).strip())


def number(value: Any, field: str) -> int | float:
    """A finite number from a number or numeric text."""
    if isinstance(value, bool):
        raise EditError(f"{field}: expected a number, got {value!r}")
    if isinstance(value, str):
        raw = clean_text(value, field, multiline=False).strip()
        try:
            value = float(raw)
        except ValueError:
            raise EditError(f"{field}: {raw[:40]!r} is not a number") from None
    if not isinstance(value, (int, float)):
        raise EditError(f"{field}: expected a number, got {type(value).__name__}")
    if isinstance(value, float) and not math.isfinite(value):
        raise EditError(f"{field}: {value} is not a finite number")
    return value


def is_blank(value: Any) -> bool:
    """An empty table cell: None, '', whitespace, NaN or an empty list."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, float):
        return math.isnan(value)
    if isinstance(value, (list, tuple)):
        return not value
    return False


def id_list(value: Any, field: str) -> list[str]:
    """Source ids from a list or from text such as ``a, b`` (a table cell)."""
    if is_blank(value):
        return []
    if hasattr(value, "tolist") and not isinstance(value, str):  # a numpy array from a data frame cell
        value = value.tolist()
    if isinstance(value, str):
        clean_text(value, field, multiline=False)
        items = [s for s in re.split(r"[,\s]+", value) if s]
    elif isinstance(value, (list, tuple)):
        items = list(value)
    else:
        raise EditError(f"{field}: expected a list of ids, got {type(value).__name__}")
    return [text(item, f"{field}[{i}]", multiline=False) for i, item in enumerate(items)]


def flow_list(items: list) -> CommentedSeq:
    """A list written inline, ``[a, b]``, as the data files write source lists."""
    seq = CommentedSeq(items)
    seq.fa.set_flow_style()
    return seq


def to_plain(node: Any) -> Any:
    """A ruamel round-trip value as plain Python (str, int, float, bool, None, dict, list)."""
    if isinstance(node, Mapping):
        return {str(k): to_plain(v) for k, v in node.items()}
    if isinstance(node, (list, tuple)):
        return [to_plain(v) for v in node]
    if isinstance(node, bool):
        return bool(node)
    if isinstance(node, str):
        return str(node)
    if isinstance(node, int):
        return int(node)
    if isinstance(node, float):
        return float(node)
    if isinstance(node, (dt.date, dt.datetime)):
        return node.isoformat()
    return node


def document_problems(doc: Any) -> list[tuple[str, str]]:
    """(field, message) for every string in a document that breaks the editor's limits."""
    out: list[tuple[str, str]] = []

    def walk(node: Any, path: str) -> None:
        if isinstance(node, Mapping):
            for k, v in node.items():
                key_path = f"{path}.{k}" if path else str(k)
                if isinstance(k, str):
                    check(k, f"{key_path} (key)", False)
                walk(v, key_path)
        elif isinstance(node, (list, tuple)):
            for i, v in enumerate(node):
                walk(v, f"{path}[{i}]")
        elif isinstance(node, str):
            check(node, path, None)

    def check(value: str, path: str, multiline: bool | None) -> None:
        try:
            clean = clean_text(value, path, multiline)
        except EditError as exc:
            out.append((path, str(exc)))
            return
        if clean != value:  # a CR left in a note
            out.append((path, f"{path}: contains a carriage return; use plain line breaks"))

    walk(doc, "")
    return out

