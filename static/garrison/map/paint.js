// How a marker looks, painted on a 2D canvas from the vocabulary's looks (src/garrison/vocab.yaml,
// shipped in the payload as `looks`): the kind gives the shape, the status the paint, ring and
// scale, the confidence the opacity, the operator the colour. Used by the map and by the legend,
// so the two cannot drift apart.

// Every shape within a circle of radius r around (x, y). Each kind has its own (vocab.yaml);
// tests/browser/test_browser_legend.py checks them pairwise distinct at 16 px.
export function shapePath(ctx, x, y, r, shape) {
  ctx.beginPath();
  if (shape === "square") { ctx.rect(x - r * 0.9, y - r * 0.9, r * 1.8, r * 1.8); }
  else if (shape === "diamond") { ctx.moveTo(x, y - r); ctx.lineTo(x + r, y); ctx.lineTo(x, y + r); ctx.lineTo(x - r, y); ctx.closePath(); }
  else if (shape === "triangle") { ctx.moveTo(x, y - r); ctx.lineTo(x + r, y + r * 0.8); ctx.lineTo(x - r, y + r * 0.8); ctx.closePath(); }
  else if (shape === "triangle_down") { ctx.moveTo(x, y + r); ctx.lineTo(x + r, y - r * 0.8); ctx.lineTo(x - r, y - r * 0.8); ctx.closePath(); }
  else if (shape === "bar") { ctx.rect(x - r, y - r * 0.45, 2 * r, r * 0.9); }  // a runway
  else if (shape === "dome") {  // a radome: a half disc on its flat side
    ctx.moveTo(x - r, y + r * 0.35); ctx.arc(x, y + r * 0.35, r, Math.PI, 2 * Math.PI); ctx.closePath();
  } else if (shape === "hourglass") {
    ctx.moveTo(x - r * 0.8, y - r); ctx.lineTo(x + r * 0.8, y - r); ctx.lineTo(x, y);
    ctx.lineTo(x + r * 0.8, y + r); ctx.lineTo(x - r * 0.8, y + r); ctx.lineTo(x, y); ctx.closePath();
  }
  else if (shape === "hexagon" || shape === "pentagon") {
    const n = shape === "hexagon" ? 6 : 5, turn = shape === "hexagon" ? 0 : -Math.PI / 2;
    for (let k = 0; k < n; k++) { const a = turn + 2 * Math.PI / n * k; ctx[k ? "lineTo" : "moveTo"](x + r * Math.cos(a), y + r * Math.sin(a)); }
    ctx.closePath();
  } else if (shape === "star") {
    for (let k = 0; k < 10; k++) {
      const a = -Math.PI / 2 + Math.PI / 5 * k, rr = k % 2 ? r * 0.5 : r;
      ctx[k ? "lineTo" : "moveTo"](x + rr * Math.cos(a), y + rr * Math.sin(a));
    }
    ctx.closePath();
  } else if (shape === "cross") {
    const w = r * 0.38;
    ctx.moveTo(x - w, y - r); ctx.lineTo(x + w, y - r); ctx.lineTo(x + w, y - w); ctx.lineTo(x + r, y - w);
    ctx.lineTo(x + r, y + w); ctx.lineTo(x + w, y + w); ctx.lineTo(x + w, y + r); ctx.lineTo(x - w, y + r);
    ctx.lineTo(x - w, y + w); ctx.lineTo(x - r, y + w); ctx.lineTo(x - r, y - w); ctx.lineTo(x - w, y - w); ctx.closePath();
  } else { ctx.arc(x, y, r, 0, 2 * Math.PI); }
}

/**
 * Paint one marker. `look` = {kind, status, conf: vocabulary entries, colour, stale, selected,
 * changed, disputed, approx}.
 */
