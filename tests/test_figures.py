"""Static figures drawn without a browser: PNG size by dpi, PDF text, demo mark, literal '$'."""
from __future__ import annotations

import io
import shutil
import subprocess

import pytest

from geoapp import figures

from .conftest import communes as _communes


def communes(n):
    return _communes(n).rename(columns={"MaXa": "code"})


def spec(**kw):
    base = dict(title="Tỉnh Lai Châu — An ninh, trật tự (ANTT)", subtitle="Tính đến 01/03/2024 · trước 1/7/2025",
                colours={"03388": "#c62828", "03389": "#f9a825"},
                legend=[{"label": "Trọng điểm, phức tạp về ANTT", "colour": "#c62828", "units": 1},
                        {"label": "Đã chuyển hóa thành công", "colour": "#f9a825", "units": 1}],
                legend_title="An ninh, trật tự (ANTT)", sources="Nguồn: thử nghiệm (MIT)")
    base.update(kw)
    return figures.FigureSpec(**base)


def pdf_text(data: bytes, tmp_path) -> str:
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is not installed")
    path = tmp_path / "f.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


def test_png_pixels_follow_the_dpi():
    from PIL import Image
    units = communes(3)
    small = Image.open(io.BytesIO(figures.render(units, spec(), "png", dpi=100)))
    assert abs(small.width - 1169) <= 2 and abs(small.height - 827) <= 2


@pytest.mark.parametrize("demo", [True, False])
def test_pdf_text_and_demo_mark(tmp_path, demo):
    text = pdf_text(figures.render(communes(3), spec(demo=demo), "pdf"), tmp_path)
    for expected in ("Lai Châu", "01/03/2024", "Trọng điểm, phức tạp về ANTT", "Đã chuyển hóa thành công", "km",
                     "Nguồn: thử nghiệm"):
        assert expected in text
    assert ("DỮ LIỆU MINH HỌA" in text) is demo


def test_dollar_signs_are_literal(tmp_path):
    text = pdf_text(figures.render(communes(2), spec(title="Chi phí $5 và $10"), "pdf"), tmp_path)
    assert "$5 và $10" in text


def test_alt_text_counts():
    alt = figures.alt_text(spec(), total_units=3)
    assert "Lai Châu" in alt and "1" in alt
