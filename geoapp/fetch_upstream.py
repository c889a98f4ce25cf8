"""Build one GeoJSON file per 2025 province from the upstream's one-file-per-unit repository.

The units come from the pinned commit of thanglequoc/vietnamese-provinces-database, listed in
``shapefiles/upstream_2025.csv`` (:mod:`geoapp.fetch_manifest`); each is downloaded, checked
and given geoapp's field names (``MaXa``, ``TenXa`` …), then a province's units are written
together as ``{MaTinh}_{slug}.geojson``.

Trip-wires:

* the upstream's per-unit files carry no province name, so :data:`PROVINCE_NAMES_2025` (fixed
  by the reform resolution) supplies it;
* two property schemas exist in the upstream's history — camelCase (``code``, ``fullName``)
  and snake_case (``unit_code``, ``unit_name``) — and both are read;
* downloads run in parallel but the output keeps the manifest's order, so it never depends on
  network timing; on a failure the queued downloads are cancelled, not awaited.
"""
from __future__ import annotations

import json
import unicodedata
import urllib.parse
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from .errors import FetchError
from .fetch_manifest import UpstreamUnit, read_upstream_manifest, unknown_province
from .fetch_transfer import open_url, write_collection

UPSTREAM_WORKERS = 8          # parallel unit downloads; raw.githubusercontent.com tolerates this

# Province names after the 1 July 2025 reform. The upstream per-unit files do not carry the
# province, and these 34 names are fixed by the reform resolution, so they live here.
PROVINCE_NAMES_2025 = {
    "01": "Thành phố Hà Nội", "04": "Tỉnh Cao Bằng", "08": "Tỉnh Tuyên Quang",
    "11": "Tỉnh Điện Biên", "12": "Tỉnh Lai Châu", "14": "Tỉnh Sơn La", "15": "Tỉnh Lào Cai",
    "19": "Tỉnh Thái Nguyên", "20": "Tỉnh Lạng Sơn", "22": "Tỉnh Quảng Ninh",
    "24": "Tỉnh Bắc Ninh", "25": "Tỉnh Phú Thọ", "31": "Thành phố Hải Phòng",
    "33": "Tỉnh Hưng Yên", "37": "Tỉnh Ninh Bình", "38": "Tỉnh Thanh Hoá", "40": "Tỉnh Nghệ An",
    "42": "Tỉnh Hà Tĩnh", "44": "Tỉnh Quảng Trị", "46": "Thành phố Huế",
    "48": "Thành phố Đà Nẵng", "51": "Tỉnh Quảng Ngãi", "52": "Tỉnh Gia Lai",
    "56": "Tỉnh Khánh Hoà", "66": "Tỉnh Đắk Lắk", "68": "Tỉnh Lâm Đồng",
    "75": "Thành phố Đồng Nai", "79": "Thành phố Hồ Chí Minh", "80": "Tỉnh Tây Ninh",
    "82": "Tỉnh Đồng Tháp", "86": "Tỉnh Vĩnh Long", "91": "Tỉnh An Giang",
    "92": "Thành phố Cần Thơ", "96": "Tỉnh Cà Mau",
}

# fullName prefix → LoaiDV; longest first so "Đặc khu" is not mistaken for something shorter.
_UNIT_TYPES = (("đặc khu", "Đặc khu"), ("phường", "Phường"), ("xã", "Xã"))

Progress = Callable[[int, int, str], None]


