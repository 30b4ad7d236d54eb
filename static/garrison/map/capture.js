// Pictures of the map, made in the browser (no server round trip for the pixels): a PNG of the map
// as shown, and an animation of a date range as GIF (gifenc) or WebM/MP4 (WebCodecs; webm-muxer
// and mp4-muxer write the files; all three under static/vendor/), with the title, the date, the
// legend, the attribution and a line of sources on every picture.
//
// Everything is read from what the map shows at that moment, never from a copy of its layout:
// the panes' canvases (the basemap, the markers), SVG (rings, routes) and images (opt-in tiles,
// when the browser lets them be read), the DOM text of labels, and the legend control's own
// elements. An animation steps the map's own timeline (Timeline.show: the markers are restyled
// from the payload, nothing is sent to the server) and puts the date back when it is done.
// Every word, on the control and on the pictures, is the reader's language (the map's Words:
// gmap.words), and so is the date on each picture.
/* global L */
import { isoDay, dayOfIso, periodAt, passes, stepChange } from "./time.js";
import { text } from "./dom.js";

const GIFENC = new URL("../../vendor/gifenc/gifenc.esm.js", import.meta.url).href;
const FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif';
const SKIP_PANES = new Set(["tooltipPane", "popupPane"]);  // hover and click leftovers, not the map
// i18n: how long each frame of an animation shows
const FRAME_MS = [[(w) => w.t("0.25 s a frame"), 250], [(w) => w.t("0.5 s a frame"), 500], [(w) => w.t("1 s a frame"), 1000],
  [(w) => w.t("0.1 s a frame"), 100]];
const VIDEO = {
  webm: { codec: "vp09.00.10.08", track: "V_VP9", mime: "video/webm", muxer: new URL("../../vendor/webm-muxer/webm-muxer.mjs", import.meta.url).href },
  mp4: { codec: "avc1.640028", track: "avc", mime: "video/mp4", muxer: new URL("../../vendor/mp4-muxer/mp4-muxer.mjs", import.meta.url).href },
};

// --- reading the page -----------------------------------------------------------------------

function visible(el) {
  return el.checkVisibility ? el.checkVisibility({ opacityProperty: true, visibilityProperty: true }) : el.getClientRects().length > 0;
}

function transparent(colour) {
  return !colour || colour === "transparent" || /^rgba\(.*,\s*0\)$/.test(colour);
}

function fontOf(cs) {
  return [cs.fontStyle, cs.fontWeight, cs.fontSize, cs.fontFamily].join(" ");
}

function haloOf(cs) {  // the first colour of a text-shadow: the labels' halo
  const m = cs.textShadow && cs.textShadow !== "none" ? /rgba?\([^)]*\)|#[0-9a-f]{3,8}/i.exec(cs.textShadow) : null;
  return m ? m[0] : null;
}

/** Each SVG in `root` as a loaded image of itself (serialised; the styles Leaflet sets are attributes). */
async function svgImages(root) {
  const out = new Map();
  await Promise.all([...root.querySelectorAll("svg")].filter(visible).map((svg) => new Promise((resolve) => {
    const r = svg.getBoundingClientRect(), copy = svg.cloneNode(true);
    // (XMLSerializer writes the SVG namespace itself)
    copy.setAttribute("width", String(r.width));
    copy.setAttribute("height", String(r.height));
    const img = new Image();
    img.onload = () => { out.set(svg, img); resolve(); };
    img.onerror = () => resolve();  // a picture without it beats no picture
    img.src = "data:image/svg+xml;charset=utf-8," + encodeURIComponent(new XMLSerializer().serializeToString(copy));
  })));
  return out;
}

