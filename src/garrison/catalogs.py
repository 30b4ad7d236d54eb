"""Keeps the message catalogs in step with the sources: ``python -m garrison.catalogs``.

The template (garrison.pot) is extracted by Babel from the interface's Python and JavaScript
(``_()``, ``ngettext()``, ``pgettext()``; in JS ``t()``/``nt()``) plus every vocabulary term with
its section as context. ``--update`` rewrites the template and merges it into each language's .po
(new messages arrive untranslated, vanished ones become obsolete); ``--check`` only reports what
is out of step (the tests run it): a stale template, a missing, fuzzy or obsolete message.
"""

from __future__ import annotations

import argparse
import io
import sys
from collections.abc import Iterator
from pathlib import Path

from babel import Locale
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po, write_po

from .i18n import DEFAULT, DOMAIN, LANGUAGES, TEMPLATE, catalog_path
from .vocab import VOCAB

ROOT = Path(__file__).resolve().parents[2]
#: Where the interface's strings are: the page, its Streamlit glue, the map's modules, and the
#: exports' words (KML balloons, with --lang).
SOURCES = ("app.py", "app_editor.py", "src/garrison/export.py", "src/garrison/ui/*.py", "src/garrison/render/*.py",
           "src/garrison/edit/mode.py", "src/garrison/edit/origin.py",  # the editor's reasons, shown on the page
           "src/garrison/render/elements/*.py", "static/garrison/map/*.js")
PY_KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2), "N_": None}
JS_KEYWORDS = {"t": None, "nt": (1, 2), "pt": ((1, "c"), 2)}
#: The map's layer files: their names, legend titles and labels are messages with context "layer".
LAYERS_DIR = "layers"
#: The vocabulary sections and the message context their terms carry.
VOCAB_CONTEXTS = {"kinds": "kind", "statuses": "status", "confidences": "confidence"}


def source_files(root: Path = ROOT) -> list[Path]:
    return sorted({p for pattern in SOURCES for p in root.glob(pattern) if p.is_file()})


def _extracted(root: Path) -> Iterator[tuple[str, int, str | tuple[str, str], list[str], str | None]]:
    for path in source_files(root):
        method, keywords = ("javascript", JS_KEYWORDS) if path.suffix == ".js" else ("python", PY_KEYWORDS)
        rel = path.relative_to(root).as_posix()
        for lineno, message, comments, context in extract_from_file(method, str(path), keywords=keywords,
                                                                   comment_tags=("i18n:",), strip_comment_tags=True):
            yield rel, lineno, message, comments, context


def template(root: Path = ROOT) -> Catalog:
    """The catalog of every message the interface can show, English, untranslated."""
    cat = Catalog(domain=DOMAIN, project="Garrison", charset="utf-8", fuzzy=False)
    for rel, lineno, message, comments, context in _extracted(root):
        cat.add(message, locations=[(rel, lineno)], auto_comments=comments, context=context)
    for section, context in VOCAB_CONTEXTS.items():
        for entry in VOCAB[section]:
            cat.add(entry["id"].replace("_", " "), locations=[("src/garrison/vocab.yaml", 0)],
                    auto_comments=[entry["meaning"]], context=context)
    for rel, lineno, message in _layer_texts(root):
        cat.add(message, locations=[(rel, lineno)], auto_comments=["a map layer's name, legend title or label"],
                context="layer")
    return cat


def _layer_texts(root: Path) -> Iterator[tuple[str, int, str]]:
    """The words the layer files show (name, legend title, legend label), with file and line."""
    from .render.layers import load_layers  # the layers' own loader and checks

    folder = root / LAYERS_DIR
    layers, _ = load_layers(folder)
    for layer in sorted(layers, key=lambda d: d.id):
        path = folder / f"{layer.id}.yaml"
        lines = path.read_text(encoding="utf-8").splitlines()
        for text in (layer.name, layer.legend.get("title"), layer.legend.get("label")):
            if isinstance(text, str) and text:
                lineno = next((k for k, line in enumerate(lines, 1) if text in line), 0)
                yield path.relative_to(root).as_posix(), lineno, text


