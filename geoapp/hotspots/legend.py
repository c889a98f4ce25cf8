"""How hot-spot results are shown: the colour and vi/en label of every class and emerging
category, the legend, the how-to-read text, and plain result rows (NaN as None).

Trip-wires: the keys of :data:`CLASS_STYLES` are the classes of
:data:`geoapp.hotspots.local.CLASSES` in *legend* order (hottest first), which is also the order
results are sorted in (:data:`RANK`); a class added there needs a style here. The legend always
shows the three hot levels and "not significant", even with zero units, so an empty map still
says what a hot spot would look like.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .. import locale

#: class → (colour, Vietnamese label, English label), in legend order
CLASS_STYLES = {
    "hot_99": ("#b2182b", "Điểm nóng, tin cậy 99 %", "Hot spot, 99 % confidence"),
    "hot_95": ("#ef8a62", "Điểm nóng, tin cậy 95 %", "Hot spot, 95 % confidence"),
    "hot_90": ("#fddbc7", "Điểm nóng, tin cậy 90 %", "Hot spot, 90 % confidence"),
    "outlier_high": ("#e7298a", "Cao giữa vùng thấp", "High among low (outlier)"),
    "not_significant": ("#f0f0f0", "Không có ý nghĩa thống kê", "Not significant"),
    "outlier_low": ("#7570b3", "Thấp giữa vùng cao", "Low among high (outlier)"),
    "cold_90": ("#d1e5f0", "Điểm lạnh, tin cậy 90 %", "Cold spot, 90 % confidence"),
    "cold_95": ("#67a9cf", "Điểm lạnh, tin cậy 95 %", "Cold spot, 95 % confidence"),
    "cold_99": ("#2166ac", "Điểm lạnh, tin cậy 99 %", "Cold spot, 99 % confidence"),
    "no_neighbours": ("#9e9e9e", "Không có xã giáp ranh", "No neighbours"),
    "no_data": ("#ffffff", "Không có số liệu", "No data"),
}
#: class → position in the legend (results are sorted by it, hottest first)
RANK = {c: i for i, c in enumerate(CLASS_STYLES)}

HOW_TO_READ = {
    "vi": ("Điểm nóng là xã có giá trị cao nằm giữa các xã cũng có giá trị cao — một cụm, không phải một xã "
           "lẻ. Phép thử Getis-Ord Gi* so sánh tổng giá trị của xã và các xã giáp ranh với {perm} lần hoán vị "
           "ngẫu nhiên; mức tin cậy 99/95/90 % đã hiệu chỉnh cho việc kiểm định nhiều xã cùng lúc (FDR), nên "
           "số điểm nóng ngẫu nhiên được giữ ở mức thấp. \"Không có ý nghĩa\" không có nghĩa là an toàn: chỉ là "
           "dữ liệu chưa đủ để khẳng định có cụm. Xã không có xã giáp ranh (đảo) không được kiểm định."),
    "en": ("A hot spot is a commune with high values surrounded by communes with high values — a cluster, not "
           "a single commune. Getis-Ord Gi* compares the sum over a commune and its neighbours with {perm} "
           "random permutations; the 99/95/90 % confidence levels are corrected for testing many communes at "
           "once (false discovery rate), so chance hot spots stay rare. \"Not significant\" does not mean safe: "
           "the data do not show a cluster. Communes without neighbours (islands) are not tested."),
}

#: the how-to-read text of a status run (Local Join Count of the scheme's hot-spot statuses)
HOW_TO_READ_JOIN = {
    "vi": ("Điểm nóng là xã thuộc nhóm \"{event}\" nằm giữa các xã giáp ranh cũng thuộc nhóm đó — một cụm, "
           "không phải một xã lẻ. Phép đếm liên kết cục bộ (Local Join Count) so sánh số xã giáp ranh cùng nhóm "
           "với {perm} lần hoán vị ngẫu nhiên; mức tin cậy 99/95/90 % đã hiệu chỉnh cho việc kiểm định nhiều xã "
           "cùng lúc (FDR). Xã không thuộc nhóm không được kiểm định. \"Không có ý nghĩa\" không có nghĩa là an "
           "toàn: chỉ là dữ liệu chưa đủ để khẳng định có cụm. Xã không có xã giáp ranh (đảo) không được kiểm định."),
    "en": ("A hot spot is a commune in \"{event}\" whose neighbours are also in it — a cluster, not a single "
           "commune. The Local Join Count compares the number of such neighbours with {perm} random "
           "permutations; the 99/95/90 % confidence levels are corrected for testing many communes at once "
           "(false discovery rate). Communes outside the group are not tested. \"Not significant\" does not "
           "mean safe: the data do not show a cluster. Communes without neighbours (islands) are not tested."),
}


def how_to_read(method: str, lang: str, permutations: int, event: str = "") -> str:
    """The how-to-read text of a run: the join-count text (naming the ``event`` statuses) or Gi*'s."""
    lang = "en" if lang == "en" else "vi"
    if method == "join_count":
        return HOW_TO_READ_JOIN[lang].format(perm=permutations, event=event)
    return HOW_TO_READ[lang].format(perm=permutations)


