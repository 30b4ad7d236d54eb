"""Drafts: a data file opened for editing.

A ``Draft`` is one file: the text as loaded, its digest, and the ruamel.yaml round-trip document
(comments, key order and quoting kept, in lint's normal form). Edits (edits.py) change the document
in place and touch only what changed, so a saved diff shows only the edited lines.
"""

from __future__ import annotations

import difflib
import hashlib
import io
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml.error import YAMLError

from ..lint import _quote_dates, _yaml
from ..yamlsafe import MAX_BYTES, parse_yaml
from .describe import describe_changes
from .errors import EditError
from .paths import installation_path, sources_path
from .values import to_plain


def digest_bytes(data: bytes) -> str:
    """The loader's content hash (blake2b, 16 bytes, hex)."""
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def file_digest(path: str | os.PathLike) -> str | None:
    """Digest of a file's bytes now, or None if it does not exist."""
    try:
        return digest_bytes(Path(path).read_bytes())
    except FileNotFoundError:
        return None


@dataclass
class Draft:
    """One data file opened for editing.

    ``loaded_text``/``digest`` are what the form loaded (None for a file not yet on disk); keep
    ``digest`` with the form and pass it to ``save``. ``doc`` is the ruamel document being edited.
    """

    data_dir: Path
    kind: str  # "installation" or "sources"
    record_id: str | None  # the installation id; None for sources.yaml
    path: Path
    loaded_text: str | None
    digest: str | None
    doc: Any

    @property
    def is_new(self) -> bool:
        return self.loaded_text is None

    @property
    def label(self) -> str:
        return self.record_id or self.path.stem

    def render(self) -> str:
        """The text ``save`` would write (lint's normal form)."""
        _quote_dates(self.doc)
        buf = io.StringIO()
        _yaml(isinstance(self.doc, list)).dump(self.doc, buf)
        return buf.getvalue()

    def diff(self, context: int = 1) -> str:
        """Unified diff from the loaded text to the edited one."""
        return _diff(self.loaded_text or "", self.render(), f"{self.path} (loaded)", f"{self.path} (edited)", context)

    def plain(self) -> Any:
        """The document as plain Python values (for filling a form)."""
        return to_plain(self.doc)

    def history_rows(self) -> list[dict]:
        """The history as plain dicts, one per period (for a table editor)."""
        self._need("installation")
        return [dict(p) for p in to_plain(self.doc.get("history") or [])]

    def changes(self) -> list[str]:
        """What the edit changes, in words (``history[5] status reduced -> withdrawing``)."""
        before = to_plain(_load_doc(self.loaded_text, self.path)) if self.loaded_text is not None else None
        return describe_changes(before, to_plain(self.doc))

    def _need(self, kind: str) -> None:
        if self.kind != kind:
            raise EditError(f"{self.path.name} is not an {kind} file")


def _diff(a: str, b: str, name_a: str, name_b: str, context: int = 1) -> str:
    return "".join(difflib.unified_diff(a.splitlines(True), b.splitlines(True), name_a, name_b, n=context))


def _load_doc(text: str, path: Path) -> Any:
    try:
        return _yaml().load(text)
    except YAMLError as exc:
        raise EditError(f"{path}: cannot open for editing, the YAML is broken: {exc}".replace("\n", " ")) from None


def _read_text(path: Path) -> tuple[str, str]:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise EditError(f"{path} does not exist") from None
    if len(data) > MAX_BYTES:
        raise EditError(f"{path} is larger than {MAX_BYTES:,} bytes; edit it by hand")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise EditError(f"{path} is not UTF-8 text (byte {exc.start}); fix it by hand") from None
    return text, digest_bytes(data)


def _need_data_dir(data_dir: str | os.PathLike) -> Path:
    folder = Path(data_dir)
    if not (folder / "installations").is_dir():
        raise EditError(f"{folder} is not a data folder (it has no installations/ folder)")
    return folder


def _open(data_dir: Path, path: Path, kind: str, record_id: str | None) -> Draft:
    _need_data_dir(data_dir)
    text, digest = _read_text(path)
    parsed = parse_yaml(text, str(path))
    if parsed.value is None:
        raise EditError(f"cannot open {path} for editing: " + "; ".join(str(p) for p in parsed.problems))
    want = dict if kind == "installation" else list
    if not isinstance(parsed.value, want):
        raise EditError(f"cannot open {path} for editing: expected a YAML {'mapping' if want is dict else 'list'}")
    return Draft(Path(data_dir), kind, record_id, path, text, digest, _load_doc(text, path))


def open_for_edit(data_dir: str | os.PathLike, inst_id: str) -> Draft:
    """Open ``installations/<inst_id>.yaml`` for editing (ValueError for a bad id or unreadable file)."""
    path = installation_path(data_dir, inst_id)
    return _open(Path(data_dir), path, "installation", inst_id)


def open_sources(data_dir: str | os.PathLike) -> Draft:
    """Open ``sources.yaml`` for editing (to add a source)."""
    return _open(Path(data_dir), sources_path(data_dir), "sources", None)
