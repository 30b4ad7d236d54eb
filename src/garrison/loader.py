"""Loading a data folder: parse, validate, assemble -- incrementally, never all-or-nothing.

A ``Loader`` remembers every file by (mtime, size) and content hash, so a reload re-parses only
what changed; with nothing changed it returns the same Dataset. A file that turns invalid keeps
its last good version in the dataset, flagged ``stale``.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import stat as stat_module
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import urlsplit

from . import datafiles, heap, schema
from .checks import check_installation, check_url, checked_problem
from .dataset import Dataset
from .dates import parse_partial
from .model import Actor, Installation, Publisher, Route, RoutePeriod, Source
from .parsecache import ParseCache, default_cache_dir
from .problems import Problem, StrictLoadError, field_name
from .yamlsafe import MAX_BYTES, Parsed, parse_yaml

REPO_ROOT = Path(__file__).resolve().parents[2]  # a checkout (or an editable install): src/garrison/ -> the project
BUNDLED_DATA = REPO_ROOT / "data"


class NoDataFolder(FileNotFoundError):
    """No data folder was given and there is no bundled one (an installed package without its checkout)."""


def default_data_dir() -> Path:
    """$GARRISON_DATA if set, else the data folder bundled with a checkout of the project."""
    given = os.environ.get("GARRISON_DATA")
    if given:
        return Path(given)
    if (BUNDLED_DATA / "installations").is_dir():
        return BUNDLED_DATA
    raise NoDataFolder("no data folder: pass --data DIR or set GARRISON_DATA (this installed Garrison has no "
                       "bundled data; a checkout of the project carries it in data/, and `pip install -e .` "
                       "from the checkout finds it)")


@dataclass(eq=False)  # compared by identity: field-wise equality is slow and never wanted
class _Entry:
    path: str
    stat: tuple[int, int]
    digest: str
    parsed: Parsed
    problems: list[Problem]
    record: Installation | None = None
    items: list = field(default_factory=list)  # actors or sources
    last_good: tuple[Installation, Parsed] | None = None
    # the last version that made it onto the map (passed the reference checks too): what is
    # shown, marked stale, when an edit breaks a reference (an operator id mistyped, say)
    shown: tuple[Installation, Parsed] | None = None


class Loader:
    """Incremental loader for one data folder."""

    def __init__(self, data_dir: str | os.PathLike | None = None, links_within: str | os.PathLike | None = None,
                 cache_dir: str | os.PathLike | None = None):
        """`links_within`: the folder a data file that is a link may point into (default: the data folder).
        `cache_dir`: where parsed files are kept between processes (see parsecache.py; None: no cache)."""
        self.data_dir = Path(data_dir) if data_dir is not None else default_data_dir()
        self.links_within = Path(links_within) if links_within is not None else self.data_dir
        self.schema_dir = str(schema.SCHEMA_DIR)
        self._entries: dict[str, _Entry] = {}
        self._dataset: Dataset | None = None
        self._lock = threading.RLock()
        self._cache = ParseCache(cache_dir, self.data_dir) if cache_dir is not None else None
        self.parsed_count = 0  # files actually parsed (for tests and benchmarks)

    # --- public ----------------------------------------------------------------------------
    def load(self, strict: bool = False, overrides: Mapping[str | os.PathLike, bytes | None] | None = None) -> Dataset:
        """The dataset as on disk now; re-parses only changed files.

        ``overrides``: the dataset as it would be if these files (paths in the data folder) held
        these bytes instead (None: the file removed), for checking an edit before it is saved.
        Only the overridden files are parsed; the loader's own state stays the disk's.
        """
        if not self.data_dir.is_dir():
            raise FileNotFoundError(f"data folder {self.data_dir} does not exist (set --data or GARRISON_DATA)")
        with self._lock:  # one loader serves every session of the app: refresh and assemble one at a time
            changed = self._refresh()
            if changed or self._dataset is None:
                self._dataset = self._assemble(self._entries)
            # an override changes no schema copy on disk: their warnings are the disk's, not looked up again
            dataset = self._dataset if not overrides else self._assemble(self._overridden(overrides), copies=False)
        if strict and dataset.errors:
            raise StrictLoadError(dataset.problems)
        return dataset

    def current(self) -> Dataset | None:
        """The dataset as last loaded, without looking at the disk (None before the first load)."""
        return self._dataset

    def parsed(self, path: str) -> Parsed | None:
        entry = self._entries.get(path)
        return entry.parsed if entry else None

    # --- files -----------------------------------------------------------------------------
    def _files(self) -> list[tuple[str, str]]:
        return datafiles.listing(self.data_dir)

    def _overridden(self, overrides: Mapping[str | os.PathLike, bytes | None]) -> dict[str, _Entry]:
        """A copy of the entries with the overridden files parsed from the given bytes (or removed)."""
        entries = dict(self._entries)
        for given, data in overrides.items():
            rel = given if not os.path.isabs(given) else os.path.relpath(given, self.data_dir)
            path = datafiles.path_of(self.data_dir, rel)
            kind = self._kind(path)
            if data is None:
                if kind in ("actors", "sources"):
                    entries[path] = _missing(path)
                else:
                    entries.pop(path, None)
                continue
            digest = hashlib.blake2b(data, digest_size=16).hexdigest()
            # as a fresh `validate` would read it: no last good version to fall back on
            entries[path] = self._parse(path, kind, data, (0, 0), digest, None)
        return entries

    def _kind(self, path: str) -> str:
        """What a path in the data folder holds; ValueError for anything else."""
        kind = datafiles.kind_of(os.path.relpath(path, self.data_dir))
        if kind is None:
            raise ValueError(f"{path} is not a data file of {self.data_dir}")
        return kind

    def _refresh(self) -> bool:
        first = not self._entries
        parsed_before = self.parsed_count
        with heap.paused() if first else contextlib.nullcontext():
            changed = self._refresh_entries()
        if self._cache is not None and first and self.parsed_count > parsed_before:
            self._cache.put_all(self._entries)  # what a cold start parsed, for the next cold start
        return changed

    def _refresh_entries(self) -> bool:
        files = self._files()
        changed = set(self._entries) - {p for p, _ in files}
        for gone in changed:
            del self._entries[gone]
        for path, kind in files:
            try:
                st = os.stat(path)
            except FileNotFoundError:
                if kind in ("actors", "sources"):
                    self._entries[path] = _missing(path)
                    changed.add(path)
                continue
            stat = (st.st_mtime_ns, st.st_size)
            old = self._entries.get(path)
            if old is not None and old.stat == stat:
                continue
            try:
                data = read_data_file(path, self.links_within)
            except _NotAFile as exc:
                prob = Problem(path, 1, 1, "", str(exc))
                self._entries[path] = _keep_last_good(_Entry(path, stat, "", Parsed(None), [prob]), old)
                changed.add(path)
                continue
            except OSError as exc:  # unreadable (permissions, a folder named *.yaml): that file only
                prob = Problem(path, 1, 1, "", f"cannot read the file ({exc.strerror or exc}); check its permissions")
                self._entries[path] = _keep_last_good(_Entry(path, stat, "", Parsed(None), [prob]), old)
                changed.add(path)
                continue
            digest = hashlib.blake2b(data, digest_size=16).hexdigest()
            if old is not None and old.digest == digest:
                old.stat = stat
                continue
            cached = self._cache.get(path, digest) if old is None and self._cache is not None else None
            if cached is not None:  # parsed by an earlier process from these very bytes
                cached.stat = stat
                self._entries[path] = cached
                changed.add(path)
                continue
            self._entries[path] = self._read(path, kind, data, stat, digest, old)
            changed.add(path)
        return bool(changed)

    def _read(self, path: str, kind: str, data: bytes, stat, digest, old: _Entry | None) -> _Entry:
        entry = self._parse(path, kind, data, stat, digest, old)
        if old is not None:
            entry.shown = old.shown
        return entry

    def _parse(self, path: str, kind: str, data: bytes, stat, digest, old: _Entry | None) -> _Entry:
        self.parsed_count += 1
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            prob = Problem(path, line, 1, "", f"file is not UTF-8 text (byte {exc.start}); save it as UTF-8")
            return _keep_last_good(_Entry(path, stat, digest, Parsed(None), [prob]), old)
        parsed = parse_yaml(text, path)
        problems = list(parsed.problems)
        entry = _Entry(path, stat, digest, parsed, problems)
        if parsed.value is None and any(p.severity == "error" for p in problems):
            return _keep_last_good(entry, old)
        name = {"installation": "installation"}.get(kind, kind)
        # a value the parser already rejected (a bad tag, say) needs no second complaint
        known = {p.field for p in problems if p.severity == "error"}
        shape = [p for p in schema.schema_problems(parsed, name, self.schema_dir, path) if p.field not in known]
        problems += shape
        if kind == "installation":
            if not shape and not any(p.severity == "error" for p in problems):
                entry.record, more = check_installation(parsed, path)
                problems += more
            if entry.record is None:
                return _keep_last_good(entry, old)
            entry.last_good = (entry.record, parsed)
        else:
            # A source whose only fault is a URL (or its revision) stays (unlinked, flagged by its error):
            # a typo in one URL must not hide every installation that cites it.
            lenient = {"url", "archive", "via", "revision"} if kind == "sources" else set()
            bad = {p_path[0] for p_path, p in zip(_error_item_paths(shape), shape, strict=True)
                   if p.field.rpartition(".")[2] not in lenient or "." not in p.field}
            entry.items = _build_items(kind, parsed, bad, path, problems)
        return entry

    # --- assembly --------------------------------------------------------------------------
    def _assemble(self, entries: dict[str, _Entry], copies: bool = True) -> Dataset:
        """The dataset of these entries; `copies`: report stale schema/ copies too (they are read from disk)."""
        problems: list[Problem] = []
        actors_entry = entries[str(self.data_dir / "actors.yaml")]
        sources_entry = entries[str(self.data_dir / "sources.yaml")]
        actors: dict[str, Actor] = {a.id: a for a in actors_entry.items}
        sources: dict[str, Source] = {s.id: s for s in sources_entry.items}
        routes_entry = entries.get(str(self.data_dir / "routes.yaml"))
        publishers_entry = entries.get(str(self.data_dir / "publishers.yaml"))
        actors_ok = actors_entry.parsed.value is not None
        sources_ok = sources_entry.parsed.value is not None
        problems += actors_entry.problems + sources_entry.problems
        problems += schema.copy_problems(self.data_dir) if copies else []
        problems += _actor_parents(actors, actors_entry)
        broken_sources = _broken_link_sources(sources_entry)
        records: list[Installation] = []
        seen: dict[str, str] = {}
        cited: set[str] = set()
        lists = {id(e) for e in (actors_entry, sources_entry, routes_entry, publishers_entry)}  # by identity:
        inst_entries = [(p, e) for p, e in entries.items() if id(e) not in lists]  # == compares whole entries
        for path, entry in inst_entries:
            problems += entry.problems
            if entry.record is None:
                # A file that fails to load: report its bad references too, and count its citations.
                raw_id = entry.parsed.value.get("id") if isinstance(entry.parsed.value, dict) else None
                skip = frozenset(p.field for p in entry.problems if p.severity == "error")
                problems += _reference_problems(raw_id if isinstance(raw_id, str) else None, entry.parsed, path,
                                                actors if actors_ok else None, sources if sources_ok else None, skip)
                cited |= _cited(entry.parsed)
                if entry.last_good is None:
                    continue
            rec, parsed = (entry.record, entry.parsed) if entry.record else entry.last_good
            found = self._assembly_problems(rec, parsed, path, seen, actors if actors_ok else None, sources if sources_ok else None)
            problems += found
            if any(p.severity == "error" for p in found):
                if entry.shown is None or entry.shown[0] is rec:
                    continue
                rec, parsed = entry.shown  # the version last on the map, if it still fits the rest
                if any(p.severity == "error" for p in
                       self._assembly_problems(rec, parsed, path, seen, actors if actors_ok else None, sources if sources_ok else None)):
                    continue
                rec = rec if rec.stale else replace(rec, stale=True)
                problems.append(Problem(path, 1, 1, "", "showing the last valid version of this file until the errors are fixed", "warning", rec.id))
            else:
                entry.shown = (rec, parsed)
            problems += _broken_citations(rec.id, parsed, path, broken_sources)
            stale_check = checked_problem(rec, parsed, path)
            problems += [stale_check] if stale_check else []
            seen[rec.id] = path
            cited.update(s for p in rec.history for s in p.sources)
            cited.update(s for p in rec.history for claim in p.claims for s in claim.sources)
            cited.update(s for r in rec.ranges for s in r.sources)
            records.append(rec)
        routes: list[Route] = []
        if routes_entry is not None:
            problems += routes_entry.problems
            for route in routes_entry.items:
                refs = _route_problems(route, routes_entry, seen, actors if actors_ok else None, sources if sources_ok else None)
                problems += refs
                if not refs:
                    routes.append(route)
                    cited.update(s for p in route.history for s in p.sources)
        publishers: dict[str, Publisher] = {}
        if publishers_entry is not None:
            problems += publishers_entry.problems
            publishers = {p.name: p for p in publishers_entry.items}
            if publishers_entry.parsed.value is not None:
                problems += _publisher_problems(sources, sources_entry, publishers)
        for src in sources.values():
            if src.id not in cited:
                idx = _item_index(sources_entry, src.id)
                line, col = sources_entry.parsed.where((idx, "id"))
                problems.append(Problem(sources_entry.path, line, col, f"[{idx}].id", f"source {src.id!r} is never cited", "warning", src.id))
        problems.sort(key=lambda p: (p.path, p.line, p.column))
        version = hashlib.blake2b("".join(e.digest for e in entries.values()).encode(), digest_size=8).hexdigest()
        return Dataset(records, actors, sources, problems, str(self.data_dir), version, routes, publishers)

    @staticmethod
    def _assembly_problems(rec: Installation, parsed: Parsed, path: str, seen: dict[str, str],
                           actors: dict | None, sources: dict | None) -> list[Problem]:
        """Problems of a record against the rest of the data: a duplicate id, unknown references."""
        if rec.id in seen:
            return [Problem(path, *parsed.where(("id",)), "id", f"duplicate id {rec.id!r}; also in {seen[rec.id]}", "error", rec.id)]
        return _reference_problems(rec.id, parsed, path, actors, sources)


class _NotAFile(Exception):
    """A data file name that is not a regular file inside the data folder; the message says which."""


def read_data_file(path: str, links_within: Path, limit: int = MAX_BYTES) -> bytes:
    """The bytes of a data file: at most `limit` + 1 (enough to tell it is too large).

    Only a regular file inside the data folder is read. A FIFO would block the reader forever
    and a link to /dev/zero never ends, so the file is opened without blocking and checked
    before any read; a link leaving the folder is refused without reading what it points at.
    """
    if os.path.islink(path):
        real = Path(os.path.realpath(path))
        if not real.is_relative_to(links_within.resolve()):
            raise _NotAFile("file is a link to outside the data folder; Garrison reads only files inside it")
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    try:
        if not stat_module.S_ISREG(os.fstat(fd).st_mode):
            raise _NotAFile("not a regular file (a folder, a FIFO, a device or a socket); only plain files are read")
        chunks, left = [], limit + 1
        while left > 0 and (chunk := os.read(fd, min(left, 1 << 20))):
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def _missing(path: str) -> _Entry:
    prob = Problem(path, 1, 1, "", "file is missing; the data folder needs actors.yaml and sources.yaml")
    return _Entry(path, (0, 0), "", Parsed(None), [prob])


def _keep_last_good(entry: _Entry, old: _Entry | None) -> _Entry:
    """An invalid installation file keeps its last good record, marked stale."""
    if old is not None and old.last_good is not None:
        rec, parsed = old.last_good
        entry.last_good = (replace(rec, stale=True), parsed)
        entry.problems.append(Problem(entry.path, 1, 1, "", "showing the last valid version of this file until the errors are fixed", "warning", rec.id))
    return entry


def _error_item_paths(problems: list[Problem]) -> list[tuple]:
    out = []
    for p in problems:
        head = p.field.split("]")[0].lstrip("[")
        out.append((int(head),) if head.isdigit() else (-1,))
    return out


def _build_items(kind: str, parsed: Parsed, bad: set[int], path: str, problems: list[Problem]) -> list:
    """Actors, sources, routes or publishers from a list file; items with errors are dropped, duplicates reported."""
    if not isinstance(parsed.value, list) or -1 in bad:
        return []
    if kind == "publishers":
        return _publishers(parsed, bad, path, problems)
    out, seen = [], {}
    for i, item in enumerate(parsed.value):
        if i in bad:
            continue
        if item["id"] in seen:
            line, col = parsed.where((i, "id"))
            problems.append(Problem(path, line, col, f"[{i}].id", f"duplicate id {item['id']!r}; first at item [{seen[item['id']]}]", "error", item["id"]))
            continue
        seen[item["id"]] = i
        if kind == "sources":
            reported = {p.field for p in problems}
            links = {k: item[k] if isinstance(item.get(k), str) else "" for k in ("url", "archive", "via") if k in item or k == "url"}
            for k, url in links.items():
                why = check_url(url) if url else None
                if why and f"[{i}].{k}" not in reported:
                    line, col = parsed.where((i, k))
                    problems.append(Problem(path, line, col, f"[{i}].{k}", why, "error", item["id"]))
            problems += _revision_problems(item, i, parsed, path)
            out.append(Source(item["id"], item["title"], item["publisher"], links["url"],
                              item.get("date"), item.get("language"), links.get("archive"), item.get("note"),
                              links.get("via"), _revision(item.get("revision"))))
        elif kind == "routes":
            route = _route(item, i, parsed, path, problems)
            if route:
                out.append(route)
        else:
            out.append(Actor(item["id"], item["name"], item["short"], item["colour"], item.get("parent"), item.get("flag"),
                             dict(item.get("names") or {})))
    return out


#: The one publisher whose sources may give a `revision` (an article's oldid).
REVISION_PUBLISHER = "Wikipedia"


def _revision(value: object) -> int | None:
    """A source's revision when it is one (a positive whole number; its schema error says otherwise)."""
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


