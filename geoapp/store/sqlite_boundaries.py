"""SQLite side of the boundary tables: editions, provinces, units and their geometry at each level of detail.

Mixed into :class:`~geoapp.store.sqlite.SQLiteStore`, which provides ``_frame``. Trip-wires:
geometry is WKB in a BLOB with its bounding box in plain columns (no SpatiaLite), so spatial
work happens in shapely after the read; :meth:`replace_boundaries` only touches the provinces
it is given, keeps ``in_list`` of units the official list already holds and never blanks its
text with a file's empty field (:data:`~geoapp.store.unit_values.TEXT_UNIT_COLUMNS`);
:meth:`upsert_unit_list` only fills gaps a boundary file left.
"""
from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from .base import UNIT_COLUMNS
from .unit_values import TEXT_UNIT_COLUMNS, unit_values


class SQLiteBoundariesMixin:
    # -- writes -------------------------------------------------------------------------------
    def _upsert_provinces(self, tx, edition, provinces):
        tx.executemany("INSERT INTO provinces(edition, code, name) VALUES (?,?,?) "
                       "ON CONFLICT(edition, code) DO UPDATE SET name=excluded.name "
                       "WHERE excluded.name != ''",
                       [(edition, code, name or "") for code, name in provinces.items()])

    @staticmethod
    def _unit_rows(edition, units: pd.DataFrame, batch_id):
        return [(edition, *values, batch_id) for values in unit_values(units)]

    def replace_boundaries(self, tx, edition, provinces, units, geometries, batch_id):
        self._upsert_provinces(tx, edition, provinces)
        codes = list(provinces)
        marks = ",".join("?" * len(codes))
        tx.execute(f"DELETE FROM unit_geometry WHERE edition=? AND code IN "
                   f"(SELECT code FROM units WHERE edition=? AND province_code IN ({marks}))",
                   (edition, edition, *codes))
        tx.execute(f"DELETE FROM units WHERE edition=? AND in_list=0 AND province_code IN ({marks})",
                   (edition, *codes))
        tx.execute(f"UPDATE units SET has_geometry=0 WHERE edition=? AND province_code IN ({marks})",
                   (edition, *codes))
        frame = units.copy()
        frame["has_geometry"] = 1
        cols = ("edition",) + UNIT_COLUMNS + ("batch_id",)
        # keep in_list of units the official list already holds
        # a file's empty field never blanks what the official list said
        updates = ", ".join(f"{c}=COALESCE(NULLIF(excluded.{c}, ''), units.{c})" if c in TEXT_UNIT_COLUMNS
                            else f"{c}=excluded.{c}" for c in UNIT_COLUMNS if c not in ("in_list", "population"))
        tx.executemany(
            f"INSERT INTO units({', '.join(cols)}) VALUES ({','.join('?' * len(cols))}) "
            f"ON CONFLICT(edition, code) DO UPDATE SET {updates}, batch_id=excluded.batch_id, "
            f"population=COALESCE(excluded.population, units.population)",
            self._unit_rows(edition, frame, batch_id))
        self._write_geometries(tx, edition, list(frame["code"]), {0: geometries})

    def _write_geometries(self, tx, edition, codes, lods):
        for lod, geoms in lods.items():
            geoms = np.asarray(geoms, dtype=object)
            wkb = shapely.to_wkb(geoms, output_dimension=2)
            bounds = shapely.bounds(geoms)
            nverts = shapely.get_num_coordinates(geoms)
            tx.executemany(
                "INSERT OR REPLACE INTO unit_geometry(edition, code, lod, wkb, n_vertices, minx, miny, maxx, maxy)"
                " VALUES (?,?,?,?,?,?,?,?,?)",
                [(edition, code, lod, w, int(n), *map(float, b))
                 for code, w, n, b in zip(codes, wkb, nverts, bounds)])

    def set_lods(self, tx, edition, codes, lods):
        marks = ",".join("?" * len(codes))
        if codes:
            tx.execute(f"DELETE FROM unit_geometry WHERE edition=? AND lod>0 AND code IN ({marks})",
                       (edition, *codes))
        self._write_geometries(tx, edition, codes, lods)

    def upsert_unit_list(self, tx, edition, units, provinces, batch_id):
        self._upsert_provinces(tx, edition, provinces)
        frame = units.copy()
        frame["in_list"] = 1
        cols = ("edition",) + UNIT_COLUMNS + ("batch_id",)
        # the list never overrides what a boundary file said about names or type, only fills gaps
        keep_geo = ("has_geometry", "area_km2")
        updates = ", ".join(
            f"{c}=CASE WHEN units.{c} IS NULL OR units.{c}='' THEN excluded.{c} ELSE units.{c} END"
            for c in UNIT_COLUMNS if c not in keep_geo + ("in_list", "population", "code"))
        tx.executemany(
            f"INSERT INTO units({', '.join(cols)}) VALUES ({','.join('?' * len(cols))}) "
            f"ON CONFLICT(edition, code) DO UPDATE SET {updates}, in_list=1, "
            f"population=COALESCE(excluded.population, units.population)",
            self._unit_rows(edition, frame.assign(has_geometry=0, area_km2=np.nan), batch_id))

    # -- reads --------------------------------------------------------------------------------
    def editions(self):
        return self._frame(
            "SELECT e.edition, e.label_vi, e.label_en, e.valid_from, e.valid_to,"
            " COUNT(u.code) AS units, COALESCE(SUM(u.has_geometry), 0) AS with_geometry,"
            " COUNT(DISTINCT u.province_code) AS provinces"
            " FROM editions e LEFT JOIN units u ON u.edition = e.edition"
            " GROUP BY e.edition ORDER BY e.valid_from IS NOT NULL, e.valid_from")

    def provinces(self, edition):
        return self._frame(
            "SELECT p.code, p.name, COUNT(u.code) AS units, COALESCE(SUM(u.has_geometry), 0) AS with_geometry"
            " FROM provinces p LEFT JOIN units u ON u.edition=p.edition AND u.province_code=p.code"
            " WHERE p.edition=? GROUP BY p.code, p.name HAVING COUNT(u.code) > 0 ORDER BY p.code",
            (edition,))

    def units(self, edition, province=None):
        sql = f"SELECT {', '.join(UNIT_COLUMNS)} FROM units WHERE edition=?"
        params = [edition]
        if province:
            sql += " AND province_code=?"
            params.append(province)
        return self._frame(sql + " ORDER BY code", params)

    def geometries(self, edition, province=None, lod=0):
        cols = ", ".join(f"u.{c}" for c in UNIT_COLUMNS)
        sql = (f"SELECT {cols}, g.wkb FROM units u JOIN unit_geometry g"
               " ON g.edition=u.edition AND g.code=u.code AND g.lod=? WHERE u.edition=?")
        params = [lod, edition]
        if province:
            sql += " AND u.province_code=?"
            params.append(province)
        frame = self._frame(sql + " ORDER BY u.code", params)
        geoms = shapely.from_wkb(frame.pop("wkb").to_numpy()) if len(frame) else []
        return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geoms, index=frame.index, crs="EPSG:4326"))

    def lod_stats(self, edition):
        return self._frame("SELECT lod, COUNT(*) AS units, SUM(n_vertices) AS vertices,"
                           " SUM(length(wkb)) AS wkb_bytes FROM unit_geometry WHERE edition=?"
                           " GROUP BY lod ORDER BY lod", (edition,))
