"""Edit data files safely: round-trip drafts, the CLI's validation, conflict-checked atomic saves.

A ``Draft`` is one file opened for editing: the text as loaded, its digest, and the ruamel.yaml
round-trip document (comments, key order and quoting kept, in lint's normal form). Edits change
the document in place and touch only what changed, so a saved diff shows only the edited lines.

``save`` renders the document, validates it exactly as ``python -m garrison validate`` would (in a
throwaway mirror of the data folder), refuses when the file on disk no longer has the digest the
form loaded (``Conflict``, nothing overwritten), and writes with ``atomic.replace_if_unchanged``.
"""

from __future__ import annotations

import contextlib
import difflib
import functools
import hashlib
import io
import os
import re
import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError

from .. import schema
from ..atomic import Changed, remove_if_unchanged, replace_if_unchanged
from ..lint import _quote_dates, _yaml
from ..loader import shared_loader
from ..problems import Problem, field_name
from ..yamlsafe import MAX_BYTES, parse_yaml
from . import gitaudit, values
from .errors import Conflict, DiskError, EditError, ValidationFailed
from .paths import check_id, installation_path, sources_path
from .values import MAX_FILE_BYTES, flow_list, is_blank, to_plain

#: top-level keys of an installation, in the order the template and the data files use
TOP_KEYS = ("id", "name", "names", "kind", "country", "lat", "lon", "footprint", "ranges", "history")
EDITABLE = ("name", "names", "kind", "country", "lat", "lon")
PERIOD_KEYS = ("from", "to", "operator", "status", "territory", "confidence", "sources", "note")
SOURCE_KEYS = ("id", "title", "publisher", "date", "url", "language", "archive", "note")
RETIRE_STATUSES = ("abandoned", "withdrawing")
SCHEMA_COMMENT = "yaml-language-server: $schema=../schema/installation.schema.json"


def digest_bytes(data: bytes) -> str:
    """The loader's content hash (blake2b, 16 bytes, hex)."""
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def file_digest(path: str | os.PathLike) -> str | None:
    """Digest of a file's bytes now, or None if it does not exist."""
    try:
        return digest_bytes(Path(path).read_bytes())
    except FileNotFoundError:
        return None


# --- drafts ------------------------------------------------------------------------------------

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


# --- edits -------------------------------------------------------------------------------------

def _set_key(cm: CommentedMap, key: str, value: Any, order: tuple[str, ...]) -> None:
    """Set ``key`` keeping its comment; a new key goes to its place in ``order``."""
    if key in cm:
        if not _same(cm[key], value):
            if isinstance(cm[key], CommentedSeq) and isinstance(value, list):
                cm[key][:] = value  # keeps the list's style (flow) and its comments
            else:
                cm[key] = value
        return
    rank = order.index(key) if key in order else len(order)
    pos = len(cm)
    for i, k in enumerate(cm):
        if (order.index(k) if k in order else len(order)) > rank:
            pos = i
            break
    cm.insert(pos, key, value)


def _same(old: Any, new: Any) -> bool:
    a, b = to_plain(old), to_plain(new)
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool) and not isinstance(b, bool):
        return a == b  # 35 and 35.0: leave the file's spelling alone
    return type(a) is type(b) and a == b


def set_fields(draft: Draft, changes: Mapping[str, Any] | None = None, **more: Any) -> None:
    """Set top-level fields of an installation: name, names, kind, country, lat, lon.

    Text is checked (``EditError`` for control characters or over 2,000 characters); ``names``
    is a mapping of language code to name, updated in place (None or {} removes it).
    """
    draft._need("installation")
    updates = {**(changes or {}), **more}
    for key in updates:
        if key == "id":
            raise EditError("id cannot be changed: create a new installation and retire or delete this one")
        if key not in EDITABLE:
            raise EditError(f"{key!r} is not a field the form can set (allowed: {', '.join(EDITABLE)})")
    prepared: dict[str, Any] = {}
    for key, value in updates.items():
        if key in ("lat", "lon"):
            prepared[key] = values.number(value, key)
        elif key == "names":
            prepared[key] = _names(value)
        else:
            prepared[key] = values.text(value.strip() if isinstance(value, str) else value, key, multiline=False)
    doc = draft.doc
    for key, value in prepared.items():
        if key == "names":
            if not value:
                doc.pop("names", None)
            elif isinstance(doc.get("names"), CommentedMap):
                cm = doc["names"]
                for lang in [k for k in cm if k not in value]:
                    del cm[lang]
                for lang, name in value.items():
                    _set_key(cm, lang, name, ())
            else:
                _set_key(doc, "names", CommentedMap(value), TOP_KEYS)
        else:
            _set_key(doc, key, value, TOP_KEYS)


