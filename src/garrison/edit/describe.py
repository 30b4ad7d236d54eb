"""Describing what an edit changed, in words for the commit message and the page."""

from __future__ import annotations

import difflib
import re
from typing import Any

from ..problems import field_name


def _fmt(v: Any) -> str:
    if v is None:
        return "(none)"
    if isinstance(v, list):
        return "[" + ", ".join(_fmt(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{k}: {_fmt(x)}" for k, x in v.items()) + "}"
    s = _one_line(str(v), 40)
    return s if re.fullmatch(r"[\w.:/-]+", s) else repr(s)


def _summary(item: Any) -> str:
    if isinstance(item, dict):
        if "id" in item:
            return str(item["id"])
        parts = [item.get(k) for k in ("from", "operator", "status") if item.get(k) is not None]
        return " ".join(_fmt(p) for p in parts)
    return _fmt(item)


def describe_changes(old: Any, new: Any, path: tuple = ()) -> list[str]:
    """Changes from ``old`` to ``new`` (plain values), one phrase each, lists aligned by content."""
    name = field_name(path)
    at = f"{name} " if name else ""
    if old == new and type(old) is type(new):
        return []
    if isinstance(old, dict) and isinstance(new, dict):
        out = []
        for k in list(new) + [k for k in old if k not in new]:
            if k not in old:
                out.append(f"{field_name(path + (k,))} added: {_fmt(new[k])}")
            elif k not in new:
                out.append(f"{field_name(path + (k,))} removed (was {_fmt(old[k])})")
            else:
                out += describe_changes(old[k], new[k], path + (k,))
        return out
    if isinstance(old, list) and isinstance(new, list) and (any(isinstance(x, dict) for x in old + new)):
        keys_a = [repr(x) for x in old]
        keys_b = [repr(x) for x in new]
        out = []
        for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, keys_a, keys_b, autojunk=False).get_opcodes():
            if tag == "equal":
                continue
            paired = min(i2 - i1, j2 - j1) if tag == "replace" else 0
            for k in range(paired):
                out += describe_changes(old[i1 + k], new[j1 + k], path + (j1 + k,))
            out += [f"{field_name(path + (i,))} removed ({_summary(old[i])})" for i in range(i1 + paired, i2)]
            out += [f"{field_name(path + (j,))} added ({_summary(new[j])})" for j in range(j1 + paired, j2)]
        return out
    if old is None:
        return [f"{at}created"]
    if len(path) > 1 and isinstance(path[-1], str):
        at = f"{field_name(path[:-1])} {path[-1]} "  # history[5] status reduced -> withdrawing
    return [f"{at}{_fmt(old)} -> {_fmt(new)}"]


def _one_line(s: str, limit: int) -> str:
    s = re.sub(r"\s+", " ", s)
    return s if len(s) <= limit else s[: limit - 3] + "..."
