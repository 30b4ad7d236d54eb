/*
 * Garrison offline basemap for Leaflet.
 *
 * Draws Natural Earth land, coastline, country borders and labels from TopoJSON
 * served by the app itself (no tiles, no CDN).  Needs window.L (Leaflet 1.9) and
 * window.topojson (topojson-client 3).
 *
 *   GarrisonBasemap.naturalEarth({urls: {...}}).addTo(map);
 *
 * Data: 1:50m below `detailZoom`, 1:10m from it on (each fetched once, lazily).
 * Labels are DOM text positioned on whole pixels after every move/zoom, so they
 * stay crisp at any zoom; all names go in through textContent.
 */
(function (root) {
  'use strict';

  var L = root.L;
  if (!L) {
    throw new Error('garrison-basemap.js needs Leaflet (window.L) loaded first');
  }

  var FONT_FAMILY = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif';
  var COUNTRY_FONT = '600 11px ' + FONT_FAMILY;
  var COUNTRY_SPACING = 1; // px of letter-spacing
  var PLACE_FONT = '12px ' + FONT_FAMILY;
  var CAPITAL_FONT = '600 12px ' + FONT_FAMILY;
  var PLACE_LINE = 14; // px line height of place labels
  var COUNTRY_LINE = 13;

  var CSS = [
    '.gbm-labels{pointer-events:none;transition:opacity .15s linear}',
    '.gbm-labels.gbm-hidden{opacity:0;transition:none}',
    '.gbm-label{position:absolute;left:0;top:0;white-space:nowrap;pointer-events:none}',
    '.gbm-country{font:' + COUNTRY_FONT + ';line-height:' + COUNTRY_LINE + 'px;',
    'letter-spacing:' + COUNTRY_SPACING + 'px;color:#8c8276;',
    'text-shadow:0 0 2px #f6f4ee,0 0 2px #f6f4ee}',
    '.gbm-place-text{position:absolute;font:' + PLACE_FONT + ';line-height:' + PLACE_LINE + 'px;',
    'color:#3b3834;',
    'text-shadow:0 0 2px #fff,0 0 2px #fff,0 0 3px #fff}',
    '.gbm-capital .gbm-place-text{font:' + CAPITAL_FONT + '}',
    '.gbm-dot{position:absolute;left:-2.5px;top:-2.5px;width:5px;height:5px;border-radius:50%;',
    'background:#5f5a53;box-shadow:0 0 0 1px #fff}',
    '.gbm-capital .gbm-dot{left:-3.5px;top:-3.5px;width:5px;height:5px;background:#fff;',
    'border:1px solid #4a4540;box-shadow:none}'
  ].join('');

  function injectCSS() {
    if (typeof document === 'undefined' || document.getElementById('gbm-style')) { return; }
    var style = document.createElement('style');
    style.id = 'gbm-style';
    style.textContent = CSS;
    (document.head || document.documentElement).appendChild(style);
  }

  // A response that arrived and is OK (else an error naming the URL).
  function fetchOk(url) {
    return root.fetch(url, {credentials: 'same-origin'}).then(function (res) {
      if (!res.ok) { throw new Error(url + ': HTTP ' + res.status); }
      return res;
    });
  }

  // One fetch per URL per page, shared by all maps.
  var jsonCache = {};
  // gzUrl: the gzipped copy, inflated here where the browser can (the server sends a .gz as it
  // is); the plain JSON when it cannot or that copy fails.
  function getJSON(url, gzUrl) {
    if (!jsonCache[url]) {
      var plain = function () { return fetchOk(url).then(function (res) { return res.json(); }); };
      jsonCache[url] = (gzUrl && typeof root.DecompressionStream === 'function')
        ? fetchOk(gzUrl).then(function (res) {
          return new root.Response(res.body.pipeThrough(new root.DecompressionStream('gzip'))).json();
        }).catch(plain)
        : plain();
      jsonCache[url].catch(function () { delete jsonCache[url]; });
    }
    return jsonCache[url];
  }

  var measureCtx = null, measureFont = null;
  var widthCache = {};
  function textWidth(text, font, spacing) {
    var key = font + '|' + text;
    if (widthCache[key] === undefined) {
      if (!measureCtx) { measureCtx = document.createElement('canvas').getContext('2d'); }
      if (font !== measureFont) { measureCtx.font = font; measureFont = font; }  // setting it parses the font, each time
      widthCache[key] = measureCtx.measureText(text).width + (spacing || 0) * text.length;
    }
    return widthCache[key];
  }

  // ---------------------------------------------------------------------
  // The geometry work -- TopoJSON to packed, projected arrays -- is pure (no DOM, no Leaflet),
  // so it runs in a Web Worker: decoding the 1:50m data took 150 ms or more of the page's one
  // main thread during the first paint, and the 1:10m data most of a second on zooming in.
  // `geometryKit` is also the fallback on the main thread where no worker can be started.
  function geometryKit(topojson) {
    // ---------------------------------------------------------------------
    // world-atlas geometry is "stitched" for spherical rendering (d3-geo): rings
    // run across the antimeridian (Russia, Fiji) and Antarctica winds around the
    // pole.  Leaflet draws planar lon/lat, so make every ring continuous in
    // longitude, close polar rings through the pole, and add a copy shifted by
    // 360 degrees of anything that ends up beyond +-180.
    function unwrap(ring) {
      var out = new Array(ring.length);
      var off = 0;
      var prev = ring[0][0];
      out[0] = [ring[0][0], ring[0][1]];
      for (var i = 1; i < ring.length; i++) {
        var lon = ring[i][0] + off;
        if (lon - prev > 180) { off -= 360; lon -= 360; } else if (lon - prev < -180) { off += 360; lon += 360; }
        out[i] = [lon, ring[i][1]];
        prev = lon;
      }
      return out;
    }

    function closePolar(ring) {
      var first = ring[0];
      var last = ring[ring.length - 1];
      if (Math.abs(last[0] - first[0]) <= 180) { return ring; }
      var sum = 0;
      for (var i = 0; i < ring.length; i++) { sum += ring[i][1]; }
      var pole = sum < 0 ? -90 : 90;
      return ring.concat([[last[0], pole], [first[0], pole], [first[0], first[1]]]);
    }

    function lonRange(rings) {
      var lo = Infinity;
      var hi = -Infinity;
      for (var r = 0; r < rings.length; r++) {
        for (var i = 0; i < rings[r].length; i++) {
          var x = rings[r][i][0];
          if (x < lo) { lo = x; }
          if (x > hi) { hi = x; }
        }
      }
      return [lo, hi];
    }

    function shifted(rings, dx) {
      return rings.map(function (ring) {
        return ring.map(function (p) { return [p[0] + dx, p[1]]; });
      });
    }

    function withCopies(rings) {
      var range = lonRange(rings);
      var out = [rings];
      if (range[1] > 180) { out.push(shifted(rings, -360)); }
      if (range[0] < -180) { out.push(shifted(rings, 360)); }
      return out;
    }

    function planarPolygon(rings) {
      var outer = closePolar(unwrap(rings[0]));
      var oRange = lonRange([outer]);
      var all = [outer];
      for (var h = 1; h < rings.length; h++) {
        var hole = closePolar(unwrap(rings[h]));
        var hRange = lonRange([hole]);
        var k = Math.round((oRange[0] - hRange[0]) / 360);
        all.push(k ? shifted([hole], 360 * k)[0] : hole);
      }
      return withCopies(all);
    }

    function planarGeometry(geom) {
      var polys = [];
      var lines = [];
      if (!geom) { return null; }
      if (geom.type === 'Polygon') {
        polys = planarPolygon(geom.coordinates);
      } else if (geom.type === 'MultiPolygon') {
        geom.coordinates.forEach(function (p) { polys = polys.concat(planarPolygon(p)); });
      } else if (geom.type === 'LineString') {
        lines = withCopies([unwrap(geom.coordinates)]).map(function (c) { return c[0]; });
      } else if (geom.type === 'MultiLineString') {
        geom.coordinates.forEach(function (l) {
          if (l.length > 1) {
            lines = lines.concat(withCopies([unwrap(l)]).map(function (c) { return c[0]; }));
          }
        });
      } else {
        return geom;
      }
      return polys.length ? {type: 'MultiPolygon', coordinates: polys}
        : {type: 'MultiLineString', coordinates: lines};
    }

    function planar(obj) {
      if (obj.type === 'FeatureCollection') {
        return {type: 'FeatureCollection', features: obj.features.map(planar)};
      }
      if (obj.type === 'Feature') {
        return {type: 'Feature', properties: obj.properties, geometry: planarGeometry(obj.geometry)};
      }
      return planarGeometry(obj);
    }

    // Drop the artificial closing edges of the polar rings from the coastline.
    function cleanCoast(mesh) {
      var out = [];
      mesh.coordinates.forEach(function (line) {
        var cur = [line[0]];
        for (var i = 1; i < line.length; i++) {
          if (line[i - 1][1] < -85 && line[i][1] < -85) {
            if (cur.length > 1) { out.push(cur); }
            cur = [line[i]];
          } else {
            cur.push(line[i]);
          }
        }
        if (cur.length > 1) { out.push(cur); }
      });
      return {type: 'MultiLineString', coordinates: out};
    }

    // ---------------------------------------------------------------------
    // Geometry is projected once to Web Mercator "world pixels" at zoom 0
    // (0..256) and packed into typed arrays with a bounding box per ring; every
    // redraw then only scales, culls rings outside the view and skips points
    // closer than half a pixel.  (Leaflet's own L.geoJSON re-projects every
    // vertex on each zoom: about a second per zoom for the 1:10m data.)
    var MAX_LAT = 85.0511287798;
    var D2R = Math.PI / 180;

    function Pack() {
      this.xy = [];
      this.starts = [];
      this.lens = [];
      this.bbox = [];
    }
    Pack.prototype.add = function (ring) {
      var start = this.xy.length / 2;
      var minx = Infinity;
      var miny = Infinity;
      var maxx = -Infinity;
      var maxy = -Infinity;
      for (var i = 0; i < ring.length; i++) {
        var lat = Math.max(-MAX_LAT, Math.min(MAX_LAT, ring[i][1]));
        var x = (ring[i][0] + 180) / 360 * 256;
        var y = (1 - Math.log(Math.tan(Math.PI / 4 + lat * D2R / 2)) / Math.PI) / 2 * 256;
        this.xy.push(x, y);
        if (x < minx) { minx = x; }
        if (x > maxx) { maxx = x; }
        if (y < miny) { miny = y; }
        if (y > maxy) { maxy = y; }
      }
      this.starts.push(start);
      this.lens.push(ring.length);
      this.bbox.push(minx, miny, maxx, maxy);
    };
    Pack.prototype.freeze = function () {
      this.xy = new Float64Array(this.xy);
      this.starts = new Int32Array(this.starts);
      this.lens = new Int32Array(this.lens);
      this.bbox = new Float64Array(this.bbox);
      return this;
    };

    var LINE_CHUNK = 256; // split lines so culling can skip the parts off screen

    function packPolygons(geojson) {
      var pack = new Pack();
      eachGeometry(geojson, function (g) {
        if (g.type === 'MultiPolygon') {
          g.coordinates.forEach(function (poly) { poly.forEach(function (ring) { pack.add(ring); }); });
        } else if (g.type === 'Polygon') {
          g.coordinates.forEach(function (ring) { pack.add(ring); });
        }
      });
      return pack.freeze();
    }

    function packLines(geojson) {
      var pack = new Pack();
      eachGeometry(geojson, function (g) {
        var lines = g.type === 'MultiLineString' ? g.coordinates : (g.type === 'LineString' ? [g.coordinates] : []);
        lines.forEach(function (line) {
          for (var i = 0; i < line.length - 1; i += LINE_CHUNK) {
            pack.add(line.slice(i, Math.min(line.length, i + LINE_CHUNK + 1)));
          }
        });
      });
      return pack.freeze();
    }

    function eachGeometry(obj, fn) {
      if (!obj) { return; }
      if (obj.type === 'FeatureCollection') {
        obj.features.forEach(function (f) { eachGeometry(f, fn); });
      } else if (obj.type === 'Feature') {
        eachGeometry(obj.geometry, fn);
      } else if (obj.type === 'GeometryCollection') {
        obj.geometries.forEach(function (g) { eachGeometry(g, fn); });
      } else {
        fn(obj);
      }
    }


    // TopoJSON -> packed, planar, projected land / coastline / borders.
    function build(topo) {
      return {
        land: packPolygons(planar(topojson.feature(topo, topo.objects.land))),
        coast: packLines(planar(cleanCoast(topojson.mesh(topo, topo.objects.land)))),
        borders: packLines(planar(topojson.mesh(topo, topo.objects.countries, function (a, b) { return a !== b; })))
      };
    }

    return {build: build, planar: planar, cleanCoast: cleanCoast};
  }

  var mainKit = null;  // on the main thread, made when first needed
  function kit() {
    if (!mainKit) { mainKit = geometryKit(root.topojson); }
    return mainKit;
  }

  // The worker does no network requests of its own: the page fetches the data (so it is routed,
  // blocked and seen like any other request) and hands the bytes over without a copy.
  var WORKER_BODY = [
    'var kit = KIT(self.topojson);',
    'function inflate(bytes) {',
    '  return new Response(new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"))).arrayBuffer();',
    '}',
    'onmessage = function (e) {',
    '  (e.data.gzip ? inflate(e.data.bytes) : Promise.resolve(e.data.bytes)).then(function (buf) {',
    '    var g = kit.build(JSON.parse(new TextDecoder().decode(buf))), moved = [];',
    '    ["land", "coast", "borders"].forEach(function (k) {',
    '      moved.push(g[k].xy.buffer, g[k].starts.buffer, g[k].lens.buffer, g[k].bbox.buffer);',
    '    });',
    '    postMessage({groups: g}, moved);',
    '  }).catch(function (err) { postMessage({error: String(err)}); });',
    '};'
  ].join('\n');

  var workerSource = null;  // one per page: topojson-client's own text, the kit, the body
  function getWorkerSource(topojsonUrl) {
    if (!workerSource) {
      workerSource = fetchOk(topojsonUrl).then(function (res) { return res.text(); }).then(function (lib) {
        return lib + '\n;\n' + WORKER_BODY.replace('KIT', '(' + geometryKit.toString() + ')');
      });
      workerSource.catch(function () { workerSource = null; });
    }
    return workerSource;
  }

  // Fetch `url` (gzipped when `gzip`) and build it in a worker; resolves with the packed groups.
  // Rejects when no worker could do it (then the caller builds the plain JSON on the main thread).
  function buildInWorker(url, topojsonUrl, gzip) {
    if (!topojsonUrl || typeof root.Worker !== 'function' || !root.Blob || !root.URL || !root.TextDecoder) {
      return Promise.reject(new Error('no worker'));
    }
    var bytes = fetchOk(url).then(function (res) { return res.arrayBuffer(); });
    return Promise.all([getWorkerSource(topojsonUrl), bytes]).then(function (got) {
      return new Promise(function (resolve, reject) {
        var blobUrl = root.URL.createObjectURL(new root.Blob([got[0]], {type: 'text/javascript'}));
        var worker;
        try { worker = new root.Worker(blobUrl); } catch (err) { root.URL.revokeObjectURL(blobUrl); reject(err); return; }
        var done = function () { worker.terminate(); root.URL.revokeObjectURL(blobUrl); };
        worker.onmessage = function (e) {
          done();
          if (e.data && e.data.groups) { resolve(e.data.groups); } else { reject(new Error(e.data && e.data.error)); }
        };
        worker.onerror = function (e) { e.preventDefault(); done(); reject(new Error(e.message || 'worker failed')); };
        worker.postMessage({bytes: got[1], gzip: !!gzip}, [got[1]]);
      });
    });
  }

  // Add the rings of `pack` that meet `view` ([minx, miny, maxx, maxy] in zoom-0
  // world pixels) to the current canvas path, in layer-point coordinates.
  function tracePack(ctx, pack, s, ox, oy, view, close) {
    var xy = pack.xy;
    var bb = pack.bbox;
    var n = pack.starts.length;
    for (var r = 0; r < n; r++) {
      var b = r * 4;
      if (bb[b] > view[2] || bb[b + 2] < view[0] || bb[b + 1] > view[3] || bb[b + 3] < view[1]) {
        continue;
      }
      var i = pack.starts[r] * 2;
      var end = i + pack.lens[r] * 2;
      var lx = xy[i] * s - ox;
      var ly = xy[i + 1] * s - oy;
      ctx.moveTo(lx, ly);
      for (i += 2; i < end; i += 2) {
        var x = xy[i] * s - ox;
        var y = xy[i + 1] * s - oy;
        if (i < end - 2 && Math.abs(x - lx) + Math.abs(y - ly) < 0.5) { continue; }
        ctx.lineTo(x, y);
        lx = x;
        ly = y;
      }
      if (close) { ctx.closePath(); }
    }
  }

  // A Leaflet canvas renderer (so panning, zoom animation, retina and padding
  // behave like any Leaflet vector layer) that draws our packed data.
  var GeoCanvas = L.Canvas.extend({
    _draw: function () {
      var owner = this._gbm;
      var data = owner && owner._data();
      if (!data || !this._map || !this._ctx || !this._bounds) { return; }
      var map = this._map;
      var o = owner.options;
      var ctx = this._ctx;
      var s = map.getZoomScale(map.getZoom(), 0);
      var origin = map.getPixelOrigin();
      var b = this._bounds;
      var pad = 4;
      var view = [(b.min.x + origin.x - pad) / s, (b.min.y + origin.y - pad) / s,
        (b.max.x + origin.x + pad) / s, (b.max.y + origin.y + pad) / s];
      ctx.save();
      ctx.lineJoin = 'round';
      ctx.lineCap = 'round';
      ctx.beginPath();
      tracePack(ctx, data.land, s, origin.x, origin.y, view, true);
      ctx.fillStyle = o.land;
      ctx.fill('evenodd');
      ctx.beginPath();
      tracePack(ctx, data.coast, s, origin.x, origin.y, view, false);
      ctx.strokeStyle = o.coast;
      ctx.lineWidth = o.coastWeight;
      ctx.stroke();
      ctx.beginPath();
      tracePack(ctx, data.borders, s, origin.x, origin.y, view, false);
      ctx.strokeStyle = o.border;
      ctx.lineWidth = o.borderWeight;
      ctx.stroke();
      ctx.restore();
    }
  });

  function boxesOverlap(a, b) {
    return a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3];
  }

  var NaturalEarthLayer = L.Layer.extend({
    options: {
      urls: {},            // low, high: TopoJSON (lowGz, highGz: gzipped); places (placesGz), countryLabels: JSON; topojson: its script (for the worker)
      detailZoom: 5,       // switch to the 1:10m data from this zoom on
      sea: '#d9e4ea',
      land: '#f6f4ee',
      coast: '#9fb3bf',
      border: '#b4a6b1',
      coastWeight: 0.8,
      borderWeight: 0.9,
      countryLabels: true,
      placeLabels: true,
      placeZoomOffset: 1,  // show a place from (Natural Earth min_zoom - offset)
      labelPadding: 3,
      pane: 'garrisonBasemap',
      labelPane: 'garrisonLabels',
      attribution: 'Natural Earth, GeoNames'  // GeoNames' towns are CC BY 4.0: credit them
    },

    initialize: function (options) {
      L.setOptions(this, options);
      this._groups = {};
      this._loading = {};
      this._current = null;
      this._countries = [];
      this._places = [];
      this._els = {};
    },

    onAdd: function (map) {
      injectCSS();
      var o = this.options;
      if (!map.getPane(o.pane)) {
        map.createPane(o.pane).style.zIndex = 150;
      }
      if (!map.getPane(o.labelPane)) {
        var lp = map.createPane(o.labelPane);
        lp.style.zIndex = 350; // above land, below overlays (400) and markers (600)
        L.DomUtil.addClass(lp, 'gbm-labels');
      }
      this._labelPane = map.getPane(o.labelPane);
      map.getPane(o.pane).style.pointerEvents = 'none';
      if (!this._canvas) {
        this._canvas = new GeoCanvas({pane: o.pane, padding: 0.5});
        this._canvas._gbm = this;
      }
      map.addLayer(this._canvas);
      var container = map.getContainer();
      this._oldBackground = container.style.backgroundColor;
      container.style.backgroundColor = o.sea;

      this._current = null;
      this._sync();
      this._loadLabels();
      return this;
    },

    onRemove: function (map) {
      map.removeLayer(this._canvas);
      this._current = null;
      for (var k in this._els) {
        if (Object.prototype.hasOwnProperty.call(this._els, k)) { L.DomUtil.remove(this._els[k]); }
      }
      this._els = {};
      map.getContainer().style.backgroundColor = this._oldBackground || '';
    },

    getEvents: function () {
      return {
        zoomstart: this._hideLabels,
        zoomend: this._sync,
        moveend: this._updateLabels,
        resize: this._updateLabels
      };
    },

    getAttribution: function () {
      return this.options.attribution;
    },

    // ---------------------------------------------------------------- land
    _wanted: function () {
      return this._map.getZoom() >= this.options.detailZoom ? 'high' : 'low';
    },

    _sync: function () {
      if (!this._map) { return; }
      var want = this._wanted();
      // The 1:50m data is the quick first paint, even when starting zoomed in.
      this._load('low');
      if (want === 'high') { this._load('high'); }
      this._showBest();
      this._updateLabels();
    },

    _load: function (res) {
      var url = this.options.urls[res];
      if (this._groups[res] || this._loading[res] || !url) { return; }
      var self = this;
      var topojsonUrl = this.options.urls.topojson, how = 'worker';
      // the gzipped copy where the browser can inflate it (the server sends a .gz as it is)
      var gzUrl = typeof root.DecompressionStream === 'function' ? this.options.urls[res + 'Gz'] : null;
      this._loading[res] = buildInWorker(gzUrl || url, topojsonUrl, !!gzUrl).catch(function () {
        how = 'main';
        return getJSON(url).then(function (topo) { return kit().build(topo); });
      }).then(function (groups) {
        self._groups[res] = groups;
        // where it was decoded (data-gbm-low="worker"), for tests and the curious
        if (self._map) { self._map.getContainer().setAttribute('data-gbm-' + res, how); }
        self._showBest();
      }).catch(function (err) {
        delete self._loading[res];
        if (root.console) { root.console.warn('garrison basemap: ' + err); }
      });
    },

    _data: function () {
      return this._current ? this._groups[this._current] : null;
    },

    _showBest: function () {
      if (!this._map) { return; }
      var want = this._wanted();
      var best = this._groups[want] ? want : (this._groups.low ? 'low' : (this._groups.high ? 'high' : null));
      if (!best || best === this._current) { return; }
      this._current = best;
      var c = this._canvas;
      if (c && c._map) {
        c._redrawBounds = null;
        c._redrawRequest = c._redrawRequest || L.Util.requestAnimFrame(c._redraw, c);
      }
    },


    // -------------------------------------------------------------- labels
    _loadLabels: function () {
      var self = this;
      var urls = this.options.urls;
      if (this.options.countryLabels && urls.countryLabels) {
        getJSON(urls.countryLabels).then(function (rows) {
          self._countries = Array.isArray(rows) ? rows : [];
          self._labelsLoaded();
        }).catch(function (err) { if (root.console) { root.console.warn('garrison basemap: ' + err); } });
      }
      if (this.options.placeLabels && urls.places) {
        getJSON(urls.places, urls.placesGz).then(function (rows) {
          self._places = Array.isArray(rows) ? rows : [];
          self._labelsLoaded();
        }).catch(function (err) { if (root.console) { root.console.warn('garrison basemap: ' + err); } });
      }
    },

    // Labels that arrive after the map settled are placed now, not at a move: the map says so
    // ('gbmlabels'), so labels placed around these (the installations') are placed again.
    _labelsLoaded: function () {
      if (!this._map) { return; }
      this._updateLabels();
      this._map.fire('gbmlabels');
    },

    _hideLabels: function () {
      if (this._labelPane) { L.DomUtil.addClass(this._labelPane, 'gbm-hidden'); }
    },

    _candidates: function () {
      var map = this._map;
      var z = map.getZoom();
      var size = map.getSize();
      var worldPx = 256 * Math.pow(2, z);
      var o = this.options;
      var out = [];
      var i, c, p, pt, w;

      var countries = [];
      for (i = 0; i < this._countries.length; i++) {
        c = this._countries[i];
        var text = String(c.name).toUpperCase();
        w = textWidth(text, COUNTRY_FONT, COUNTRY_SPACING);
        // Only when the name fits (with some slack) in the country's inscribed circle.
        if (w > 2.6 * (c.r / 360) * worldPx) { continue; }
        pt = map.latLngToContainerPoint([c.lat, c.lon]);
        if (pt.x < -w || pt.y < -20 || pt.x > size.x + w || pt.y > size.y + 20) { continue; }
        var x0 = Math.round(pt.x - w / 2);
        var y0 = Math.round(pt.y - COUNTRY_LINE / 2);
        countries.push({
          key: 'c:' + c.name, kind: 'country', text: text, anchor: [x0, y0],
          spots: [{offset: null, box: [x0, y0, x0 + w, y0 + COUNTRY_LINE]}]
        });
      }

      var places = [];
      for (i = 0; i < this._places.length; i++) {
        p = this._places[i];
        var minzoom = (typeof p.minzoom === 'number') ? p.minzoom : p.rank + 2;
        if (z < minzoom - o.placeZoomOffset) { continue; }
        pt = map.latLngToContainerPoint([p.lat, p.lon]);
        // thousands of towns: measure only the names of those near the view
        if (pt.y < -20 || pt.x > size.x + 10 || pt.y > size.y + 20 || pt.x < -size.x) { continue; }
        var font = p.capital ? CAPITAL_FONT : PLACE_FONT;
        w = textWidth(String(p.name), font, 0);
        if (pt.x < -w - 10) { continue; }
        var px = Math.round(pt.x);
        var py = Math.round(pt.y);
        var half = PLACE_LINE / 2;
        var cw = Math.round(w / 2);
        // Text to the right of the dot, else left, above, below.
        var spots = [
          [6, -half], [-6 - Math.ceil(w), -half], [-cw, -half - 11], [-cw, half - 3]
        ].map(function (off) {
          return {
            offset: off,
            box: [Math.min(px - 4, px + off[0]), Math.min(py - 4, py + off[1]),
              Math.max(px + 4, px + off[0] + w), Math.max(py + 4, py + off[1] + PLACE_LINE)]
          };
        });
        places.push({
          key: 'p:' + p.name + '@' + p.lat + ',' + p.lon, kind: 'place', text: String(p.name),
          capital: !!p.capital, anchor: [px, py], spots: spots
        });
      }
      // Country names lead at world scale, towns once zoomed in to a region.
      out = z >= 6 ? places.concat(countries) : countries.concat(places);
      return out;
    },

    _updateLabels: function () {
      if (!this._map || !this._labelPane) { return; }
      var map = this._map;
      var pad = this.options.labelPadding;
      var cands = this._candidates();
      var placed = [];
      var keep = {};
      for (var i = 0; i < cands.length; i++) {
        var c = cands[i];
        if (keep[c.key]) { continue; }
        for (var k = 0; k < c.spots.length; k++) {
          var sb = c.spots[k].box;
          var b = [sb[0] - pad, sb[1] - pad, sb[2] + pad, sb[3] + pad];
          var clash = false;
          for (var j = 0; j < placed.length && !clash; j++) {
            clash = boxesOverlap(b, placed[j]);
          }
          if (!clash) {
            placed.push(b);
            c.spot = c.spots[k];
            keep[c.key] = c;
            break;
          }
        }
      }
      var key;
      for (key in this._els) {
        if (Object.prototype.hasOwnProperty.call(this._els, key) && !keep[key]) {
          L.DomUtil.remove(this._els[key]);
          delete this._els[key];
        }
      }
      for (key in keep) {
        if (!Object.prototype.hasOwnProperty.call(keep, key)) { continue; }
        var cand = keep[key];
        var el = this._els[key] || this._createLabel(cand);
        this._els[key] = el;
        var lp = map.containerPointToLayerPoint(L.point(cand.anchor[0], cand.anchor[1])).round();
        L.DomUtil.setPosition(el, lp);
        if (cand.spot.offset && el.lastChild) {
          el.lastChild.style.left = cand.spot.offset[0] + 'px';
          el.lastChild.style.top = cand.spot.offset[1] + 'px';
        }
      }
      L.DomUtil.removeClass(this._labelPane, 'gbm-hidden');
    },

    _createLabel: function (cand) {
      var el = L.DomUtil.create('div', 'gbm-label', this._labelPane);
      if (cand.kind === 'country') {
        L.DomUtil.addClass(el, 'gbm-country');
        el.textContent = cand.text;
      } else {
        L.DomUtil.addClass(el, 'gbm-place');
        if (cand.capital) { L.DomUtil.addClass(el, 'gbm-capital'); }
        L.DomUtil.create('span', 'gbm-dot', el);
        var t = L.DomUtil.create('span', 'gbm-place-text', el);
        t.textContent = cand.text;
      }
      return el;
    }
  });

  root.GarrisonBasemap = {
    NaturalEarthLayer: NaturalEarthLayer,
    naturalEarth: function (options) { return new NaturalEarthLayer(options); },
    _planar: function (obj) { return kit().planar(obj); },
    _cleanCoast: function (mesh) { return kit().cleanCoast(mesh); }
  };
}(typeof window !== 'undefined' ? window : this));
