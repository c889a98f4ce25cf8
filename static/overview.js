/* geoapp overview: provinces coloured by a summary of one scheme on a date; click through. */
(function () {
  "use strict";
  const cfg = JSON.parse(document.getElementById("map-config").textContent);
  const T = cfg.strings;
  const map = window[cfg.mapName];
  const params = new URLSearchParams(window.location.search);
  const state = { scheme: params.get("scheme") || "ma_tuy", asOf: params.get("as_of") || cfg.asOf };
  let layer = null;
  const GREENS = ["#f7fcf5", "#c7e9c0", "#74c476", "#31a354", "#006d2c"];
  const REDS = ["#fff5f0", "#fcbba1", "#fb6a4a", "#de2d26", "#a50f15"];

  const el = geoapp.el;
  function measure(p) {
    if (!p.reported) return null;                                    // no data: never painted as 0
    if (state.scheme === "ma_tuy") return p.target_share;           // share of drug-free communes
    return p.key;                                                    // number of key complex communes
  }
  function colour(v) {
    if (v === undefined || v === null) return "#eeeeee";
    if (state.scheme === "ma_tuy") return GREENS[Math.min(4, Math.floor(v / 0.125))];   // 0–50 %+ in 12.5 % steps
    return v === 0 ? REDS[0] : REDS[Math.min(4, 1 + Math.floor(Math.log2(v)))];         // 0, 1, 2–3, 4–7, 8+
  }
  function headline(p) {
    return (p.figures || []).find(f => f.headline) || (p.figures || [])[0];
  }
  function label(p) {                                                // the server's figure text (figures.py)
    const f = headline(p);
    if (p.in_period === false) return "—";                         // outside the edition's period: the notice only
    if (!p.reported || !f) return T.no_data;
    return f.text;
  }
  function coverage(features) {
    const rep = features.filter(f => f.properties.reported);
    const units = rep.reduce((n, f) => n + (f.properties.listed || 0), 0);
    return T.coverage.replace("{p}", rep.length).replace("{n}", features.length).replace("{u}", units.toLocaleString(cfg.lang === "en" ? "en" : "vi-VN"));
  }
  // the drug-free share bands in the reader's number format ("12,5–25 %" in Vietnamese)
  function shareBands() {
    const n = new Intl.NumberFormat(cfg.lang === "en" ? "en" : "vi-VN", { maximumFractionDigits: 1 });
    const b = [0, 12.5, 25, 37.5, 50].map(x => n.format(x));
    return [`< ${b[1]} %`, `${b[1]}–${b[2]} %`, `${b[2]}–${b[3]} %`, `${b[3]}–${b[4]} %`, `≥ ${b[4]} %`];
  }
  function legend() {
    const box = document.getElementById("legend");
    const rows = state.scheme === "ma_tuy"
      ? shareBands().map((t, i) => [GREENS[i], t])
      : ["0", "1", "2–3", "4–7", "≥ 8"].map((t, i) => [REDS[i], t]);
    rows.push(["#eeeeee", T.no_data]);
    const list = el("ul");
    rows.forEach(([c, t]) => { const sw = el("span", { class: "swatch" }); sw.style.background = c; list.append(el("li", {}, sw, el("span", { text: t }))); });
    box.replaceChildren(el("h3", { text: state.scheme === "ma_tuy" ? T.share_title : T.key_title }), list);
  }
  async function refresh() {
    const r = await fetch(`${cfg.provincesUrl}?scheme=${state.scheme}&as_of=${state.asOf}`);
    const data = await r.json();
    if (layer) map.removeLayer(layer);
    layer = L.geoJSON(data, {
      style: f => ({ color: "#444", weight: 1, fillOpacity: 0.8, fillColor: colour(measure(f.properties)) }),
      onEachFeature(f, l) {
        const h = headline(f.properties);
        l.bindTooltip(() => el("div", {}, el("strong", { text: f.properties.name }), el("div", { text: label(f.properties) }),
          h && f.properties.reported ? el("div", { class: "muted small", text: h.definition }) : null), { sticky: true });
        l.on("click", () => { window.location.href = cfg.mapUrl.replace("PROVINCE", encodeURIComponent(f.properties.code)) + `?scheme=${state.scheme}&as_of=${state.asOf}&lang=${cfg.lang}`; });
      },
    }).addTo(map);
    if (!cfg.fitted) { map.fitBounds(layer.getBounds()); cfg.fitted = true; }
    const body = document.querySelector("#provinces tbody");
    const feats = data.features.slice().sort((a, b) => (measure(b.properties) ?? -1) - (measure(a.properties) ?? -1));
    body.replaceChildren(...feats.map(f => {
      const a = el("a", { href: cfg.mapUrl.replace("PROVINCE", encodeURIComponent(f.properties.code)) + `?scheme=${state.scheme}&as_of=${state.asOf}&lang=${cfg.lang}`, text: f.properties.name });
      const h = headline(f.properties);
      return el("tr", { "data-reported": String(!!f.properties.reported) }, el("td", {}, a),
        el("td", { class: "num", text: label(f.properties), title: h && f.properties.reported ? h.definition : T.no_data }));
    }));
    legend();
    document.getElementById("coverage").textContent = coverage(data.features);
    history.replaceState(null, "", `${window.location.pathname}?scheme=${state.scheme}&as_of=${state.asOf}&lang=${cfg.lang}`);
    document.getElementById("map").dataset.drawn = String(data.features.length);
  }
  const sel = document.getElementById("scheme");
  sel.value = state.scheme;
  sel.addEventListener("change", () => { state.scheme = sel.value; refresh(); });
  const date = document.getElementById("as-of");
  date.value = state.asOf;
  date.addEventListener("change", () => { if (date.value) { state.asOf = date.value; refresh(); } });
  refresh();
})();
