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
from typing import NamedTuple

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
@lru_cache(maxsize=262_144)
def tone_key(text) -> str:
    """NFC, lower case, tone placement unified, spaces/hyphens collapsed — diacritics kept.

    Distinguishes "Tân Thành" from "Tân Thạnh" but not "Hòa" from "Hoà".
    """
    lowered = unicodedata.normalize("NFC", str(text)).lower().translate(APOSTROPHES)
    lowered = _SPACES.sub(" ", lowered).strip()
    return _TONE_RE.sub(lambda m: _TONE_PLACEMENT[m.group(0)], lowered)


# -- type prefixes ---------------------------------------------------------------------------
# Official lists and office files write the type of a unit before its name, in full ("Thị trấn
# Mường Tè") or abbreviated ("TT Mường Tè", "T.T Mường Tè", "P.Tân Phong", "P1", "Q.3"). The type
# is part of the identity: Lai Châu had both Thị trấn Mường Tè and Xã Mường Tè in one district,
# Tiền Giang both Huyện and Thị xã Cai Lậy. So a prefix is not just stripped: it is read as a
# *kind* ("thi tran", "xa", …) that the caller uses to choose between same-named units.
UNIT_KINDS = ("xa", "phuong", "thi tran", "dac khu")
DISTRICT_KINDS = ("huyen", "quan", "thi xa", "thanh pho")
PROVINCE_KINDS = ("tinh", "thanh pho", "thu do")

# written-out prefixes (tone keys, so lower case, NFC) → kind
_UNIT_WORDS = {"xã": "xa", "phường": "phuong", "thị trấn": "thi tran", "đặc khu": "dac khu"}
_DISTRICT_WORDS = {"huyện": "huyen", "quận": "quan", "thị xã": "thi xa", "thành phố": "thanh pho"}
_PROVINCE_WORDS = {"tỉnh": "tinh", "thành phố": "thanh pho", "thủ đô": "thu do"}
# abbreviations (regular expressions over the tone key) → kind. A bare letter needs a dot, a
# space or a digit after it ("P.Tân Phong", "P Tân Phong", "P1"), so "Phú" or "Quảng" never read
# as one; X and H only with a dot ("X. Bản Bo", "H. Sìn Hồ"), as official lists write them.
_UNIT_ABBR = {"thi tran": r"t\.\s?t\.?|tt\.?", "phuong": r"p\.?", "xa": r"x\.", "dac khu": r"đ\.?k\.?"}
_DISTRICT_ABBR = {"thi xa": r"t\.\s?x\.?|tx\.?", "thanh pho": r"t\.\s?p\.?|tp\.?", "quan": r"q\.?",
                  "huyen": r"h\."}
_PROVINCE_ABBR = {"thanh pho": r"t\.\s?p\.?|tp\.?", "tinh": r"t\."}
#: after a prefix: spaces, or nothing after a dot ("TT.Mường Tè"), or a ward/district number ("P1")
_AFTER = r"(?:\s+|(?<=\.)\s*|(?=\d))(?P<rest>\S.*)$"
_TRIM = " .,;:-"


def _prefix_res(words: dict[str, str], abbreviations: dict[str, str]):
    full = [(kind, re.compile(rf"^{re.escape(word)}{_AFTER}")) for word, kind in words.items()]
    short = [(kind, re.compile(rf"^(?:{pattern}){_AFTER}")) for kind, pattern in abbreviations.items()]
    # without diacritics "xa"/"phuong"/"quan" may be a prefix or a word of the name ("Phuong Liet")
    bare = [(kind, re.compile(rf"^{re.escape(fold(word))}\s+(?P<rest>\S.*)$")) for word, kind in words.items()]
    return full + short, bare


_UNIT_RES = _prefix_res(_UNIT_WORDS, _UNIT_ABBR)
_DISTRICT_RES = _prefix_res(_DISTRICT_WORDS, _DISTRICT_ABBR)
_PROVINCE_RES = _prefix_res(_PROVINCE_WORDS, _PROVINCE_ABBR)