export function paintMarker(ctx, x, y, r, look) {
  const kind = look.kind, st = look.status, shape = kind.shape;
  r *= (kind.scale || 1) * (st.scale || 1);
  const colour = st.colour === "operator" ? look.colour : st.colour;
  ctx.save();
  ctx.globalAlpha = (look.conf.alpha ?? 1) * (look.stale ? 0.6 : 1);
  shapePath(ctx, x, y, r, shape);
  if (st.paint === "outline") {
    ctx.setLineDash(st.dash ? [2, 2] : []);
    ctx.strokeStyle = colour;
    ctx.lineWidth = 2;
    ctx.stroke();
  } else {
    ctx.fillStyle = colour;
    ctx.fill();
    if (st.paint === "half" || st.paint === "stripes") {
      ctx.save();
      ctx.clip();
      ctx.fillStyle = "#fff";
      if (st.paint === "half") ctx.fillRect(x, y - r - 1, r + 1, 2 * r + 2);
      else for (let d = -2 * r; d < 2 * r; d += 5) ctx.fillRect(x + d, y - r - 1, 2, 2 * r + 2);
      ctx.restore();
      shapePath(ctx, x, y, r, shape);
    }
    ctx.lineWidth = 2;
    ctx.strokeStyle = "#fff";
    ctx.stroke();
    ctx.lineWidth = 1;
    ctx.strokeStyle = "rgba(0,0,0,.6)";
    shapePath(ctx, x, y, r + 1.5, shape);
    ctx.stroke();
    if (st.paint === "cross") {
      ctx.strokeStyle = "#fff"; ctx.lineWidth = 2; ctx.beginPath();
      ctx.moveTo(x - r / 2, y - r / 2); ctx.lineTo(x + r / 2, y + r / 2);
      ctx.moveTo(x + r / 2, y - r / 2); ctx.lineTo(x - r / 2, y + r / 2); ctx.stroke();
    }
  }
  ctx.setLineDash([]);
  if (st.ring === "dashed") { ctx.setLineDash([3, 2]); ctx.strokeStyle = "#111"; ctx.lineWidth = 2; shapePath(ctx, x, y, r + 4.5, shape); ctx.stroke(); ctx.setLineDash([]); }
  if (st.ring === "solid") { ctx.strokeStyle = "#111"; ctx.lineWidth = 1.5; shapePath(ctx, x, y, r + 4, shape); ctx.stroke(); }
  if (look.approx) {  // the position is known only roughly: a dotted halo
    ctx.setLineDash([1.5, 2.5]); ctx.strokeStyle = "rgba(0,0,0,.55)"; ctx.lineWidth = 1.2;
    ctx.beginPath(); ctx.arc(x, y, r + 6.5, 0, 2 * Math.PI); ctx.stroke(); ctx.setLineDash([]);
  }
  ctx.globalAlpha = 1;
  if (look.disputed) {  // sources disagree on this period: a small "?" badge
    ctx.fillStyle = "#fff"; ctx.strokeStyle = "#111"; ctx.lineWidth = 1;
    ctx.beginPath(); ctx.arc(x + r, y - r, 4.5, 0, 2 * Math.PI); ctx.fill(); ctx.stroke();
    ctx.fillStyle = "#111"; ctx.font = "bold 7px sans-serif"; ctx.textAlign = "center"; ctx.textBaseline = "middle";
    ctx.fillText("?", x + r, y - r + 0.5);
  }
  if (look.changed) { ctx.strokeStyle = "rgba(224,64,251,.9)"; ctx.lineWidth = 3; shapePath(ctx, x, y, r + 6, shape); ctx.stroke(); }
  if (look.selected) {
    ctx.strokeStyle = "#ffeb3b"; ctx.lineWidth = 3; shapePath(ctx, x, y, r + 4, shape); ctx.stroke();
    ctx.strokeStyle = "#111"; ctx.lineWidth = 1.5; shapePath(ctx, x, y, r + 6, shape); ctx.stroke();
  }
  ctx.restore();
}

/** A small canvas with one marker (legend entries). */
export function swatch(look, size, className) {
  const ratio = globalThis.devicePixelRatio || 1, c = document.createElement("canvas");
  c.className = className || "";
  c.width = c.height = size * ratio;
  c.style.width = c.style.height = size + "px";
  const ctx = c.getContext("2d");
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  paintMarker(ctx, size / 2, size / 2, 5, look);
  return c;
}

/** Sprites: each distinct look drawn once, then stamped (stroking 10k paths each frame was slow). */
export class SpriteCache {
  constructor() { this._bySize = new Map(); }
  get(look, r) {
    let bySize = this._bySize.get(r);
    if (!bySize) this._bySize.set(r, (bySize = new Map()));
    let s = bySize.get(look.key);
    if (s) return s;
    const ratio = globalThis.devicePixelRatio || 1, half = Math.ceil(r + 8), c = document.createElement("canvas");
    c.width = c.height = 2 * half * ratio;
    const ctx = c.getContext("2d");
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    paintMarker(ctx, half, half, r, look);
    s = { canvas: c, half };
    bySize.set(look.key, s);
    return s;
  }
}
