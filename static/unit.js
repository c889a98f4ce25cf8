/* colour the timeline swatches from data attributes (no inline styles: the CSP forbids them) */
document.querySelectorAll(".swatch[data-colour]").forEach(s => { s.style.background = s.dataset.colour; });