class NameReading(NamedTuple):
    """One way to read a name: its kind (``None`` when no prefix says it) and the name proper."""

    kind: str | None
    tone: str       #: tone key of the name proper (:func:`tone_key`)
    folded: str     #: folded key of the name proper (:func:`fold`)


def _reading(kind: str | None, text: str) -> NameReading:
    text = text.strip(_TRIM)
    if text.isdigit():              # numbered wards and districts: "Phường 01" = "Phường 1" = "P1"
        text = str(int(text))
    return NameReading(kind, text, fold(text))


def _readings(name, res) -> tuple[NameReading, ...]:
    prefixed, bare = res
    key = tone_key(name).strip(_TRIM)
    literal = _reading(None, key)
    for kind, pattern in prefixed:
        m = pattern.match(key)
        if m and m["rest"].strip(_TRIM):
            return (_reading(kind, m["rest"]), literal)
    if fold(key) == key:            # no diacritics at all: a bare prefix is possible, not certain
        for kind, pattern in bare:
            m = pattern.match(key)
            if m and m["rest"].strip(_TRIM):
                return (literal, _reading(kind, m["rest"]))
    return (literal,)


@lru_cache(maxsize=262_144)
def unit_readings(name) -> tuple[NameReading, ...]:
    """Readings of a commune name, most likely first.

    "TT Mường Tè" → (kind "thi tran", "mường tè") then the literal text; "Phường 01", "P1" and
    "P.1" all → (kind "phuong", "1"); "Xã Hòa Bình" → (kind "xa", "hoà bình"). A name without
    diacritics may begin with a bare type word or not ("Phuong Liet": Phường Liệt or Phương
    Liệt), so it gives the literal reading first, then the typed one; the caller decides which
    names a unit.

    Examples
    --------
    >>> unit_readings("TT. Mường Tè")[0]
    NameReading(kind='thi tran', tone='mường tè', folded='muong te')
    >>> unit_readings("P1")[0].tone == unit_readings("Phường 01")[0].tone == "1"
    True
    """
    return _readings(name, _UNIT_RES)


@lru_cache(maxsize=65_536)
def district_readings(name) -> tuple[NameReading, ...]:
    """Readings of a district name, like :func:`unit_readings`: "H. Sìn Hồ" → ("huyen", "sìn hồ"),
    "Q.3" / "Quận 03" → ("quan", "3"), "TX Cai Lậy" → ("thi xa", "cai lậy"); "Quan Son" (no
    diacritics) → the literal "quan son" (Huyện Quan Sơn), then ("quan", "son")."""
    return _readings(name, _DISTRICT_RES)


def district_reading(name) -> NameReading:
    """The typed reading of an official district name ("Huyện Sìn Hồ" → ("huyen", "sìn hồ"))."""
    readings = district_readings(name)
    return next((r for r in readings if r.kind), readings[0])


def district_key(name) -> str:
    """Folded district name without its type: "Huyện Sìn Hồ", "H. Sìn Hồ" → "sin ho"."""
    return district_reading(name).folded


def province_key(name) -> str:
    """Folded province name without its title: "Tỉnh Lai Châu", "TP. Hà Nội" → "lai chau", "ha noi"."""
    readings = _readings(name, _PROVINCE_RES)
    return next((r for r in readings if r.kind), readings[0]).folded


def unit_kind(unit_type, full_name=None) -> str | None:
    """The kind of a unit from its type column ("Thị trấn") or else its full name's prefix."""
    if unit_type and isinstance(unit_type, str):
        kind = fold(unit_type)
        if kind in UNIT_KINDS:
            return kind
    if full_name and isinstance(full_name, str):
        reading = unit_readings(full_name)[0]
        return reading.kind
    return None


def plain_key(text) -> str:
    """Folded text with every run of punctuation, "_" and spaces as one space (headers, labels).

    >>> plain_key("Trọng điểm, phức tạp về ANTT") == plain_key("trong_diem phuc tap ve antt")
    True
    """
    return re.sub(r"[^a-z0-9]+", " ", fold(text)).strip()
