"""The store contract: everything the rest of geoapp may ask of a database.

A backend (the embedded SQLite store now, PostGIS later) implements :class:`Store`. Domain
code never sees SQL; it hands over and receives DataFrames / GeoDataFrames in EPSG:4326.

Trip-wires for implementers:

* every write method runs inside :meth:`Store.transaction` and either lands whole or not at
  all; methods named ``replace_*`` delete and insert in the same transaction;
* every write bumps :meth:`Store.data_version`, which caches use to know the data changed;
* codes are 5-character strings; an edition's codes never meet another edition's.
"""
from __future__ import annotations

import abc
from contextlib import AbstractContextManager
from dataclasses import dataclass, field

import geopandas as gpd
import pandas as pd

from .base_auth import AuthStore

#: attribute columns of a unit, in the order backends return them
UNIT_COLUMNS = ("code", "name", "full_name", "name_en", "unit_type", "district_code",
                "district_name", "province_code", "province_name", "area_km2", "population",
                "in_list", "has_geometry")


#: columns of a status record as the store takes them (``id``, ``recorded_at``, ``batch_id`` are set by it)
STATUS_COLUMNS = ("code", "scheme", "status", "valid_from", "valid_to", "decision_no", "decision_date",
                  "source", "note", "row_number")
#: columns of an indicator value as the store takes them
INDICATOR_COLUMNS = ("code", "indicator", "period", "period_start", "period_end", "value", "source",
                     "note", "row_number")


@dataclass
class BatchInfo:
    """Provenance of one accepted import."""

    kind: str
    edition: str
    source: str
    file_hash: str
    user: str
    row_count: int
    detail: dict = field(default_factory=dict)
    is_demo: bool = False