/** Draw a text node where the page shows it (word by word where it wraps). */
function drawText(ctx, node, cs, ox, oy) {
  let value = node.textContent;
  if (!value || !value.trim()) return;
  const range = document.createRange();
  range.selectNodeContents(node);
  const rects = range.getClientRects();
  if (!rects.length) return;
  ctx.font = fontOf(cs);
  ctx.direction = cs.direction === "rtl" ? "rtl" : "ltr";  // the text's own order, as the page shows it
  ctx.letterSpacing = cs.letterSpacing && cs.letterSpacing !== "normal" ? cs.letterSpacing : "0px";
  ctx.textBaseline = "middle";
  ctx.textAlign = "left";
  const halo = haloOf(cs), put = (s, r) => {
    if (cs.textTransform === "uppercase") s = s.toUpperCase();
    const x = r.left - ox, y = r.top + r.height / 2 - oy;
    if (halo) { ctx.strokeStyle = halo; ctx.lineWidth = 3; ctx.lineJoin = "round"; ctx.strokeText(s, x, y); }
    ctx.fillStyle = cs.color;
    ctx.fillText(s, x, y);
  };
  if (rects.length === 1) { put(value.replace(/\s+/g, " ").trim(), rects[0]); return; }
  const words = /\S+/g;
  let m;
  while ((m = words.exec(value))) {
    range.setStart(node, m.index);
    range.setEnd(node, m.index + m[0].length);
    const r = range.getBoundingClientRect();
    if (r.width) put(m[0], r);
  }
}

function drawBox(ctx, el, cs, r, ox, oy) {
  const x = r.left - ox, y = r.top - oy;
  if (!transparent(cs.backgroundColor)) {
    ctx.fillStyle = cs.backgroundColor;
    ctx.beginPath();
    ctx.roundRect(x, y, r.width, r.height, Math.min(parseFloat(cs.borderTopLeftRadius) || 0, r.width / 2, r.height / 2));
    ctx.fill();
  }
  const top = parseFloat(cs.borderTopWidth) || 0;
  if (top > 0 && cs.borderTopStyle !== "none" && !transparent(cs.borderTopColor)) {
    ctx.strokeStyle = cs.borderTopColor;
    ctx.lineWidth = top;
    ctx.setLineDash(cs.borderTopStyle === "dashed" ? [3 * top, 2 * top] : cs.borderTopStyle === "dotted" ? [top, top] : []);
    ctx.beginPath();
    const all = ["Right", "Bottom", "Left"].every((s) => parseFloat(cs["border" + s + "Width"]) === top);
    if (all) ctx.roundRect(x + top / 2, y + top / 2, r.width - top, r.height - top, parseFloat(cs.borderTopLeftRadius) || 0);
    else { ctx.moveTo(x, y + top / 2); ctx.lineTo(x + r.width, y + top / 2); }
    ctx.stroke();
    ctx.setLineDash([]);
  }
}

function drawable(img) {  // an image the canvas may read back (opt-in tiles from elsewhere may not)
  if (!img.complete || !img.naturalWidth) return false;
  try { return new URL(img.src, location.href).origin === location.origin || img.src.startsWith("data:"); } catch (e) { return false; }
}

/**
 * Paint `el` and what it contains, as the page shows it, with (ox, oy) the page point at the
 * canvas's origin: backgrounds and borders, canvases, images, SVG (from `svgs`), text.
 */
function paintElement(ctx, el, ox, oy, svgs, skip) {
  if (skip && skip(el)) return;
  if (!visible(el)) return;
  const cs = getComputedStyle(el), r = el.getBoundingClientRect(), tag = el.tagName;
  ctx.save();
  ctx.globalAlpha *= parseFloat(cs.opacity);
  drawBox(ctx, el, cs, r, ox, oy);
  if (tag === "CANVAS" && el.width && r.width) ctx.drawImage(el, r.left - ox, r.top - oy, r.width, r.height);
  else if (tag === "IMG" && drawable(el)) ctx.drawImage(el, r.left - ox, r.top - oy, r.width, r.height);
  else if (tag === "svg" || tag === "SVG") { const img = svgs && svgs.get(el); if (img) ctx.drawImage(img, r.left - ox, r.top - oy, r.width, r.height); }
  if (tag !== "svg" && tag !== "CANVAS") {
    for (const child of el.childNodes) {
      if (child.nodeType === Node.TEXT_NODE) drawText(ctx, child, cs, ox, oy);
      else if (child.nodeType === Node.ELEMENT_NODE) paintElement(ctx, child, ox, oy, svgs, skip);
    }
  }
  ctx.restore();
}

// --- what a picture says --------------------------------------------------------------------