def _po_text(cat: Catalog, **kwargs) -> str:
    buf = io.BytesIO()
    write_po(buf, cat, omit_header=False, sort_output=True, width=100, **kwargs)
    return "\n".join(line for line in buf.getvalue().decode("utf-8").splitlines()
                     if not line.startswith(('"POT-Creation-Date:', '"PO-Revision-Date:')))


def read_catalog(path: Path, lang: str | None = None) -> Catalog:
    with path.open("rb") as fh:
        return read_po(fh, locale=Locale.parse(lang) if lang else None, domain=DOMAIN)


def problems(root: Path = ROOT) -> list[str]:
    """What is out of step, one line each (empty when the catalogs are complete and current)."""
    out: list[str] = []
    fresh = template(root)
    if not TEMPLATE.exists() or _po_text(fresh, include_lineno=False) != _po_text(read_catalog(TEMPLATE), include_lineno=False):
        out.append(f"{TEMPLATE.name}: not current with the sources; run `python -m garrison.catalogs --update`")
    wanted = {(m.id if isinstance(m.id, str) else m.id[0], m.context) for m in fresh if m.id}
    for lang in LANGUAGES:
        if lang == DEFAULT:
            continue
        path = catalog_path(lang)
        if not path.exists():
            out.append(f"{path.relative_to(root)}: missing")
            continue
        cat = read_catalog(path, lang)
        have = {}
        for m in cat:
            if m.id:
                have[(m.id if isinstance(m.id, str) else m.id[0], m.context)] = m
        for key in sorted(wanted, key=str):
            m = have.get(key)
            label = f"{key[1]}|{key[0]}" if key[1] else key[0]
            strings = [] if m is None else (list(m.string) if isinstance(m.string, (list, tuple)) else [m.string])
            if m is None:
                out.append(f"{path.relative_to(root)}: {label!r} is not in the catalog")
            elif m.fuzzy:
                out.append(f"{path.relative_to(root)}:{m.lineno}: {label!r} is fuzzy (check the translation)")
            elif not all(strings) or len(strings) < (cat.num_plurals if m.pluralizable else 1):
                out.append(f"{path.relative_to(root)}:{m.lineno}: {label!r} is untranslated")
        for key in sorted(set(have) - wanted, key=str):
            out.append(f"{path.relative_to(root)}: {key[0]!r} is stale (no longer in the sources)")
        for m in cat.obsolete.values():
            out.append(f"{path.relative_to(root)}: {m.id!r} is obsolete; delete it")
    return out


def update(root: Path = ROOT) -> None:
    """Rewrite the template and merge it into every language's catalog."""
    fresh = template(root)
    TEMPLATE.parent.mkdir(parents=True, exist_ok=True)
    TEMPLATE.write_text(_po_text(fresh) + "\n", encoding="utf-8")
    for lang in LANGUAGES:
        if lang == DEFAULT:
            continue
        path = catalog_path(lang)
        if path.exists():
            cat = read_catalog(path, lang)
        else:
            cat = Catalog(locale=Locale.parse(lang), domain=DOMAIN, project="Garrison", charset="utf-8",
                          last_translator="Garrison contributors", language_team=LANGUAGES[lang])
        cat.fuzzy = False  # the header is not a translation to review
        cat.update(fresh, no_fuzzy_matching=True)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(_po_text(cat, ignore_obsolete=True) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m garrison.catalogs", description=__doc__.splitlines()[0])
    parser.add_argument("--update", action="store_true", help="rewrite the template and merge it into the catalogs")
    args = parser.parse_args(argv)
    if args.update:
        update()
    found = problems()
    for line in found:
        print(line, file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