def _names(value: Any) -> dict[str, str]:
    if is_blank(value) or value == {}:
        return {}
    if not isinstance(value, Mapping):
        raise EditError(f"names: expected language code -> name pairs, got {type(value).__name__}")
    out = {}
    for lang, name in value.items():
        lang = values.clean_text(lang, "names (language code)", multiline=False).strip()
        if is_blank(name):
            continue
        out[values.text_scalar(lang)] = values.text(name.strip() if isinstance(name, str) else name, f"names.{lang}",
                                                    multiline=False)
    return out


def _period_values(row: Any, where: str) -> dict[str, Any]:
    """A table row checked and converted, keys in PERIOD_KEYS order, blank cells dropped."""
    if not isinstance(row, Mapping):
        raise EditError(f"{where}: expected a row of fields, got {type(row).__name__}")
    unknown = [k for k in row if k not in PERIOD_KEYS]
    if unknown:
        raise EditError(f"{where}: unknown column {unknown[0]!r} (allowed: {', '.join(PERIOD_KEYS)})")
    out: dict[str, Any] = {}
    for key in PERIOD_KEYS:
        value = row.get(key)
        if key == "sources":
            out[key] = values.id_list(value, f"{where}.sources")
            continue
        if is_blank(value):
            continue
        if key in ("from", "to"):
            out[key] = values.date_text(value, f"{where}.{key}")
        else:
            out[key] = values.text(value.strip() if key != "note" and isinstance(value, str) else value, f"{where}.{key}")
    return out


def _period_map(vals: dict[str, Any]) -> CommentedMap:
    cm = CommentedMap()
    for key in PERIOD_KEYS:
        if key in vals:
            cm[key] = flow_list(vals[key]) if key == "sources" else vals[key]
    return cm


def _update_period(cm: CommentedMap, vals: dict[str, Any]) -> None:
    for key in [k for k in cm if k not in vals]:
        del cm[key]
    for key, value in vals.items():
        if key == "sources" and key not in cm:
            value = flow_list(value)
        _set_key(cm, key, value, PERIOD_KEYS)


def _period_key(p: Mapping) -> tuple:
    return tuple((k, tuple(v) if isinstance(v, list) else v) for k, v in sorted(to_plain(p).items()))


def replace_history(draft: Draft, rows: list[Mapping[str, Any]]) -> None:
    """Replace the history with ``rows`` (plain dicts, as a table editor produces).

    Unchanged periods keep their map, comments and quoting; a changed period is updated in
    place, field by field; only added or removed periods are created or dropped.
    """
    draft._need("installation")
    if isinstance(rows, (str, bytes)) or not hasattr(rows, "__iter__"):
        raise EditError("history: expected a list of periods")
    new = [_period_values(r, f"history[{i}]") for i, r in enumerate(rows)]
    seq = draft.doc.get("history")
    if not isinstance(seq, CommentedSeq):
        seq = CommentedSeq()
        _set_key(draft.doc, "history", seq, TOP_KEYS)
    old_keys = [_period_key(p) if isinstance(p, Mapping) else ("?", id(p)) for p in seq]
    new_keys = [_period_key(v) for v in new]
    ops = difflib.SequenceMatcher(None, old_keys, new_keys, autojunk=False).get_opcodes()
    for tag, i1, i2, j1, j2 in reversed(ops):  # from the end, so earlier indices stay valid
        if tag == "equal":
            continue
        paired = min(i2 - i1, j2 - j1) if tag == "replace" else 0
        for k in range(paired):
            if isinstance(seq[i1 + k], CommentedMap):
                _update_period(seq[i1 + k], new[j1 + k])
            else:
                seq[i1 + k] = _period_map(new[j1 + k])
        for i in reversed(range(i1 + paired, i2)):
            del seq[i]
        for k, j in enumerate(range(j1 + paired, j2)):
            seq.insert(i1 + paired + k, _period_map(new[j]))