/** The period rows the map shows at `day` inside the map's bounds (the layers' own rule). */
function shownRows(gmap, day) {
  const p = gmap.payload, col = p.col, s = gmap.state, bounds = gmap.map.getBounds(), rows = new Set();
  for (const layer of gmap.layers) {
    if (!(layer instanceof gmap.m.InstallationsLayer)) continue;
    const own = s.layers && s.layers[layer.options.id];
    for (let i = 0; i < p.inst.id.length; i++) {
      const row = periodAt(col, i, day);
      if (row >= 0 && passes(s.match, i, row) && passes(own, i, row) && bounds.contains([col.lat[i], col.lon[i]])) rows.add(row);
    }
  }
  return rows;
}

/** The publishers of the shown periods' sources, the most cited first. */
export function publishersAt(gmap, day) {
  const p = gmap.payload, off = p.col.pub_offsets, pub = p.col.pub, count = new Map();
  if (!off || !p.publishers) return [];
  for (const row of shownRows(gmap, day)) {
    for (let k = off[row]; k < off[row + 1]; k++) count.set(pub[k], (count.get(pub[k]) || 0) + 1);
  }
  return [...count.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0]).map(([k]) => p.publishers[k]);
}

/** Lines of `items` joined by " · " that fit `width`, at most `max` lines; the rest counted (`more(n)`). */
function fitLines(ctx, head, items, width, max, more = (n) => " … (+" + n + ")") {
  const lines = [];
  let line = head, k = 0;
  for (; k < items.length; k++) {
    const next = line + (line === head ? "" : " · ") + items[k];
    if (ctx.measureText(next).width <= width) { line = next; continue; }
    if (lines.length + 1 >= max) break;
    lines.push(line);
    line = items[k];
  }
  if (k < items.length) {
    const rest = more(items.length - k);
    while (line.length && ctx.measureText(line + rest).width > width) line = line.replace(/( · )?[^·]*$/, "");
    line += rest;
  }
  lines.push(line);
  return lines;
}

function panel(ctx, x, y, w, h) {
  ctx.fillStyle = "rgba(255, 255, 255, 0.9)";
  ctx.beginPath();
  ctx.roundRect(x, y, w, h, 4);
  ctx.fill();
}

/**
 * The legend control's elements, unfolded and unscrolled for the moment they are read, as a canvas,
 * with the heights (from its top) where a column may break: the lower edges of its rows.
 */
function legendCanvas(gmap, ratio) {
  const box = gmap.legendControl && gmap.legendControl.getContainer && gmap.legendControl.getContainer();
  if (!box || !box.isConnected) return null;
  const wasOpen = box.open, lifted = [];
  if ("open" in box) box.open = true;
  for (const el of [box, ...box.querySelectorAll("*")]) {
    const cs = getComputedStyle(el);
    if (cs.maxHeight !== "none" || cs.overflowY !== "visible") {
      lifted.push([el, el.style.maxHeight, el.style.overflow]);
      el.style.maxHeight = "none";
      el.style.overflow = "visible";
    }
  }
  try {
    const r = box.getBoundingClientRect();
    if (!r.width || !r.height) return null;
    const c = document.createElement("canvas");
    c.width = Math.ceil(r.width * ratio);
    c.height = Math.ceil(r.height * ratio);
    const ctx = c.getContext("2d");
    ctx.scale(ratio, ratio);
    paintElement(ctx, box, r.left, r.top, null, null);
    const cuts = [...new Set([...box.querySelectorAll("*")].filter((e) => e.childElementCount === 0 || e.children[0].tagName === "SPAN")
      .map((e) => Math.round(e.getBoundingClientRect().bottom - r.top)))].sort((a, b) => a - b);
    return { canvas: c, width: r.width, height: r.height, cuts, ratio };
  } finally {
    for (const [el, mh, ov] of lifted) { el.style.maxHeight = mh; el.style.overflow = ov; }
    if ("open" in box) box.open = wasOpen;
  }
}

