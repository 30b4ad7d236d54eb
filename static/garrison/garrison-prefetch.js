/* Garrison: start downloading the map's data the moment the map's scripts start to run.
 *
 * The bundled scripts' URL names the data (?data=<url>, see src/garrison/render/bundle.py) and
 * this file comes first in the bundle, so the download overlaps Leaflet's and the basemap's
 * start-up; Garrison.init takes the promise (window.__garrisonEarly) when the URLs match.
 * Loaded on its own, without ?data=, it does nothing.
 */
(function () {
  "use strict";
  var s = document.currentScript, m = s && /[?&]data=([^&#]+)/.exec(s.src);
  if (!m || typeof fetch !== "function") return;
  var url = decodeURIComponent(m[1].replace(/\+/g, " ")), t = { fetch: performance.now() };
  var data = fetch(url, { credentials: "same-origin" }).then(function (r) {
    if (!r.ok) throw new Error("payload " + r.status);
    t.response = performance.now();
    return r.json();
  });
  data.catch(function () { /* reported by Garrison.init, which takes this promise */ });
  window.__garrisonEarly = { url: url, t: t, data: data };
})();