def retire(draft: Draft, date: str, sources: list[str] | str, note: str | None = None,
           status: str = "abandoned", confidence: str = "reported") -> None:
    """Append a final period (``abandoned`` or ``withdrawing``) instead of deleting the record.

    Operator and territory carry over from the last period; the date must come after it (the
    validation on save says so otherwise).
    """
    draft._need("installation")
    if status not in RETIRE_STATUSES:
        raise EditError(f"status {status!r}: retiring uses one of {', '.join(RETIRE_STATUSES)}")
    history = draft.doc.get("history")
    if not isinstance(history, CommentedSeq) or not history or not isinstance(history[-1], Mapping):
        raise EditError("there is no history to retire")
    last = history[-1]
    if last.get("status") == status:
        raise EditError(f"the last period is already {status}")
    row = {"from": date, "operator": last.get("operator"), "status": status, "territory": last.get("territory"),
           "confidence": confidence, "sources": sources, "note": note}
    vals = _period_values(row, f"history[{len(history)}]")
    history.append(_period_map(vals))


def new_installation(data_dir: str | os.PathLike, inst_id: str, *, name: str, kind: str, country: str,
                     lat: Any, lon: Any, history: list[Mapping[str, Any]], names: Mapping | None = None) -> Draft:
    """A draft for a new ``installations/<inst_id>.yaml`` in the template's layout (saved with
    ``save(draft, None)``: it must not exist yet)."""
    path = installation_path(data_dir, inst_id)
    _need_data_dir(data_dir)
    if path.exists():
        raise EditError(f"installation {inst_id!r} already exists; open it to edit it")
    doc = CommentedMap()
    doc.yaml_set_start_comment(SCHEMA_COMMENT)
    doc["id"] = inst_id
    draft = Draft(Path(data_dir), "installation", inst_id, path, None, None, doc)
    set_fields(draft, name=name, kind=kind, country=country, lat=lat, lon=lon, names=names or {})
    replace_history(draft, history)
    return draft


def add_source(draft: Draft, source: Mapping[str, Any]) -> None:
    """Append a source (id, title, publisher, url; optional date, language, archive, note)."""
    draft._need("sources")
    unknown = [k for k in source if k not in SOURCE_KEYS]
    if unknown:
        raise EditError(f"source: unknown field {unknown[0]!r} (allowed: {', '.join(SOURCE_KEYS)})")
    sid = source.get("id")
    try:
        check_id(sid.strip() if isinstance(sid, str) else sid, "source id", 120)
    except ValueError as exc:
        raise EditError(str(exc)) from None
    sid = sid.strip()
    if any(isinstance(s, Mapping) and s.get("id") == sid for s in draft.doc):
        raise EditError(f"source id {sid!r} already exists in sources.yaml")
    where = f"[{len(draft.doc)}]"
    cm = CommentedMap()
    for key in SOURCE_KEYS:
        value = sid if key == "id" else source.get(key)
        if is_blank(value):
            continue
        if key == "date":
            cm[key] = values.date_text(value, f"{where}.date")
        else:
            cm[key] = values.text(value.strip() if key != "note" else value, f"{where}.{key}")
    draft.doc.append(cm)


# --- validation --------------------------------------------------------------------------------

def _cli_problems(data_dir: Path, target: str, text: str | None) -> tuple[list[Problem], list[Problem]]:
    """(problems before, problems after) replacing ``target`` (relative to the data folder) by ``text``
    (None: removing it), as ``validate`` reports them, with paths under ``data_dir``.

    Both come from the process's incremental loader: only the edited file is parsed again.
    """
    data_dir = Path(data_dir)
    loader = shared_loader(data_dir)
    before = loader.load().problems
    after = loader.load(overrides={target: None if text is None else text.encode("utf-8")}).problems
    prefix = str(loader.data_dir) + os.sep
    return [_relocate(p, prefix, data_dir) for p in before], [_relocate(p, prefix, data_dir) for p in after]


def _relocate(p: Problem, prefix: str, data_dir: Path) -> Problem:
    """A problem as the loader (of the resolved folder) names it, named as under ``data_dir``."""
    if str(data_dir) + os.sep == prefix:
        return p
    path = str(data_dir / p.path[len(prefix):]) if p.path.startswith(prefix) else p.path
    message = p.message.replace(prefix, str(data_dir) + os.sep)
    return replace(p, path=path, message=message)


