"""The pure demo generator: from :class:`~geoapp.demo.inputs.DemoInputs` and a seed to every
demo record, with no store (deterministic: the same seed gives the same records).

Order of the work (and of the draws from the one seeded generator): the hotspot surface, then
per old province its decision calendar, security histories and drug classes, then the pre-2025
indicators, the 2025 carry-over and the 2025 indicators.

Trip-wire: the order above *is* the output. Any change to it, or to a draw inside a step, changes
the records and :meth:`DemoData.fingerprint`; compare fingerprints before and after a refactor.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..schemes import Catalogue
from ..store.base import INDICATOR_COLUMNS, STATUS_COLUMNS
from .indicators import indicators_2025, indicators_pre
from .inputs import DemoInputs
from .plan import END_PRE, PROVINCES_PRE, START, require_catalogue
from .statuses import Calendar, antt_pre, derive_2025, ma_tuy_pre
from .surface import draw_surface, standardise

#: the default seed (the day of the reform)
DEFAULT_SEED = 20250701


@dataclass
class DemoData:
    """The generated records, ready for the store (:data:`STATUS_COLUMNS` / :data:`INDICATOR_COLUMNS`)."""

    status_pre: pd.DataFrame
    indicators_pre: pd.DataFrame
    status_2025: pd.DataFrame
    indicators_2025: pd.DataFrame

    def fingerprint(self) -> str:
        """SHA-256 over every generated row: equal fingerprints mean identical records."""
        digest = hashlib.sha256()
        for frame in (self.status_pre, self.indicators_pre, self.status_2025, self.indicators_2025):
            digest.update(frame.to_csv(index=False).encode("utf-8"))
        return digest.hexdigest()


def source_label(seed: int) -> str:
    """The ``source`` of every demo batch and record."""
    return f"geoapp demo (seed {seed})"


def to_frame(rows: list[dict], columns, source: str) -> pd.DataFrame:
    """Generated rows as a store-ready frame with ``columns``, sorted by unit then time."""
    frame = pd.DataFrame(rows)
    frame["source"] = source
    frame["row_number"] = None
    for col in columns:
        if col not in frame:
            frame[col] = None
    frame = frame[list(columns)]
    sort = ["code", "scheme", "valid_from"] if "scheme" in frame else ["code", "indicator", "period_start"]
    return frame.sort_values(sort, kind="stable").reset_index(drop=True)


def _statuses_pre(rng, inputs: DemoInputs, z_pre: np.ndarray) -> list[dict]:
    """Per old province, in order: its decision calendar, security histories, drug classes."""
    rows: list[dict] = []
    for p in PROVINCES_PRE:
        mask = (inputs.units_pre["province_code"] == p).to_numpy()
        units = inputs.units_pre[mask].reset_index(drop=True)
        cal = Calendar(rng, int(START[:4]), END_PRE)
        rows += antt_pre(rng, p, units, z_pre[mask], cal)
        rows += ma_tuy_pre(rng, p, units, z_pre[mask])
    return rows


def build_demo(inputs: DemoInputs, catalogue: Catalogue, *, seed: int = DEFAULT_SEED) -> DemoData:
    """Generate every demo record from ``inputs``; no store, deterministic in ``seed``.

    Parameters
    ----------
    inputs : DemoInputs
        From :func:`geoapp.demo.inputs.read_inputs`.
    catalogue : Catalogue
        Must define schemes ``antt`` and ``ma_tuy`` with the built-in status codes, and the
        indicators in :data:`geoapp.demo.plan.INDICATORS`.
    seed : int
        Seed of :func:`numpy.random.default_rng`; the same seed gives identical records.

    Returns
    -------
    DemoData
    """
    require_catalogue(catalogue)
    rng = np.random.default_rng(seed)
    source = source_label(seed)
    z_pre, z_new = standardise(inputs, draw_surface(rng, inputs))
    status_pre = to_frame(_statuses_pre(rng, inputs, z_pre), STATUS_COLUMNS, source)
    values_pre = to_frame(indicators_pre(rng, inputs, z_pre, status_pre), INDICATOR_COLUMNS, source)
    rows, drug_new, antt_new = derive_2025(rng, inputs, z_new, status_pre, catalogue)
    status_2025 = to_frame(rows, STATUS_COLUMNS, source)
    values_2025 = to_frame(indicators_2025(rng, inputs, z_new, drug_new, antt_new), INDICATOR_COLUMNS, source)
    return DemoData(status_pre, values_pre, status_2025, values_2025)
