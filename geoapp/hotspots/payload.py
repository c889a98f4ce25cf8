"""The hot-spot layer as the map draws it: one dict for the API, the standalone file and the pack.

The map page fetches it from ``/api/<edition>/hotspots``; a standalone file carries the same dict in
its config (``inline.hotspots``), so a hot-spot view opened from a file draws its clusters too.
"""
from __future__ import annotations

from dataclasses import asdict

from ..schemes import Catalogue
from ..store.base import Store
from .legend import how_to_read, legend, result_rows
from .service import event_label, run_hotspots


def hotspots_payload(store: Store, catalogue: Catalogue, edition: str, province: str | None, *,
                     lang: str = "vi", permutations: int = 999, **options) -> dict:
    """``{run, event, legend, how_to_read, rows}`` of :func:`run_hotspots` with ``options``
    (indicator or scheme, status, period, as_of, method, weights, seed, fdr, rate)."""
    frame, run = run_hotspots(store, catalogue, edition, province, permutations=permutations, **options)
    event = event_label(catalogue, run, lang)
    return {"run": asdict(run), "event": event, "legend": legend(frame, lang),
            "how_to_read": how_to_read(run.method, lang, permutations, event),
            "rows": result_rows(frame, lang)}