/** The legend in as many columns as it needs to fit `room` px high, each cut below a row. */
function legendColumns(legend, room) {
  const cols = [];
  for (let top = 0; top < legend.height - 1;) {
    let end = top + room;
    if (end < legend.height) {
      const fit = legend.cuts.filter((y) => y > top + 20 && y <= end);
      if (fit.length) end = fit[fit.length - 1];
    }
    end = Math.min(end, legend.height);
    cols.push([top, end]);
    top = end;
  }
  return cols;
}

/** Draw the legend's columns side by side in the column `area` ({x, width, top, bottom}), scaled down to fit it. */
function drawLegend(ctx, legend, area) {
  const pad = 8, room = area.bottom - area.top - 2 * pad, width = area.width - 2 * pad;
  if (room < 60 || width < 40) return;
  let cols = legendColumns(legend, room), scale = Math.min(1, width / (cols.length * legend.width));
  if (scale < 1) {  // narrower columns are taller: lay out again for the scaled height
    cols = legendColumns(legend, room / scale);
    scale = Math.min(1, width / (cols.length * legend.width), room / Math.max(...cols.map(([a, b]) => b - a)));
  }
  const w = legend.width * scale, r = legend.ratio;
  cols.forEach(([a, b], k) => {
    ctx.drawImage(legend.canvas, 0, a * r, legend.width * r, (b - a) * r, area.x + pad + k * w, area.top + pad, w, (b - a) * scale);
  });
}

/** The width of the picture's legend column beside the map: the panel's own when it stands beside
 * the map, else a fixed one (the same for every frame of an animation); 0 without a legend. */
function legendColumnWidth(gmap, size) {
  const box = gmap.legendControl && gmap.legendControl.getContainer && gmap.legendControl.getContainer();
  if (!box || !box.isConnected) return 0;
  const stage = box.closest(".garrison-stage"), beside = stage && stage.classList.contains("garrison-stage-wide");
  const panel = beside && box.open ? box.getBoundingClientRect().width : 220;
  return Math.round(Math.min(panel, size.x * 0.45)) + 16;
}

function attributionText(gmap) {
  const a = gmap.map.getContainer().querySelector(".leaflet-control-attribution");
  return a ? a.textContent.replace(/\s+/g, " ").trim() : "";
}

/**
 * The map as shown at its current date, with its title, date, legend, attribution and line of
 * sources, on a new canvas of the map's size times `ratio`.
 */
export async function composeMap(gmap, { ratio = globalThis.devicePixelRatio || 1, title = "Garrison" } = {}) {
  const map = gmap.map, size = map.getSize(), box = map.getContainer().getBoundingClientRect();
  // the legend stands beside the map, as on the page (on its left where the page reads right to left)
  const side = legendColumnWidth(gmap, size), rtl = gmap.words.dir === "rtl", mapX = rtl ? side : 0;
  const full = { x: size.x + side, y: size.y };
  const out = document.createElement("canvas");
  out.width = Math.round(full.x * ratio);
  out.height = Math.round(full.y * ratio);
  const ctx = out.getContext("2d");
  ctx.scale(ratio, ratio);
  const bg = getComputedStyle(map.getContainer()).backgroundColor;
  ctx.fillStyle = transparent(bg) ? "#ffffff" : bg;
  ctx.fillRect(0, 0, full.x, full.y);
  const mapPane = map.getPane("mapPane"), svgs = await svgImages(mapPane);
  const skipped = new Set([...SKIP_PANES].map((n) => map.getPane(n)).filter(Boolean));
  // the panes in the order they stack (custom panes are appended after Leaflet's own)
  const panes = [...mapPane.children].map((el, k) => ({ el, k, z: parseInt(getComputedStyle(el).zIndex, 10) || 0 }))
    .sort((a, b) => a.z - b.z || a.k - b.k);
  // the installations' hook elements are transparent by design (installations.js paints the markers)
  const skip = (e) => skipped.has(e) || e.classList.contains("garrison-hooks");
  ctx.save();
  ctx.beginPath();
  ctx.rect(mapX, 0, size.x, size.y);
  ctx.clip();
  for (const { el } of panes) paintElement(ctx, el, box.left - mapX, box.top, svgs, skip);
  ctx.restore();
  const day = gmap.state.day, words = gmap.words;
  drawFrame(ctx, gmap, full, ratio, { title, date: words.day(day), publishers: publishersAt(gmap, day), words,
    mapX, legendArea: side ? { x: rtl ? 0 : size.x, width: side, top: 0 } : null });
  return out;
}

