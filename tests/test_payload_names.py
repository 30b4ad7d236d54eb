"""The payload's names in the interface's languages (render/payload.py translated_names): what the
map shows in the reader's language, the same as Dataset.name_of / actor_name, and nothing else."""

from __future__ import annotations

import json

from paths import BUNDLED

from garrison import Loader
from garrison.i18n import LANGUAGES
from garrison.render.payload import build_payload, decode_payload, encode_payload


def test_names_are_the_datas_in_the_interfaces_languages_only():
    ds = Loader(BUNDLED).load()
    header = decode_payload(encode_payload(*build_payload(ds, [])))
    names = header["names"]
    assert set(names) <= set(LANGUAGES) - {"en"} and "ru" in names and "ar" in names
    for lang, parts in names.items():
        for i, name in parts["inst"].items():
            assert name == ds.name_of(header["inst"]["id"][int(i)], lang)
        actors = list(ds.actors.values())
        for code, name in parts["actors"].items():
            assert name == ds.actor_name(actors[int(code)].id, lang)
    # must NOT: a name the data has only in English copied in (the map marks those itself), or a
    # language the interface does not have (French names stay out of every reader's download)
    for lang, parts in names.items():
        assert all(ds.records[int(i)].names.get(lang) for i in parts["inst"])
    assert "fr" not in names
    assert len(json.dumps(names, ensure_ascii=False).encode()) < 20_000


def test_each_periods_start_keeps_its_precision():
    ds = Loader(BUNDLED).load()
    header = decode_payload(encode_payload(*build_payload(ds, [])))
    lengths = header["col"]["since_len"]
    assert len(lengths) == len(ds.periods) and set(lengths.tolist()) <= {4, 7, 10}
    assert lengths.tolist() == [len(t) for t in ds.periods.since]
