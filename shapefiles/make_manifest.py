"""Generate the fetch manifests from a local copy of the reference data.

Writes, next to this script:

``upstream_2025.csv``
    ``province_code,province_slug,code,slug,upstream_path`` for every 2025 unit: where the
    unit's GeoJSON lives in the upstream repository (thanglequoc/vietnamese-provinces-database,
    pinned commit), because raw.githubusercontent.com cannot list a folder.
``mirror_2025.csv``
    ``province_code,file,size,sha256`` for every 2025 province zip of the mirror, so that a
    fetch can prove it received the same bytes (an HTTP mirror cannot list a folder either).

Usage::

    python shapefiles/make_manifest.py [DATA_DIR]

``DATA_DIR`` defaults to ``../shared/data`` relative to the project root. The output is
deterministic (sorted, ``\\n`` line ends), so re-running it on unchanged data gives no diff.
"""
from __future__ import annotations

import csv
import hashlib
import re
import sys
import unicodedata
from pathlib import Path

import pyogrio

HERE = Path(__file__).resolve().parent
DEFAULT_DATA = HERE.parent.parent / "shared" / "data"
UPSTREAM_DIR = "json/geojson"


def slugify(name: str) -> str:
    """Upstream's unit slug: unaccented, lower case, runs of non-alphanumerics → ``_``.

    ``đ`` has no combining-mark decomposition in Unicode, so it is mapped by hand; the rule was
    checked against the upstream file listing of 01_ha_noi, 12_lai_chau and 79_ho_chi_minh
    (238 files, all equal) and against hyphenated, numbered and apostrophe names in 46_hue,
    66_dak_lak and 68_lam_dong ("Văn Miếu - Quốc Tử Giám" → ``van_mieu_quoc_tu_giam``,
    "2 Bảo Lộc" → ``2_bao_loc``, "Cư M'gar" → ``cu_mgar``).
    """
    text = unicodedata.normalize("NFD", name.strip().lower())
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn")
    text = text.replace("đ", "d")
    # Apostrophes vanish rather than split a word: "Ea H'Leo" → ``ea_hleo``, "B'Lao" → ``blao``.
    text = re.sub(r"['’‘`]", "", text)
    return re.sub(r"[^a-z0-9]+", "_", text).strip("_")


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def build(data_dir: Path) -> tuple[list[dict], list[dict]]:
    """Return (unit rows, mirror rows) read from ``data_dir/boundaries/2025/*.zip``."""
    zips = sorted((data_dir / "boundaries" / "2025").glob("*.zip"))
    if not zips:
        raise SystemExit(f"no boundaries/2025/*.zip under {data_dir}")
    units, mirror = [], []
    for z in zips:
        province_code, province_slug = z.stem.split("_", 1)
        mirror.append({"province_code": province_code, "file": z.name,
                       "size": z.stat().st_size, "sha256": sha256_of(z)})
        # Attributes only: the geometry is not needed and is the slow part to read.
        df = pyogrio.read_dataframe(z, columns=["MaXa", "TenXa", "MaTinh"], read_geometry=False)
        for row in df.itertuples(index=False):
            code = str(row.MaXa).zfill(5)
            if str(row.MaTinh).zfill(2) != province_code:
                raise SystemExit(f"{z.name}: unit {code} has MaTinh {row.MaTinh}")
            slug = slugify(row.TenXa)
            units.append({"province_code": province_code, "province_slug": province_slug,
                          "code": code, "slug": slug,
                          "upstream_path": f"{UPSTREAM_DIR}/{z.stem}/wards/{code}_{slug}.geojson"})
    units.sort(key=lambda r: (r["province_code"], r["code"]))
    codes = [r["code"] for r in units]
    if len(set(codes)) != len(codes):
        raise SystemExit("duplicate unit codes in the 2025 layer")
    return units, mirror


def write_csv(path: Path, rows: list[dict]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


def main(argv: list[str]) -> int:
    data_dir = Path(argv[1]) if len(argv) > 1 else DEFAULT_DATA
    units, mirror = build(data_dir)
    write_csv(HERE / "upstream_2025.csv", units)
    write_csv(HERE / "mirror_2025.csv", mirror)
    print(f"{len(units)} units, {len(mirror)} province zips → {HERE}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
