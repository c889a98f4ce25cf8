"""The interface strings, Vietnamese (default) and English: the page table (``t(key)`` in the templates)
and the strings map.js shows (``config.strings``). No Flask: the web, the CLI and the briefing read them.

Trip-wires:

* each entry is ``key: (vi, en)``; any language but ``"en"`` gets Vietnamese, and an unknown key
  shows itself (a missing string is visible on the page, never an error);
* the request's language (``?lang=`` and its cookie) is the web's business
  (:mod:`geoapp.web.i18n`): everything here takes ``lang`` explicitly.
"""
from __future__ import annotations

from collections.abc import Callable

#: the pages' strings: key → (vi, en), shown by ``t(key)`` in the templates
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
    "map": ("Bản đồ", "Map"),
    "layer": ("Lớp dữ liệu", "Layer"),
    "as_of": ("Tính đến ngày", "As of"),
    "year": ("Năm", "Year"),
    "classes": ("Cách chia lớp", "Classes"),
    "rate": ("Tỷ lệ trên 1.000 dân", "Rate per 1,000 people"),
    "search": ("Tìm xã (không cần dấu)", "Find a commune (accents optional)"),
    "status": ("Trạng thái / giá trị", "Status / value"),
    "summary": ("Tóm tắt", "Summary"),
    "legend": ("Chú giải", "Legend"),
    "timeline": ("Diễn biến trạng thái", "Status timeline"),
    "indicators": ("Chỉ tiêu theo thời gian", "Indicators over time"),
    "neighbours": ("Xã giáp ranh", "Neighbouring communes"),
    "none_recorded": ("Chưa có bản ghi.", "Nothing recorded."),
    "no_basemap": ("Không dùng nền bản đồ (GEOAPP_TILES=none).", "No basemap (GEOAPP_TILES=none)."),
    "list": ("Danh sách", "List"),
    "formed_from": ("Hình thành từ (trước 1/7/2025)", "Formed from (before 1 July 2025)"),
    "became": ("Sau 1/7/2025 trở thành", "From 1 July 2025 part of"),
    "split_part": ("một phần", "part"),
    "compare": ("trước và sau sắp xếp 1/7/2025", "before and after the 1 July 2025 reform"),
    "old_province": ("Tỉnh cũ", "Old province"), "show": ("Xem", "Show"),
    "before_reform": ("Trước 1/7/2025 — ranh giới xã cũ", "Before 1 July 2025 — old communes"),
    "after_reform": ("Đơn vị 2025 (trước 1/7/2025: chiếu từ xã cũ)", "2025 units (before 1 July 2025: projected)"),
    "no_old_geometry": ("Chưa có ranh giới xã cũ của tỉnh này.", "No old commune boundaries for this province."),
    "after_reform_note": ("Sau 1/7/2025 các xã này không còn; xem bản đồ đơn vị 2025.",
                          "After 1 July 2025 these communes no longer exist; see the 2025 map."),
    "share_link": ("Liên kết chia sẻ", "Share link"), "share_valid": ("Liên kết có hiệu lực", "The link works for"),
    "days": ("ngày", "days"), "my_shares": ("Liên kết đã chia sẻ", "Share links"), "view": ("Bản đồ", "View"),
    "expires": ("Hết hạn", "Expires"), "revoked": ("đã thu hồi", "revoked"), "revoke": ("Thu hồi", "Revoke"),
    "share_note": ("Ai có liên kết đều xem được bản đồ của tỉnh này đến khi hết hạn hoặc bị thu hồi.",
                   "Anyone holding the link sees this province's map until it expires or is revoked."),
    "embed": ("Nhúng", "Embed"), "share": ("Chia sẻ", "Share"),
    "small": ("Nhỏ", "Small"), "medium": ("Vừa", "Medium"), "large": ("Lớn", "Large"),
    "create_link": ("Tạo liên kết", "Create link"), "briefing_pack": ("Gói báo cáo (.zip)", "Briefing pack (.zip)"),
    "sign_in": ("Đăng nhập", "Sign in"), "sign_out": ("Đăng xuất", "Sign out"),
    "user_name": ("Tên đăng nhập", "User name"), "password": ("Mật khẩu", "Password"),
    "audit": ("Nhật ký", "Audit log"), "users": ("Người dùng", "Users"), "upload": ("Tải tệp lên", "Upload"),
    "when": ("Lúc", "When"), "who": ("Ai", "Who"), "what": ("Việc", "What"), "target": ("Đối tượng", "Target"),
    "from_where": ("Từ đâu", "From"), "detail": ("Chi tiết", "Detail"), "role": ("Vai trò", "Role"),
    "state": ("Trạng thái", "State"), "disabled": ("đã khóa", "disabled"), "locked": ("tạm khóa", "locked"),
    "users_cli": ("Thêm, khóa, đổi vai trò bằng lệnh `geoapp users`.", "Add, disable and change roles with `geoapp users`."),
    "where": ("Vị trí", "Where"), "problem": ("Vấn đề", "Problem"), "preview": ("Xem trước", "Preview"),
    "records_ok": ("bản ghi hợp lệ, chưa nhập", "valid records, not imported yet"),
    "commit": ("Nhập vào cơ sở dữ liệu", "Import"), "kind": ("Loại dữ liệu", "Kind"), "file": ("Tệp", "File"),
    "check_file": ("Kiểm tra tệp", "Check the file"), "imported": ("Đã nhập", "Imported"),
    "hotspots": ("Điểm nóng (Getis-Ord Gi*)", "Hot spots (Getis-Ord Gi*)"),
    "emerging": ("Xu hướng điểm nóng qua các năm", "Emerging hot spots over the years"),
    "how_to_read": ("Đọc kết quả thế nào?", "How to read this"),
    "hotspot_ranking": ("Xã điểm nóng / điểm lạnh", "Hot and cold spot communes"),
    "value": ("Giá trị", "Value"),
    "class": ("Lớp", "Class"),
    "approximate": ("Ranh giới xã trước 1/7/2025 là gần đúng (đa giác năm 2008 ghép theo danh mục 2024).",
                    "Pre-2025 commune boundaries are approximate (2008 polygons matched to the 2024 list)."),
    "quantiles": ("Phân vị", "Quantiles"),
    "fisher_jenks": ("Fisher-Jenks", "Fisher-Jenks"),
    "equal_interval": ("Khoảng đều", "Equal interval"),
}


