"""PostGIS side of the boundary tables: editions, provinces, units and their geometry at each level of detail.

Mixed into :class:`~geoapp.store.postgis.PostGISStore`, which provides ``_t`` and ``_frame``.
Trip-wires: geometry lives in a ``geometry(Geometry, 4326)`` column and travels as WKB both
ways (``ST_GeomFromWKB`` / ``ST_AsBinary``), so a round trip gives back the bytes shapely wrote;
every text sort adds :data:`~geoapp.store.postgis_sql.COLLATE_C` to sort as SQLite does;
:meth:`replace_boundaries` only touches the provinces it is given, keeps ``in_list`` of units
the official list already holds and never blanks their text with a file's empty field
(:data:`~geoapp.store.unit_values.TEXT_UNIT_COLUMNS`); :meth:`upsert_unit_list` only fills gaps.
"""
from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from .base import UNIT_COLUMNS
from .postgis_sql import COLLATE_C as _C, plain
from .unit_values import TEXT_UNIT_COLUMNS, unit_values


class PostGISBoundariesMixin:
    # -- writes -------------------------------------------------------------------------------
    def _upsert_provinces(self, tx, edition, provinces):
        if not provinces:
            return
        tx.execute(self._t("INSERT INTO provinces(edition, code, name) VALUES (:e, :c, :n) "
                           "ON CONFLICT (edition, code) DO UPDATE SET name = EXCLUDED.name "
                           "WHERE EXCLUDED.name <> ''"),
                   [{"e": edition, "c": str(code), "n": name or ""} for code, name in provinces.items()])

    @staticmethod
    def _unit_rows(edition, units: pd.DataFrame, batch_id) -> list[dict]:
        return [{"edition": edition, "batch_id": plain(batch_id), **dict(zip(UNIT_COLUMNS, values))}
                for values in unit_values(units)]

    def _insert_units(self, tx, rows, updates):
        if not rows:
            return
        cols = ("edition",) + UNIT_COLUMNS + ("batch_id",)
        tx.execute(self._t(
            f"INSERT INTO units({', '.join(cols)}) VALUES ({', '.join(':' + c for c in cols)}) "
            f"ON CONFLICT (edition, code) DO UPDATE SET {updates}"), rows)

    def replace_boundaries(self, tx, edition, provinces, units, geometries, batch_id):
        # belt and braces: transaction() already serialises writers on the meta row
        tx.execute(self._t("LOCK TABLE units, unit_geometry IN SHARE ROW EXCLUSIVE MODE"))
        self._upsert_provinces(tx, edition, provinces)
        codes = [str(c) for c in provinces]
        p = {"e": edition, "p": codes}
        tx.execute(self._t("DELETE FROM unit_geometry g USING units u WHERE g.edition = :e AND u.edition = :e"
                           " AND u.code = g.code AND u.province_code = ANY(CAST(:p AS text[]))"), p)
        tx.execute(self._t("DELETE FROM units WHERE edition = :e AND in_list = 0"
                           " AND province_code = ANY(CAST(:p AS text[]))"), p)
        tx.execute(self._t("UPDATE units SET has_geometry = 0 WHERE edition = :e"
                           " AND province_code = ANY(CAST(:p AS text[]))"), p)
        frame = units.copy()
        frame["has_geometry"] = 1
        # keep in_list of units the official list already holds;
        # a file's empty field never blanks what the official list said
        updates = ", ".join(f"{c} = COALESCE(NULLIF(EXCLUDED.{c}, ''), units.{c})" if c in TEXT_UNIT_COLUMNS
                            else f"{c} = EXCLUDED.{c}" for c in UNIT_COLUMNS
                            if c not in ("in_list", "population", "code"))
        updates += ", batch_id = EXCLUDED.batch_id, population = COALESCE(EXCLUDED.population, units.population)"
        self._insert_units(tx, self._unit_rows(edition, frame, batch_id), updates)
        self._write_geometries(tx, edition, [str(c) for c in frame["code"]], {0: geometries})

    def _write_geometries(self, tx, edition, codes, lods):
        for lod, geoms in lods.items():
            geoms = np.asarray(geoms, dtype=object)
            if not len(geoms):
                continue
            wkb = shapely.to_wkb(geoms, output_dimension=2)
            nverts = shapely.get_num_coordinates(geoms)
            tx.execute(self._t(
                "INSERT INTO unit_geometry(edition, code, lod, geom, n_vertices)"
                " VALUES (:e, :c, :lod, ST_GeomFromWKB(:wkb, 4326), :n)"
                " ON CONFLICT (edition, code, lod) DO UPDATE SET geom = EXCLUDED.geom, n_vertices = EXCLUDED.n_vertices"),
                [{"e": edition, "c": code, "lod": int(lod), "wkb": bytes(w), "n": int(n)}
                 for code, w, n in zip(codes, wkb, nverts)])

    def set_lods(self, tx, edition, codes, lods):
        codes = [str(c) for c in codes]
        if codes:
            tx.execute(self._t("DELETE FROM unit_geometry WHERE edition = :e AND lod > 0"
                               " AND code = ANY(CAST(:c AS text[]))"), {"e": edition, "c": codes})
        self._write_geometries(tx, edition, codes, lods)

    def upsert_unit_list(self, tx, edition, units, provinces, batch_id):
        self._upsert_provinces(tx, edition, provinces)
        frame = units.copy()
        frame["in_list"] = 1
        # the list never overrides what a boundary file said about names or type, only fills gaps
        keep_geo = ("has_geometry", "area_km2")
        updates = ", ".join(
            f"{c} = CASE WHEN units.{c} IS NULL OR units.{c} = '' THEN EXCLUDED.{c} ELSE units.{c} END"
            for c in UNIT_COLUMNS if c not in keep_geo + ("in_list", "population", "code"))
        updates += ", in_list = 1, population = COALESCE(EXCLUDED.population, units.population)"
        self._insert_units(tx, self._unit_rows(edition, frame.assign(has_geometry=0, area_km2=np.nan), batch_id),
                           updates)

    # -- reads --------------------------------------------------------------------------------
    def editions(self):
        return self._frame(
            "SELECT e.edition, e.label_vi, e.label_en, e.valid_from, e.valid_to,"
            " COUNT(u.code) AS units, COALESCE(SUM(u.has_geometry), 0) AS with_geometry,"
            " COUNT(DISTINCT u.province_code) AS provinces"
            " FROM editions e LEFT JOIN units u ON u.edition = e.edition"
            " GROUP BY e.edition ORDER BY e.valid_from IS NOT NULL, e.valid_from COLLATE \"C\"")

    def provinces(self, edition):
        return self._frame(
            "SELECT p.code, p.name, COUNT(u.code) AS units, COALESCE(SUM(u.has_geometry), 0) AS with_geometry"
            " FROM provinces p LEFT JOIN units u ON u.edition = p.edition AND u.province_code = p.code"
            f" WHERE p.edition = :e GROUP BY p.code, p.name HAVING COUNT(u.code) > 0 ORDER BY p.code {_C}",
            {"e": edition})

    def units(self, edition, province=None):
        sql = f"SELECT {', '.join(UNIT_COLUMNS)} FROM units WHERE edition = :e"
        params = {"e": edition}
        if province:
            sql += " AND province_code = :p"
            params["p"] = str(province)
        return self._frame(sql + f" ORDER BY code {_C}", params)

    def geometries(self, edition, province=None, lod=0):
        cols = ", ".join(f"u.{c}" for c in UNIT_COLUMNS)
        sql = (f"SELECT {cols}, ST_AsBinary(g.geom) AS wkb FROM units u JOIN unit_geometry g"
               " ON g.edition = u.edition AND g.code = u.code AND g.lod = :lod WHERE u.edition = :e")
        params = {"lod": int(lod), "e": edition}
        if province:
            sql += " AND u.province_code = :p"
            params["p"] = str(province)
        frame = self._frame(sql + f" ORDER BY u.code {_C}", params)
        geoms = shapely.from_wkb(frame.pop("wkb").to_numpy()) if len(frame) else []
        return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geoms, index=frame.index, crs="EPSG:4326"))

    def lod_stats(self, edition):
        return self._frame("SELECT lod, COUNT(*) AS units, SUM(n_vertices) AS vertices,"
                           " SUM(octet_length(ST_AsBinary(geom))) AS wkb_bytes FROM unit_geometry"
                           " WHERE edition = :e GROUP BY lod ORDER BY lod", {"e": edition})
