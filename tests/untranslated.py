"""Finds interface strings that bypass the message catalogs (used by tests/test_i18n.py).

Python: the label-like arguments of Streamlit calls (the first positional one, `label=`, `help=`,
`placeholder=`) that are a string literal or an f-string with literal words, not wrapped in
`_()`, `ngettext()` or `pgettext()`. JavaScript (the map's modules): literal words given to
`textContent`, `text(tag, cls, "…")` (alone or joined with `+`), `el(tag, attrs, "…")`, an
`aria-label` / `title` / `label` (attribute, property or object key), canvas `fillText` and a
Leaflet tooltip's content.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

WORDS = re.compile(r"[^\W\d_]{2,}")
STREAMLIT_TEXT = {"title", "header", "subheader", "caption", "markdown", "text", "info", "warning", "error", "success",
                  "text_input", "text_area", "number_input", "selectbox", "multiselect", "radio", "toggle", "checkbox",
                  "button", "form_submit_button", "download_button", "date_input", "slider", "select_slider",
                  "expander", "popover", "tabs", "metric", "toast"}
LABEL_KEYWORDS = {"label", "help", "placeholder"}
WRAPPERS = {"_", "ngettext", "pgettext", "gettext"}


def _literal_words(node: ast.AST) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value if WORDS.search(node.value) else None
    if isinstance(node, ast.JoinedStr):
        text = "".join(v.value for v in node.values if isinstance(v, ast.Constant))
        return text if WORDS.search(text) else None
    if isinstance(node, ast.BinOp):
        return _literal_words(node.left) or _literal_words(node.right)
    return None


def python_offenders(path: Path, allowed: frozenset[str] = frozenset()) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute) or node.func.attr not in STREAMLIT_TEXT:
            continue
        args = node.args[:1] + [k.value for k in node.keywords if k.arg in LABEL_KEYWORDS]
        for arg in args:
            text = _literal_words(arg)
            if text is not None and text not in allowed:
                out.append(f"{path.name}:{arg.lineno}: {text!r}")
    return out


_JS_PATTERNS = [
    re.compile(r"""textContent\s*=\s*(["'`])((?:(?!\1).)*)\1"""),
    re.compile(r"""\b(?:text|el)\([^()]*?,[^()]*?,\s*(["'`])((?:(?!\1).)*)\1\s*\)"""),
    re.compile(r"""setAttribute\(\s*["'](?:aria-label|title)["']\s*,\s*(["'`])((?:(?!\1).)*)\1"""),
    re.compile(r"""["'](?:aria-label|title)["']\s*:\s*(["'`])((?:(?!\1).)*)\1"""),
    # a text's first words before a `+` ("Frame " + k), a tooltip or legend entry, a button's hover text
    re.compile(r"""\b(?:text|el)\([^()]*?,[^()]*?,\s*(["'`])((?:(?!\1).)*)\1\s*\+"""),
    re.compile(r"""\b(?:title|label|heading)\s*:\s*(["'`])((?:(?!\1).)*)\1"""),
    re.compile(r"""\.(?:title|placeholder)\s*=\s*(["'`])((?:(?!\1).)*)\1"""),
    re.compile(r"""\b(?:fillText|strokeText|bindTooltip|setContent)\(\s*(["'`])((?:(?!\1).)*)\1"""),
]


def js_offenders(path: Path, allowed: frozenset[str] = frozenset()) -> list[str]:
    out = []
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.lstrip().startswith("//"):
            continue
        for pattern in _JS_PATTERNS:
            for m in pattern.finditer(line):
                if WORDS.search(m.group(2)) and m.group(2) not in allowed:
                    out.append(f"{path.name}:{lineno}: {m.group(2)!r}")
    return out


_HTML_TEXT = re.compile(r">([^<>{}]*)<")


def html_offenders(path: Path) -> list[str]:
    """Literal words between HTML tags in a module's string literals (panels that build HTML)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            for m in _HTML_TEXT.finditer(node.value):
                if WORDS.search(m.group(1)):
                    out.append(f"{path.name}:{node.lineno}: {m.group(1).strip()!r}")
    return out
