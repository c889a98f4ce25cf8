"""One briefing from (store, view), the same code for web and CLI: the figure (PNG/PDF page and its
parts), tabular (the one formula-safe CSV/XLSX writer), the standalone offline HTML, the zip pack,
and :func:`geoapp.briefing.service.render`, which turns a view into any of them. No Flask.

Import the modules (``from geoapp.briefing import service``): this package imports nothing itself,
so ``records`` can use :mod:`.tabular` without loading matplotlib.
"""
