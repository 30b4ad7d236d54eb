// The map's payload: one binary file (content-hashed name) with a JSON header and typed columns.
//
// Layout (little-endian): "GAR1", uint32 header length H, H bytes of UTF-8 JSON, zero padding to a
// multiple of 8, then the columns, each at header.columns[name].offset from there (8-aligned).
// Written by src/garrison/render/payload.py; the same layout at 100k installations is a few MB
// where JSON objects were tens.

const TYPES = { uint8: Uint8Array, int8: Int8Array, int16: Int16Array, int32: Int32Array, float64: Float64Array };
const MAGIC = "GAR1";

/** Decode a payload ArrayBuffer into {header fields..., col: {name: TypedArray}}. */
export function decodePayload(buffer) {
  const bytes = new Uint8Array(buffer);
  const magic = String.fromCharCode(bytes[0], bytes[1], bytes[2], bytes[3]);
  if (magic !== MAGIC) throw new Error("not a Garrison payload (magic " + JSON.stringify(magic) + ")");
  const headerLength = new DataView(buffer).getUint32(4, true);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength)));
  const body = Math.ceil((8 + headerLength) / 8) * 8;
  const col = {};
  for (const [name, spec] of Object.entries(header.columns)) {
    const Type = TYPES[spec.type];
    if (!Type) throw new Error("payload column " + name + ": unknown type " + spec.type);
    col[name] = new Type(buffer, body + spec.offset, spec.length);
  }
  return { ...header, col };
}

/** Fetch and decode a payload; the gzipped copy beside it where the browser can inflate it. */
export async function loadPayload(url, timings) {
  const gz = typeof DecompressionStream === "function";
  const response = await fetch(gz ? url + ".gz" : url, { credentials: "same-origin" });
  if (!response.ok) throw new Error("payload " + response.status + " " + url);
  timings.response = performance.now();
  const stream = gz ? response.body.pipeThrough(new DecompressionStream("gzip")) : response.body;
  const buffer = await new Response(stream).arrayBuffer();
  timings.downloaded = performance.now();
  return decodePayload(buffer);
}

/** A base64 string as bytes (the view's bitmasks and code arrays). */
export function fromBase64(text, Type = Uint8Array) {
  if (!text) return null;
  const raw = atob(text), out = new Uint8Array(raw.length);
  for (let k = 0; k < raw.length; k++) out[k] = raw.charCodeAt(k);
  return Type === Uint8Array ? out : new Type(out.buffer);
}