/** Title and date (top left of the map), legend (its column), sources and attribution (the bottom band). */
function drawFrame(ctx, gmap, size, ratio, { title, date, publishers, words, mapX, legendArea }) {
  const pad = 8;
  ctx.textBaseline = "alphabetic";
  ctx.textAlign = "left";
  ctx.letterSpacing = "0px";
  ctx.direction = words.dir;  // "8 ديسمبر 2024" in its own order (the left edge stays where it is)
  // title and date
  ctx.font = "600 14px " + FONT;
  const tw = ctx.measureText(title).width;
  ctx.font = "700 22px " + FONT;
  const dw = ctx.measureText(date).width;
  panel(ctx, mapX + pad, pad, Math.max(tw, dw) + 2 * pad, 52);
  ctx.fillStyle = "#333";
  ctx.font = "600 14px " + FONT;
  ctx.fillText(title, mapX + 2 * pad, pad + 19);
  ctx.fillStyle = "#111";
  ctx.font = "700 22px " + FONT;
  ctx.fillText(date, mapX + 2 * pad, pad + 44);
  // the bottom band, across the picture: sources (up to two lines), attribution
  ctx.font = "11px " + FONT;
  const width = size.x - 4 * pad, line = 14;
  // i18n: the line of sources at the foot of an exported picture, before the publishers' names
  const head = words.t("Sources:") + " ";
  // i18n: at the end of the line of sources when not all publishers fit: how many are left out
  const more = (n) => " … " + words.nt("(+{n} more)", "(+{n} more)", n);
  const sources = publishers.length ? fitLines(ctx, head, publishers, width, 2, more) : [];
  const attribution = attributionText(gmap), lines = [...sources, ...(attribution ? [attribution] : [])];
  const bandH = lines.length * line + pad;
  if (lines.length) {
    ctx.fillStyle = "rgba(255, 255, 255, 0.85)";
    ctx.fillRect(0, size.y - bandH, size.x, bandH);
    ctx.fillStyle = "#333";
    const rtl = words.dir === "rtl";  // a right-to-left line starts at the right
    ctx.textAlign = rtl ? "right" : "left";
    lines.forEach((s, k) => ctx.fillText(s, rtl ? size.x - 2 * pad : 2 * pad, size.y - bandH + pad / 2 + line * (k + 1) - 3, width));
    ctx.textAlign = "left";
  }
  const legend = legendArea && legendCanvas(gmap, ratio);
  if (legend) drawLegend(ctx, legend, { ...legendArea, bottom: size.y - bandH });
}

function canvasBlob(canvas, type) {
  return new Promise((resolve, reject) => canvas.toBlob((b) => (b ? resolve(b) : reject(new Error("could not encode " + type))), type));
}

function save(blob, name) {
  const a = document.createElement("a"), url = URL.createObjectURL(blob);
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 60000);  // the download has long started by then
  return url;
}

// --- animations -------------------------------------------------------------------------------

/** The frames' days: `from`, then every day (or every change day) up to `to`, and `to`. */
export function frameDays(from, to, unit, changeDays) {
  const days = [from];
  let d = from;
  for (;;) {
    const next = unit === "day" ? d + 1 : stepChange(changeDays, d, +1);
    if (next === null || next > to) break;
    days.push((d = next));
  }
  if (days[days.length - 1] !== to && to > from) days.push(to);
  return days;
}

/**
 * Render the map at each of `days` (stepping its own timeline) and encode the frames as `format`
 * ("gif", "webm" or "mp4"); `progress(k, n)` after each frame. The map's date is put back after.
 */
export async function animate(gmap, days, { format, frameMs, progress = () => {}, title }) {
  const timeline = gmap.timeline, back = timeline.day, ratio = 1;
  let encoder = null, finish;
  try {
    for (let k = 0; k < days.length; k++) {
      timeline.show(days[k]);
      const frame = await composeMap(gmap, { ratio, title });
      if (!encoder) ({ encoder, finish } = await startEncoder(format, frame, frameMs, gmap.words));
      await encoder(frame);
      progress(k + 1, days.length);
    }
    return await finish();
  } finally {
    timeline.show(back);
  }
}

