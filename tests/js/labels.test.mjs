// The installation labels' placement (static/garrison/map/labels.js) under Node's test runner:
// run by tests/test_js_labels.py. Random markers and obstacles, seeded: whatever is placed never
// overlaps another label, an obstacle or a marker, and stays inside the map.
import { test } from "node:test";
import assert from "node:assert/strict";
import { BoxIndex, placeLabels } from "../../static/garrison/map/labels.js";

const LINE = 13, PAD = 2;

function random(seed) {  // mulberry32: the same cases on every run
  return () => {
    seed |= 0; seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function overlap(a, b) {
  return a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3];
}

function scene(seed, n) {
  const r = random(seed), width = 800, height = 600, half = 9;
  const items = Array.from({ length: n }, (_, key) => ({ key, x: Math.round(r() * width), y: Math.round(r() * height),
    w: 20 + Math.round(r() * 160) }));
  const obstacles = Array.from({ length: 25 }, () => { const x = r() * width, y = r() * height; return [x, y, x + 60, y + 14]; });
  return { items, obstacles, size: { width, height, half } };
}

test("placed labels overlap nothing and stay inside the map", () => {
  let placed = 0;
  for (const [seed, n] of [[1, 10], [2, 80], [3, 400], [4, 2000]]) {
    const { items, obstacles, size } = scene(seed, n);
    const got = placeLabels(items, obstacles, size);
    const boxes = [...got].map(([key, [x, y]]) => [x, y, x + items[key].w, y + LINE]);
    const markers = items.map(({ x, y }) => [x - size.half, y - size.half, x + size.half, y + size.half]);
    boxes.forEach((b, k) => {
      assert.ok(b[0] >= PAD && b[1] >= PAD && b[2] <= size.width - PAD && b[3] <= size.height - PAD, `label ${k} leaves the map`);
      boxes.slice(k + 1).forEach((o) => assert.ok(!overlap(b, o), "two labels overlap"));
      obstacles.forEach((o) => assert.ok(!overlap(b, o), "a label covers a basemap label"));
      markers.forEach((o) => assert.ok(!overlap(b, o), "a label covers a marker"));
    });
    placed += boxes.length;
    if (n <= 10) assert.ok(boxes.length >= 5, `only ${boxes.length} of 10 sparse labels placed`);
  }
  assert.ok(placed > 50, "the scenes placed almost nothing");
});

test("a label with room goes right of its marker; the first in order wins a contested spot", () => {
  const size = { width: 400, height: 300, half: 9 };
  const got = placeLabels([{ key: "a", x: 100, y: 100, w: 50 }], [], size);
  assert.deepEqual(got.get("a"), [100 + 9 + 3, Math.round(100 - LINE / 2)]);
  // b's label would fit on its left, but a (first in order) holds that room: b goes right
  const two = placeLabels([{ key: "a", x: 100, y: 100, w: 40 }, { key: "b", x: 170, y: 100, w: 40 }], [], size);
  assert.deepEqual(two.get("a"), got.get("a"));
  assert.deepEqual(two.get("b"), [170 + 12, Math.round(100 - LINE / 2)]);
  // a marker in the way: the label goes to the left instead of covering it
  const blocked = placeLabels([{ key: "a", x: 100, y: 100, w: 50 }, { key: "m", x: 140, y: 100, w: 400 }], [], size);
  assert.deepEqual(blocked.get("a"), [100 - 12 - 50, Math.round(100 - LINE / 2)]);
});

test("the box index answers as a full scan does", () => {
  const r = random(7), index = new BoxIndex(), all = [];
  for (let k = 0; k < 300; k++) {
    const x = r() * 1000 - 100, y = r() * 800 - 100, b = [x, y, x + r() * 150, y + r() * 30];
    const expected = all.some((o) => overlap(b, o));
    assert.equal(index.hits(b), expected, `box ${k}`);
    if (!expected) { index.add(b); all.push(b); }
  }
  assert.ok(all.length > 20);
});