def _revision_problems(item: dict, i: int, parsed: Parsed, path: str) -> list[Problem]:
    """A warning for a `revision` on a source that is not Wikipedia's (only Wikipedia has oldids)."""
    if "revision" not in item or item["publisher"] == REVISION_PUBLISHER:
        return []
    line, col = parsed.where((i, "revision"))
    return [Problem(path, line, col, f"[{i}].revision", f"revision is a Wikipedia article's oldid, but the publisher is "
                    f"{item['publisher']!r}; remove it (or fix the publisher)", "warning", item["id"])]


def _publishers(parsed: Parsed, bad: set[int], path: str, problems: list[Problem]) -> list[Publisher]:
    """The publishers table's rows; a name given twice is an error."""
    out, seen = [], {}
    for i, item in enumerate(parsed.value):
        if i in bad:
            continue
        if item["name"] in seen:
            line, col = parsed.where((i, "name"))
            problems.append(Problem(path, line, col, f"[{i}].name", f"duplicate publisher {item['name']!r}; first at item "
                                    f"[{seen[item['name']]}] (list all its hosts there)", "error"))
            continue
        seen[item["name"]] = i
        out.append(Publisher(item["name"], tuple(h.lower() for h in item["hosts"]), item.get("note")))
    return out


def _publisher_problems(sources: dict[str, Source], entry: _Entry, publishers: dict[str, Publisher]) -> list[Problem]:
    """Warnings for sources whose publisher is not in publishers.yaml, or whose url is not on the publisher's own site."""
    out = []
    for src in sources.values():
        i = _item_index(entry, src.id)
        pub = publishers.get(src.publisher)
        if pub is None:
            line, col = entry.parsed.where((i, "publisher"))
            out.append(Problem(entry.path, line, col, f"[{i}].publisher", f"publisher {src.publisher!r} is not in "
                               "publishers.yaml; add it with its own hosts (or fix the spelling)", "warning", src.id))
            continue
        host = urlsplit(src.url).hostname if check_url(src.url) is None else None
        if host and not pub.owns(host):
            line, col = entry.parsed.where((i, "url"))
            out.append(Problem(entry.path, line, col, f"[{i}].url", f"url host {host!r} is not {pub.name}'s "
                               f"({', '.join(pub.hosts)}); give the publisher's own page as url and the copy you read "
                               "as `via`", "warning", src.id))
    return out