EMERGING_COLOURS = {
    "new_hot": "#fcbba1", "consecutive_hot": "#fc9272", "intensifying_hot": "#a50f15", "persistent_hot": "#de2d26",
    "diminishing_hot": "#fb6a4a", "sporadic_hot": "#fee0d2", "oscillating_hot": "#e7298a", "historical_hot": "#bcbddc",
    "new_cold": "#c6dbef", "consecutive_cold": "#9ecae1", "intensifying_cold": "#08519c", "persistent_cold": "#3182bd",
    "diminishing_cold": "#6baed6", "sporadic_cold": "#deebf7", "oscillating_cold": "#7570b3",
    "historical_cold": "#dadaeb", "no_pattern": "#f0f0f0", "no_neighbours": "#9e9e9e", "no_data": "#ffffff",
}

_PATTERN_LABELS = {
    "new": ("mới", "New"), "consecutive": ("liên tiếp", "Consecutive"), "intensifying": ("tăng dần", "Intensifying"),
    "persistent": ("dai dẳng", "Persistent"), "diminishing": ("giảm dần", "Diminishing"),
    "sporadic": ("rải rác", "Sporadic"), "oscillating": ("dao động", "Oscillating"),
    "historical": ("trước đây", "Historical"),
}


def result_rows(frame: pd.DataFrame, lang: str = "vi") -> list[dict]:
    """Plain rows (no geometry) with the class label and colour, NaN as None, and the p-values as people
    read them beside the numbers (``p_text``, ``p_adjusted_text``: ``p < 0,001``, :func:`geoapp.locale.p_value`)."""
    i = 2 if lang == "en" else 1
    out = []
    for r in frame.drop(columns="geometry").to_dict("records"):
        style = CLASS_STYLES.get(r["class"], ("#cccccc", r["class"], r["class"]))
        row = {k: (None if isinstance(v, float) and not np.isfinite(v) else v) for k, v in r.items()}
        row.update(colour=style[0], label=style[i])
        if "p" in row:
            row.update(p_text=locale.p_value(row["p"], lang), p_adjusted_text=locale.p_value(row.get("p_adjusted"), lang))
        out.append(row)
    return out


def legend(frame: pd.DataFrame, lang: str = "vi") -> list[dict]:
    """One entry per class present (and always the hot levels and "not significant"), in legend order."""
    counts = frame["class"].value_counts()
    i = 2 if lang == "en" else 1
    return [{"class": c, "label": v[i], "colour": v[0], "units": int(counts.get(c, 0))}
            for c, v in CLASS_STYLES.items()
            if counts.get(c, 0) or c in ("hot_99", "hot_95", "hot_90", "not_significant")]


def emerging_label(category: str, lang: str = "vi") -> str:
    """"persistent_hot" → "Điểm nóng dai dẳng" / "Persistent hot spot"."""
    fixed = {"no_pattern": ("Không có xu hướng", "No pattern"),
             "no_neighbours": tuple(CLASS_STYLES["no_neighbours"][1:]),
             "no_data": tuple(CLASS_STYLES["no_data"][1:])}
    if category in fixed:
        return fixed[category][1 if lang == "en" else 0]
    pattern, _, kind = category.rpartition("_")
    vi, en = _PATTERN_LABELS.get(pattern, (pattern, pattern))
    if lang == "en":
        return f"{en} {'hot' if kind == 'hot' else 'cold'} spot"
    return f"Điểm {'nóng' if kind == 'hot' else 'lạnh'} {vi}"