def fetch_upstream(wanted: list[str] | None, base: str, dest: Path, timeout: float,
                   progress: Progress | None, manifest_dir: Path) -> list[Path]:
    """Fetch the units of the ``wanted`` provinces (all when None); one GeoJSON per province."""
    units = read_upstream_manifest(manifest_dir)
    by_province: dict[str, list[UpstreamUnit]] = {}
    for u in units:
        by_province.setdefault(u.province_code, []).append(u)
    codes = sorted(by_province) if wanted is None else wanted
    missing = [c for c in codes if c not in by_province]
    if missing:
        raise unknown_province(missing, by_province, "2025")

    total = sum(len(by_province[c]) for c in codes)
    done = 0
    written = []
    base = base.rstrip("/")
    pool = ThreadPoolExecutor(max_workers=UPSTREAM_WORKERS)
    try:
        for code in codes:
            todo = by_province[code]
            features = []
            # map() keeps the manifest order, so the output does not depend on network timing.
            for unit, feature in zip(todo, pool.map(
                    lambda u: _fetch_unit(u, f"{base}/{urllib.parse.quote(u.upstream_path)}", timeout),
                    todo)):
                features.append(feature)
                done += 1
                if progress:
                    progress(done, total, unit.upstream_path.rsplit("/", 1)[-1])
            target = dest / f"{code}_{todo[0].province_slug}.geojson"
            write_collection(features, target)
            written.append(target)
    finally:
        # On a failure, drop the queued downloads instead of waiting for hundreds of them.
        pool.shutdown(wait=True, cancel_futures=True)
    return written


def _fetch_unit(unit: UpstreamUnit, url: str, timeout: float) -> dict:
    """Download one unit file and return it as a Feature with geoapp's property names."""
    with open_url(url, timeout) as resp:
        try:
            raw = resp.read()
        except OSError as exc:
            raise FetchError(f"{url}: transfer failed ({exc})", message_vi=f"{url}: tải bị ngắt") from None
    try:
        doc = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise FetchError(f"{url}: not valid GeoJSON ({exc})",
                         message_vi=f"{url}: không phải GeoJSON hợp lệ") from None
    # The upstream wraps each unit in a one-feature FeatureCollection; accept a bare Feature too.
    if isinstance(doc, dict) and doc.get("type") == "FeatureCollection":
        feats = doc.get("features") or []
        feature = feats[0] if len(feats) == 1 else None
    else:
        feature = doc
    if not isinstance(feature, dict) or feature.get("type") != "Feature" or not feature.get("geometry"):
        raise FetchError(f"{url}: expected one GeoJSON Feature with a geometry",
                         message_vi=f"{url}: cần đúng một Feature GeoJSON có hình")
    props = feature.get("properties") or {}
    # Two property schemas exist in the upstream's history: camelCase (code, fullName …) and
    # snake_case (unit_code, unit_name …); read either.
    code = str(props.get("code") or props.get("unit_code") or feature.get("id") or "").strip()
    if code.isdigit():
        code = code.zfill(5)
    if code != unit.code:
        raise FetchError(f"{url}: holds unit {code or '(no code)'}, expected {unit.code}",
                         message_vi=f"{url}: chứa đơn vị {code or '(không mã)'}, cần {unit.code}")
    return {"type": "Feature", "geometry": feature["geometry"],
            "properties": _geoapp_properties(props, unit)}


def _nfc(value) -> str | None:
    return unicodedata.normalize("NFC", str(value)).strip() if value not in (None, "") else None


def _geoapp_properties(props: dict, unit: UpstreamUnit) -> dict:
    name = _nfc(props.get("name") or props.get("unit_name"))
    full = _nfc(props.get("fullName") or props.get("full_name"))
    area = props.get("areaKm2", props.get("area_km2"))
    return {
        "MaXa": unit.code,
        "TenXa": name,
        "TenDayDu": full,
        "TenTA": _nfc(props.get("nameEn") or props.get("name_en")),
        "LoaiDV": unit_type(full),
        "MaTinh": unit.province_code,
        "TenTinh": PROVINCE_NAMES_2025.get(unit.province_code),
        "DienTich": float(area) if isinstance(area, (int, float)) else None,
    }


def unit_type(full_name: str | None) -> str | None:
    """``LoaiDV`` from a full name's prefix: "Xã Pa Ủ" → "Xã"; None when no known prefix."""
    if not full_name:
        return None
    low = unicodedata.normalize("NFC", full_name).strip().lower()
    for prefix, label in _UNIT_TYPES:
        if low.startswith(prefix + " "):
            return label
    return None
