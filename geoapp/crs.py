"""Coordinate reference systems, VN-2000 aware.

Trip-wires:

* VN-2000 differs from WGS 84 by ~225 m. A CRS that went through a PROJ string (or an
  ESRI ``.prj`` that GDAL cannot tie to a datum) loses the datum shift silently. We identify
  the CRS with EPSG where possible (PROJ then knows "VN-2000 to WGS 84 (2)"), and otherwise
  attach the official 7-parameter shift (Decision 05/2007/QĐ-BTNMT) ourselves.
* Many provinces use a TM-3 central meridian that EPSG does not list (e.g. Hà Nội 105°00'
  is EPSG:5897 "zone 482", but 104°15' is not in EPSG at all): those get a custom CRS on VN-2000.
* Coordinates alone cannot tell TM-3 zones apart (each zone just shifts the map sideways), so
  :func:`candidates` lists every zone whose result lands in Vietnam, with the provinces that
  officially use it (Circular 973/2001/TT-TCĐC).
"""
from __future__ import annotations

import warnings

import numpy as np
from pyproj import CRS, Transformer
from pyproj.transformer import TransformerGroup

from .errors import CRSCandidate

WGS84 = CRS.from_epsg(4326)
#: an equal-area CRS for Vietnam: areas in m² and simplification tolerances in metres
EQUAL_AREA = CRS.from_proj4("+proj=laea +lat_0=16 +lon_0=106 +datum=WGS84 +units=m +no_defs +type=crs")

#: the official VN-2000 → WGS 84 shift, EPSG "VN-2000 to WGS 84 (2)" (position vector)
VN2000_TOWGS84 = "-191.90441429,-39.30318279,-111.45032835,-0.00928836,0.01975479,-0.00427372,0.252906278"

#: Vietnam's extent in degrees, islands included (Hoàng Sa, Trường Sa)
VIETNAM_BOUNDS = (101.8, 6.0, 117.9, 23.6)
#: the mainland and near-shore islands, where commune polygons lie
MAINLAND_BOUNDS = (101.8, 8.2, 110.0, 23.6)

#: TM-3 central meridians and the (pre-2025) provinces that use them (Circular 973/2001)
TM3_MERIDIANS: dict[float, str] = {
    103.0: "Lai Châu, Điện Biên",
    104.0: "Sơn La",
    104.5: "Kiên Giang, Cà Mau",
    104.75: "Lào Cai, Yên Bái, Phú Thọ, Nghệ An, An Giang",
    105.0: "Hà Nội, Vĩnh Phúc, Hà Nam, Ninh Bình, Thanh Hóa, Đồng Tháp, Cần Thơ, Hậu Giang, Bạc Liêu",
    105.5: "Hà Giang, Bắc Ninh, Hải Dương, Hưng Yên, Nam Định, Thái Bình, Hà Tĩnh, Tây Ninh, "
           "Vĩnh Long, Trà Vinh, Sóc Trăng",
    105.75: "Cao Bằng, Hải Phòng, Bình Dương, Long An, Tiền Giang, Bến Tre, TP Hồ Chí Minh",
    106.0: "Tuyên Quang, Hòa Bình, Quảng Bình",
    106.25: "Quảng Trị, Bình Phước",
    106.5: "Bắc Kạn, Thái Nguyên",
    107.0: "Bắc Giang, Thừa Thiên Huế",
    107.25: "Lạng Sơn",
    107.5: "Kon Tum",
    107.75: "Quảng Ninh, Đà Nẵng, Quảng Nam, Lâm Đồng, Đồng Nai, Bà Rịa - Vũng Tàu",
    108.0: "Quảng Ngãi",
    108.25: "Bình Định, Khánh Hòa, Ninh Thuận",
    108.5: "Gia Lai, Đắk Lắk, Đắk Nông, Phú Yên, Bình Thuận",
}


def _is_vn2000(crs: CRS) -> bool:
    name = (crs.datum.name if crs.datum else "") or ""
    key = name.lower().replace("_", " ").replace("-", " ")
    return "vietnam 2000" in key or "vn 2000" in key or "vn2000" in key.replace(" ", "")