def _route(item: dict, i: int, parsed: Parsed, path: str, problems: list[Problem]) -> Route | None:
    periods, ok, prev = [], True, None
    for j, raw in enumerate(item["history"]):
        try:
            start = parse_partial(raw["from"])
            end = parse_partial(raw["to"]) if "to" in raw else None
        except ValueError as exc:
            problems.append(Problem(path, *parsed.where((i, "history", j)), f"[{i}].history[{j}]", str(exc), "error", item["id"]))
            ok = False
            continue
        if (end and end.day <= start.day) or (prev and start.day <= prev.day):
            problems.append(Problem(path, *parsed.where((i, "history", j)), f"[{i}].history[{j}]",
                                    "periods must be in order, each `to` after its `from`", "error", item["id"]))
            ok = False
        prev = start
        periods.append(RoutePeriod(start, end, raw["status"], raw["confidence"], tuple(raw["sources"]), raw.get("note")))
    return Route(item["id"], item["name"], item["operator"], tuple(item["nodes"]), tuple(periods)) if ok else None


def _item_index(entry: _Entry, item_id: str) -> int:
    for i, item in enumerate(entry.parsed.value or []):
        if isinstance(item, dict) and item.get("id") == item_id:
            return i
    return 0


def _actor_parents(actors: dict[str, Actor], entry: _Entry) -> list[Problem]:
    out = []
    for a in actors.values():
        if a.parent and a.parent not in actors:
            line, col = entry.parsed.where((_item_index(entry, a.id), "parent"))
            out.append(Problem(entry.path, line, col, f"[{_item_index(entry, a.id)}].parent", f"unknown parent actor {a.parent!r}", "error", a.id))
        seen, cur = {a.id}, a.parent
        while cur in actors and actors[cur].parent:
            cur = actors[cur].parent
            if cur in seen:
                i = _item_index(entry, a.id)
                line, col = entry.parsed.where((i, "parent"))
                out.append(Problem(entry.path, line, col, f"[{i}].parent", f"actor {a.id!r} has a parent cycle "
                                   f"(its parents lead back to {cur!r}); break the cycle by changing one parent", "error", a.id))
                break
            seen.add(cur)
    return out


