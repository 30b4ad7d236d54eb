// The browser's time functions (static/garrison/map/time.js) against the Python on the same
// fixtures: tests/test_js_time.py writes the fixture (the payload's columns and what Python
// answers for each question) and runs this file with Node's test runner.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { periodAt, passes, changedSince, bit, isoDay, dayOfIso, step, stepChange, stepMonth } from "../../static/garrison/map/time.js";
import { decodePayload, fromBase64 } from "../../static/garrison/map/payload.js";

const fixturePath = process.env.GARRISON_JS_FIXTURE;

function fixtures() {
  if (!fixturePath) throw new Error("GARRISON_JS_FIXTURE is not set: run this through tests/test_js_time.py");
  return JSON.parse(readFileSync(fixturePath, "utf8")).cases;
}

function payloadOf(c) {
  const bytes = readFileSync(c.payload);
  return decodePayload(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}

test("the period at each day is Python's", () => {
  for (const c of fixtures()) {
    const p = payloadOf(c);
    for (const [day, rows] of Object.entries(c.rows)) {
      const got = rows.map((_, i) => periodAt(p.col, i, +day));
      assert.deepEqual(got, rows, `${c.name} at day ${day}`);
    }
  }
});

test("what a filter keeps at each day is Python's", () => {
  for (const c of fixtures()) {
    const p = payloadOf(c);
    for (const f of c.filters) {
      const match = f.match ? { inst: fromBase64(f.match.inst), period: fromBase64(f.match.period) } : null;
      for (const [day, shown] of Object.entries(f.shown)) {
        const got = [];
        for (let i = 0; i < p.inst.id.length; i++) {
          const row = periodAt(p.col, i, +day);
          if (row >= 0 && passes(match, i, row)) got.push(i);
        }
        assert.deepEqual(got, shown, `${c.name} ${f.name} at day ${day}`);
      }
    }
  }
});

test("what changed since the compare date is Python's", () => {
  for (const c of fixtures()) {
    const p = payloadOf(c);
    for (const cmp of c.compares) {
      const codes = fromBase64(cmp.codes, Int32Array);
      const got = [];
      for (let i = 0; i < p.inst.id.length; i++) {
        if (changedSince(p.col.code, codes, i, periodAt(p.col, i, cmp.day))) got.push(i);
      }
      assert.deepEqual(got, cmp.changed, `${c.name} compare ${cmp.compare_day} -> ${cmp.day}`);
    }
  }
});

test("the payload decodes to the arrays Python wrote", () => {
  for (const c of fixtures()) {
    const p = payloadOf(c);
    assert.equal(p.inst.id.length, c.n_installations);
    assert.deepEqual(Array.from(p.col.offsets), c.offsets);
    assert.deepEqual(p.span, c.span);
  }
});

test("bits, ISO days", () => {
  const mask = fromBase64(Buffer.from([0b00000101, 0b10000000]).toString("base64"));
  assert.deepEqual([0, 1, 2, 15].map((k) => bit(mask, k)), [1, 0, 1, 1]);
  assert.equal(isoDay(0), "1970-01-01");
  assert.equal(isoDay(dayOfIso("2024-12-08")), "2024-12-08");
  assert.equal(dayOfIso("2024-13"), null);
  assert.equal(dayOfIso("1939-04-12"), -11222);
});

test("timeline steps: a day, a month, a change; clamped to the span", () => {
  const d = dayOfIso, first = d("2020-01-01"), last = d("2025-06-30"), changes = [d("2020-05-01"), d("2024-12-08"), d("2024-12-10")];
  assert.equal(isoDay(step(d("2024-12-07"), "day", +1, changes, first, last)), "2024-12-08");
  assert.equal(isoDay(step(d("2024-12-07"), "month", +1, changes, first, last)), "2025-01-01");
  assert.equal(isoDay(stepMonth(d("2024-12-07"), -1)), "2024-12-01");
  assert.equal(isoDay(stepMonth(d("2024-12-01"), -1)), "2024-11-01");
  assert.equal(isoDay(step(d("2024-12-08"), "change", +1, changes, first, last)), "2024-12-10");
  assert.equal(isoDay(step(d("2024-12-08"), "change", -1, changes, first, last)), "2020-05-01");
  assert.equal(stepChange(changes, d("2024-12-10"), +1), null);
  assert.equal(isoDay(step(d("2024-12-10"), "change", +1, changes, first, last)), "2025-06-30");  // no later change: the end
  assert.equal(isoDay(step(d("2020-01-01"), "day", -1, changes, first, last)), "2020-01-01");  // clamped
  assert.equal(isoDay(step(d("2025-06-20"), "month", +1, changes, first, last)), "2025-06-30");
});