def tm3_crs(meridian: float) -> CRS:
    """VN-2000 / TM-3 with the given central meridian: the EPSG CRS when there is one."""
    for code in list(range(9205, 9219)) + [5896, 5897, 5898, 5899]:
        crs = CRS.from_epsg(code)
        lon0 = next(p.value for p in crs.coordinate_operation.params if "longitude" in p.name.lower())
        if abs(lon0 - meridian) < 1e-9:
            return crs
    return CRS.from_proj4(
        f"+proj=tmerc +lat_0=0 +lon_0={meridian} +k=0.9999 +x_0=500000 +y_0=0 +ellps=WGS84 "
        f"+towgs84={VN2000_TOWGS84} +units=m +no_defs +type=crs")


def resolve(crs_like) -> CRS:
    """Turn what a file or the user says into a CRS whose path to WGS 84 keeps datum shifts.

    Accepts anything :class:`pyproj.CRS` accepts (``EPSG:9205``, WKT, ESRI WKT).
    """
    crs = CRS.from_user_input(crs_like)
    code = crs.to_epsg(min_confidence=70)
    if code is not None:
        return CRS.from_epsg(code)
    if _is_vn2000(crs) and "towgs84" not in crs.to_wkt().lower():
        # GDAL read the datum's name but PROJ knows no operation for this custom CRS:
        # rebuild it bound to WGS 84 through the official parameters.
        with warnings.catch_warnings():   # we add the datum shift back right below
            warnings.simplefilter("ignore", UserWarning)
            base = crs.to_proj4() if crs.is_projected else "+proj=longlat"
        base = " ".join(t for t in base.split() if not t.startswith(("+towgs84", "+datum", "+ellps", "+type")))
        return CRS.from_proj4(f"{base} +ellps=WGS84 +towgs84={VN2000_TOWGS84} +type=crs")
    return crs


def to_wgs84(crs: CRS) -> Transformer:
    """The most accurate transformer from ``crs`` to EPSG:4326 (lon, lat order)."""
    group = TransformerGroup(crs, WGS84, always_xy=True)
    if not group.transformers:
        return Transformer.from_crs(crs, WGS84, always_xy=True)
    return group.transformers[0]


def describe(crs: CRS) -> str:
    code = crs.to_epsg()
    return f"EPSG:{code} ({crs.name})" if code else crs.name


def candidates(x: np.ndarray, y: np.ndarray) -> list[CRSCandidate]:
    """CRSs that would place points with coordinates ``x``, ``y`` in Vietnam, most likely first."""
    cx, cy = float(np.nanmedian(x)), float(np.nanmedian(y))
    minx, maxx = float(np.nanmin(x)), float(np.nanmax(x))
    out: list[CRSCandidate] = []
    if -180 <= minx and maxx <= 180 and -90 <= np.nanmin(y) and np.nanmax(y) <= 90:
        if _inside(cx, cy, VIETNAM_BOUNDS):
            out.append(CRSCandidate("EPSG:4326", "WGS 84, degrees", cx, cy))
            out.append(CRSCandidate("EPSG:4756", "VN-2000, degrees", cx, cy,
                                    "(~225 m from WGS 84: only if the file says VN-2000)"))
        return out
    options = [(f"EPSG:{c}", CRS.from_epsg(c).name, "") for c in (3405, 3406)]
    for meridian, provinces in TM3_MERIDIANS.items():
        crs = tm3_crs(meridian)
        code = crs.to_epsg()
        label = f"EPSG:{code}" if code else crs.to_proj4().replace(" +type=crs", "")
        options.append((label, f"VN-2000 / TM-3 {_dms(meridian)}", f"— used by {provinces}"))
    for label, name, note in options:
        src = CRS.from_user_input(label)
        lon, lat = to_wgs84(src).transform(cx, cy)
        if np.isfinite(lon) and _inside(lon, lat, MAINLAND_BOUNDS):
            out.append(CRSCandidate(label, name, lon, lat, note))
    # TM-3 zones first (provincial data is usually TM-3), UTM after
    out.sort(key=lambda c: ("UTM" in c.name, c.lon))
    return out


def _inside(lon, lat, bounds) -> bool:
    return bounds[0] <= lon <= bounds[2] and bounds[1] <= lat <= bounds[3]


def _dms(meridian: float) -> str:
    deg = int(meridian)
    return f"{deg}-{round((meridian - deg) * 60):02d}"
