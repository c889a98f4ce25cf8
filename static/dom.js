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
/* forms that only hold controls (data-no-submit) never navigate: Enter in a field stays on the page.
   A listener here, not an inline onsubmit handler: the CSP forbids inline handlers. */
document.addEventListener("submit", (e) => {
  if (e.target instanceof HTMLFormElement && e.target.hasAttribute("data-no-submit")) e.preventDefault();
});
