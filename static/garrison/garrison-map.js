/* Garrison map: installations, range rings and supply routes drawn from one JSON payload,
 * restyled in place when the date (or compare/selection/filter) changes.
 *
 * The page sends tiny state messages: Garrison.setState({day, compare, select, filter, fit}).
 * Nothing is rebuilt on a date change: each marker's class list and colour are updated.
 * Every string from the data is set with textContent, never as HTML.
 *
 * Stable hooks (see README): each marker element carries
 *   garrison-inst garrison-inst-<id> garrison-status-<status> garrison-op-<operator>
 * for the current date, and the map container carries data-garrison-day / data-garrison-date.
 */
(function () {
  "use strict";
  var G = (window.Garrison = window.Garrison || {});
  var map = null, data = null, opts = null, ready = false;
  var state = { day: null, compare: null, select: null, filter: null, fitKey: null };
  var instLayers = [];   // [{def, group, markers: {idx: marker}}]
  var ringLayers = [];   // [{def, group, circles: [{r, circle}]}]
  var routeLayers = [];  // [{def, group, legs: [{route, a, b, line}]}]
  var lastClass = [];
  var clickSeq = 0;

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }

  function isoDay(day) {
    return new Date(day * 86400000).toISOString().slice(0, 10);
  }

  // The payload leaves out (-1) every end that is simply the next period's start, or ongoing.
  function expandEnds(p, openEnd) {
    var n = p.offsets.length - 1;
    for (var i = 0; i < n; i++) {
      for (var k = p.offsets[i]; k < p.offsets[i + 1]; k++) {
        if (p.end[k] === -1) p.end[k] = k + 1 < p.offsets[i + 1] ? p.start[k + 1] : openEnd;
      }
    }
  }

  // Index of the period current at `day` for installation i, or -1 (binary search).
  function periodAt(i, day) {
    var p = data.periods, lo = p.offsets[i], hi = p.offsets[i + 1] - 1, found = -1;
    while (lo <= hi) {
      var mid = (lo + hi) >> 1;
      if (p.start[mid] <= day) { found = mid; lo = mid + 1; } else { hi = mid - 1; }
    }
    return found >= 0 && p.end[found] > day ? found : -1;
  }

  function rootActor(code) {
    var seen = 0;
    while (code >= 0 && data.actors[code].parent >= 0 && seen++ < 10) code = data.actors[code].parent;
    return code;
  }

  function triple(row) {
    if (row < 0) return "";
    var p = data.periods;
    return p.op[row] + "/" + p.status[row] + "/" + p.terr[row];
  }

  function matchesFilter(i, row, filter, layerFilter) {
    var p = data.periods, inst = data.inst;
    var f = [layerFilter || {}, filter || {}];
    for (var k = 0; k < 2; k++) {
      var flt = f[k];
      if (flt.ids && flt.ids.indexOf(inst.id[i]) < 0) return false;
      if (flt.country && flt.country.length && flt.country.indexOf(inst.country[i]) < 0) return false;
      if (flt.kind && flt.kind.length && flt.kind.indexOf(data.kinds[inst.kind[i]]) < 0) return false;
      if (flt.operator && flt.operator.length) {
        if (row < 0 || flt.operator.indexOf(data.actors[p.op[row]].id) < 0) return false;
      }
      if (flt.status && flt.status.length) {
        if (row < 0 || flt.status.indexOf(data.statuses[p.status[row]]) < 0) return false;
      }
    }
    return true;
  }

  function tooltipContent(i) {
    var row = periodAt(i, state.day), box = el("div", "garrison-tip");
    box.appendChild(el("strong", null, data.inst.name[i]));
    if (row >= 0) {
      var p = data.periods;
      var line = data.statuses[p.status[row]] + " \u2014 " + data.actors[p.op[row]].short;
      if (p.terr[row] >= 0 && p.terr[row] !== p.op[row]) line += " (territory: " + data.actors[p.terr[row]].short + ")";
      box.appendChild(el("div", null, line));
      box.appendChild(el("div", "garrison-tip-conf", data.confidences[p.conf[row]]));
    } else {
      box.appendChild(el("div", null, "no record at this date"));
    }
    if (data.inst.stale[i]) box.appendChild(el("div", "garrison-tip-stale", "stale: its file has errors"));
    return box;
  }

  // The hook elements: one transparent element per installation, carrying the hook classes and
  // taking hover, clicks and keyboard focus (the canvas paints what you see). They are made with
  // one innerHTML (a Leaflet marker per installation cost ~80 ms of the first paint at 1k: an
  // object, an icon, listeners and a DOM insertion each), placed with left/top and no z-index
  // (Leaflet's translate3d and z-index gave each its own paint chunk: hundreds of ms per frame at
  // 10k), and registered as Leaflet event targets, so the map hands their mouse events to this
  // layer (not to the map) and they go no further (bubblingMouseEvents: false, as for markers).
  var HookLayer = L.Layer.extend({
    options: { bubblingMouseEvents: false },

    initialize: function (indices, size) {
      this._indices = indices;
      this._size = size;
      this.markers = {};  // installation index -> {_icon: element}
      this.on("mouseover mouseout click", this._onMouse, this);
    },

    onAdd: function (m) {
      var size = this._size, half = size / 2, html = [];
      this._box = L.DomUtil.create("div", "garrison-hooks", m.getPane("markerPane"));
      for (var k = 0; k < this._indices.length; k++) {
        html.push('<div class="garrison-inst garrison-absent leaflet-marker-icon leaflet-interactive" tabindex="0" ' +
          'role="button" style="width:' + size + "px;height:" + size + "px;margin-left:" + -half + "px;margin-top:" +
          -half + 'px"></div>');
      }
      this._box.innerHTML = html.join("");
      var els = this._box.children;
      for (k = 0; k < this._indices.length; k++) {
        var el = els[k], i = this._indices[k];
        el._garrisonIndex = i;
        this.markers[i] = { _icon: el };
        m._targets[L.Util.stamp(el)] = this;
      }
      this._move();
      this._tip = L.tooltip({ direction: "top", offset: [0, -half] });
      L.DomEvent.on(this._box, "focusin", this._onFocus, this);
      L.DomEvent.on(this._box, "focusout", this._onBlur, this);
      L.DomEvent.on(this._box, "keydown", this._onKey, this);
    },

    onRemove: function (m) {
      for (var i in this.markers) { delete m._targets[L.Util.stamp(this.markers[i]._icon)]; delete this.markers[i]; }
      m.closeTooltip(this._tip);
      L.DomUtil.remove(this._box);
    },

    getEvents: function () {
      return { zoomend: this._move, viewreset: this._move };
    },

    // every element to its place at the map's zoom (a pan moves the whole pane instead)
    _move: function () {
      if (!this._map) return;
      for (var i in this.markers) {
        var p = this._map.latLngToLayerPoint([data.inst.lat[i], data.inst.lon[i]]).round(), st = this.markers[i]._icon.style;
        st.left = p.x + "px";
        st.top = p.y + "px";
      }
    },

    _index: function (e) {
      var el = e && (e.originalEvent ? e.originalEvent.target : e.target);
      return el && el._garrisonIndex !== undefined ? el._garrisonIndex : null;
    },

    _showTip: function (i) {
      this._tip.setContent(tooltipContent(i)).setLatLng([data.inst.lat[i], data.inst.lon[i]]);
      this._map.openTooltip(this._tip);
    },

    // Leaflet hands these over from the map (the elements are its event targets)
    _onMouse: function (e) {
      var i = this._index(e);
      if (i === null) return;
      if (e.type === "mouseover") this._showTip(i);
      else if (e.type === "mouseout") this._map.closeTooltip(this._tip);
      else if (e.type === "click") onMarkerClick(i);
    },
    _onFocus: function (e) { var i = this._index(e); if (i !== null) this._showTip(i); },
    _onBlur: function () { this._map.closeTooltip(this._tip); },
    _onKey: function (e) {  // Enter or Space on a focused installation selects it, like a click
      var i = this._index(e);
      if (i !== null && (e.key === "Enter" || e.key === " ")) { L.DomEvent.preventDefault(e); onMarkerClick(i); }
    },
  });

  function buildInstallations(def) {
    var size = (def.style && def.style.size) || 18, indices = [];
    for (var i = 0; i < data.inst.id.length; i++) {
      if (def.filter && def.filter.ids && def.filter.ids.indexOf(data.inst.id[i]) < 0) continue;
      indices.push(i);
    }
    var hooks = new HookLayer(indices, size), painter = new Painter();
    var group = L.layerGroup([hooks, painter]);
    return { def: def, group: group, hooks: hooks, markers: hooks.markers, look: {}, painter: painter, size: size };
  }

  // --- canvas painting -------------------------------------------------------------------
  // The marker elements stay in the DOM (hooks, clicks, tooltips, keyboard) but are transparent;
  // what you see is painted on one canvas. Restyling thousands of painted DOM elements made
  // every slider step repaint all of them (hundreds of ms at 10k).
  // Each distinct look is drawn once into a small sprite, then stamped with drawImage: filling
  // and stroking 10k anti-aliased paths took most of a second to rasterise (software raster).
  // A slider step repaints only the rectangles of the markers whose look changed (and whatever
  // overlaps them); a pan, zoom or resize repaints everything.
  var Painter = L.Layer.extend({
    onAdd: function (m) {
      if (!m.getPane("garrisonMarkers")) m.createPane("garrisonMarkers").style.zIndex = 450;
      this._canvas = L.DomUtil.create("canvas", "garrison-canvas leaflet-zoom-hide", m.getPane("garrisonMarkers"));
      this._canvas.style.pointerEvents = "none";
      m.on("moveend zoomend resize viewreset", this.reset, this);
      this.reset();
    },
    onRemove: function (m) {
      L.DomUtil.remove(this._canvas);
      m.off("moveend zoomend resize viewreset", this.reset, this);
    },
    reset: function () {
      var size = map.getSize(), ratio = window.devicePixelRatio || 1;
      this._origin = map.containerPointToLayerPoint([0, 0]);
      L.DomUtil.setPosition(this._canvas, this._origin);
      this._canvas.width = size.x * ratio;
      this._canvas.height = size.y * ratio;
      this._canvas.style.width = size.x + "px";
      this._canvas.style.height = size.y + "px";
      this._drawnLooks = null;  // everything is repainted
      paintAll();
    },
  });

  var sprites = {};
  var GRID = 32;  // px: cells of the index of what is drawn where, for partial repaints

  function lookKey(look) {
    return look.kind + "|" + look.status + "|" + look.colour + "|" + look.conf + "|" +
      (look.stale ? 1 : 0) + (look.selected ? 1 : 0) + (look.changed ? 1 : 0);
  }

  function sprite(look, r) {
    var bySize = sprites[r] || (sprites[r] = {}), s = bySize[look.key];
    if (s) return s;
    var ratio = window.devicePixelRatio || 1, half = Math.ceil(r + 8), c = document.createElement("canvas");
    c.width = c.height = 2 * half * ratio;
    var ctx = c.getContext("2d");
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    paintMarker(ctx, half, half, r, look);
    s = bySize[look.key] = { canvas: c, half: half };
    return s;
  }

  function paintAll() {
    instLayers.forEach(function (layer) {
      var painter = layer.painter, c = painter && painter._canvas;
      if (!c || !map.hasLayer(layer.group)) return;
      var ctx = c.getContext("2d"), size = map.getSize(), r = layer.size / 2;
      ctx.setTransform(window.devicePixelRatio || 1, 0, 0, window.devicePixelRatio || 1, 0, 0);
      var keys = {}, changed = [];
      for (var k in layer.look) { if (layer.look[k]) keys[k] = layer.look[k].key; }
      var before = painter._drawnLooks;
      if (before) {
        for (k in keys) { if (before[k] !== keys[k]) changed.push(+k); }
        for (k in before) { if (!(k in keys)) changed.push(+k); }
      }
      if (!before || changed.length > 400) {
        painter._drawn = {};
        painter._grid = {};
        ctx.clearRect(0, 0, size.x, size.y);
        var order = [];
        for (k in keys) {
          var pt = map.latLngToLayerPoint([data.inst.lat[k], data.inst.lon[k]]).subtract(painter._origin);
          if (pt.x < -30 || pt.y < -30 || pt.x > size.x + 30 || pt.y > size.y + 30) continue;
          var d = painter._drawn[k] = { i: +k, x: Math.round(pt.x), y: Math.round(pt.y), half: sprite(layer.look[k], r).half };
          gridCells(d, function (cell) { (painter._grid[cell] = painter._grid[cell] || []).push(+k); });
          order.push(+k);
        }
        stamp(ctx, layer, order, r);
      } else if (changed.length) {
        changed.forEach(function (i) {
          var d = painter._drawn[i];
          if (!d && keys[i]) {  // appears: index where it goes
            var pt = map.latLngToLayerPoint([data.inst.lat[i], data.inst.lon[i]]).subtract(painter._origin);
            d = painter._drawn[i] = { i: i, x: Math.round(pt.x), y: Math.round(pt.y), half: sprite(layer.look[i], r).half };
            gridCells(d, function (cell) { (painter._grid[cell] = painter._grid[cell] || []).push(i); });
          }
          if (!d) return;
          var box = [d.x - d.half, d.y - d.half, 2 * d.half, 2 * d.half], near = {};
          gridCells(d, function (cell) { (painter._grid[cell] || []).forEach(function (j) { near[j] = 1; }); });
          var inside = [];
          for (var j in near) {
            var o = painter._drawn[j];
            if (o && keys[j] && Math.abs(o.x - d.x) < o.half + d.half && Math.abs(o.y - d.y) < o.half + d.half) inside.push(+j);
          }
          ctx.save();
          ctx.beginPath();
          ctx.rect(box[0], box[1], box[2], box[3]);
          ctx.clip();
          ctx.clearRect(box[0], box[1], box[2], box[3]);
          stamp(ctx, layer, inside.sort(function (a, b) { return a - b; }), r);
          ctx.restore();
        });
      }
      painter._drawnLooks = keys;
    });
  }

  function gridCells(d, fn) {
    for (var gx = Math.floor((d.x - d.half) / GRID); gx <= Math.floor((d.x + d.half) / GRID); gx++) {
      for (var gy = Math.floor((d.y - d.half) / GRID); gy <= Math.floor((d.y + d.half) / GRID); gy++) fn(gx + ":" + gy);
    }
  }

  // Stamp the sprites of these markers (in index order), the selected and compared ones on top.
  function stamp(ctx, layer, order, r) {
    var top = [];
    order.forEach(function (i) {
      var look = layer.look[i], d = layer.painter._drawn[i];
      if (!look || !d) return;
      if (look.selected || look.changed) { top.push(i); return; }
      var s = sprite(look, r);
      ctx.drawImage(s.canvas, d.x - s.half, d.y - s.half, 2 * s.half, 2 * s.half);
    });
    top.forEach(function (i) {
      var s = sprite(layer.look[i], r), d = layer.painter._drawn[i];
      ctx.drawImage(s.canvas, d.x - s.half, d.y - s.half, 2 * s.half, 2 * s.half);
    });
  }

  var SHAPE = { air_base: "circle", airfield: "circle", other: "circle", naval_base: "square", port: "square",
    army_base: "diamond", training_area: "diamond", radar: "triangle", missile_site: "triangle", logistics_hub: "hexagon" };
  var ALPHA = { confirmed: 1, reported: 0.75, disputed: 0.5 };

  function shapePath(ctx, x, y, r, shape) {
    ctx.beginPath();
    if (shape === "square") { ctx.rect(x - r * 0.85, y - r * 0.85, r * 1.7, r * 1.7); }
    else if (shape === "diamond") { ctx.moveTo(x, y - r); ctx.lineTo(x + r, y); ctx.lineTo(x, y + r); ctx.lineTo(x - r, y); ctx.closePath(); }
    else if (shape === "triangle") { ctx.moveTo(x, y - r); ctx.lineTo(x + r, y + r * 0.8); ctx.lineTo(x - r, y + r * 0.8); ctx.closePath(); }
    else if (shape === "hexagon") {
      for (var k = 0; k < 6; k++) { var a = Math.PI / 3 * k; ctx[k ? "lineTo" : "moveTo"](x + r * Math.cos(a), y + r * Math.sin(a)); }
      ctx.closePath();
    } else { ctx.arc(x, y, r, 0, 2 * Math.PI); }
  }

  function paintMarker(ctx, x, y, r, look) {
    var shape = SHAPE[look.kind] || "circle", st = look.status;
    if (st === "reduced") r *= 0.75;
    if (look.kind === "airfield") r *= 0.85;
    ctx.save();
    ctx.globalAlpha = (ALPHA[look.conf] || 1) * (look.stale ? 0.6 : 1);
    shapePath(ctx, x, y, r, shape);
    if (st === "planned" || st === "abandoned") {
      ctx.setLineDash(st === "planned" ? [2, 2] : []);
      ctx.strokeStyle = st === "planned" ? look.colour : "#9e9e9e";
      ctx.lineWidth = 2;
      ctx.stroke();
    } else {
      ctx.fillStyle = st === "destroyed" ? "#616161" : look.colour;
      ctx.fill();
      if (st === "withdrawing" || st === "contested") {  // half white / striped
        ctx.save();
        ctx.clip();
        ctx.fillStyle = "#fff";
        if (st === "withdrawing") { ctx.fillRect(x, y - r - 1, r + 1, 2 * r + 2); }
        else { for (var d = -2 * r; d < 2 * r; d += 5) { ctx.fillRect(x + d, y - r - 1, 2, 2 * r + 2); } }
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
      if (st === "destroyed") {
        ctx.strokeStyle = "#fff"; ctx.lineWidth = 2; ctx.beginPath();
        ctx.moveTo(x - r / 2, y - r / 2); ctx.lineTo(x + r / 2, y + r / 2);
        ctx.moveTo(x + r / 2, y - r / 2); ctx.lineTo(x - r / 2, y + r / 2); ctx.stroke();
      }
    }
    ctx.setLineDash([]);
    if (st === "blockaded") { ctx.setLineDash([3, 2]); ctx.strokeStyle = "#111"; ctx.lineWidth = 2; shapePath(ctx, x, y, r + 4.5, shape); ctx.stroke(); ctx.setLineDash([]); }
    if (st === "seized") { ctx.strokeStyle = "#111"; ctx.lineWidth = 1.5; shapePath(ctx, x, y, r + 4, shape); ctx.stroke(); }
    ctx.globalAlpha = 1;
    if (look.changed) { ctx.strokeStyle = "rgba(224,64,251,.9)"; ctx.lineWidth = 3; shapePath(ctx, x, y, r + 6, shape); ctx.stroke(); }
    if (look.selected) {
      ctx.strokeStyle = "#ffeb3b"; ctx.lineWidth = 3; shapePath(ctx, x, y, r + 4, shape); ctx.stroke();
      ctx.strokeStyle = "#111"; ctx.lineWidth = 1.5; shapePath(ctx, x, y, r + 6, shape); ctx.stroke();
    }
    ctx.restore();
  }

  function onMarkerClick(i) {
    state.select = data.inst.id[i];
    restyle();
    // streamlit-folium reports map clicks to the app: the app selects the installation there.
    // Alternate a 1e-9 degree nudge so clicking the same marker twice still reads as a new click
    // (the app matches positions within 1e-6 degrees).
    clickSeq += 1;
    map.fire("click", { latlng: L.latLng(data.inst.lat[i] + (clickSeq % 2) * 1e-9, data.inst.lon[i]) });
  }

  function buildRings(def) {
    var group = L.layerGroup(), circles = [];
    data.ranges.forEach(function (r) {
      var st = def.style || {};
      var c = L.circle([data.inst.lat[r.inst], data.inst.lon[r.inst]], {
        radius: r.km * 1000, weight: st.weight || 1.5, dashArray: st.dash || null,
        fillOpacity: st.fill_opacity || 0.04, className: "garrison-range garrison-range-" + data.inst.id[r.inst],
        interactive: false,
      });
      circles.push({ r: r, circle: c, shown: false });
    });
    return { def: def, group: group, circles: circles };
  }

  function buildRoutes(def) {
    var group = L.layerGroup(), legs = [];
    data.routes.forEach(function (rt) {
      if (def.filter && def.filter.ids && def.filter.ids.indexOf(rt.id) < 0) return;
      for (var k = 0; k + 1 < rt.nodes.length; k++) {
        var a = rt.nodes[k], b = rt.nodes[k + 1];
        var line = L.polyline([[data.inst.lat[a], data.inst.lon[a]], [data.inst.lat[b], data.inst.lon[b]]], {
          weight: (def.style && def.style.weight) || 2.5, className: "garrison-route garrison-route-" + rt.id,
        });
        line.bindTooltip(el("span", null, rt.name));
        legs.push({ route: rt, a: a, b: b, line: line, shown: false });
      }
    });
    return { def: def, group: group, legs: legs };
  }

  function routeActive(rt, day) {
    for (var k = rt.periods.length - 1; k >= 0; k--) {
      var p = rt.periods[k];
      if (p.start <= day) return (p.end === null || day < p.end) && p.status !== "abandoned" ? p : null;
    }
    return null;
  }

  var LOST = { abandoned: 1, seized: 1, destroyed: 1, blockaded: 1 };
  function nodeHeld(i, opRoot, day) {
    var row = periodAt(i, day);
    if (row < 0) return false;
    if (LOST[data.statuses[data.periods.status[row]]]) return false;
    return rootActor(data.periods.op[row]) === opRoot;
  }

  function restyle() {
    if (!ready || state.day === null) return;
    var t0 = performance.now();
    var day = state.day, p = data.periods, cmp = state.compare;
    var visibleBounds = [];
    instLayers.forEach(function (layer) {
      for (var key in layer.markers) {
        var i = +key, m = layer.markers[key], row = periodAt(i, day);
        var cls = "garrison-inst garrison-inst-" + data.inst.id[i] + " garrison-kind-" + data.kinds[data.inst.kind[i]];
        var colour = "#9e9e9e";
        if (row < 0) {
          cls += " garrison-absent";
        } else {
          var op = data.actors[p.op[row]];
          colour = op.colour;
          cls += " garrison-status-" + data.statuses[p.status[row]] + " garrison-op-" + op.id +
            " garrison-conf-" + data.confidences[p.conf[row]];
          if (p.terr[row] >= 0 && p.terr[row] !== p.op[row]) cls += " garrison-terr-" + data.actors[p.terr[row]].id;
        }
        if (!matchesFilter(i, row, state.filter, layer.def.filter)) cls += " garrison-filtered";
        else if (row >= 0) visibleBounds.push([data.inst.lat[i], data.inst.lon[i]]);
        if (cmp !== null && cmp !== undefined && triple(periodAt(i, cmp)) !== triple(row)) cls += " garrison-changed";
        if (state.select === data.inst.id[i]) cls += " garrison-selected";
        if (data.inst.stale[i]) cls += " garrison-stale";
        var look = layer.look[i] = cls.indexOf("garrison-absent") >= 0 || cls.indexOf("garrison-filtered") >= 0 ? null : {
          kind: data.kinds[data.inst.kind[i]], status: data.statuses[p.status[row]], colour: colour,
          conf: data.confidences[p.conf[row]], selected: state.select === data.inst.id[i],
          changed: cls.indexOf("garrison-changed") >= 0, stale: !!data.inst.stale[i],
        };
        if (look) look.key = lookKey(look);  // once per restyle: painting compares and finds sprites by it
        var icon = m._icon;
        if (icon && lastClass[i] !== cls) {
          icon.className = cls + " leaflet-marker-icon leaflet-zoom-animated leaflet-interactive";
          lastClass[i] = cls;
        }
      }
    });
    paintAll();
    ringLayers.forEach(function (layer) {
      layer.circles.forEach(function (c) {
        var r = c.r, show = r.start <= day && day < r.end;
        var row = periodAt(r.inst, day);
        show = show && row >= 0 && (!state.filter || matchesFilter(r.inst, row, state.filter, layer.def.filter));
        if (show && !c.shown) layer.group.addLayer(c.circle);
        if (!show && c.shown) layer.group.removeLayer(c.circle);
        if (show) {
          var col = data.actors[p.op[row]].colour;
          c.circle.setStyle({ color: col, fillColor: col });
          var path = c.circle.getElement && c.circle.getElement();
          if (path) path.classList.toggle("garrison-range-selected", state.select === data.inst.id[r.inst]);
        }
        c.shown = show;
      });
    });
    routeLayers.forEach(function (layer) {
      var st = layer.def.style || {};
      layer.legs.forEach(function (leg) {
        var period = routeActive(leg.route, day);
        var show = !!period;
        if (show && !leg.shown) layer.group.addLayer(leg.line);
        if (!show && leg.shown) layer.group.removeLayer(leg.line);
        leg.shown = show;
        if (!show) return;
        var opRoot = rootActor(leg.route.op);
        var held = nodeHeld(leg.a, opRoot, day) && nodeHeld(leg.b, opRoot, day);
        var colour = leg.route.op >= 0 ? data.actors[leg.route.op].colour : "#555";
        leg.line.setStyle({
          color: held ? colour : st.broken_colour || "#9e9e9e",
          dashArray: held ? null : st.broken_dash || "4 6",
        });
        var path = leg.line.getElement && leg.line.getElement();
        if (path) path.classList.toggle("garrison-route-broken", !held);
      });
    });
    var box = map.getContainer();
    box.setAttribute("data-garrison-day", String(day));
    box.setAttribute("data-garrison-date", isoDay(day));
    box.setAttribute("data-garrison-visible", String(visibleBounds.length));
    box.setAttribute("data-garrison-restyle-ms", (performance.now() - t0).toFixed(1));  // for benchmarks
    return visibleBounds;
  }

  // A legend marker drawn by the same code as the map's markers, so the two cannot drift apart.
  function legendSwatch(kind, status, cls) {
    var size = 22, ratio = window.devicePixelRatio || 1, c = el("canvas", "garrison-legend-marker " + cls);
    c.width = c.height = size * ratio;
    c.style.width = c.style.height = size + "px";
    var ctx = c.getContext("2d");
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    paintMarker(ctx, size / 2, size / 2, 5, { kind: kind, status: status, colour: "#777", conf: "confirmed" });
    return c;
  }

  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, function (ch) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[ch];
    });
  }

  function buildLegend() {
    var legend = L.control({ position: "bottomright" });
    legend.onAdd = function () {
      // A <details>: open on a wide map, folded to its title on a narrow one (where it would
      // cover much of the map); a click on "Legend" opens or folds it.
      var box = el("details", "garrison-legend-box leaflet-bar");
      box.open = map.getSize().x >= 900;
      box.appendChild(el("summary", "garrison-legend-summary", "Legend"));
      var div = el("div", "garrison-legend");
      box.appendChild(div);
      L.DomEvent.disableClickPropagation(box);
      L.DomEvent.disableScrollPropagation(box);
      L.DomEvent.disableClickPropagation(div);
      L.DomEvent.disableScrollPropagation(div);
      var used = {};
      for (var r = 0; r < data.periods.op.length; r++) { used[data.periods.op[r]] = 1; }
      data.layers.forEach(function (def) {
        var lg = def.legend || {};
        div.appendChild(el("div", "garrison-legend-title", lg.title || def.name));
        if (def.type === "installations") {
          if (lg.show_operators !== false) {
            data.actors.forEach(function (a, code) {
              if (!used[code]) return;
              var row = el("div", "garrison-legend-row");
              var sw = el("span", "garrison-legend-swatch");
              sw.style.background = a.colour;
              row.appendChild(sw);
              row.appendChild(el("span", null, a.short));
              div.appendChild(row);
            });
          }
          if (lg.show_statuses !== false) {
            var sts = el("div", "garrison-legend-statuses");
            data.statuses.forEach(function (s) {
              var row = el("div", "garrison-legend-row");
              row.appendChild(legendSwatch("air_base", s, "garrison-status-" + s));
              row.appendChild(el("span", null, s));
              sts.appendChild(row);
            });
            div.appendChild(sts);
          }
          if (lg.show_kinds !== false) {
            var kinds = el("div", "garrison-legend-kinds");
            data.kinds.forEach(function (k) {
              var row = el("div", "garrison-legend-row");
              row.appendChild(legendSwatch(k, "active", "garrison-kind-" + k));
              row.appendChild(el("span", null, k.replace("_", " ")));
              kinds.appendChild(row);
            });
            div.appendChild(kinds);
          }
        } else {
          var row2 = el("div", "garrison-legend-row");
          row2.appendChild(el("span", "garrison-legend-line garrison-legend-" + def.type));
          row2.appendChild(el("span", null, lg.label || def.name));
          div.appendChild(row2);
        }
      });
      return box;
    };
    legend.addTo(map);
  }

  function build() {
    var overlays = {};
    data.layers.forEach(function (def) {
      var layer;
      if (def.type === "installations") { layer = buildInstallations(def); instLayers.push(layer); }
      else if (def.type === "range_rings") { layer = buildRings(def); ringLayers.push(layer); }
      else if (def.type === "routes") { layer = buildRoutes(def); routeLayers.push(layer); }
      else return;
      if (def.visible !== false) layer.group.addTo(map);
      overlays[escapeHtml(def.name)] = layer.group;  // Leaflet's layer control sets the name as HTML
    });
    L.control.layers(null, overlays, { collapsed: true, position: "topright" }).addTo(map);
    buildLegend();
    // Markers re-created by Leaflet (none here) would lose their classes; re-apply after zoom just in case.
    map.on("zoomend", function () { lastClass = []; restyle(); });
    map.on("overlayadd", function () { lastClass = []; restyle(); });
  }

  // --- following the page's Date slider --------------------------------------------------------
  // The map's iframe is same-origin with the page, so the map watches the slider itself and
  // restyles the moment its value changes (while dragging too) instead of waiting for the rerun's
  // state message, which still brings the compare date, selection and filter. Where the slider
  // cannot be found (another page, a cross-origin frame), the messages alone drive the map.
  var follow = { input: null, observer: null, retry: null, tries: 0 };

  function findSlider() {
    if (!opts || !opts.followSlider) return null;
    try {
      if (!window.parent || window.parent === window) return null;
      var inputs = window.parent.document.querySelectorAll('[data-testid="stSlider"] input[type="range"]');
      for (var k = 0; k < inputs.length; k++) {
        if (inputs[k].getAttribute("aria-label") === opts.followSlider) return inputs[k];
      }
    } catch (err) { /* a cross-origin parent: follow the messages only */ }
    return null;
  }

  function sliderDay(input) {
    var m = /^(\d{4})-(\d{2})-(\d{2})$/.exec((input && input.getAttribute("aria-valuetext")) || "");
    return m ? Date.UTC(+m[1], +m[2] - 1, +m[3]) / 86400000 : null;
  }

  function watchSlider() {
    var input = findSlider();
    if (!input && opts && opts.followSlider && !follow.retry) {
      // a fresh page draws its slider only after the map: look again shortly (the map keeps
      // following the rerun's messages meanwhile)
      follow.tries = (follow.tries || 0) + 1;
      if (follow.tries <= 40) follow.retry = setTimeout(function () { follow.retry = null; watchSlider(); }, 250);
    }
    if (input === follow.input) return;
    if (follow.observer) follow.observer.disconnect();
    follow.input = input;
    follow.observer = null;
    if (!input) return;
    follow.observer = new MutationObserver(function () {
      var day = sliderDay(input);
      if (ready && day !== null && day !== state.day) { state.day = day; lastApplied = null; restyle(); }
    });
    follow.observer.observe(input, { attributes: true, attributeFilter: ["aria-valuetext"] });
  }

  var lastApplied = null;
  function apply(s) {
    var fit = s.fit, fitKey = s.fitKey;
    ["day", "compare", "select", "filter"].forEach(function (k) { if (k in s) state[k] = s[k]; });
    // The rerun's message has the last word on the date: after a moved slider it brings the same
    // day (nothing to redo), and when a rerun was cut short it brings the date the script kept.
    watchSlider();
    var key = JSON.stringify([state.day, state.compare, state.select, state.filter]);
    if (key !== lastApplied) {  // the rerun that follows a slider move finds the map restyled already
      lastApplied = key;
      restyle();
    }
    // A link's own view wins over fitting the map to the link's filter: both come in the first
    // message, and an animated fit would end after (and undo) the view.
    var newView = !!(s.view && s.viewKey && s.viewKey !== state.viewKey);
    if (fit && fitKey && fitKey !== state.fitKey) {
      state.fitKey = fitKey;
      if (!newView) map.fitBounds(fit, { maxZoom: 8, padding: [30, 30] });
    }
    if (newView) {
      state.viewKey = s.viewKey;
      showView(s.view.center, s.view.zoom);
    }
  }

  // --- keeping the view exact ------------------------------------------------------------------
  // Leaflet keeps a view's exact centre only until the map's size changes: a resize (the page
  // completing, a scrollbar appearing) re-derives the centre from whole pixels, up to half a pixel
  // off, and the page then wrote that drift into the permalink (lat=34.8994 for a link's 34.9).
  // So the last view set or moved to is kept, and a resize that left the map within a pixel of it
  // puts it back exactly.
  var heldView = null;

  function offsetPx(center) {
    return map.latLngToContainerPoint(center).distanceTo(map.getSize().divideBy(2));
  }

  function showView(center, zoom) {
    heldView = { center: L.latLng(center), zoom: zoom };
    // a sub-pixel move is a pan of zero pixels to Leaflet, which keeps the old centre: reset instead
    var subPixel = map.getZoom() === zoom && offsetPx(heldView.center) < 1;
    map.setView(heldView.center, zoom, subPixel ? { reset: true } : undefined);
  }

  function keepView() {
    heldView = { center: map.getCenter(), zoom: map.getZoom() };
    // wrapped, not a "resize" listener: a size change of one pixel moves the centre by less than
    // a pixel, fires no "resize", yet still drops the exact centre
    var invalidate = map.invalidateSize;
    map.invalidateSize = function (options) {
      var out = invalidate.call(this, options), v = heldView;
      if (this._loaded && v && this.getZoom() === v.zoom && !this.getCenter().equals(v.center) && offsetPx(v.center) < 1) {
        this.setView(v.center, v.zoom, { reset: true });
      }
      return out;
    };
    map.on("moveend", function () {  // a real move (a drag, a zoom, a fit) becomes the view to keep
      var v = heldView;
      if (!v || map.getZoom() !== v.zoom || offsetPx(v.center) >= 1) heldView = { center: map.getCenter(), zoom: map.getZoom() };
    });
  }

  G.flush = function () {
    var q = window.__garrisonQueue || [];
    window.__garrisonQueue = [];
    if (!ready) { window.__garrisonQueue = q; return; }
    q.forEach(apply);
  };

  // The component library behind streamlit-folium appends a fresh theme <style> (":root {
  // --primary-color ...") to this frame on every rerun and never removes the old ones: a long play
  // grew the frame by a node a step, and every added stylesheet restyles the whole map. Keep the
  // newest only. (Goes with streamlit-folium, when the map becomes a component of its own.)
  function dropStaleThemeStyles(doc) {
    var themes = [];
    Array.prototype.forEach.call(doc.head.querySelectorAll("style"), function (el) {
      if (/^\s*:root\s*\{\s*--primary-color/.test(el.textContent || "")) themes.push(el);
    });
    themes.slice(0, -1).forEach(function (el) { el.remove(); });
  }

  function watchThemeStyles(doc) {
    dropStaleThemeStyles(doc);
    new MutationObserver(function () { dropStaleThemeStyles(doc); }).observe(doc.head, { childList: true });
  }

  G.init = function (leafletMap, options) {
    map = leafletMap;
    opts = options;
    keepView();
    watchThemeStyles(document);
    map.getContainer().setAttribute("data-garrison-mount", String(Date.now()) + "-" + Math.random().toString(36).slice(2));
    // the data is usually on its way already (garrison-prefetch.js, first in the bundled scripts)
    var early = window.__garrisonEarly, mine = early && early.url === options.dataUrl;
    var t = mine ? early.t : {};
    var pending = mine ? early.data : G.loadData(options.dataUrl, t);  // garrison-prefetch.js
    window.__garrisonEarly = null;  // used once
    t.init = performance.now();
    G.timings = t;  // for benchmarks: when the data was requested, arrived, was parsed, built, first restyled
    var report = holdReport(t);
    pending
      .then(function (d) {
        t.parsed = performance.now();
        data = d;
        expandEnds(data.periods, data.open_end);
        build();
        t.built = performance.now();
        ready = true;
        map.getContainer().setAttribute("data-garrison-ready", "1");
        G.flush();
        t.styled = performance.now();
        try {  // where the map was on the page at its first paint (it must not move when the page completes)
          var f = window.frameElement;
          if (f) t.frameTop = f.getBoundingClientRect().top + window.parent.scrollY;
        } catch (err) { /* a cross-origin parent */ }
        requestAnimationFrame(function () { setTimeout(report, 0); });  // once that frame is painted
      })
      .catch(function (err) {
        map.getContainer().setAttribute("data-garrison-error", String(err));
        console.warn("Garrison: could not load map data", err);
        report();
      });
    return G;
  };

  // streamlit-folium reports a new map to Streamlit (which reruns the page) right after the map's
  // script has run, by calling window.initComponent at the end of it. On a fresh page that rerun
  // draws the rest of the page (app.py's first_paint), and drawing it while the markers are being
  // built delayed them; so the report is held until the markers are on screen (or the data failed,
  // or 5 s passed). Returns the function that lets it through; outside streamlit-folium, a no-op.
  function holdReport(t) {
    var original = window.initComponent, args = null, done = false;
    var release = function () {
      if (done) return;
      done = true;
      t.reported = performance.now();
      if (window.initComponent === hold) window.initComponent = original;
      if (args) original.apply(window, args);
    };
    var hold = function () { args = arguments; if (done) { done = false; release(); } };
    if (typeof original !== "function") return function () {};
    window.initComponent = hold;
    setTimeout(release, 5000);
    return release;
  }

  G.state = function () { return Object.assign({}, state); };
})();