def _route_problems(route: Route, entry: _Entry, inst_ids, actors, sources) -> list[Problem]:
    i = _item_index(entry, route.id)
    out = []

    def bad(where: tuple, msg: str) -> None:
        out.append(Problem(entry.path, *entry.parsed.where((i, *where)), field_name((i, *where)), msg, "error", route.id))

    for j, node in enumerate(route.nodes):
        if node not in inst_ids:
            bad(("nodes", j), f"unknown or invalid installation {node!r}")
    if actors is not None and route.operator not in actors:
        bad(("operator",), f"unknown actor {route.operator!r}")
    for j, p in enumerate(route.history):
        for k, s in enumerate(p.sources):
            if sources is not None and s not in sources:
                bad(("history", j, "sources", k), f"unknown source {s!r}")
    return out


def _references(value) -> list[tuple[tuple, str, str]]:
    """(where, "actor" | "source", id) for every reference a parsed installation makes.

    Read from the parsed document, not the record, so a file that failed its schema check still
    has its references checked and its citations counted.
    """
    out: list[tuple[tuple, str, str]] = []
    if not isinstance(value, dict):
        return out
    for key in ("history", "ranges"):
        items = value.get(key)
        for i, item in enumerate(items if isinstance(items, list) else []):
            if not isinstance(item, dict):
                continue
            out += _item_references((key, i), item, key == "history")
            claims = item.get("claims") if key == "history" else None
            for j, claim in enumerate(claims if isinstance(claims, list) else []):
                if isinstance(claim, dict):
                    out += _item_references((key, i, "claims", j), claim, True)
    return out


