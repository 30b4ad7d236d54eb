// The one way the map's modules make an element with text: textContent, never HTML (every
// string from the data is shown as text).

/** A `tag` element with class `cls` and text `value` (both optional). */
export function text(tag, cls, value) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (value !== undefined && value !== null) e.textContent = String(value);
  return e;
}

/**
 * A name from the data (i18n.js Words.nameOf) as a `tag` element: an English name standing in for
 * the reader's language is marked lang="en", isolated from the text around it, and followed by
 * the language's short mark ("(англ.)") where `mark` is set (a tooltip, the legend).
 */
export function nameText(tag, cls, name, words, mark = true) {
  const e = text(tag, cls);
  if (!name.en) { e.textContent = name.text; return e; }
  const own = text("span", "garrison-name-en", name.text);
  own.lang = "en";
  own.dir = "auto";
  e.appendChild(own);
  e.title = words.englishNote();
  if (mark) e.appendChild(text("span", "garrison-english-mark", " " + words.englishMark()));
  return e;
}
