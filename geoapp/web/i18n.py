"""Vietnamese (default) and English UI strings; ``?lang=en`` switches and is remembered in a cookie."""
from __future__ import annotations

from flask import g, request

STRINGS = {
    "title": ("geoapp — bản đồ ANTT cấp xã", "geoapp — commune security maps"),
    "editions": ("Phiên bản bản đồ hành chính", "Administrative map editions"),
    "edition": ("Phiên bản", "Edition"),
    "provinces": ("Tỉnh / thành phố", "Provinces"),
    "province": ("Tỉnh", "Province"),
    "units": ("Đơn vị cấp xã", "Commune-level units"),
    "with_geometry": ("Có ranh giới", "With boundary"),
    "no_geometry": ("Chưa có ranh giới", "No geometry"),
    "code": ("Mã", "Code"),
    "name": ("Tên", "Name"),
    "type": ("Loại", "Type"),
    "district": ("Huyện", "District"),
    "area": ("Diện tích (km²)", "Area (km²)"),
    "empty": ("Chưa có dữ liệu. Chạy `geoapp demo` để nạp dữ liệu minh họa.",
              "No data yet. Run `geoapp demo` to load the demo data."),
    "sources": ("Nguồn dữ liệu", "Data sources"),
    "download": ("Tải xuống", "Download"),
    "not_found": ("Không tìm thấy", "Not found"),
    "error": ("Lỗi", "Error"),
    "back": ("Về trang chủ", "Back to start"),
}


def init_app(app):
    @app.before_request
    def pick_language():
        lang = request.args.get("lang") or request.cookies.get("lang") or "vi"
        g.lang = "en" if lang == "en" else "vi"

    @app.after_request
    def remember_language(resp):
        if request.args.get("lang") in ("vi", "en"):
            resp.set_cookie("lang", request.args["lang"], max_age=365 * 86400, samesite="Lax", httponly=True)
        return resp

    @app.context_processor
    def translator():
        def t(key: str) -> str:
            vi, en = STRINGS.get(key, (key, key))
            return en if getattr(g, "lang", "vi") == "en" else vi
        return {"t": t, "lang": getattr(g, "lang", "vi")}