def _item_references(where: tuple, item: dict, actors: bool) -> list[tuple[tuple, str, str]]:
    """The actor (operator, territory; if `actors`) and source references of one period, range or claim."""
    out: list[tuple[tuple, str, str]] = []
    if actors:
        out += [((*where, f), "actor", item[f]) for f in ("operator", "territory") if isinstance(item.get(f), str)]
    refs = item.get("sources")
    out += [((*where, "sources", j), "source", s) for j, s in enumerate(refs if isinstance(refs, list) else [])
            if isinstance(s, str)]
    return out


def _broken_link_sources(entry: _Entry) -> set[str]:
    """Ids of the sources kept although their `url` or `archive` has an error."""
    out = set()
    for p in entry.problems:
        m = re.fullmatch(r"\[(\d+)\]\.(url|archive)", p.field)
        if m and p.severity == "error" and isinstance(entry.parsed.value, list):
            item = entry.parsed.value[int(m[1])]
            if isinstance(item, dict) and isinstance(item.get("id"), str):
                out.add(item["id"])
    return out


def _broken_citations(rec_id: str, parsed: Parsed, path: str, broken: set[str]) -> list[Problem]:
    """A warning at each citation of a source whose link is broken: the installation stays, flagged."""
    return [Problem(path, *parsed.where(where), field_name(where),
                    f"source {ref!r} has a broken URL (see sources.yaml); it is shown without a link", "warning", rec_id)
            for where, kind, ref in _references(parsed.value) if kind == "source" and ref in broken]


