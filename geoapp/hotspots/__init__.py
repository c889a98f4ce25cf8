"""Hot spots of commune values: spatial weights (:mod:`.weights`), local statistics with FDR and
one class per unit (:mod:`.local`, esda calls in :mod:`.esda_calls`), emerging hot spots over
periods (:mod:`.emerging`), how results are shown (:mod:`.legend`), and the use case that reads
the store (:mod:`.service`).

The statistical API is re-exported here (``from geoapp import hotspots as hs;
hs.local_statistic(...)``); the use case is imported from :mod:`geoapp.hotspots.service`, so that
the pure statistics never pull in the store. What trips people up is written at the top of each
module: fuzzy contiguity and islands (weights), rank p-values against FDR (local), esda's global
RNG and numba (esda_calls), spatial-only Gi* per period (emerging).
"""
from .emerging import PATTERNS, emerging_hotspots, pattern_of
from .local import CLASSES, DEFAULT_SEED, LEVELS, METHODS, local_statistic
from .weights import WEIGHT_KINDS, build_weights, weights_report

__all__ = ["CLASSES", "DEFAULT_SEED", "LEVELS", "METHODS", "PATTERNS", "WEIGHT_KINDS", "build_weights",
           "emerging_hotspots", "local_statistic", "pattern_of", "weights_report"]
