/* geoapp's fullscreen button for Leaflet maps, on the browser's Fullscreen API (our code, no plugin).
 *
 * Loaded after Leaflet; the map script folium writes adds it with
 *   L.control.geoappFullscreen({position: "topleft", title: "...", titleCancel: "..."}).addTo(map)
 * (geoapp.mapview.basemap.FullscreenControl; the titles come from the string catalogues, vi/en).
 *
 * Trip-wires: no inline handlers (CSP): listeners are added here. Where the API is missing or
 * refuses (an iframe without allowfullscreen, iPhone Safari), the map fills the window instead
 * (class geoapp-pseudo-fullscreen on its container) and Escape leaves. The container gets the class
 * leaflet-fullscreen-on while it is full screen, and the map fires "fullscreenchange".
 */
(function () {
  "use strict";
  if (!window.L) { return; }

  function currentElement() {
    return document.fullscreenElement || document.webkitFullscreenElement || null;
  }

  function request(el) {
    var fn = el.requestFullscreen || el.webkitRequestFullscreen;
    if (!fn || !(document.fullscreenEnabled || document.webkitFullscreenEnabled)) {
      return Promise.reject(new Error("no fullscreen"));
    }
    try {
      return Promise.resolve(fn.call(el));
    } catch (err) {
      return Promise.reject(err);
    }
  }

  function exit() {
    var fn = document.exitFullscreen || document.webkitExitFullscreen;
    if (fn) { fn.call(document); }
  }

  L.Control.GeoappFullscreen = L.Control.extend({
    options: {position: "topleft", title: "Full screen", titleCancel: "Exit full screen"},

    onAdd: function (map) {
      var bar = L.DomUtil.create("div", "leaflet-bar leaflet-control-fullscreen");
      var link = L.DomUtil.create("a", "leaflet-control-fullscreen-button", bar);
      link.href = "#";
      link.setAttribute("role", "button");
      this._link = link;
      this._pseudo = false;
      this._show(false);
      L.DomEvent.disableClickPropagation(bar);
      L.DomEvent.on(link, "click", function (e) {
        L.DomEvent.preventDefault(e);
        this.toggle();
      }, this);
      this._changed = L.Util.bind(this._sync, this);
      this._keyed = L.Util.bind(function (e) {
        if (this._pseudo && e.key === "Escape") { this._setPseudo(false); }
      }, this);
      document.addEventListener("fullscreenchange", this._changed);
      document.addEventListener("webkitfullscreenchange", this._changed);
      document.addEventListener("keydown", this._keyed);
      return bar;
    },

    onRemove: function () {
      document.removeEventListener("fullscreenchange", this._changed);
      document.removeEventListener("webkitfullscreenchange", this._changed);
      document.removeEventListener("keydown", this._keyed);
    },

    isFullscreen: function () {
      return this._pseudo || currentElement() === this._map.getContainer();
    },

    toggle: function () {
      var box = this._map.getContainer();
      if (this._pseudo) {
        this._setPseudo(false);
      } else if (currentElement() === box) {
        exit();
      } else {
        var self = this;
        request(box).catch(function () { self._setPseudo(true); });
      }
    },

    _setPseudo: function (on) {
      this._pseudo = on;
      L.DomUtil[on ? "addClass" : "removeClass"](this._map.getContainer(), "geoapp-pseudo-fullscreen");
      this._sync();
    },

    _show: function (on) {
      var text = on ? this.options.titleCancel : this.options.title;
      this._link.title = text;
      this._link.setAttribute("aria-label", text);
      this._link.setAttribute("aria-pressed", on ? "true" : "false");
    },

    _sync: function () {
      var on = this.isFullscreen();
      L.DomUtil[on ? "addClass" : "removeClass"](this._map.getContainer(), "leaflet-fullscreen-on");
      this._show(on);
      this._map.invalidateSize();
      this._map.fire("fullscreenchange", {fullscreen: on});
    }
  });

  L.control.geoappFullscreen = function (options) {
    return new L.Control.GeoappFullscreen(options);
  };
}());