def _cited(parsed: Parsed) -> set[str]:
    return {ref for _, kind, ref in _references(parsed.value) if kind == "source"}


def _reference_problems(rec_id: str | None, parsed: Parsed, path: str, actors, sources,
                        skip: frozenset[str] = frozenset()) -> list[Problem]:
    """Unknown actor and source ids, located at the referring field (fields in `skip` already have an error)."""
    out = []
    for where, kind, ref in _references(parsed.value):
        known = actors if kind == "actor" else sources
        if known is None or ref in known or field_name(where) in skip:
            continue
        home = "actors.yaml" if kind == "actor" else "sources.yaml"
        out.append(Problem(path, *parsed.where(where), field_name(where),
                           f"unknown {kind} {ref!r} (add it to {home} or fix the id)", "error", rec_id))
    return out


_LOADERS: dict[str, Loader] = {}
_LOADERS_LOCK = threading.Lock()


def shared_loader(data_dir: str | os.PathLike | None = None) -> Loader:
    """The process's one Loader for a data folder.

    Kept here, not in a UI cache, so the last valid versions it holds survive anything a viewer
    can do (Streamlit's "Clear cache" empties st.cache_resource for every session).
    """
    key = str(Path(data_dir if data_dir is not None else default_data_dir()).resolve())
    with _LOADERS_LOCK:
        loader = _LOADERS.get(key)
        if loader is None:
            loader = _LOADERS[key] = Loader(key, cache_dir=default_cache_dir())
        return loader


def load(data_dir: str | os.PathLike | None = None, strict: bool = False) -> Dataset:
    """Load a data folder (default: $GARRISON_DATA or the bundled data); incremental across calls.

    Returns the valid installations plus every problem; ``strict=True`` raises
    ``StrictLoadError`` when there is any error.
    """
    return shared_loader(data_dir).load(strict=strict)