async function startEncoder(format, first, frameMs, words) {
  const w = first.width, h = first.height;
  if (format === "gif") {
    const { GIFEncoder, quantize, applyPalette } = await import(GIFENC);
    const gif = GIFEncoder();
    return {
      encoder: async (frame) => {
        const rgba = frame.getContext("2d").getImageData(0, 0, w, h).data, palette = quantize(rgba, 256);
        gif.writeFrame(applyPalette(rgba, palette), w, h, { palette, delay: frameMs });
        await new Promise((r) => setTimeout(r, 0));  // let the progress bar show
      },
      finish: async () => { gif.finish(); return new Blob([gif.bytes()], { type: "image/gif" }); },
    };
  }
  return videoEncoder(format, w, h, frameMs, words);
}

/**
 * WebM (VP9) or MP4 (H.264) from the browser's WebCodecs encoder, every frame stamped with its own
 * time: the file has exactly one frame per date however long each took to draw (a MediaRecorder
 * keeps wall-clock time and dropped frames), and is made faster than it plays.
 */
async function videoEncoder(format, w, h, frameMs, words) {
  const spec = VIDEO[format];
  if (!spec) throw new Error("no video format " + format);
  const width = w - (w % 2), height = h - (h % 2);  // H.264 wants even sizes
  const config = { codec: spec.codec, width, height, bitrate: 4e6, framerate: 1000 / frameMs };
  if (!(typeof VideoEncoder !== "undefined" && (await VideoEncoder.isConfigSupported(config)).supported)) {
    // i18n: why an animation could not be made: {format} is WEBM or MP4
    throw new Error(words.t("this browser cannot encode {format}").replace("{format}", format.toUpperCase()));
  }
  const lib = await import(spec.muxer);
  const muxer = new lib.Muxer({ target: new lib.ArrayBufferTarget(), video: { codec: spec.track, width, height, frameRate: 1000 / frameMs },
    ...(format === "mp4" ? { fastStart: "in-memory" } : {}) });
  let failure = null, k = 0;
  const encoder = new VideoEncoder({ output: (chunk, meta) => muxer.addVideoChunk(chunk, meta), error: (e) => { failure = e; } });
  encoder.configure(config);
  return {
    encoder: async (frame) => {
      if (failure) throw failure;
      const vf = new VideoFrame(frame, { timestamp: k * frameMs * 1000, duration: frameMs * 1000, visibleRect: { x: 0, y: 0, width, height } });
      encoder.encode(vf, { keyFrame: k % 30 === 0 });
      vf.close();
      k++;
      if (encoder.encodeQueueSize > 4) await new Promise((r) => encoder.addEventListener("dequeue", r, { once: true }));
    },
    finish: async () => {
      await encoder.flush();
      encoder.close();
      if (failure) throw failure;
      muxer.finalize();
      return new Blob([muxer.target.buffer], { type: spec.mime });
    },
  };
}

export function videoFormats() {
  return typeof VideoEncoder === "undefined" ? [] : Object.keys(VIDEO);
}

// --- the control ------------------------------------------------------------------------------

const CAMERA = "M4 7h3l2-2h6l2 2h3v12H4z M12 9.5a3.5 3.5 0 1 0 0 7a3.5 3.5 0 1 0 0-7z";
const FILM = "M4 4h16v16H4z M8 4v16 M16 4v16 M4 8h4 M4 12h4 M4 16h4 M16 8h4 M16 12h4 M16 16h4";

function buttonCss() {  // the icon buttons keep Leaflet's control size when the form opens under them
  return "width:30px;height:30px;padding:0;display:flex;align-items:center;justify-content:center";
}

function icon(d) {  // a line icon drawn as SVG (no emoji font needed); the HTML parser gives it SVG's namespace
  const holder = document.createElement("span");
  holder.innerHTML = '<svg viewBox="0 0 24 24" width="18" height="18" aria-hidden="true"><path fill="none" ' +
    'stroke="currentColor" stroke-width="1.8" stroke-linejoin="round"></path></svg>';  // a constant: no data in it
  holder.querySelector("path").setAttribute("d", d);
  return holder.firstChild;
}

