"""Vietnamese names: normalisation and comparison keys.

Trip-wires: the same name arrives in NFC and NFD, with old and new tone placement
("Hòa" / "Hoà", "Thủy" / "Thuỷ"), with ``đ``/``Đ``, curly apostrophes ("Cư M’gar") and varying
spaces and hyphens. :func:`fold` removes all of that — and with it the difference between
genuinely different names ("Tân Thành" / "Tân Thạnh"), so a folded match is a candidate, never
a proof.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "`": "'", "´": "'", "ʻ": "'"})
_SPACES = re.compile(r"[\s\-‐–—]+")


@lru_cache(maxsize=262_144)   # names repeat a lot (10,000 communes, many files)
def fold(text) -> str:
    """Reduce a Vietnamese name to a comparison key without diacritics.

    Parameters
    ----------
    text : str
        Any name, in any Unicode form, case or tone placement.

    Returns
    -------
    str
        NFC → lower case → diacritics dropped (NFD, combining marks removed), ``đ`` → ``d``,
        apostrophe variants unified to ``'``, runs of spaces and hyphens collapsed to one space.
        "Hòa" and "Hoà" (tone placement), NFD and NFC input all give the same key.

    Notes
    -----
    The key is lossy: "Tân Thành" and "Tân Thạnh" fold alike, so never match on it alone
    where same-province homonyms are possible.

    Examples
    --------
    >>> fold("Phường Đoàn Kết")
    'phuong doan ket'
    >>> fold("Hòa") == fold("Hoà")
    True
    """
    lowered = unicodedata.normalize("NFC", str(text)).lower()
    bare = "".join(ch for ch in unicodedata.normalize("NFD", lowered)
                   if not unicodedata.combining(ch))
    bare = bare.replace("đ", "d").translate(APOSTROPHES)
    return _SPACES.sub(" ", bare).strip()


# old ("hòa") and new ("hoà") tone placement differ only at the end of a syllable
_TONE_PLACEMENT = {
    "òa": "oà", "óa": "oá", "ỏa": "oả", "õa": "oã", "ọa": "oạ",
    "òe": "oè", "óe": "oé", "ỏe": "oẻ", "õe": "oẽ", "ọe": "oẹ",
    "ùy": "uỳ", "úy": "uý", "ủy": "uỷ", "ũy": "uỹ", "ụy": "uỵ",
}
_TONE_RE = re.compile("(" + "|".join(_TONE_PLACEMENT) + r")(?!\w)")
# type prefixes, written out or abbreviated; the accented forms are unambiguous, the bare ones
# are not ("Phuong Liet" may be "Phường Liệt" or "Phương Liệt"), so callers try both readings
_UNIT_PREFIXES = ("xã", "x.", "phường", "p.", "thị trấn", "tt.", "tt", "đặc khu", "đk.")
_UNIT_PREFIXES_BARE = ("xa", "phuong", "thi tran", "dac khu")
_DISTRICT_PREFIXES = ("huyện", "h.", "quận", "q.", "thị xã", "tx.", "thành phố", "tp.", "tp",
                      "huyen", "quan", "thi xa", "thanh pho")
_PROVINCE_PREFIXES = ("tỉnh", "t.", "thành phố", "tp.", "tp", "thủ đô", "tinh", "thanh pho", "thu do")


@lru_cache(maxsize=262_144)
def tone_key(text) -> str:
    """NFC, lower case, tone placement unified, spaces/hyphens collapsed — diacritics kept.

    Distinguishes "Tân Thành" from "Tân Thạnh" but not "Hòa" from "Hoà".
    """
    lowered = unicodedata.normalize("NFC", str(text)).lower().translate(APOSTROPHES)
    lowered = _SPACES.sub(" ", lowered).strip()
    return _TONE_RE.sub(lambda m: _TONE_PLACEMENT[m.group(0)], lowered)


def _without_prefix(key: str, prefixes) -> str | None:
    for prefix in sorted(prefixes, key=len, reverse=True):
        if key.startswith(prefix):
            rest = key[len(prefix):]
            if prefix.endswith(".") or rest.startswith(" "):
                rest = rest.strip(" .")
                if rest:
                    return rest
    return None


@lru_cache(maxsize=262_144)
def unit_name_variants(name) -> tuple[tuple[str, str], ...]:
    """Readings of a commune name as (tone key, folded key), most literal first.

    "Xã Hòa Bình" → [("xã hoà bình", …), ("hoà bình", "hoa binh")]; a bare "Phuong Liet" gives
    both "phuong liet" and "liet", and the caller decides which one names a unit.
    """
    key = tone_key(name)
    variants = [key]
    stripped = _without_prefix(key, _UNIT_PREFIXES)
    if stripped:
        variants.append(stripped)
    elif fold(key) == key:      # no diacritics at all: a bare prefix is possible
        bare = _without_prefix(key, _UNIT_PREFIXES_BARE)
        if bare:
            variants.append(bare)
    return tuple((v, fold(v)) for v in variants)


def district_key(name) -> str:
    key = tone_key(name)
    return fold(_without_prefix(key, _DISTRICT_PREFIXES) or key)


def province_key(name) -> str:
    key = tone_key(name)
    return fold(_without_prefix(key, _PROVINCE_PREFIXES) or key)
