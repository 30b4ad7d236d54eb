"""Every file in tests/fixtures/bad/ has one fault; its first line says where and what.

``# expect: LINE:COL: FIELD: message start`` (or ``expect-warning``). The broken file is dropped
into a copy of the good fixture; the rest of the dataset must still load.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from paths import BAD

import garrison

CASES = sorted(BAD.iterdir())
_HEADER = re.compile(rb"^# (expect|expect-warning): (\d+):(\d+): ([^:]*): (.*)$")


def test_corpus_is_large_enough():
    assert len(CASES) >= 25


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_bad_file_is_reported_at_its_place(case: Path, good_copy: Path):
    m = _HEADER.match(case.read_bytes().split(b"\n", 1)[0])
    assert m, f"{case.name} lacks its '# expect:' header"
    kind, line, col, field, message = (g.decode() for g in m.groups())
    shared = case.name.split("-")[0] if case.name.startswith(("sources-", "actors-", "publishers-")) else None
    target = good_copy / f"{shared}.yaml" if shared else good_copy / "installations" / case.name
    shutil.copy(case, target)

    ds = garrison.Loader(good_copy).load()

    severity = "warning" if kind == "expect-warning" else "error"
    mine = [p for p in ds.problems if p.path == str(target) and p.severity == severity]
    assert mine, f"no {severity} reported for {case.name}: {[str(p) for p in ds.problems]}"
    first = mine[0]
    assert (first.line, first.column, first.field) == (int(line), int(col), field), str(first)
    assert first.message.startswith(message.strip()), str(first)
    # the printed form names file, line, column and field
    assert str(first).startswith(f"{target}:{line}:{col}: {field or '(file)'}: ")
    # one broken file never takes the dataset down: the three good installations remain
    ids = {r.id for r in ds.records}
    assert {"port-a", "base-b", "site-c"} <= ids
    if severity == "error" and not shared:
        assert target.stem not in ids
    with pytest.raises(garrison.StrictLoadError) if severity == "error" else _nothing():
        garrison.Loader(good_copy).load(strict=True)


def test_python_tag_is_never_executed(good_copy: Path, tmp_path: Path):
    marker = Path("/tmp/garrison-pwned")
    marker.unlink(missing_ok=True)
    shutil.copy(BAD / "python-tag.yaml", good_copy / "installations")
    garrison.Loader(good_copy).load()
    assert not marker.exists()


class _nothing:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


@pytest.mark.parametrize("red_parent, message", [
    ("red-pmc", "has a parent cycle"),     # red -> red-pmc -> red
    ("nobody", "unknown parent actor 'nobody'"),
])
def test_a_bad_actor_parent_is_reported_at_its_parent_key(good_copy: Path, red_parent: str, message: str):
    path = good_copy / "actors.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("  colour: '#cc0000'\n", f"  colour: '#cc0000'\n  parent: {red_parent}\n", 1)
    path.write_text(text, encoding="utf-8")
    line = text.splitlines().index(f"  parent: {red_parent}") + 1
    problems = [p for p in garrison.Loader(good_copy).load().problems if message in p.message]
    assert problems, "no problem reported"
    col = len("  parent: ") + 1  # at the value, as every problem is
    assert any(p.line == line and p.column == col and p.field == "[0].parent" for p in problems), [str(p) for p in problems]
    # must not: a problem at 1:1, which names no place in the file
    assert all((p.line, p.column) != (1, 1) for p in problems), [str(p) for p in problems]


def test_every_error_in_a_file_is_reported(good_copy: Path):
    """A schema error (a bad status) must not hide a reference error (an unknown operator) in the same file."""
    site = good_copy / "installations" / "site-c.yaml"
    site.write_text(site.read_text().replace("status: active", "status: sleeping").replace("operator: red-pmc", "operator: purple"))
    ds = garrison.Loader(good_copy).load()
    mine = {(p.line, p.field) for p in ds.errors if p.path == str(site)}
    assert (13, "history[0].status") in mine and (12, "history[0].operator") in mine, mine


def test_a_broken_file_still_counts_its_citations(good_copy: Path):
    """Only base-b cites s1 here; its breaking must not make s1 look unused."""
    base = good_copy / "installations" / "base-b.yaml"
    port = good_copy / "installations" / "port-a.yaml"
    port.write_text(port.read_text().replace("[s1, s2]", "[s2]").replace("[s1]", "[s2]"))
    assert not [p for p in garrison.Loader(good_copy).load().warnings if "never cited" in p.message]
    base.write_text(base.read_text().replace("status: active", "status: sleeping"))
    ds = garrison.Loader(good_copy).load()
    assert any(p.path == str(base) and p.field == "history[0].status" for p in ds.errors)
    # Must NOT happen: a source reported as never cited because the one file citing it is broken.
    assert not [p for p in ds.warnings if "never cited" in p.message], [str(p) for p in ds.warnings]


def test_a_typo_in_a_source_url_hides_no_installation(good_copy: Path):
    sources = good_copy / "sources.yaml"
    sources.write_text(sources.read_text().replace("url: https://example.org/one", "url: htps//example.org/one"))
    ds = garrison.Loader(good_copy).load()
    # Must NOT happen: the installations citing s1 vanish from the map.
    assert sorted(r.id for r in ds.records) == ["base-b", "port-a", "site-c"]
    assert any(p.path == str(sources) and p.field == "[0].url" and p.severity == "error" for p in ds.problems)
    flagged = {p.record for p in ds.warnings if "broken URL" in p.message}
    assert flagged == {"base-b", "port-a"}
    assert ds.sources["s1"].title == "Fixture report one"