function field(labelText, input) {
  const l = text("label", "garrison-capture-field");
  l.style.cssText = "display:flex;justify-content:space-between;gap:6px;align-items:center";
  l.appendChild(text("span", null, labelText));
  l.appendChild(input);
  return l;
}

function select(name, options, chosen) {
  const s = text("select", "garrison-select");
  s.setAttribute("aria-label", name);
  for (const [label, value] of options) {
    const o = text("option", null, label);
    o.value = String(value);
    if (String(value) === String(chosen)) o.selected = true;
    s.appendChild(o);
  }
  return s;
}

function dateInput(name, iso, min, max) {
  const d = text("input", "garrison-capture-date");
  d.type = "date";
  d.setAttribute("aria-label", name);
  d.min = min;
  d.max = max;
  d.value = iso;
  return d;
}

/** The map's button for pictures: "Save image (PNG)" and an animation panel. */
export const CaptureControl = L.Control.extend({
  options: { position: "topleft", title: "Garrison" },

  initialize(gmap, options) {
    L.setOptions(this, options);
    this._gmap = gmap;
  },

  _words() {
    return this._gmap.words;
  },

  onAdd() {
    const box = (this._box = text("div", "garrison-capture leaflet-bar"));
    box.style.cssText = "background:#fff;color:#222;display:flex;flex-direction:column;align-items:flex-start";
    const png = (this._png = text("button", "garrison-btn garrison-capture-png"));
    png.appendChild(icon(CAMERA));
    png.style.cssText = buttonCss();
    png.type = "button";
    png.addEventListener("click", () => this.savePng());
    const anim = (this._anim = text("button", "garrison-btn garrison-capture-anim"));
    anim.appendChild(icon(FILM));
    anim.style.cssText = buttonCss();
    anim.type = "button";
    anim.setAttribute("aria-expanded", "false");
    anim.addEventListener("click", () => this._toggle(anim));
    box.appendChild(png);
    box.appendChild(anim);
    this._labelButtons();
    L.DomEvent.disableClickPropagation(box);
    L.DomEvent.disableScrollPropagation(box);
    return box;
  },

  _labelButtons() {
    const w = this._words();
    // i18n: the map's camera button (its hover text and accessible name)
    const png = w.t("Save the map as a PNG image"), anim = w.t("Make an animation of a date range");
    this._png.title = png;
    this._png.setAttribute("aria-label", png);
    this._anim.title = anim;
    this._anim.setAttribute("aria-label", anim);
  },

  /** The reader switched languages: the buttons and the animation form in the new one (its choices kept). */
  setWords() {
    if (!this._png) return;
    this._labelButtons();
    if (!this._form) return;
    const keep = { from: this._from.value, to: this._to.value, unit: this._unit.value, speed: this._speed.value,
      format: this._format.value, hidden: this._form.hidden };
    const form = this._buildForm();
    this._form.replaceWith(form);
    this._form = form;
    Object.assign(this._from, { value: keep.from });
    Object.assign(this._to, { value: keep.to });
    this._unit.value = keep.unit;
    this._speed.value = keep.speed;
    this._format.value = keep.format;
    form.hidden = keep.hidden;
  },

  /** The PNG of the map as shown; resolves with its blob (also downloaded). */
  async savePng() {
    const g = this._gmap;
    if (!g.payload) return null;
    const canvas = await composeMap(g, { title: this.options.title }), blob = await canvasBlob(canvas, "image/png");
    save(blob, "garrison-map-" + isoDay(g.state.day) + ".png");
    g.map.getContainer().setAttribute("data-garrison-png", canvas.width + "x" + canvas.height);
    return blob;
  },

  _toggle(button) {
    if (!this._gmap.payload) return;
    if (this._form) {
      const open = this._form.hidden;
      this._form.hidden = !open;
      button.setAttribute("aria-expanded", String(open));
      return;
    }
    this._form = this._buildForm();
    this._box.appendChild(this._form);
    button.setAttribute("aria-expanded", "true");
  },

  _buildForm() {
    const g = this._gmap, w = this._words(), p = g.payload, first = isoDay(p.span[0]), last = isoDay(p.span[1]);
    const form = text("form", "garrison-capture-form");
    form.dir = w.dir;
    // i18n: the accessible name of the map's animation form
    form.setAttribute("aria-label", w.t("Animation"));
    form.style.cssText = "display:grid;gap:4px;padding:6px;font:12px sans-serif;min-width:180px";
    const now = g.state.day, from = isoDay(Math.max(p.span[0], now - 120)), to = isoDay(now);
    // i18n: the animation form's fields: its first and last date, how it steps, how long a frame shows, the file type
    const names = { from: w.t("From"), to: w.t("To"), step: w.t("Frame step"), length: w.t("Frame length"), format: w.t("Format") };
    this._from = dateInput(names.from, from, first, last);
    this._to = dateInput(names.to, to, first, last);
    // i18n: the animation's frame step: one frame for each day, or one for each date something changed
    this._unit = select(names.step, [[w.t("a frame a day"), "day"], [w.t("a frame a change"), "change"]], "change");
    this._speed = select(names.length, FRAME_MS.map(([label, ms]) => [label(w), ms]), 250);
    this._format = select(names.format, [["GIF", "gif"], ...videoFormats().map((f) => [f.toUpperCase(), f])], "gif");
    // i18n: the animation form's button that makes the file
    this._make = text("button", "garrison-btn garrison-capture-make", w.t("Make"));
    this._make.type = "submit";
    this._progress = text("progress", "garrison-capture-progress");
    this._progress.value = 0;
    this._progress.max = 1;
    this._progress.setAttribute("aria-label", w.t("Animation progress"));
    this._status = text("div", "garrison-capture-status");
    this._status.setAttribute("aria-live", "polite");
    // i18n: the animation form's labels beside the frame step and frame length
    [field(names.from, this._from), field(names.to, this._to), field(w.t("Step"), this._unit), field(w.t("Speed"), this._speed),
      field(names.format, this._format), this._make, this._progress, this._status].forEach((e) => form.appendChild(e));
    form.addEventListener("submit", (e) => { e.preventDefault(); this.makeAnimation(); });
    return form;
  },

  /** Make the animation the form describes; resolves with its blob (also downloaded). */
  async makeAnimation() {
    const g = this._gmap, w = this._words(), a = dayOfIso(this._from.value), b = dayOfIso(this._to.value);
    if (a === null || b === null) { this._status.textContent = w.t("Choose both dates."); return null; }
    const from = Math.max(Math.min(a, b), g.payload.span[0]), to = Math.min(Math.max(a, b), g.payload.span[1]);
    const days = frameDays(from, to, this._unit.value, g.payload.change_days), format = this._format.value;
    if (g.timeline.playing) g.timeline.stop(false);
    this._make.disabled = true;
    this._progress.value = 0;
    this._progress.max = days.length;
    // i18n: the animation form's status while it draws the frames
    this._status.textContent = w.nt("Making {n} frame…", "Making {n} frames…", days.length);
    try {
      const blob = await animate(g, days, { format, frameMs: +this._speed.value, title: this.options.title,
        // i18n: the animation form's status after each frame ({k} of {n})
        progress: (k, n) => { this._status.textContent = w.t("Frame {k} of {n}").replace("{k}", w.number(k)).replace("{n}", w.number(n)); this._progress.value = k; } });
      const name = "garrison-" + isoDay(from) + "-to-" + isoDay(to) + "-" + this._unit.value + "." + format;
      save(blob, name);
      // i18n: the animation form's status when the file is made: how many frames, and the file's name
      this._status.textContent = w.nt("{n} frame: {name}", "{n} frames: {name}", days.length).replace("{name}", name);
      g.map.getContainer().setAttribute("data-garrison-animation", format + ":" + days.length);
      return blob;
    } catch (err) {
      // i18n: the animation form's status when making it failed; {error} is the browser's own message (often English)
      this._status.textContent = w.t("Could not make the animation: {error}").replace("{error}", err.message);
      console.warn("Garrison: animation failed", err);
      return null;
    } finally {
      this._make.disabled = false;
    }
  },
});
