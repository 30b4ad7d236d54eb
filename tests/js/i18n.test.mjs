// The browser's words (static/garrison/map/i18n.js) against the Python on the same tables:
// tests/test_js_i18n.py writes each language's browser table, the dates Python's Messages.date
// writes and the names Dataset.name_of / actor_name give, and runs this file with Node's test runner.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { Words, ENGLISH } from "../../static/garrison/map/i18n.js";

const fixturePath = process.env.GARRISON_JS_FIXTURE;

function fixture() {
  if (!fixturePath) throw new Error("GARRISON_JS_FIXTURE is not set: run this through tests/test_js_i18n.py");
  return JSON.parse(readFileSync(fixturePath, "utf8"));
}

test("dates keep their precision in each language's own forms, as the Python writes them", () => {
  const f = fixture();
  let checked = 0;
  for (const [lang, { table, dates }] of Object.entries(f.languages)) {
    const w = new Words(table);
    for (const [iso, python] of Object.entries(dates)) {
      assert.equal(w.date(iso), python, lang + " " + iso);
      checked++;
    }
  }
  assert.ok(checked >= 4 * 3, "some dates checked");
  // must not: English dates other than ISO (the links, the date inputs and the tests read ISO)
  assert.equal(ENGLISH.day(20065), "2024-12-08");
  assert.equal(ENGLISH.date("2015-11"), "2015-11");
});

test("plural forms and terms come from the table", () => {
  const f = fixture();
  const ru = new Words(f.languages.ru.table);
  assert.equal(ru.nt("{n} operator", "{n} operators", 1), f.plurals.ru[1]);
  assert.equal(ru.nt("{n} operator", "{n} operators", 3), f.plurals.ru[3]);
  assert.equal(ru.nt("{n} operator", "{n} operators", 5), f.plurals.ru[5]);
  assert.equal(ru.term("status", "blockaded"), f.terms.ru.blockaded);
  assert.equal(ENGLISH.nt("{n} operator", "{n} operators", 2), "2 operators");
});

test("names in the reader's language, the English one marked where the data has none", () => {
  const f = fixture();
  for (const [lang, expected] of Object.entries(f.names)) {
    const w = new Words(f.languages[lang] ? f.languages[lang].table : { lang });
    for (const [part, rows] of Object.entries(expected)) {
      for (const [index, english, name, en] of rows) {
        assert.deepEqual(w.nameOf(f.payload, part, index, english), { text: name, en }, lang + " " + part + " " + index);
      }
    }
  }
  // must not: an English reader told that English names are English
  assert.equal(ENGLISH.nameOf(f.payload, "inst", 0, "x").en, false);
});
