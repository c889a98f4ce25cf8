"""Static briefing figures: PNG/PDF bytes, page size, texts (Vietnamese via pdftotext), demo mark."""
from __future__ import annotations

import io
import subprocess
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely

from geoapp.crs import EQUAL_AREA
from geoapp.errors import InputError
from geoapp.briefing.figure import PAGE_H, PAGE_W, FigureSpec, alt_text, projected_crs, render
from geoapp.records import DEMO_MARK

from .conftest import SHARED_DATA, require, requires_shared

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
LAI_CHAU = SHARED_DATA / "boundaries/2025/12_lai_chau.zip"
needs_pdftotext = pytest.mark.requires("poppler")

STATUSES = [("Trọng điểm, phức tạp về ANTT", "#c62828"), ("Đã chuyển hóa thành công", "#f9a825"),
            ('Đạt chuẩn "An toàn về ANTT"', "#2e7d32")]


def communes(n_x: int = 4, n_y: int = 3) -> gpd.GeoDataFrame:
    """A grid of box communes near 103.4E 22.3N (Lai Châu), EPSG:4326."""
    rows, geoms = [], []
    for j in range(n_y):
        for i in range(n_x):
            k = j * n_x + i
            rows.append({"code": f"{3388 + k:05d}", "name": f"Xã Số {k}", "full_name": f"Xã Số {k}",
                         "district_name": "", "province_code": "12"})
            geoms.append(shapely.box(103.3 + 0.05 * i, 22.2 + 0.05 * j, 103.35 + 0.05 * i, 22.25 + 0.05 * j))
    rows[0]["full_name"] = "Xã Lai Châu"
    return gpd.GeoDataFrame(rows, geometry=geoms, crs="EPSG:4326")


def spec_for(units: gpd.GeoDataFrame, **kw) -> FigureSpec:
    colours, legend = {}, []
    codes = list(units["code"])
    # first 5 key, next 4 converted, 1 safe, the rest (2) without data
    groups = [codes[:5], codes[5:9], codes[9:10]]
    for (label, colour), group in zip(STATUSES, groups):
        colours.update({c: colour for c in group})
        legend.append({"status": label, "label": label, "colour": colour, "units": len(group)})
    base = dict(title="Tỉnh Lai Châu — An ninh, trật tự (ANTT)",
                subtitle="Tính đến 01/03/2024 · phiên bản trước 1/7/2025",
                colours=colours, legend=legend, legend_title="Tình trạng ANTT",
                sources="Nguồn: Công an tỉnh (ví dụ); ranh giới: Bộ Nội vụ. Giấy phép CC BY 4.0")
    base.update(kw)
    return FigureSpec(**base)


def pdf_text(data: bytes, tmp_path: Path) -> str:
    path = tmp_path / "figure.pdf"
    path.write_bytes(data)
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True)
    return out.stdout.decode("utf-8")


def png_size(data: bytes) -> tuple[int, int]:
    from PIL import Image

    with Image.open(io.BytesIO(data)) as im:
        return im.size


# -- PNG ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("dpi", [150, 300])
def test_png_signature_and_pixel_size(dpi):
    data = render(communes(), spec_for(communes()), "png", dpi=dpi)
    assert data.startswith(PNG_SIGNATURE)
    w, h = png_size(data)
    assert abs(w - PAGE_W * dpi) <= 1 and abs(h - PAGE_H * dpi) <= 1


def test_300_dpi_png_is_larger_than_150():
    units = communes()
    spec = spec_for(units)
    small, large = render(units, spec, "png", 150), render(units, spec, "png", 300)
    assert len(large) > len(small)
    assert png_size(large)[0] > png_size(small)[0]


def test_png_shows_the_colours():
    from PIL import Image

    units = communes()
    with Image.open(io.BytesIO(render(units, spec_for(units), "png", 100))) as im:
        pixels = {p for _, p in im.convert("RGB").getcolors(maxcolors=1 << 20)}
    for _, colour in STATUSES:
        rgb = tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))
        assert rgb in pixels


