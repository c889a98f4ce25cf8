"""Locale: numbers, dates and times through Babel (geoapp.locale), and no English left in the Vietnamese UI.

Every page, an error page (403, 404) and the export headings (CSV/XLSX header row) are rendered in
Vietnamese and must not show words only the English interface uses."""
from __future__ import annotations

import html
import io
import re

import openpyxl
import pytest

from geoapp import access, create_app, locale, strings
from geoapp.ingest import import_boundaries
from geoapp.records import import_indicator_file, import_status_file
from geoapp.schemes import load_catalogue

from .conftest import communes, db_url, write_shp

PASSWORD = "correct horse battery"


# ---- geoapp.locale ---------------------------------------------------------------------------

def test_numbers_vi_and_en():
    assert locale.number(10035, "vi") == "10.035"
    assert locale.number(10035, "en") == "10,035"
    assert locale.number(28.94, "vi", 1) == "28,9"
    assert locale.number(None, "vi") == locale.MISSING
    assert locale.number(float("nan"), "en") == locale.MISSING


def test_percent_vi_and_en():
    assert locale.percent(0.289, "vi") == "28,9 %"
    assert locale.percent(0.289, "en") == "28.9%"
    assert locale.percent(0.5, "vi", 0) == "50 %"
    assert locale.percent(None, "vi") == locale.MISSING


def test_ranges_as_legend_classes():
    assert locale.number_range(562.2, 2789, "vi") == "562,2 – 2.789"
    assert locale.number_range(562.2, 2789, "en") == "562.2 – 2,789"
    assert locale.number_range(None, 0.5, "vi") == "≤ 0,5"


def test_days():
    assert locale.day("2024-12-31", "vi") == "31/12/2024"
    assert locale.day("2024-12-31", "en") == "31 Dec 2024"
    assert locale.day("2024-03-05", "vi") == "05/03/2024"
    assert locale.day(None, "vi") == locale.MISSING


def test_moments_in_vietnam_time():
    # 20:00 UTC is 03:00 the next day in Asia/Ho_Chi_Minh (UTC+7, no daylight saving)
    assert locale.moment("2024-12-31T20:00:00+00:00", "vi") == "01/01/2025 03:00"
    assert locale.moment("2024-12-31T20:00:00Z", "en") == "1 Jan 2025, 03:00"
    assert locale.moment("2024-06-01T01:30:00", "vi") == "01/06/2024 08:30"      # naive = UTC


# ---- the gettext catalogues -----------------------------------------------------------------

#: keys whose Vietnamese text is the English one on purpose (names, acronyms)
SAME_ON_PURPOSE = {"fisher_jenks"}


def read_catalogue(lang):
    from babel.messages.pofile import read_po

    with strings.catalogue_path(lang).open("rb") as fh:
        return {m.id: m for m in read_po(fh, locale=lang) if m.id}


def test_every_msgid_is_translated_in_both_catalogues():
    vi, en = read_catalogue("vi"), read_catalogue("en")
    assert set(vi) == set(en), f"msgids in one catalogue only: {sorted(set(vi) ^ set(en))}"
    for key in vi:
        for lang, msg in (("vi", vi[key]), ("en", en[key])):
            assert isinstance(msg.string, str) and msg.string.strip(), f"{key}: no {lang} msgstr"
            assert not msg.fuzzy, f"{key}: fuzzy {lang} msgstr"
        assert vi[key].string != en[key].string or key in SAME_ON_PURPOSE, \
            f"{key}: Vietnamese text is the English one ({vi[key].string!r})"


def test_strings_come_from_the_catalogues():
    assert strings.translate("sign_in", "vi") == "Đăng nhập" and strings.translate("sign_in", "en") == "Sign in"
    assert strings.translate("no_such_key", "vi") == "no_such_key"
    assert strings.map_strings("vi")["no_data"] == "Không có số liệu"
    assert set(strings.map_strings("en")) == set(strings.MAP_KEYS)
    assert strings.heading("code", "vi") == "Mã xã" and strings.heading("unknown_column", "vi") == "unknown_column"


def test_pybabel_extract_finds_every_msgid():
    """What ``pybabel extract -F babel.cfg -k t -k translate -k t_`` finds is exactly the catalogues'
    msgids: a translator's ``pybabel update`` neither loses a key nor misses one."""
    from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
    from babel.messages.frontend import parse_mapping_cfg

    root = strings.TRANSLATIONS.parents[1]
    method_map, options_map = parse_mapping_cfg((root / "babel.cfg").open(encoding="utf-8"))
    keywords = dict(DEFAULT_KEYWORDS, t=None, translate=None, t_=None)
    found = {m[2] for m in extract_from_dir(str(root), method_map, options_map, keywords) if isinstance(m[2], str)}
    assert found == set(read_catalogue("vi")), sorted(found ^ set(read_catalogue("vi")))


# ---- pages, errors and exports rendered in Vietnamese ----------------------------------------

#: words only the English interface uses; none may appear in a Vietnamese rendering outside user data
ENGLISH = ["no data", "no designation", "you may not", "sign in", "sign out", "province", "download",
           "legend", "not found", "forbidden", "as of", "communes", "summary", "status", "commune",
           "search", "share link", "audit log", "upload", "import", "indicator", "edition", "classes",
           "units", "error", "back to", "nothing recorded", "password", "user name", "generated",
           "the file", "scheme", "choose", "neighbour", "value", "year"]
ENGLISH_RE = re.compile(r"\b(" + "|".join(re.escape(w) for w in ENGLISH) + r")\b", re.I)

