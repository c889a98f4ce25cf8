/* Small DOM helpers shared by geoapp's pages. Text goes in with textContent: never as HTML. */
window.geoapp = window.geoapp || {};
geoapp.el = function (tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") node.className = v;
    else if (k === "text") node.textContent = v;
    else node.setAttribute(k, v);
  }
  for (const c of children) if (c !== null && c !== undefined) node.append(c);
  return node;
};
/* diacritics- and tone-placement-insensitive key: "Hòa", "Hoà", "hoa" all give "hoa" */
geoapp.fold = function (s) {
  return String(s || "").normalize("NFD").replace(/[\u0300-\u036f]/g, "")
    .replace(/[đĐ]/g, "d").toLowerCase().replace(/[\s\-_]+/g, " ").trim();
};
/* search key: fold() without spaces or punctuation, so "Mường Tè", "muong te" and "muongte" all give
   "muongte", and "trong diem" is found inside "Trọng điểm, phức tạp" */
geoapp.searchKey = function (s) {
  return geoapp.fold(s).replace(/[^\p{L}\p{N}]+/gu, "");
};
/* a unit's name without its kind ("Xã", "Phường", "Huyện"…), so "muongte" is an exact match of "Xã Mường Tè" */
geoapp.fieldKeys = function (s) {
  const f = geoapp.fold(s);
  const bare = f.replace(/^(xa|phuong|thi tran|dac khu|thi xa|thanh pho|huyen|quan|tinh) (?=\S)/, "");
  const keys = [geoapp.searchKey(f)];
  if (bare !== f) keys.push(geoapp.searchKey(bare));
  return keys;
};
/* How `query` matches a row's `fields` (strings, most important first: name, code, status, district):
   {rank: 0 exact | 1 prefix | 2 substring, field: index of the first field matching that well, length: that
   field's full key length (on a tie the shorter, closer name first: "Xã Mường Tè" before "Thị trấn Mường Tè")},
   or null. Pure (no DOM): the map's search sorts by (rank, field, length), then by the table's own order.
   `fields` may hold precomputed geoapp.fieldKeys() arrays instead of strings (the table caches them). */
geoapp.matchRank = function (query, fields) {
  const q = geoapp.searchKey(query);
  if (!q) return { rank: 0, field: 0, length: 0 };
  let best = null;
  fields.forEach((field, i) => {
    const keys = Array.isArray(field) ? field : geoapp.fieldKeys(field);
    for (const k of keys) {
      const rank = k === q ? 0 : k.startsWith(q) ? 1 : k.includes(q) ? 2 : -1;
      if (rank >= 0 && (!best || rank < best.rank)) best = { rank, field: i, length: keys[0].length };
    }
  });
  return best;
};
/* forms that only hold controls (data-no-submit) never navigate: Enter in a field stays on the page.
   A listener here, not an inline onsubmit handler: the CSP forbids inline handlers. */
document.addEventListener("submit", (e) => {
  if (e.target instanceof HTMLFormElement && e.target.hasAttribute("data-no-submit")) e.preventDefault();
});
