/* Garrison: the map's data download, started the moment the map's scripts start to run.
 *
 * Defines Garrison.loadData (also used by Garrison.init). The bundled scripts' URL names the data
 * (?data=<url>, see src/garrison/render/bundle.py) and this file comes first in the bundle, so
 * the download overlaps Leaflet's and the basemap's start-up; Garrison.init takes the promise
 * (window.__garrisonEarly) when the URLs match. Loaded on its own, without ?data=, it only
 * defines loadData.
 */
(function () {
  "use strict";
  var G = (window.Garrison = window.Garrison || {});

  // The data as parsed JSON; `t.response` gets the time the response arrived. Every payload has
  // a gzipped copy beside it (`<url>.gz`, src/garrison/render/payload.py), which the server sends
  // as it is, where it would gzip the .json again on every request; so where the browser can
  // inflate it, that copy is fetched.
  G.loadData = function (url, t) {
    var gz = typeof DecompressionStream === "function" && typeof Response === "function";
    return fetch(gz ? url + ".gz" : url, { credentials: "same-origin" }).then(function (r) {
      if (!r.ok) throw new Error("payload " + r.status);
      t.response = performance.now();
      return gz ? new Response(r.body.pipeThrough(new DecompressionStream("gzip"))).json() : r.json();
    });
  };

  var s = document.currentScript, m = s && /[?&]data=([^&#]+)/.exec(s.src);
  if (!m || typeof fetch !== "function") return;
  var url = decodeURIComponent(m[1].replace(/\+/g, " ")), t = { fetch: performance.now() };
  var data = G.loadData(url, t);
  data.catch(function () { /* reported by Garrison.init, which takes this promise */ });
  window.__garrisonEarly = { url: url, t: t, data: data };
})();