class Store(AuthStore, abc.ABC):
    """A geoapp database. Create through :func:`geoapp.store.open_store`."""

    url: str

    # -- life cycle ---------------------------------------------------------------------------
    @abc.abstractmethod
    def upgrade(self) -> list[int]:
        """Apply pending schema migrations; return the versions applied."""

    @abc.abstractmethod
    def schema_version(self) -> int:
        """The schema version of the database (0 for an empty one)."""

    @abc.abstractmethod
    def transaction(self) -> AbstractContextManager:
        """A context manager: one write transaction, committed on success, rolled back on error."""

    @abc.abstractmethod
    def data_version(self) -> int:
        """A number that grows with every committed write."""

    # -- writes (call inside ``transaction()``) -------------------------------------------------
    @abc.abstractmethod
    def add_batch(self, tx, batch: BatchInfo) -> int:
        """Record an import batch; return its id."""

    @abc.abstractmethod
    def replace_boundaries(self, tx, edition: str, provinces: dict[str, str], units: pd.DataFrame,
                           geometries: list, batch_id: int) -> None:
        """Replace the boundaries of ``provinces`` ({code: name}) of ``edition``.

        ``units`` has :data:`UNIT_COLUMNS`, one row per polygon; ``geometries`` lists the shapely
        geometries (EPSG:4326, lod 0) aligned with it. Every unit of those provinces loses its
        old geometry; units that came only from the official list stay, flagged "no geometry";
        other units of those provinces that are not in the file are removed.
        """

    @abc.abstractmethod
    def set_lods(self, tx, edition: str, codes: list[str], lods: dict[int, list]) -> None:
        """Replace simplified levels of detail (lod ≥ 1) for ``codes`` of ``edition``."""

    @abc.abstractmethod
    def upsert_unit_list(self, tx, edition: str, units: pd.DataFrame, provinces: dict[str, str],
                         batch_id: int) -> None:
        """Add or update units from an official list (``in_list`` = 1) without touching geometry."""

    @abc.abstractmethod
    def add_status_records(self, tx, edition: str, records: pd.DataFrame, batch_id: int, user: str,
                           is_demo: bool = False) -> int:
        """Insert status records (:data:`STATUS_COLUMNS`); return how many."""

    @abc.abstractmethod
    def add_indicator_values(self, tx, edition: str, values: pd.DataFrame, batch_id: int, user: str,
                             is_demo: bool = False) -> int:
        """Insert indicator values (:data:`INDICATOR_COLUMNS`); return how many."""

    @abc.abstractmethod
    def rollback_batch(self, tx, batch_id: int, user: str) -> dict:
        """Mark a batch rolled back: its rows stop counting but stay stored. Return the batch row."""

    @abc.abstractmethod
    def audit(self, tx, user: str, action: str, target: str = "", detail: dict | None = None,
              origin: str = "") -> None:
        """Append one line to the audit log."""

    # -- reads -------------------------------------------------------------------------------
    @abc.abstractmethod
    def editions(self) -> pd.DataFrame:
        """One row per edition: edition, labels, units, with_geometry, provinces."""

    @abc.abstractmethod
    def provinces(self, edition: str) -> pd.DataFrame:
        """One row per province of ``edition``: code, name, units, with_geometry."""

    @abc.abstractmethod
    def units(self, edition: str, province: str | None = None) -> pd.DataFrame:
        """Unit attributes (:data:`UNIT_COLUMNS`), sorted by code."""

    @abc.abstractmethod
    def geometries(self, edition: str, province: str | None = None, lod: int = 0) -> gpd.GeoDataFrame:
        """Units that have geometry, with attributes, at level of detail ``lod`` (EPSG:4326)."""

    @abc.abstractmethod
    def lod_stats(self, edition: str) -> pd.DataFrame:
        """Per lod: units, vertices, bytes of WKB."""

    @abc.abstractmethod
    def status_records(self, edition: str, *, province: str | None = None, scheme: str | None = None,
                       codes: list[str] | None = None, as_of: str | None = None,
                       include_rolled_back: bool = False) -> pd.DataFrame:
        """Status records of active batches (``valid_from <= as_of`` when given: what can hold on that date), with
        ``province_code`` and ``is_demo``; sorted by code, scheme, valid_from, id."""

    @abc.abstractmethod
    def indicator_values(self, edition: str, *, province: str | None = None, indicator: str | None = None,
                         codes: list[str] | None = None) -> pd.DataFrame:
        """Indicator values of active batches, with ``province_code``; sorted by code, indicator, period."""

    @abc.abstractmethod
    def batch(self, batch_id: int) -> dict:
        """One batch as a dict; :class:`~geoapp.errors.NotFoundError` if absent."""

    @abc.abstractmethod
    def batches(self, kind: str | None = None) -> pd.DataFrame:
        """Import batches, newest first."""

    @abc.abstractmethod
    def audit_log(self, limit: int = 100) -> pd.DataFrame:
        """Audit lines, newest first."""

    # -- crosswalk --
    @abc.abstractmethod
    def replace_crosswalk(self, tx, rows: pd.DataFrame, batch_id: int, *, from_edition: str = "pre2025",
                          to_edition: str = "2025") -> int:
        """Replace the crosswalk of an edition pair with ``rows``; return how many pairs.

        ``rows`` has ``old_code``, ``new_code``, ``is_split``, ``old_name``, ``new_name``,
        ``old_province``, ``new_province``, ``weight``, ``method`` (and optionally ``raw_share``,
        ``coverage``), one row per (old, new) pair. Source file and sha256 come from the batch.
        """

    @abc.abstractmethod
    def crosswalk(self, from_edition: str = "pre2025", to_edition: str = "2025", *,
                  old_codes: list[str] | None = None, new_codes: list[str] | None = None,
                  new_province: str | None = None) -> pd.DataFrame:
        """Pairs of the crosswalk (empty frame when none is stored), sorted by new_code, old_code."""

    @abc.abstractmethod
    def set_crosswalk_weights(self, tx, weights: pd.DataFrame, from_edition: str = "pre2025",
                              to_edition: str = "2025") -> int:
        """Update ``weight``, ``method``, ``raw_share``, ``coverage`` of stored pairs
        (``weights`` keyed by ``old_code``, ``new_code``); return how many pairs changed.
        Pairs absent from the stored crosswalk are never created."""