#: the HTML pages an admin may read (the URL pattern of tests/test_access.py SAMPLES)
PAGES = ["/", "/about", "/overview/2025", "/units/2025/12", "/map/2025/12", "/unit/2025/03388",
         "/embed/map/2025/12", "/compare/12", "/admin/shares", "/admin/audit", "/admin/users", "/admin/upload",
         "/login"]


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("locale")
    app = create_app({"DATABASE_URL": db_url(tmp, "l"), "INSTANCE_PATH": str(tmp), "SECRET_KEY": "t",
                      "COOKIE_SECURE": False})
    store = app.extensions["geoapp.store"]
    p12 = communes(3, province="12")
    p14 = communes(3, province="14", start=3600)
    p14 = p14.set_geometry(p14.geometry.translate(xoff=0.2))
    import_boundaries(store, [write_shp(p12, tmp / "a"), write_shp(p14, tmp / "b")], "2025")
    (tmp / "st.csv").write_text("ma_xa,che_do,trang_thai,tu_ngay\n3388,antt,trong_diem_phuc_tap,2025-08-01\n")
    import_status_file(store, tmp / "st.csv", "2025", load_catalogue())
    (tmp / "ind.csv").write_text("ma_xa,ky,chi_tieu,gia_tri\n" + "".join(
        f"{c},2025,so_vu_pham_toi,{1000 * i + 0.5}\n" for i, c in enumerate([3388, 3389, 3390])))
    import_indicator_file(store, tmp / "ind.csv", "2025", load_catalogue())
    access.add_user(store, "admin", "admin", [], PASSWORD)
    access.add_user(store, "viewer12", "viewer", ["2025:12"], PASSWORD)
    return app


def login(app, name):
    client = app.test_client()
    page = client.get("/login?lang=vi").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    resp = client.post("/login", data={"name": name, "password": PASSWORD, "csrf_token": token})
    assert resp.status_code == 302
    return client


def visible_text(page: str) -> str:
    """What a reader sees: no scripts, styles, tags, attribute values, data tables of the map config."""
    page = re.sub(r"(?is)<(script|style)\b.*?</\1>", " ", page)
    page = re.sub(r"(?s)<[^>]*>", " ", page)
    return html.unescape(page)


def english_in(text: str) -> list[str]:
    # user data (commune and province names, codes) is Vietnamese; file names and URLs are not words
    text = re.sub(r"\S+\.(csv|xlsx|zip|png|pdf|geojson|json|html)\b", " ", text)
    # the audit log's action codes (``status.import``) and JSON details are log data, not interface
    text = re.sub(r"\b[a-z_]+\.[a-z_]+\b|\{[^{}]*\}", " ", text)
    return sorted({m.group(0).lower() for m in ENGLISH_RE.finditer(text)})


@pytest.mark.parametrize("url", PAGES)
def test_vietnamese_pages_have_no_english(app, url):
    client = login(app, "admin")
    resp = client.get(url + ("&" if "?" in url else "?") + "lang=vi")
    assert resp.status_code == 200, url
    found = english_in(visible_text(resp.get_data(as_text=True)))
    assert not found, f"{url}: English in the Vietnamese page: {found}"


@pytest.mark.parametrize("url,code", [("/map/2025/14", 403), ("/unit/2025/99999", 404), ("/nowhere", 404)])
def test_vietnamese_error_pages_have_no_english(app, url, code):
    client = login(app, "viewer12")
    resp = client.get(url + "?lang=vi")
    assert resp.status_code == code
    found = english_in(visible_text(resp.get_data(as_text=True)))
    assert not found, f"{url} ({code}): English in the Vietnamese error page: {found}"


def test_export_headings_are_vietnamese(app):
    client = login(app, "admin")
    csv_text = client.get("/export/2025/12.csv?lang=vi").get_data(as_text=True).lstrip("\ufeff")
    header = csv_text.splitlines()[0]
    assert not english_in(header.replace("_", " ")), f"CSV header in English: {header}"
    book = openpyxl.load_workbook(io.BytesIO(client.get("/export/2025/12.xlsx?lang=vi").get_data()))
    first = [str(c.value or "") for c in next(book.worksheets[0].iter_rows(max_row=1))]
    assert not english_in(" ".join(first).replace("_", " ")), f"XLSX header in English: {first}"
    assert header.startswith("Tính đến ngày,Phiên bản,Mã xã,") and "Trạng thái" in header
    english = client.get("/export/2025/12.csv?lang=en").get_data(as_text=True).lstrip("\ufeff")
    assert english.splitlines()[0].startswith("As of,Edition,Commune code,")


def test_numbers_and_times_in_vietnamese_pages(app):
    client = login(app, "admin")
    audit = visible_text(client.get("/admin/audit?lang=vi").get_data(as_text=True))
    assert re.search(r"\b\d\d/\d\d/20\d\d \d\d:\d\d\b", audit), "audit times are not dd/mm/yyyy HH:mm"
    assert not re.search(r"\d{4}-\d\d-\d\dT\d\d:", audit), "audit log shows ISO UTC times"
    unit = visible_text(client.get("/unit/2025/03388?lang=vi").get_data(as_text=True))
    assert "01/08/2025" in unit and "2025-08-01" not in unit
    legend = client.get("/api/v1/2025/indicators?province=12&indicator=so_vu_pham_toi&lang=vi").get_json()["legend"]
    labels = " ".join(r["label"] for r in legend)
    assert "no data" not in labels and "Không có số liệu" in labels
    assert "," in labels or "." in labels