def test_bad_format_and_dpi_are_input_errors():
    units = communes()
    with pytest.raises(InputError):
        render(units, spec_for(units), "svgz")
    with pytest.raises(InputError):
        render(units, spec_for(units), "png", dpi=5000)
    with pytest.raises(InputError):
        render(units, spec_for(units, colours={"03388": "not-a-colour"}), "png")


# -- PDF ----------------------------------------------------------------------------------------
@needs_pdftotext
def test_pdf_is_a4_landscape_and_carries_every_text(tmp_path):
    units = communes()
    data = render(units, spec_for(units), "pdf")
    assert data.startswith(b"%PDF")
    info = subprocess.run(["pdfinfo", str(_write(tmp_path, data))], capture_output=True, text=True).stdout
    assert "841.68 x 595.44" in info or "A4" in info
    text = pdf_text(data, tmp_path)
    assert "Tỉnh Lai Châu — An ninh, trật tự (ANTT)" in text
    assert "01/03/2024" in text
    assert "Tình trạng ANTT" in text
    for label, _ in STATUSES:
        assert label in text
    assert "Đã chuyển hóa thành công" in text and "Trọng điểm" in text
    assert "Không có số liệu" in text              # 2 units have no colour
    assert " km" in text                            # scale bar
    assert "B" in text.split()                      # north arrow, Vietnamese "Bắc"
    assert "Giấy phép CC BY 4.0" in text
    assert "Tổng: 12" in text
    assert "MINH HỌA" not in text and "demo data" not in text