def translate(key: str, lang: str) -> str:
    """The text of ``key`` in ``lang`` (English for ``"en"``, else Vietnamese); the key itself when unknown."""
    vi, en = STRINGS.get(key, (key, key))
    return en if lang == "en" else vi


def translator(lang: str) -> Callable[[str], str]:
    """``t(key)`` in ``lang``, as the templates call it."""
    def t(key: str) -> str:
        return translate(key, lang)
    return t


#: the strings map.js shows (the map config's ``strings``): key → (vi, en)
MAP_STRINGS = {
    "since": ("từ", "since"), "decision": ("Quyết định", "Decision"), "open_unit": ("Xem chi tiết xã →", "Commune page →"),
    "no_designation": ("Không xếp loại", "No designation"), "no_data": ("Không có số liệu", "No data"),
    "layer_units": ("Ranh giới xã", "Commune boundaries"), "layer_labels": ("Tên xã", "Commune names"),
    "layer_provinces": ("Ranh giới tỉnh", "Province outlines"), "layer_districts": ("Ranh giới huyện", "District outlines"),
    "converted_text": ("xã đã chuyển hóa", "communes converted"),
    "key_text": ("xã đang là địa bàn trọng điểm, phức tạp về ANTT", "communes are key complex areas"),
    "drug_free_text": ("xã không ma túy", "communes drug-free"),
    "target_text": ("Mục tiêu 2030: ít nhất 50 % số xã không ma túy (Kết luận 132-KL/TW)",
                    "2030 target: at least 50 % of communes drug-free (Conclusion 132-KL/TW)"),
    "per_1000": ("trên 1.000 dân", "per 1,000 people"),
    "share_title": ("Tỷ lệ xã không ma túy", "Share of drug-free communes"),
    "hotspots_title": ("Điểm nóng (Gi*, hiệu chỉnh FDR)", "Hot spots (Gi*, FDR-corrected)"),
    "emerging_title": ("Xu hướng điểm nóng (Gi* từng năm + Mann–Kendall)", "Emerging hot spots (yearly Gi* + Mann–Kendall)"),
    "key_title": ("Số xã trọng điểm", "Key communes"),
    "coverage": ("Số liệu của {p}/{n} tỉnh, {u} xã; tỉnh không có số liệu không được tính là 0",
                 "Data from {p} of {n} provinces, {u} communes; provinces without data are not counted as 0"),
    "no_data_title": ("Không có số liệu", "No data"),
}


def map_strings(lang: str) -> dict:
    """The strings map.js shows, in ``lang``."""
    i = 1 if lang == "en" else 0
    return {k: v[i] for k, v in MAP_STRINGS.items()}
