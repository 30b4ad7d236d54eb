/*
 * Minimal stand-in for the two jQuery calls folium's own templates make, so a
 * folium map works without loading jQuery from a CDN:
 *   $(`<div>...</div>`)[0]        Popup content (folium.map.Popup)
 *   $(document).ready(fn)         Map with objects kept in front
 * It defines nothing if a real jQuery is already on the page.  Plugins that
 * need the real thing (TimeSliderChoropleth, HeatMapWithTime, TopoJson with
 * embed=False) are not supported offline.
 */
(function (root) {
  'use strict';
  if (root.$ || root.jQuery || typeof document === 'undefined') { return; }

  function onReady(fn) {
    if (document.readyState === 'loading') {
      document.addEventListener('DOMContentLoaded', function () { fn(); });
    } else {
      root.setTimeout(fn, 0);
    }
  }

  function wrap(nodes) {
    nodes.ready = function (fn) { onReady(fn); return nodes; };
    return nodes;
  }

  function $(arg) {
    if (typeof arg === 'function') {
      onReady(arg);
      return wrap([document]);
    }
    if (typeof arg === 'string') {
      var text = arg.trim();
      if (text.charAt(0) === '<') {
        // Parsed inert (no script runs, no image loads) until Leaflet inserts it,
        // exactly as folium's use of jQuery would behave.
        var tpl = document.createElement('template');
        tpl.innerHTML = text;
        return wrap(Array.prototype.filter.call(tpl.content.childNodes, function (n) {
          return n.nodeType === 1;
        }));
      }
      return wrap(Array.prototype.slice.call(document.querySelectorAll(text)));
    }
    return wrap(arg == null ? [] : [arg]);
  }

  $.extend = function (target) {
    for (var i = 1; i < arguments.length; i++) {
      var src = arguments[i];
      if (src) {
        for (var k in src) {
          if (Object.prototype.hasOwnProperty.call(src, k)) { target[k] = src[k]; }
        }
      }
    }
    return target;
  };
  $.garrisonShim = true;
  root.$ = $;
}(typeof window !== 'undefined' ? window : this));