def _roundtrip_problems(draft: Draft, text: str) -> list[Problem]:
    """Errors where the loader would read a value other than the one the form set."""
    parsed = parse_yaml(text, str(draft.path))
    if parsed.value is None:
        return []  # the loader's own problems say why
    intended = to_plain(draft.doc)
    out: list[Problem] = []

    def walk(a: Any, b: Any, path: tuple) -> None:
        if out:
            return
        if isinstance(a, dict) and isinstance(b, dict) and list(a) == list(b):
            for k in a:
                walk(a[k], b[k], path + (k,))
        elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
            for i, (x, y) in enumerate(zip(a, b, strict=True)):
                walk(x, y, path + (i,))
        elif type(a) is not type(b) or a != b:
            if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool) and a == b:
                return
            line, col = parsed.where(path)
            out.append(Problem(str(draft.path), line, col, field_name(path),
                               f"would be read back as {b!r:.80} instead of {a!r:.80}; not saved", "error", draft.record_id))

    walk(intended, parsed.value, ())
    return out


def _limit_problems(draft: Draft, text: str) -> list[Problem]:
    size = len(text.encode("utf-8", "surrogatepass"))
    path = str(draft.path)
    if size > MAX_FILE_BYTES:
        return [Problem(path, 1, 1, "", f"the file would be {size:,} bytes; the editor's limit is {MAX_FILE_BYTES:,} bytes "
                        "(shorten notes or split the record)", "error", draft.record_id)]
    return [Problem(path, 1, 1, f, msg.removeprefix(f"{f}: "), "error", draft.record_id)
            for f, msg in values.document_problems(draft.doc)]


def _target(draft: Draft) -> str:
    return f"installations/{draft.path.name}" if draft.kind == "installation" else draft.path.name


def _validate(draft: Draft, text: str) -> list[Problem]:
    limits = _limit_problems(draft, text)
    if limits:
        return limits
    roundtrip = _roundtrip_problems(draft, text)
    before, after = _cli_problems(draft.data_dir, _target(draft), text)
    mine = str(draft.path)
    known = set(before)
    found = [p for p in after if p.path == mine or p not in known]  # this file, and what it breaks elsewhere
    reported = {p.field for p in found if p.path == mine and p.severity == "error"}
    roundtrip = [p for p in roundtrip if p.field not in reported]  # e.g. a tag the loader already refused
    return sorted(roundtrip + found, key=lambda p: (p.path != mine, p.path, p.line, p.column))


def validate_draft(draft: Draft) -> list[Problem]:
    """Every problem ``python -m garrison validate`` would report for the edited file, plus any new
    problem it causes in other files (an uncited source, a route node gone). Writes nothing."""
    return _validate(draft, draft.render())


# --- saving ------------------------------------------------------------------------------------

@dataclass
class SaveResult:
    """What a save did. ``problems`` are the remaining warnings; ``git`` is None unless
    GARRISON_GIT_COMMIT=1 and the data is in a git repository (``git.error`` if git failed)."""

    path: Path
    digest: str | None
    written: bool
    changes: list[str] = field(default_factory=list)
    diff: str = ""
    problems: list[Problem] = field(default_factory=list)
    git: gitaudit.GitOutcome | None = None

    @property
    def git_error(self) -> str | None:
        return self.git.error if self.git else None


_THREAD_LOCK = threading.Lock()


@contextlib.contextmanager
def _locked(data_dir: Path, timeout: float = 15.0) -> Iterator[None]:
    """Serialise saves to one data folder across threads and processes: the digest check and the
    write happen under an exclusive flock on the data folder itself (no lock file to litter it)."""
    try:
        import fcntl
    except ImportError:  # not POSIX: serialise within this process only
        with _THREAD_LOCK:
            yield
        return
    fd = os.open(data_dir, os.O_RDONLY)  # each open is its own lock holder, so threads exclude each other too
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise EditError("another save to this data folder is still running; try again") from None
                time.sleep(0.01)
        yield
    finally:
        os.close(fd)  # releases the lock, also when the process is killed


def _check_digest(draft: Draft, expected: str | None, mine: str) -> None:
    """Raise Conflict when the file on disk is not the version the form loaded."""
    try:
        disk = draft.path.read_bytes()
    except FileNotFoundError:
        disk = None
    if _digest_or_none(disk) != expected:
        raise _conflict(draft, expected, disk, mine)


