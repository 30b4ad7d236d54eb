"""The map's words in the browser (static/garrison/map/i18n.js) under Node's test runner, against
the Python: dates at their precision as Messages.date writes them, plurals and terms from the
browser table, names as Dataset.name_of / actor_name give them (the English one marked)."""

from __future__ import annotations

import json
import shutil
import subprocess

from paths import BUNDLED, ROOT

from garrison import Loader
from garrison.i18n import LANGUAGES, browser_table, messages
from garrison.render.payload import translated_names

NODE = shutil.which("node")
TEST = ROOT / "tests" / "js" / "i18n.test.mjs"
DATES = ("2024-12-08", "2015-11", "2017", "2019-01-01", "2000-05")


def _fixture() -> dict:
    ds = Loader(BUNDLED).load()
    langs = [lang for lang in LANGUAGES if lang != "en"]
    actors = list(ds.actors.values())
    names = {}
    for lang in LANGUAGES:
        inst = [[str(i), r.name, ds.name_of(r.id, lang), lang != "en" and not r.names.get(lang)]
                for i, r in enumerate(ds.records)]
        acts = [[str(i), a.short, ds.actor_name(a.id, lang) if a.names.get(lang) else a.short, lang != "en" and not a.names.get(lang)]
                for i, a in enumerate(actors)]
        names[lang] = {"inst": inst, "actors": acts}
    return {
        "languages": {lang: {"table": browser_table(lang), "dates": {d: messages(lang).date(d) for d in DATES}} for lang in langs},
        "plurals": {"ru": {n: messages("ru").ngettext("{n} operator", "{n} operators", n) for n in (1, 3, 5)}},
        "terms": {"ru": {"blockaded": messages("ru").term("status", "blockaded")}},
        "payload": {"names": translated_names(ds)},
        "names": names,
    }


def test_words_under_node(tmp_path):
    assert NODE, "Node.js is not installed: README's test command (scripts/test) installs it"
    path = tmp_path / "i18n.json"
    path.write_text(json.dumps(_fixture(), ensure_ascii=False), encoding="utf-8")
    run = subprocess.run([NODE, "--test", str(TEST)], env={"PATH": "/usr/bin:/bin", "GARRISON_JS_FIXTURE": str(path)},
                         capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    # must not: a run that tested nothing
    assert "# pass 3" in run.stdout and "# fail 0" in run.stdout, run.stdout[-2000:]
