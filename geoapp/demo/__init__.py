"""Demo data: plausible, clearly flagged status histories and indicators on real communes, whose
provincial totals agree with what provinces have published.

Modules, in the order the work flows:

* :mod:`.plan` — what the demo covers and the published figures it must reach;
* :mod:`.inputs` — the units, boundaries and crosswalk it reads (store + data mirror);
* :mod:`.surface` — the random hotspot surface shared by statuses and indicators;
* :mod:`.statuses` — designations that reach the published figures, and their 2025 carry-over;
* :mod:`.indicators` — spatially clustered indicator values that meet the published sums;
* :mod:`.build` — the pure, seeded generator tying the above together;
* :mod:`.checks` — the published figures recounted from the records with the as-of rule;
* :mod:`.instance` — what ``geoapp demo`` runs (reference data, records, accounts).

Trip-wire: one seeded generator feeds every step in a fixed order; any reordering changes the
records (compare :meth:`geoapp.demo.build.DemoData.fingerprint` before and after a change).
"""