def _write(tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / "info.pdf"
    path.write_bytes(data)
    return path


@needs_pdftotext
def test_demo_mark_only_when_demo(tmp_path):
    units = communes()
    assert DEMO_MARK in pdf_text(render(units, spec_for(units, demo=True), "pdf"), tmp_path)
    assert DEMO_MARK not in pdf_text(render(units, spec_for(units, demo=False), "pdf"), tmp_path)


@needs_pdftotext
def test_english_north_letter_and_no_data_label(tmp_path):
    units = communes()
    text = pdf_text(render(units, spec_for(units, lang="en", legend_title="Status"), "pdf"), tmp_path)
    assert "N" in text.split() and "No data" in text and "Total: 12" in text


@needs_pdftotext
def test_table_rows_appear(tmp_path):
    units = communes()
    table = [{"Mã": "03388", "Tên": "Xã Lai Châu", "z": 3.1, "p": 0.0004, "Lớp": "Điểm nóng 99 %"},
             {"Mã": "03389", "Tên": "Xã Số 1", "z": 2.2, "p": 0.02, "Lớp": "Điểm nóng 95 %"}]
    text = pdf_text(render(units, spec_for(units, table=table, table_title="Xã điểm nóng"), "pdf"), tmp_path)
    assert "Xã điểm nóng" in text
    for row in ("03388", "Xã Lai Châu", "3,10", "<0,001", "Điểm nóng 99 %", "03389", "0,020", "Điểm nóng 95 %"):   # vi numbers
        assert row in text


@needs_pdftotext
def test_long_table_is_cut_with_a_note(tmp_path):
    units = communes()
    table = [{"Mã": f"{i:05d}", "Tên": f"Xã Dài Tên Số {i}", "z": 3.0 - i / 100} for i in range(80)]
    text = pdf_text(render(units, spec_for(units, table=table, table_title="Top"), "pdf"), tmp_path)
    assert "00000" in text and "00079" not in text and "dòng nữa" in text


@needs_pdftotext
def test_dollar_signs_are_literal(tmp_path):
    units = communes()
    units.loc[0, "full_name"] = "Xã $a$ Lai"
    spec = spec_for(units, title="Giá $5 và $x^2$", table=[{"Tên": "Xã $a$ Lai", "z": 1.5}], table_title="$$")
    data = render(units, spec, "pdf")
    render(units, spec, "png")
    text = pdf_text(data, tmp_path)
    assert "Giá $5 và $x^2$" in text and "Xã $a$ Lai" in text


# -- layout details -----------------------------------------------------------------------------
def test_projected_crs_is_utm_by_centre_or_equal_area_when_wide():
    assert projected_crs(communes()).to_epsg() == 32648
    east = communes().set_geometry(communes().geometry.translate(5.0, -8.0))   # ~108.4E 14.3N
    assert projected_crs(east).to_epsg() == 32649
    wide = gpd.GeoDataFrame({"code": ["a", "b"]}, geometry=[shapely.box(102.2, 22, 102.3, 22.1),
                                                           shapely.box(109.2, 11, 109.3, 11.1)], crs=4326)
    assert projected_crs(wide) == EQUAL_AREA
    assert render(wide, spec_for(wide), "png", 60).startswith(PNG_SIGNATURE)


def test_outlines_holes_and_projected_input():
    units = communes()
    units.loc[5, "geometry"] = units.loc[5, "geometry"].difference(units.loc[5, "geometry"].centroid.buffer(0.01))
    outlines = gpd.GeoDataFrame({"code": ["12"]}, geometry=[units.union_all()], crs=4326)
    projected = units.to_crs(32648)
    spec = spec_for(units, outlines=outlines)
    assert render(projected, spec, "png", 72).startswith(PNG_SIGNATURE)
    spec.outlines = [("12", units.union_all())]       # mapview.geojson.dissolve's shape
    assert render(units, spec, "pdf").startswith(b"%PDF")


def test_empty_and_colourless_units_render():
    units = communes()
    assert render(units.iloc[:0], spec_for(units.iloc[:0]), "png", 72).startswith(PNG_SIGNATURE)
    assert render(units, spec_for(units, colours={}, legend=[]), "png", 72).startswith(PNG_SIGNATURE)


def test_alt_text_has_the_counts():
    units = communes()
    vi = alt_text(spec_for(units, demo=True), len(units))
    assert "Tỉnh Lai Châu" in vi and "01/03/2024" in vi
    assert "Trọng điểm, phức tạp về ANTT: 5/12 xã" in vi
    assert "Đã chuyển hóa thành công: 4/12 xã" in vi
    assert "Không có số liệu: 2 xã" in vi and DEMO_MARK in vi
    en = alt_text(spec_for(units, lang="en", legend=[{"label": "Converted", "colour": "#f9a825", "units": 73}],
                           table=[{"Tên": "Xã A"}, {"Tên": "Xã B"}], table_title="Hot spots"), 106)
    assert "Converted: 73 of 106 communes (69%)" in en and "No data: 33 communes" in en
    assert "Hot spots: Xã A, Xã B" in en and "demo" not in en


def test_renders_from_threads():
    from concurrent.futures import ThreadPoolExecutor

    units = communes()
    specs = [spec_for(units, title=f"Tỉnh {i}") for i in range(4)]
    with ThreadPoolExecutor(4) as pool:
        out = list(pool.map(lambda s: render(units, s, "png", 72), specs))
    assert all(o.startswith(PNG_SIGNATURE) for o in out)


# -- real data ----------------------------------------------------------------------------------
@pytest.mark.realdata
@requires_shared()
@needs_pdftotext
def test_lai_chau_2025(tmp_path):
    from geoapp.boundaries import read_boundaries
    from geoapp.mapview.geojson import dissolve

    units = read_boundaries([str(LAI_CHAU)]).units
    codes = list(units["code"])
    rng = np.random.default_rng(7)
    pick = rng.integers(0, 4, len(codes))
    colours, legend = {}, []
    for k, (label, colour) in enumerate(STATUSES):
        colours.update({c: colour for c, p in zip(codes, pick) if p == k})
        legend.append({"status": label, "label": label, "colour": colour, "units": int((pick == k).sum())})
    legend.append({"status": None, "label": "Chưa có số liệu", "colour": "#e0e0e0", "units": int((pick == 3).sum())})
    table = [{"Mã": r.code, "Tên": r.full_name or r.name, "z": 3.2 - i / 5, "p": 0.0005 * (i + 1),
              "Lớp": "Điểm nóng 99 %"} for i, r in enumerate(units.head(8).itertuples())]
    spec = spec_for(units, colours=colours, legend=legend, demo=True, table=table,
                    table_title="Trọng điểm — xã điểm nóng", outlines=dissolve(units, "province_code"))
    png = render(units, spec, "png", 150)      # its speed is measured in bench/, not here
    assert png.startswith(PNG_SIGNATURE)
    text = pdf_text(render(units, spec, "pdf"), tmp_path)
    for s in ("Lai Châu", "Đã chuyển hóa thành công", "Trọng điểm", "Chưa có số liệu", "km", DEMO_MARK,
              table[0]["Tên"]):
        assert s in text
    assert "Không có số liệu" not in text          # the caller's no-data row is used, not a second one


# -- tests from c9c3bc0 (conftest's square communes, plain pdftotext) -----------------------------
from geoapp.briefing import figure as figures  # noqa: E402

from .conftest import communes as _conftest_communes  # noqa: E402


def _squares(n):
    return _conftest_communes(n).rename(columns={"MaXa": "code"})


def _spec(**kw):
    base = dict(title="Tỉnh Lai Châu — An ninh, trật tự (ANTT)", subtitle="Tính đến 01/03/2024 · trước 1/7/2025",
                colours={"03388": "#c62828", "03389": "#f9a825"},
                legend=[{"label": "Trọng điểm, phức tạp về ANTT", "colour": "#c62828", "units": 1},
                        {"label": "Đã chuyển hóa thành công", "colour": "#f9a825", "units": 1}],
                legend_title="An ninh, trật tự (ANTT)", sources="Nguồn: thử nghiệm (MIT)")
    base.update(kw)
    return figures.FigureSpec(**base)


def _plain_pdf_text(data: bytes, tmp_path) -> str:
    require("poppler")
    path = tmp_path / "f.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


def test_png_pixels_follow_the_dpi():
    from PIL import Image
    units = _squares(3)
    small = Image.open(io.BytesIO(figures.render(units, _spec(), "png", dpi=100)))
    assert abs(small.width - 1169) <= 2 and abs(small.height - 827) <= 2


@pytest.mark.parametrize("demo", [True, False])
def test_pdf_text_and_demo_mark(tmp_path, demo):
    text = _plain_pdf_text(figures.render(_squares(3), _spec(demo=demo), "pdf"), tmp_path)
    for expected in ("Lai Châu", "01/03/2024", "Trọng điểm, phức tạp về ANTT", "Đã chuyển hóa thành công", "km",
                     "Nguồn: thử nghiệm"):
        assert expected in text
    assert ("DỮ LIỆU MINH HỌA" in text) is demo


def test_dollar_signs_are_literal_plain(tmp_path):
    text = _plain_pdf_text(figures.render(_squares(2), _spec(title="Chi phí $5 và $10"), "pdf"), tmp_path)
    assert "$5 và $10" in text


def test_alt_text_counts():
    alt = figures.alt_text(_spec(), total_units=3)
    assert "Lai Châu" in alt and "1" in alt


@needs_pdftotext
def test_pdf_fonts_are_truetype_and_rcparams_are_restored(tmp_path):
    import matplotlib
    from concurrent.futures import ThreadPoolExecutor

    before = matplotlib.rcParams["pdf.fonttype"]
    units = communes()
    with ThreadPoolExecutor(3) as pool:
        pdfs = list(pool.map(lambda i: render(units, spec_for(units, title=f"Tỉnh Lai Châu {i}"), "pdf"), range(3)))
    assert matplotlib.rcParams["pdf.fonttype"] == before
    fonts = subprocess.run(["pdffonts", str(_write(tmp_path, pdfs[0]))], capture_output=True, text=True).stdout
    assert "TrueType" in fonts and "Type 3" not in fonts
    for i, data in enumerate(pdfs):
        assert f"Tỉnh Lai Châu {i}" in pdf_text(data, tmp_path)


def test_legend_total_is_the_sum_of_its_rows_and_says_what_is_not_drawn():
    """Lâm Đồng 9/2022: 137 units in the list, 136 with a boundary — the rows add up to the total."""
    from geoapp.briefing.figure_panel import total_line
    rows = [{"units": 18}, {"units": 37}, {"units": 82}]
    every_one_drawn = total_line(rows, 137, "vi")
    assert every_one_drawn.startswith("Tổng: 137") and "ranh giới" not in every_one_drawn
    line = total_line(rows, 136, "vi")
    assert line.startswith("Tổng: 137") and "136" in line and "1 chưa có ranh giới" in line
    assert "without a boundary" in total_line(rows, 136, "en")
