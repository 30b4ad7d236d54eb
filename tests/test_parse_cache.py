"""The parse cache: a cold start takes unchanged files from it, and a cache never changes an answer."""

from __future__ import annotations

import os
import pickle
from pathlib import Path

import pytest

from garrison import Loader, parsecache


def answer(ds) -> tuple:
    return ([(r.id, r.name, r.stale, tuple((p.start.text, p.status) for p in r.history)) for r in ds.records],
            [str(p) for p in ds.problems], ds.version)


@pytest.fixture
def folder(good_copy: Path) -> Path:
    # a file with errors is cached as it parsed, problems included
    (good_copy / "installations" / "broken.yaml").write_text("id: broken\nname: Broken\nkind: castle\n")
    return good_copy


def test_a_second_cold_start_parses_nothing_and_answers_the_same(folder: Path, tmp_path: Path):
    plain = Loader(folder).load()
    first = Loader(folder, cache_dir=tmp_path / "cache")
    assert answer(first.load()) == answer(plain) and first.parsed_count > 0
    second = Loader(folder, cache_dir=tmp_path / "cache")
    assert answer(second.load()) == answer(plain)
    assert second.parsed_count == 0


def test_a_changed_file_is_parsed_again_and_only_it(folder: Path, tmp_path: Path):
    Loader(folder, cache_dir=tmp_path / "cache").load()
    path = folder / "installations" / "port-a.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("name: Port A", "name: Port Renamed"), encoding="utf-8")
    again = Loader(folder, cache_dir=tmp_path / "cache")
    ds = again.load()
    assert again.parsed_count == 1
    # must not: the cached (old) version of the edited file
    assert ds.records[ds.index["port-a"]].name == "Port Renamed"
    assert answer(ds) == answer(Loader(folder).load())


def test_a_new_version_of_the_code_does_not_read_an_old_cache(folder: Path, tmp_path: Path, monkeypatch):
    Loader(folder, cache_dir=tmp_path / "cache").load()
    monkeypatch.setattr(parsecache, "code_version", lambda: "another version")
    again = Loader(folder, cache_dir=tmp_path / "cache")
    again.load()
    assert again.parsed_count == len(list((folder / "installations").glob("*.yaml"))) + 3  # actors, sources, publishers


def cache_file(folder: Path, cache: Path) -> Path:
    return parsecache.ParseCache(cache, folder).file


def test_a_corrupt_cache_is_ignored(folder: Path, tmp_path: Path):
    cache = tmp_path / "cache"
    Loader(folder, cache_dir=cache).load()
    path = cache_file(folder, cache)
    path.write_bytes(path.read_bytes()[:100])
    again = Loader(folder, cache_dir=cache)
    assert answer(again.load()) == answer(Loader(folder).load()) and again.parsed_count > 0


class _Marker:
    """Unpickling this creates a file: the proof that a cache file's code ran."""

    def __init__(self, where: str):
        self.where = where

    def __reduce__(self):
        return (Path(self.where).touch, ())


@pytest.mark.parametrize("who", ["group-writable file", "world-writable folder"])
def test_a_cache_others_can_write_is_never_unpickled(folder: Path, tmp_path: Path, who: str):
    cache = tmp_path / "cache"
    cache.mkdir(mode=0o700)
    path = cache_file(folder, cache)
    marker = tmp_path / "code-ran"
    path.write_bytes(pickle.dumps({"x": _Marker(str(marker))}))
    if who == "group-writable file":
        os.chmod(path, 0o664)
    else:
        os.chmod(path, 0o600)
        os.chmod(cache, 0o777)
    Loader(folder, cache_dir=cache).load()
    # must not: unpickle (run) a file someone else could have written
    assert not marker.exists()


def test_an_unwritable_cache_folder_only_costs_the_speed(folder: Path, tmp_path: Path):
    cache = tmp_path / "not-a-folder"
    cache.write_text("a file where the cache folder should be\n")
    loader = Loader(folder, cache_dir=cache)
    assert answer(loader.load()) == answer(Loader(folder).load())


def test_the_default_folder_follows_the_environment(monkeypatch, tmp_path: Path):
    monkeypatch.setenv("GARRISON_CACHE", str(tmp_path / "given"))
    assert parsecache.default_cache_dir() == tmp_path / "given"
    monkeypatch.delenv("GARRISON_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert parsecache.default_cache_dir() == tmp_path / "xdg" / "garrison"
