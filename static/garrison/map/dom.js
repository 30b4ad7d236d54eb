// The one way the map's modules make an element with text: textContent, never HTML (every
// string from the data is shown as text).

/** A `tag` element with class `cls` and text `value` (both optional). */
export function text(tag, cls, value) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (value !== undefined && value !== null) e.textContent = String(value);
  return e;
}