def _digest_or_none(data: bytes | None) -> str | None:
    return digest_bytes(data) if data is not None else None


def _conflict(draft: Draft, expected: str | None, disk: bytes | None, mine: str) -> Conflict:
    """The Conflict for a draft whose file holds ``disk`` (None: no file) instead of the version the form loaded."""
    actual = _digest_or_none(disk)
    disk_text = disk.decode("utf-8", "replace") if disk is not None else None
    diff = _diff(draft.loaded_text or "", disk_text or "", f"{draft.path} (as the form loaded it)",
                 f"{draft.path} (on disk now)", 3)
    return Conflict(str(draft.path), expected, actual, diff, disk_text, mine)


def commit_message(label: str, changes: list[str]) -> tuple[str, str]:
    """(subject, body) for the audit commit: ``khmeimim: history[5] status reduced -> withdrawing``."""
    if not changes:
        return f"{label}: saved (formatting only)", ""
    subject = f"{label}: {changes[0]}"
    if len(changes) > 1:
        subject += f" (+{len(changes) - 1} more)"
    body = "\n".join(f"- {c}" for c in changes) if len(changes) > 1 else ""
    return _one_line(subject, 200), body


def _one_line(s: str, limit: int) -> str:
    s = re.sub(r"\s+", " ", s)
    return s if len(s) <= limit else s[: limit - 3] + "..."


def _disk_errors_as_edit_errors(fn):
    """An OSError from the disk (read-only, full) reaches the person editing as a DiskError, not a traceback."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except OSError as exc:
            raise DiskError(exc.filename or "the data folder", exc) from exc
    return wrapper


def _refreshed_ids(data_dir: Path) -> list[Path]:
    """Editors' schema/ids.schema.json brought up to date with the saved data; [its path] if it changed."""
    return [Path(data_dir) / schema.COPY_DIR / schema.IDS_FILE] if schema.write_ids_schema(data_dir) else []


@_disk_errors_as_edit_errors
def save(draft: Draft, expected_digest: str | None) -> SaveResult:
    """Validate and write the draft atomically, if the file on disk still has ``expected_digest``.

    ``expected_digest`` is the digest the form loaded (``draft.digest``), or None for a new file
    (then the file must not exist yet). Raises ``ValidationFailed`` (errors found, nothing
    written) or ``Conflict`` (the file changed meanwhile, nothing written, ``.diff`` shows how).
    """
    text = draft.render()
    problems = _validate(draft, text)
    if any(p.severity == "error" for p in problems):
        raise ValidationFailed(problems)
    changes = draft.changes()
    diff = draft.diff()
    with _locked(draft.data_dir):
        _check_digest(draft, expected_digest, text)
        if draft.loaded_text == text:
            return SaveResult(draft.path, draft.digest, False, [], "", problems)
        try:  # the check again, on the very file the new one displaces: a hand edit made meanwhile stays
            replace_if_unchanged(draft.path, text, lambda found: _digest_or_none(found) == expected_digest)
        except Changed as exc:
            raise _conflict(draft, expected_digest, exc.found, text) from None
        new_digest = digest_bytes(text.encode("utf-8"))
        subject, body = (f"{draft.label}: created", "") if draft.is_new else commit_message(draft.label, changes)
        outcome = gitaudit.commit_paths(draft.data_dir, [draft.path, *_refreshed_ids(draft.data_dir)], subject, body)
    draft.loaded_text, draft.digest = text, new_digest
    return SaveResult(draft.path, new_digest, True, changes, diff, problems, outcome)


# --- merging after a conflict ----------------------------------------------------------------------

