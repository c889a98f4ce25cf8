"""The GIS desk's files of a map view: a GeoPackage and a zipped shapefile, written with pyogrio.

Both hold exactly the rows and columns of the view's CSV (:func:`geoapp.mapview.payloads.view_data`)
with the units' geometry at level of detail 1, in EPSG:4326 (WGS 84 longitude/latitude).

Trip-wires:

* GIS files are not spreadsheets: no formula-safe quoting here (a GIS desk must see the stored
  text); but every string is valid UTF-8 (a lone surrogate or a stray byte is replaced, never fatal).
* A shapefile's field names have at most 10 characters: :func:`short_names` gives the fixed short
  name of each known column (``district_name`` → ``district``, ``rate_per_1000`` → ``rate_1000``) and
  a unique cut of anything else; the zip carries ``fields.csv`` (short name → full column name,
  meaning in Vietnamese and in English) and the ``.cpg`` that says UTF-8. The GeoPackage keeps the
  full column names.
* Dates and other objects are written as ISO text; a yes/no column as 0/1 (a shapefile has no boolean).
* The shapefile driver cannot write to memory: its parts go to a private temporary folder, removed
  before returning.
"""
from __future__ import annotations

import io
import tempfile
import zipfile
from datetime import date, datetime
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio

from ..mapview import MapView
from ..store.base import Store
from ..strings import heading
from .tabular import csv_bytes

#: the short (≤ 10 characters) shapefile field name of each known column of a view's table
SHORT = {"district_name": "district", "province_name": "province", "rate_per_1000": "rate_1000",
         "full_name": "full_name", "indicator": "indicator"}
#: the layer name inside both files
LAYER = "geoapp"
GIS_FORMATS = ("gpkg", "shp.zip")


def short_names(columns) -> dict[str, str]:
    """``{column: field name of at most 10 characters}``, unique (case-insensitively, as DBF compares them)."""
    out: dict[str, str] = {}
    taken: set[str] = set()
    for column in columns:
        name = SHORT.get(column, str(column))[:10]
        n = 1
        while name.lower() in taken:
            suffix = f"_{n}"
            name = SHORT.get(column, str(column))[:10 - len(suffix)] + suffix
            n += 1
        taken.add(name.lower())
        out[column] = name
    return out


def _utf8(value):
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, str):
        return value.encode("utf-8", "replace").decode("utf-8")
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value


def _clean(frame: pd.DataFrame) -> pd.DataFrame:
    """Text as valid UTF-8, dates and objects as ISO text, booleans as 0/1 — what both drivers can hold."""
    out = frame.copy()
    for column in out.columns:
        if column == "geometry":
            continue
        series = out[column]
        if pd.api.types.is_bool_dtype(series.dtype):
            out[column] = series.astype(int)
        elif pd.api.types.is_datetime64_any_dtype(series.dtype):
            out[column] = series.dt.strftime("%Y-%m-%d").where(series.notna(), None)
        elif not pd.api.types.is_numeric_dtype(series.dtype):
            out[column] = series.astype(object).map(_utf8, na_action="ignore")
            out[column] = out[column].where(out[column].notna(), None)
    return out


def gis_frame(store: Store, view: MapView, frame: pd.DataFrame) -> gpd.GeoDataFrame:
    """The view's table (``view_data``'s frame) with each unit's geometry at lod 1, in EPSG:4326."""
    geo = store.geometries(view.edition, view.province, lod=1)[["code", "geometry"]]
    merged = geo.merge(frame, on="code", how="right")
    gdf = gpd.GeoDataFrame(_clean(merged), geometry="geometry", crs=geo.crs)
    gdf = gdf.to_crs(4326) if gdf.crs is not None else gdf.set_crs(4326)
    return gdf[[c for c in gdf.columns if c != "geometry"] + ["geometry"]]


def gpkg_bytes(gdf: gpd.GeoDataFrame) -> bytes:
    buffer = io.BytesIO()
    pyogrio.write_dataframe(gdf, buffer, driver="GPKG", layer=LAYER, promote_to_multi=True)
    return buffer.getvalue()


def fields_table(columns) -> pd.DataFrame:
    """``fields.csv``: short field name, full column name, meaning in Vietnamese and in English."""
    names = short_names(columns)
    return pd.DataFrame([{"field": names[c], "column": c, "meaning_vi": heading(c, "vi"),
                          "meaning_en": heading(c, "en")} for c in columns])


def shapefile_zip(gdf: gpd.GeoDataFrame, stem: str) -> bytes:
    """The zipped shapefile (``.shp .shx .dbf .prj .cpg``) of ``gdf`` plus ``fields.csv``."""
    columns = [c for c in gdf.columns if c != "geometry"]
    short = gdf.rename(columns=short_names(columns))
    buffer = io.BytesIO()
    with tempfile.TemporaryDirectory(prefix="geoapp-shp-") as tmp:
        path = Path(tmp) / f"{stem}.shp"
        pyogrio.write_dataframe(short, path, driver="ESRI Shapefile", layer=stem, encoding="UTF-8",
                                promote_to_multi=True)
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
            for part in sorted(Path(tmp).iterdir()):
                zf.write(part, part.name)
            if f"{stem}.cpg" not in zf.namelist():
                zf.writestr(f"{stem}.cpg", "UTF-8")
            zf.writestr("fields.csv", csv_bytes(fields_table(columns)))
    return buffer.getvalue()


def gis_bytes(store: Store, view: MapView, frame: pd.DataFrame, fmt: str, stem: str) -> bytes:
    """The view as ``gpkg`` or ``shp.zip`` (``stem``: the shapefile's file name inside the zip)."""
    gdf = gis_frame(store, view, frame)
    if fmt == "gpkg":
        return gpkg_bytes(gdf)
    return shapefile_zip(gdf, stem)
