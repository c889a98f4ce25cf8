/* geoapp province map: data layers, legend, summary, table and controls on a folium map.
 * Everything user-supplied is put into the page with textContent / DOM nodes, never innerHTML.
 */
(function () {
  "use strict";
  const cfg = JSON.parse(document.getElementById("map-config").textContent);
  const T = cfg.strings;
  const map = window[cfg.mapName];
  const params = new URLSearchParams(window.location.search);
  // the view the server parsed and checked (cfg.view): the same parameters as the query string, and
  // the only ones a standalone file (no query string) has
  const view = cfg.view || {};
  const state = {
    scheme: view.indicator ? "" : cfg.scheme,
    indicator: view.indicator || "",
    asOf: cfg.asOf,
    classes: view.classes || "quantiles",
    k: view.k || "5",
    rate: view.rate || "",
    hotspots: !!view.hotspots,
    emerging: params.get("emerging") === "1",
    status: view.status || "",     // hot spots of a scheme: overrides its declared hot-spot statuses
    since: view.since || "",       // a change view of a scheme: colours by what changed from this day to asOf
    period: view.period || undefined,
    selected: null,
    hidden: new Set(),      // legend keys hidden on the map and in the table
    sortKey: "value",       // the table's column; "value": severity / legend order / indicator value
    sortDir: -1,            // worst (or highest) first
  };
  let features = [];        // GeoJSON features (code, name, district)
  let byCode = new Map();   // code -> leaflet layer
  let values = {};          // code -> {colour, label or value, ...}
  let noData = new Set();   // codes of a status map whose province reports nothing: no data, not "none"
  let geoLayer = null;
  const labels = L.layerGroup();

  /* ---------- helpers ---------- */
  const el = geoapp.el;
  // the hot-spot layer: Gi* of an indicator, or the join count of a scheme's hot-spot statuses
  const isHot = () => state.hotspots && !(state.indicator && state.emerging);
  const fold = geoapp.fold;
  function fmtDate(iso) {
    if (!iso) return "…";
    const [y, m, d] = iso.split("-");
    return cfg.lang === "en" ? iso : `${d}/${m}/${y}`;
  }
  function saveUrl() {
    const p = new URLSearchParams();
    if (state.indicator) p.set("indicator", state.indicator); else p.set("scheme", state.scheme);
    p.set("as_of", state.asOf);
    if (isChange()) p.set("since", state.since);
    if (!state.indicator && state.hotspots) { p.set("hotspots", "1"); if (state.status) p.set("status", state.status); }
    if (state.indicator) {
      p.set("classes", state.classes); p.set("k", state.k);
      if (state.rate) p.set("rate", state.rate);
      if (state.hotspots) p.set("hotspots", "1");
      if (state.emerging) p.set("emerging", "1");
    }
    p.set("lang", cfg.lang);
    const c = map.getCenter();
    p.set("z", map.getZoom()); p.set("lat", c.lat.toFixed(4)); p.set("lng", c.lng.toFixed(4));
    history.replaceState(null, "", window.location.pathname + "?" + p.toString());
    const view = new URLSearchParams(p);
    ["z", "lat", "lng"].forEach(k => view.delete(k));
    const embed = document.getElementById("embed-code");
    if (embed) {
      const src = `${embed.dataset.embed}?${view.toString()}`;
      embed.value = [[480, 360], [800, 600], [1200, 800]].map(([w, h]) =>
        `<iframe src="${src}" width="${w}" height="${h}" style="border:0" loading="lazy" title="${cfg.provinceName}"></iframe>`).join("\n");
    }
    const share = document.getElementById("share-query");
    if (share) share.value = view.toString();
    document.querySelectorAll("[data-keep-state]").forEach(a => {
      const url = new URL(a.getAttribute("href"), window.location.href);
      const skip = a.dataset.keepState === "all" ? [] : a.dataset.keepState === "view" ? ["z", "lat", "lng"] : ["lang", "z", "lat", "lng"];
      for (const [k, v] of p) if (!skip.includes(k)) url.searchParams.set(k, v);
      a.setAttribute("href", url.pathname + url.search);
    });
  }
  // requests started at load, all at once (units, the layer's data, outlines): url -> promise, used once
  const early = new Map();
  function prefetch(url, kind) {
    if (!url || early.has(url)) return;
    const p = getJson(url, kind);
    p.catch(() => {});          // handled by whoever takes it; never an unhandled rejection
    early.set(url, p);
  }
  // a standalone export carries its data in the page (cfg.inline[kind]); everything else fetches
  async function getJson(url, kind) {
    if (early.has(url)) { const p = early.get(url); early.delete(url); return p; }
    if (cfg.inline && kind && cfg.inline[kind]) return cfg.inline[kind];
    // a standalone file has no server behind it: what it does not carry is not drawn, and never asked for
    if (cfg.standalone) throw new Error(T.no_data);
    const r = await fetch(url, { credentials: "same-origin" });
    const body = await r.json();
    if (!r.ok) throw new Error(body.message || r.statusText);
    return body;
  }

  /* ---------- map layers ---------- */
  // the whole edition at national zoom: no commune borders (3,000 dark lines would hide the colours);
  // the province outlines carry the map. Hairlines from zoom 8, full borders from zoom 9. A province
  // map always has its borders.
  const whole = cfg.province === "all";
  const borderWeight = () => !whole ? 0.7 : map.getZoom() >= 9 ? 0.7 : map.getZoom() >= 8 ? 0.25 : 0;
  let weight = borderWeight();
  function style(feature) {
    const v = values[feature.properties.code];
    const selected = state.selected === feature.properties.code;
    return veil(feature, {   // veil: a class hidden from the legend is drawn as an outline only
      color: selected ? "#000" : "#555", weight: selected ? 3 : weight, opacity: 1, stroke: selected || weight > 0,
      fillColor: v ? v.colour : noData.has(feature.properties.code) ? "#ffffff" : cfg.noneColour,
      fillOpacity: v ? 0.78 : 0.35,
    });
  }
  function describe(code) {
    const f = byCode.get(code).feature.properties;
    const v = values[code];
    const box = el("div", { class: "tip" }, el("strong", { text: f.name }));
    // the whole edition's units carry their province (hovering the country map says where it is)
    const where = [f.district, f.province].filter(Boolean).join(", ");
    if (where) box.append(el("div", { class: "muted", text: where }));
    if (state.indicator && state.emerging && v) {
      box.append(el("div", { text: v.label }));
    } else if (isHot() && v) {
      box.append(el("div", { text: v.label }));
      if (v.z !== null && v.z !== undefined) box.append(el("div", { class: "muted", text: `z = ${v.z.toFixed(2)}, ${v.p_text}, FDR ${v.p_adjusted_text}` }));
    } else if (state.indicator) {
      box.append(el("div", { text: v && v.value !== null ? `${v.value.toLocaleString(cfg.lang === "en" ? "en" : "vi-VN")} ${cfg.indicatorUnit || ""}` : T.no_data }));
    } else if (v) {
      box.append(el("div", {}, el("span", { class: "swatch" }), v.label));
      box.lastChild.firstChild.style.background = v.colour;
      box.append(el("div", { class: "muted", text: `${T.since} ${fmtDate(v.since)}${v.until ? " – " + fmtDate(v.until) : ""}` }));
    } else {
      box.append(el("div", { text: noData.has(code) ? T.no_data : T.no_designation }));
    }
    return box;
  }
  function popup(code) {
    const box = describe(code);
    const v = values[code];
    if (!state.indicator && !isHot() && v) {
      if (v.decision) box.append(el("div", { text: `${T.decision}: ${v.decision}${v.decision_date ? " (" + fmtDate(v.decision_date) + ")" : ""}` }));
      if (v.note) box.append(el("div", { class: "note", text: v.note }));
    }
    if (!cfg.standalone) {
      const link = el("a", { href: cfg.unitUrl.replace("CODE", encodeURIComponent(code)) + `?lang=${cfg.lang}&as_of=${state.asOf}`, text: T.open_unit });
      box.append(el("div", {}, link));
    }
    return box;
  }
  function draw(geojson) {
    features = geojson.features;
    if (!params.get("z") && !cfg.fit) fit();     // the view first, so the layer is drawn once, at its zoom
    weight = borderWeight();
    geoLayer = L.geoJSON(geojson, {
      style,
      // 3,000 communes draw faster on one canvas than as 3,000 SVG paths; a province stays SVG
      ...(whole ? { renderer: L.canvas({ padding: 0.3 }) } : {}),
      onEachFeature(feature, layer) {
        const code = feature.properties.code;
        byCode.set(code, layer);
        layer.bindTooltip(() => describe(code), { sticky: true });
        layer.bindPopup(() => popup(code));
        layer.on("click", () => select(code, false));
      },
    }).addTo(map);
    labels.on("add", addLabels);      // built when first shown (zoom ≥ 10 or the layer control), not at load
    const overlays = {};
    overlays[T.layer_units] = geoLayer;
    overlays[T.layer_labels] = labels;
    const control = L.control.layers(null, overlays, { collapsed: true }).addTo(map);
    // context outlines: provinces (always) and districts (pre-2025 only), drawn above the fills
    map.createPane("outlines").style.zIndex = 450;
    map.getPane("outlines").style.pointerEvents = "none";
    const outline = (url, name, style, on, kind) => getJson(url, kind).then(data => {
      const layer = L.geoJSON(data, { pane: "outlines", interactive: false, style: () => style });
      control.addOverlay(layer, name);
      if (on) layer.addTo(map);
    }).catch(() => {});
    outline(provincesUrl(), T.layer_provinces, { color: "#222", weight: 2.2, fill: false }, true,
      "outline_province");
    if (cfg.edition === "pre2025" && cfg.province !== "all")
      outline(cfg.outlinesUrl + `?level=district&province=${encodeURIComponent(cfg.province)}`, T.layer_districts,
        { color: "#444", weight: 1.4, dashArray: "4 3", fill: false }, true, "outline_district");
    if (params.get("z")) map.setView([+params.get("lat"), +params.get("lng")], +params.get("z"));
    map.on("moveend", saveUrl);
    map.on("zoomend", toggleLabels);
    map.on("zoomend", () => {          // borders by zoom: restyle only when the tier changes
      const w = borderWeight();
      if (w !== weight) { weight = w; geoLayer.setStyle(style); }
    });
    toggleLabels();
    document.getElementById("map").dataset.drawn = String(features.length);
  }
  // the view's bounds as the server computed them (cfg.fit: far-offshore units such as the Hoàng Sa and
  // Trường Sa special zones are left out, so the mainland and the near islands fill the box; the far
  // ones stay drawn and are reached by zooming out); fractional zoom so the country fills the box
  function fit() {
    map.options.zoomSnap = 0.25;
    const b = cfg.fit ? L.latLngBounds(cfg.fit) : geoLayer && geoLayer.getBounds();
    if (b && b.isValid()) map.fitBounds(b, { padding: [6, 6], animate: false });
  }
  // province outlines: the country's on the whole edition, those near the province on a province map
  function provincesUrl() {
    return cfg.outlinesUrl + "?level=province" + (whole ? "" : `&province=${encodeURIComponent(cfg.province)}`);
  }
  // one label per unit at its centre; 3,000 markers cost a second of the country's first draw, so they are
  // made the first time the labels are shown
  function addLabels() {
    if (labels.getLayers().length) return;
    for (const layer of byCode.values()) {
      const name = layer.feature.properties.name;
      labels.addLayer(L.marker(layer.getBounds().getCenter(), { icon: L.divIcon({ className: "unit-label", html: "" }), interactive: false })
        .on("add", function () { this.getElement().textContent = name.replace(/^(Xã|Phường|Thị trấn|Đặc khu) /, ""); }));
    }
  }
  function toggleLabels() {
    if (map.getZoom() >= 10) { if (!map.hasLayer(labels)) labels.addTo(map); }
    else if (map.hasLayer(labels)) map.removeLayer(labels);
  }

  /* ---------- side panel ---------- */
  // the legend row a unit falls in: its status ("" not designated, "nodata"), class or category
  const legendKey = r => (r.nodata ? "nodata" : String(r.status ?? r.class ?? r.category));
  let legendOrder = new Map();   // legend key -> row index (the order the server declared)
  let legendId = "";
  function classKey(code) {
    const v = values[code];
    if (v) return String(v.status ?? v.class ?? v.category);
    if (state.indicator && !isHot() && !state.emerging) return "-1";
    return noData.has(code) || state.indicator || isHot() ? "nodata" : "";
  }
  const isHidden = code => state.hidden.size > 0 && state.hidden.has(classKey(code));
  // a hidden class is drawn as an outline only (style() asks), and left out of the table
  function veil(feature, s) {
    return isHidden(feature.properties.code) ? { ...s, fillOpacity: 0, opacity: 0.5, dashArray: "2 3" } : s;
  }
  function renderLegend(rows, title) {
    const box = document.getElementById("legend");
    box.replaceChildren(el("h3", { text: title }));
    if (title !== legendId) state.hidden.clear();   // another layer: nothing hidden
    legendId = title;
    legendOrder = new Map(rows.map((r, i) => [legendKey(r), i]));
    const list = el("ul");
    for (const r of rows) {
      const key = legendKey(r);
      const sw = el("span", { class: "swatch" });
      sw.style.background = r.colour;
      // a button: click, Enter and Space toggle the class on the map and in the table
      const button = el("button", { type: "button", class: "legend-toggle", title: T.legend_toggle,
        "aria-pressed": String(!state.hidden.has(key)) }, sw, el("span", { text: r.label }),
        el("span", { class: "count", text: String(r.units) }));
      button.addEventListener("click", () => {
        if (state.hidden.has(key)) state.hidden.delete(key); else state.hidden.add(key);
        button.setAttribute("aria-pressed", String(!state.hidden.has(key)));
        button.parentElement.classList.toggle("off", state.hidden.has(key));
        if (geoLayer) geoLayer.setStyle(style);
        renderTable();
      });
      const li = el("li", { "data-class": key }, button);
      if (state.hidden.has(key)) li.classList.add("off");
      list.append(li);
    }
    box.append(list);
  }
  function renderSummary(data) {
    const box = document.getElementById("summary");
    box.replaceChildren();
    if (state.indicator || isHot()) {
      box.append(el("p", { text: `${data.label}${data.rate_per_1000 ? " " + T.per_1000 : ""}${data.period ? " — " + data.period : ""}` }));
      return;
    }
    // the figures are computed on the server (geoapp/mapview/figures.py): text, definition on hover
    for (const f of data.figures || []) {
      box.append(el("p", { class: f.headline ? "big figure" : "figure", "data-figure": f.code,
        title: f.definition, text: f.text }));
    }
    const head = (data.figures || []).find(f => f.headline && f.share !== null);
    const first = (data.figures || [])[0];
    if (first && !first.no_data) box.append(el("p", { class: "muted small unit-list", text: first.unit_list[cfg.lang === "en" ? "text_en" : "text_vi"] }));
    if (state.scheme === "ma_tuy" && head) {
      const share = head.share;
      const bar = el("div", { class: "progress", role: "progressbar", "aria-valuemin": "0", "aria-valuemax": "50",
        "aria-valuenow": (share * 100).toFixed(1), "aria-label": T.target_text });
      const fill = el("div", { class: "fill" });
      fill.style.width = Math.min(100, share / 0.5 * 100) + "%";
      bar.append(fill);
      box.append(bar, el("p", { class: "muted", text: T.target_text }));
    }
    if (data.projected) box.append(el("p", { class: "projected-rule", text: data.projected.text }));
    if (data.demo) box.append(el("p", { class: "demo-mark", text: cfg.demoMark }));
    const alt = document.getElementById("map-alt");
    if (alt) alt.textContent = `${cfg.provinceName}, ${fmtDate(state.asOf)}: ` +
      (data.legend || []).filter(r => r.units).map(r => `${r.units} ${r.label}`).join("; ");
  }
  // the table: default order worst first — a status layer by the scheme's severity (the payload's
  // `severity`, 0 = best), then longest in that status (older `since` first); hot spots and changes
  // by their legend order; an indicator by value, highest first. Search ranks exact, prefix, substring.
  const collator = new Intl.Collator(cfg.lang === "en" ? "en" : "vi", { numeric: true });
  const cmp = (x, y) => (x < y ? -1 : x > y ? 1 : 0);
  const byValue = () => state.indicator && !isHot() && !state.emerging;
  function rank(code) {
    const v = values[code];
    if (byValue()) return v && v.value !== null && v.value !== undefined ? v.value : -Infinity;
    if (v && typeof v.severity === "number") return v.severity;
    const i = legendOrder.get(classKey(code));
    return i === undefined ? -Infinity : -1 - i;
  }
  function compare(a, b) {
    const key = state.sortKey, dir = state.sortDir;
    if (key !== "value") return collator.compare(a[key] || "", b[key] || "") * dir || collator.compare(a.name, b.name);
    const since = p => (values[p.code] && values[p.code].since) || "9999";
    return cmp(rank(a.code), rank(b.code)) * dir || (byValue() ? 0 : cmp(since(a), since(b))) ||
      collator.compare(a.name, b.name);
  }
  function cellText(code) {
    const v = values[code];
    if (!v) return state.indicator || noData.has(code) ? T.no_data : T.no_designation;
    if (!byValue()) return v.label;
    return v.value === null ? T.no_data : v.value.toLocaleString(cfg.lang === "en" ? "en" : "vi-VN");
  }
  const labelKeys = new Map();   // status label -> its search keys
  function searchFields(p) {
    // where: the district, and on the whole-edition map the province ("lai chau" finds its communes)
    if (!p.searchKeys) p.searchKeys = [geoapp.fieldKeys(p.name), [geoapp.searchKey(p.code)],
      [p.district, p.province].filter(Boolean).flatMap(geoapp.fieldKeys)];
    const label = cellText(p.code);
    if (!labelKeys.has(label)) labelKeys.set(label, geoapp.fieldKeys(label));
    return [p.searchKeys[0], p.searchKeys[1], labelKeys.get(label), p.searchKeys[2]];
  }
  let shown = [];   // the codes the table shows, in order (Enter in the search box opens the first)
  function renderTable() {
    const body = document.querySelector("#units tbody");
    const q = document.getElementById("search").value;
    let rows = features.map(f => f.properties).filter(p => !isHidden(p.code));
    rows.sort(compare);
    if (geoapp.searchKey(q)) {
      const hits = new Map();
      for (const p of rows) { const m = geoapp.matchRank(q, searchFields(p)); if (m) hits.set(p, m); }
      rows = rows.filter(p => hits.has(p));
      const order = new Map(rows.map((p, i) => [p, i]));
      rows.sort((a, b) => hits.get(a).rank - hits.get(b).rank || hits.get(a).field - hits.get(b).field ||
        hits.get(a).length - hits.get(b).length || order.get(a) - order.get(b));
    }
    shown = rows.map(p => p.code);
    body.replaceChildren(...rows.map(p => {
      const v = values[p.code];
      const sw = el("span", { class: "swatch" });
      sw.style.background = v ? v.colour : cfg.noneColour;
      const tr = el("tr", { "data-code": p.code, tabindex: "0" }, el("td", { text: p.code }), el("td", { text: p.name }),
        el("td", { text: p.district || "" }), el("td", {}, sw, cellText(p.code)));
      if (p.code === state.selected) tr.classList.add("selected");
      tr.addEventListener("click", () => select(p.code, true));
      tr.addEventListener("keydown", e => {
        if (e.key === "Enter") select(p.code, true);
        else if (e.key === "ArrowDown" && tr.nextElementSibling) { e.preventDefault(); tr.nextElementSibling.focus(); }
        else if (e.key === "ArrowUp") { e.preventDefault(); (tr.previousElementSibling || document.getElementById("search")).focus(); }
      });
      return tr;
    }));
    // the 2025 edition has no districts: no empty column in a 360 px pane
    document.getElementById("units").classList.toggle("no-district", !features.some(f => f.properties.district));
    document.querySelectorAll("#units th[data-sort]").forEach(th => th.setAttribute("aria-sort",
      th.dataset.sort !== state.sortKey ? "none" : state.sortDir > 0 ? "ascending" : "descending"));
    document.getElementById("count").textContent = `${rows.length}/${features.length}`;
  }
  function select(code, fromTable) {
    state.selected = code;
    if (geoLayer) geoLayer.setStyle(style);
    const layer = byCode.get(code);
    if (layer) {
      layer.bringToFront();
      if (fromTable) { map.fitBounds(layer.getBounds(), { maxZoom: 12, padding: [20, 20] }); layer.openPopup(); }
    }
    document.querySelectorAll("#units tr.selected").forEach(r => r.classList.remove("selected"));
    const row = document.querySelector(`#units tr[data-code="${CSS.escape(code)}"]`);
    if (row) { row.classList.add("selected"); if (!fromTable) row.scrollIntoView({ block: "nearest" }); }
  }

  function renderRanking(rows) {
    const body = document.querySelector("#ranking tbody");
    const fmt = (x, d) => (x === null || x === undefined ? "–" : new Intl.NumberFormat(cfg.lang === "en" ? "en" : "vi-VN", { minimumFractionDigits: d, maximumFractionDigits: d }).format(Number(x)));
    const sig = rows.filter(r => /^(hot|cold|outlier)/.test(r["class"]));
    // fits the pane at 360 px: name, district, class in words, value; z and p in the popup and the title
    body.replaceChildren(...sig.map(r => {
      const sw = el("span", { class: "swatch" });
      sw.style.background = r.colour;
      const tr = el("tr", { "data-code": r.code, title: `z = ${fmt(r.z, 2)}, ${r.p_text}, FDR ${r.p_adjusted_text}` },
        el("td", { text: r.full_name || r.name }), el("td", { text: r.district_name || "" }),
        el("td", {}, sw, r.label), el("td", { class: "num", text: fmt(r.value, state.indicator ? 1 : 0) }));
      tr.addEventListener("click", () => select(r.code, true));
      return tr;
    }));
  }

  /* ---------- data ---------- */
  // a change view (?since=): a status scheme, no hot spots, a start day before the date shown
  const isChange = () => !!state.since && !state.indicator && !state.hotspots && state.since < state.asOf;
  // the communes that changed, with their path and dates (the server's words: geoapp/mapview/transitions.py)
  function renderChanges(data) {
    const section = document.getElementById("change-list");
    if (!section) return;
    section.hidden = !data;
    if (!data) return;
    const order = new Map((data.legend || []).map((r, i) => [r.status, i]));
    const rows = Object.entries(data.statuses).filter(([, v]) => v.status !== "unchanged")
      .sort((a, b) => (order.get(a[1].status) - order.get(b[1].status)) || (a[0] > b[0] ? 1 : -1));
    const name = code => { const f = byCode.get(code); return f ? f.feature.properties.name : code; };
    section.querySelector("tbody").replaceChildren(...rows.map(([code, v]) => {
      const sw = el("span", { class: "swatch" });
      sw.style.background = v.colour;
      const tr = el("tr", { "data-code": code, "data-change": v.status }, el("td", { text: name(code) }),
        el("td", {}, sw, v.label), el("td", { class: "small", title: v.note, text: (v.path || []).map(x => fmtDate(x.date)).join(" → ") }));
      tr.addEventListener("click", () => select(code, true));
      return tr;
    }));
  }
  async function refresh() {
    const base = `province=${encodeURIComponent(cfg.province)}&as_of=${state.asOf}&lang=${cfg.lang}`;
    let data;
    // "compare with" applies to a status scheme without hot spots: hidden for the other layers
    const sinceControl = document.getElementById("since-control");
    if (sinceControl) sinceControl.hidden = !!(state.indicator || state.hotspots);
    try {
      const hot = isHot();
      document.getElementById("how-to-read").hidden = !hot;
      document.getElementById("hotspot-ranking").hidden = !hot;
      if (state.indicator && state.emerging) {
        data = await getJson(`${cfg.emergingUrl}?province=${encodeURIComponent(cfg.province)}&indicator=${state.indicator}` +
          `&lang=${cfg.lang}` + (state.rate ? "&rate=1000" : ""), "emerging");
        values = Object.fromEntries(data.rows.map(r => [r.code, r]));
        renderLegend(data.legend, T.emerging_title);
        data.label = `${T.emerging_title} ${data.periods[0]}–${data.periods[data.periods.length - 1]}`;
      } else if (hot) {
        const year = state.period || state.asOf.slice(0, 4);
        const layer = state.indicator ? `indicator=${state.indicator}` + (state.rate ? "&rate=1000" : "") + `&period=${year}`
          : `scheme=${state.scheme}&as_of=${state.asOf}` + (state.status ? `&status=${encodeURIComponent(state.status)}` : "");
        data = await getJson(`${cfg.hotspotsUrl}?province=${encodeURIComponent(cfg.province)}&${layer}&lang=${cfg.lang}`, "hotspots");
        values = Object.fromEntries(data.rows.map(r => [r.code, r]));
        const hotTitle = data.run.method === "join_count" ? T.hotspots_title_status : T.hotspots_title;
        renderLegend(data.legend, data.event ? `${hotTitle}: ${data.event}` : hotTitle);
        const how = document.getElementById("how-to-read");
        how.querySelector("p").textContent = data.how_to_read;
        how.querySelector(".run").textContent =
          `${data.run.method}, ${data.run.weights}, ${data.run.permutations} perm., seed ${data.run.seed}, FDR ${data.run.fdr}, ${data.run.subject} ${data.run.period || data.run.as_of || ""}`;
        renderRanking(data.rows);
        data.label = data.event ? `${hotTitle}: ${data.event}` : hotTitle; data.period = data.run.period;
      } else if (state.indicator) {
        data = await getJson(`${cfg.indicatorsUrl}?${base}&indicator=${state.indicator}&classes=${state.classes}&k=${state.k}` +
          (state.rate ? "&rate=1000" : "") + (state.period ? `&period=${state.period}` : ""), "indicators");
        values = data.values;
        noData = new Set();
        cfg.indicatorUnit = data.unit;
        renderLegend(data.legend.map(r => ({ ...r, label: r.class === -1 ? T.no_data : r.label })), data.label);
      } else {
        data = await getJson(`${cfg.statusesUrl}?${base}&scheme=${state.scheme}` +
          (isChange() ? `&since=${state.since}` : ""), "statuses");
        values = data.statuses;
        noData = new Set(data.no_data || []);
        renderLegend(data.legend, (cfg.schemeLabels[state.scheme] || state.scheme) + (data.change ? ` — ${data.change.title}` : ""));
      }
    } catch (e) {
      document.getElementById("summary").replaceChildren(el("p", { class: "error", text: e.message }));
      return;
    }
    // a date outside the edition's period: its notice (#period-notice) instead of headline figures
    const notice = document.getElementById("period-notice");
    if (notice && "in_period" in data) {
      notice.textContent = data.in_period ? "" : data.message;
      notice.hidden = data.in_period;
    }
    if (notice && !notice.hidden) {
      document.getElementById("summary").replaceChildren(
        ...(data.demo ? [el("p", { class: "demo-mark", text: cfg.demoMark })] : []));
    } else renderSummary(data);
    renderChanges(!state.indicator && !isHot() && data.change ? data : null);
    if (geoLayer) geoLayer.setStyle(style);
    renderTable();
    document.getElementById("map").dataset.asOf = state.asOf;
    saveUrl();
  }

  /* ---------- controls ---------- */
  const layerSelect = document.getElementById("layer");
  layerSelect.value = state.indicator ? "indicator:" + state.indicator : "scheme:" + state.scheme;
  layerSelect.addEventListener("change", () => {
    const [kind, code] = layerSelect.value.split(":");
    state.indicator = kind === "indicator" ? code : "";
    state.scheme = kind === "scheme" ? code : cfg.scheme;
    document.getElementById("indicator-options").hidden = !state.indicator;
    refresh();
  });
  document.getElementById("indicator-options").hidden = !state.indicator;
  const classSelect = document.getElementById("classes");
  classSelect.value = state.classes;
  classSelect.addEventListener("change", () => { state.classes = classSelect.value; refresh(); });
  const hotBox = document.getElementById("hotspots");
  hotBox.checked = state.hotspots;
  hotBox.addEventListener("change", () => { state.hotspots = hotBox.checked; refresh(); });
  const emergingBox = document.getElementById("emerging");
  emergingBox.checked = state.emerging;
  emergingBox.addEventListener("change", () => { state.emerging = emergingBox.checked; refresh(); });
  const rateBox = document.getElementById("rate");
  rateBox.checked = state.rate === "1000";
  rateBox.addEventListener("change", () => { state.rate = rateBox.checked ? "1000" : ""; refresh(); });
  const slider = document.getElementById("year");
  const dateField = document.getElementById("as-of");
  slider.value = state.asOf.slice(0, 4);
  dateField.value = state.asOf;
  document.getElementById("year-out").textContent = slider.value;
  slider.addEventListener("input", () => { document.getElementById("year-out").textContent = slider.value; });
  slider.addEventListener("change", () => {
    const y = slider.value;
    const last = cfg.lastDay || cfg.today;      // the edition's last day, capped by today
    state.asOf = y === last.slice(0, 4) ? last : `${y}-12-31`;
    dateField.value = state.asOf;
    state.period = state.indicator ? y : undefined;
    refresh();
  });
  dateField.addEventListener("change", () => {
    if (!dateField.value) return;
    state.asOf = dateField.value;
    slider.value = state.asOf.slice(0, 4);
    document.getElementById("year-out").textContent = slider.value;
    refresh();
  });
  const sinceField = document.getElementById("since");
  if (sinceField) {
    sinceField.value = state.since;
    sinceField.addEventListener("change", () => { state.since = sinceField.value; refresh(); });
  }
  const search = document.getElementById("search");
  search.addEventListener("input", renderTable);
  // Enter opens the best match (selects it, zooms to it, its popup); ArrowDown walks into the table
  search.addEventListener("keydown", e => {
    if (e.key === "Enter" && shown.length) { e.preventDefault(); select(shown[0], true); }
    else if (e.key === "ArrowDown") {
      const first = document.querySelector("#units tbody tr");
      if (first) { e.preventDefault(); first.focus(); }
    }
  });
  document.querySelectorAll("#units th[data-sort]").forEach(th => {
    th.tabIndex = 0;
    const sort = () => {
      state.sortDir = state.sortKey === th.dataset.sort ? -state.sortDir : th.dataset.sort === "value" ? -1 : 1;
      state.sortKey = th.dataset.sort;
      renderTable();
    };
    th.addEventListener("click", sort);
    th.addEventListener("keydown", e => { if (e.key === "Enter") sort(); });
  });

  if (!params.get("z") && cfg.fit) fit();        // the view at once: nothing to wait for
  // every first request at once, not one after another: the units, the status layer a page opens with
  // (the same URL refresh() builds: then it is taken from `early`) and the outlines draw() adds
  if (!cfg.standalone) {
    prefetch(cfg.unitsUrl, "units");
    if (!state.indicator && !isHot())
      prefetch(`${cfg.statusesUrl}?province=${encodeURIComponent(cfg.province)}&as_of=${state.asOf}&lang=${cfg.lang}` +
        `&scheme=${state.scheme}` + (isChange() ? `&since=${state.since}` : ""), "statuses");
    prefetch(provincesUrl(), "outline_province");
    if (cfg.edition === "pre2025" && cfg.province !== "all")
      prefetch(cfg.outlinesUrl + `?level=district&province=${encodeURIComponent(cfg.province)}`, "outline_district");
  }
  getJson(cfg.unitsUrl, "units").then(draw).then(refresh).catch(e => {
    document.getElementById("summary").replaceChildren(el("p", { class: "error", text: e.message }));
  });
})();