def rebase(draft: Draft) -> Draft:
    """The edit in ``draft`` re-applied onto the version of its file now on disk (a three-way merge).

    What the form loaded is the base. A field (name, names, kind, country, lat, lon) or a history
    period that only the form changed takes the form's value; one that only the file on disk
    changed keeps the disk's; one that both changed the same way is fine. One that both changed
    differently is a clash: ``EditError`` names every clash and nothing is merged. Added or removed
    periods merge when only one side changed the history's length. Returns a new draft of the
    disk version with the edit applied; save it with its own ``digest``.
    """
    draft._need("installation")
    if draft.loaded_text is None:
        raise EditError("a new installation has no earlier version to merge with")
    base = to_plain(_load_doc(draft.loaded_text, draft.path)) or {}
    mine = to_plain(draft.doc) or {}
    fresh = open_for_edit(draft.data_dir, draft.record_id)
    theirs = fresh.plain() or {}
    clashes: list[str] = []
    fields: dict[str, Any] = {}
    for key in EDITABLE:
        b, m, t = base.get(key), mine.get(key), theirs.get(key)
        if m == b:
            continue
        if t != b and t != m:
            clashes.append(key)
        else:
            fields[key] = m
    rows = _merge_history(base.get("history") or [], mine.get("history") or [], theirs.get("history") or [], clashes)
    if clashes:
        raise EditError(f"not merged: both you and the file on disk changed {', '.join(clashes)} differently; "
                        "reload, then make your edit again")
    if fields:
        set_fields(fresh, fields)
    if rows is not None:
        replace_history(fresh, rows)
    return fresh


def _merge_history(base: list, mine: list, theirs: list, clashes: list[str]) -> list | None:
    """The merged periods, or None when the form did not change the history."""
    if mine == base:
        return None
    if theirs == base or theirs == mine:
        return mine
    if not (len(base) == len(mine) == len(theirs)):
        clashes.append("history (both added or removed periods)")
        return None
    out = []
    for i, (b, m, t) in enumerate(zip(base, mine, theirs, strict=True)):
        if m != b and t != b and t != m:
            clashes.append(f"history[{i}]")
        out.append(m if m != b else t)
    return out


@_disk_errors_as_edit_errors
def delete(data_dir: str | os.PathLike, inst_id: str, confirm: str, expected_digest: str | None = None) -> SaveResult:
    """Delete ``installations/<inst_id>.yaml``, only when ``confirm == inst_id``.

    Prefer ``retire`` (the history stays). Refuses when the deletion would break another file
    (a route through it); with ``expected_digest``, refuses when the file changed meanwhile.
    """
    path = installation_path(data_dir, inst_id)
    if confirm != inst_id:
        raise EditError(f"not deleted: type the id {inst_id!r} exactly to confirm (or retire it instead)")
    if not path.exists():
        raise EditError(f"not deleted: {path} does not exist")
    data_dir = Path(data_dir)
    before, after = _cli_problems(data_dir, f"installations/{path.name}", None)
    known = set(before)
    broken = [p for p in after if p.severity == "error" and p not in known]
    if broken:
        raise ValidationFailed(broken)
    with _locked(data_dir):
        try:  # unless expected_digest is None, only the version the form loaded is deleted
            remove_if_unchanged(path, lambda found: expected_digest is None or _digest_or_none(found) == expected_digest)
        except Changed as exc:
            text = exc.found.decode("utf-8", "replace") if exc.found is not None else ""
            raise Conflict(str(path), expected_digest, _digest_or_none(exc.found), "", text, "") from None
        outcome = gitaudit.commit_paths(data_dir, [path, *_refreshed_ids(data_dir)], f"{inst_id}: deleted", "")
    return SaveResult(path, None, True, ["deleted"], "", [], outcome)


# --- describing changes ------------------------------------------------------------------------

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


# --- housekeeping ------------------------------------------------------------------------------

_TEMP_RE = re.compile(r"\.[^/]+\.[a-z0-9_]+\.(tmp|deleting)")  # atomic.py's temporary and claimed files


def sweep_temp_files(data_dir: str | os.PathLike, min_age_s: float = 3600) -> list[Path]:
    """Remove ``.<name>.*.tmp`` files left by a writer killed mid-write (older than ``min_age_s``).

    The loader never reads them (it reads ``*.yaml`` only), so this is tidying, not repair.
    """
    removed = []
    now = time.time()
    for folder in (Path(data_dir), Path(data_dir) / "installations"):
        if not folder.is_dir():
            continue
        for entry in os.scandir(folder):
            if entry.is_file(follow_symlinks=False) and _TEMP_RE.fullmatch(entry.name):
                if now - entry.stat(follow_symlinks=False).st_mtime >= min_age_s:
                    with contextlib.suppress(FileNotFoundError):
                        os.unlink(entry.path)
                        removed.append(Path(entry.path))
    return removed
