"""Text encodings of attribute tables: choose one, and recognise mojibake.

Vietnamese GIS files arrive in four shapes: UTF-8 (with or without a ``.cpg``), Windows
code page 1258, UTF-8 bytes that some tool decoded as cp1252 and saved again ("XÃ£ Báº¯c"),
and text typed in the legacy 8-bit fonts TCVN3 (ABC) or VNI, which looks like
"X· B¾c S¬n" / "Xaõ Baéc Sôn" whatever code page is used to read it.

Trip-wire: VNI text is mostly made of letters that also exist in Vietnamese (é, ô, õ), so a
"are all letters Vietnamese?" test alone misses it; VNI's tone bytes ``ø ï û ö ñ`` are what give
it away. And cp1258 stores tones as *combining* marks, so decoded text must be NFC-normalised.
"""
from __future__ import annotations

import re
import unicodedata

_VI_LETTERS = set(
    "aàáảãạăằắẳẵặâầấẩẫậbcdđeèéẻẽẹêềếểễệghiìíỉĩịklmnoòóỏõọôồốổỗộơờớởỡợpqrstuùúủũụưừứửữựvxyỳýỷỹỵfjwz")
VIETNAMESE = _VI_LETTERS | {c.upper() for c in _VI_LETTERS}

# characters that TCVN3 (ABC) text shows when read through any Windows code page
_TCVN3_SIGNS = set("µ¸¶·¹¨»¾¼½Æ©ÇÊÈÉËªÌÐÎÏÑ«ÒÕÓÔÖ×ÝØÜÞ¬ßãáâäåèæçéíêëì®îóïñòôõøö÷ùúûüþý§¦¡¢£¤¥")
# VNI writes a base letter then a tone/mark byte; these never occur in real Vietnamese text
_VNI_SIGNS = set("øïûöñÑÖØÏÛ")
_DOUBLE_UTF8 = re.compile("Ã[\u0080-\u00ff]|Ä[\u0080-\u00ff]|Æ[°¯]|áº|á»|Ä‘|Ä")


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def strange_chars(text: str) -> set[str]:
    """Letters (or letter-like symbols above ASCII) that no Vietnamese word uses."""
    out = set()
    for ch in nfc(text):
        if ord(ch) < 128 or ch in VIETNAMESE:
            continue
        cat = unicodedata.category(ch)
        if cat.startswith(("L", "S")) or cat in ("Pd", "Po", "No", "Mn"):
            if ch in "–—‘’“”…·°" and ch not in _TCVN3_SIGNS:
                continue
            out.add(ch)
    return out


def diagnose(values) -> tuple[str, str] | None:
    """Look at text values; return ``(kind, example)`` if they look like mojibake, else None.

    ``kind`` is one of ``double_utf8`` (UTF-8 read as cp1252/latin-1), ``tcvn3``, ``vni``,
    ``unknown``.
    """
    texts = [nfc(str(v)) for v in values if isinstance(v, str) and v]
    for t in texts:
        if _DOUBLE_UTF8.search(t):
            return "double_utf8", t
    strange = [(t, strange_chars(t)) for t in texts]
    strange = [(t, s) for t, s in strange if s]
    if not strange:
        return None
    # one odd name among thousands can be a genuine foreign letter; many cannot
    if len(strange) < max(2, 0.02 * len(texts)):
        return None
    all_strange = set().union(*(s for _, s in strange))
    example = strange[0][0]
    vni = len(all_strange & _VNI_SIGNS)
    tcvn = len(all_strange & _TCVN3_SIGNS)
    if vni and vni >= tcvn / 2:
        return "vni", example
    if tcvn:
        return "tcvn3", example
    return "unknown", example


def advice(kind: str, example: str, encoding_used: str) -> tuple[str, str]:
    """English and Vietnamese messages telling what went wrong and what to pass."""
    if kind == "double_utf8":
        fixed = example
        try:
            fixed = example.encode("cp1252", errors="strict").decode("utf-8")
        except (UnicodeError, ValueError):
            pass
        return (f"names look like UTF-8 read as {encoding_used} (e.g. {example!r}, which is {fixed!r}); "
                "pass --encoding UTF-8",
                f"tên đọc sai bảng mã: văn bản UTF-8 bị đọc như {encoding_used} (ví dụ {example!r}); "
                "hãy dùng --encoding UTF-8")
    if kind in ("tcvn3", "vni"):
        font = "TCVN3 (ABC, .VnTime)" if kind == "tcvn3" else "VNI (VNI-Times)"
        return (f"names are typed in the legacy {font} font encoding (e.g. {example!r}); "
                "geoapp does not convert legacy fonts: convert the table to Unicode (e.g. Unikey's "
                "converter, source " + kind.upper() + ", target Unicode) and import again",
                f"tên được gõ bằng bảng mã cũ {font} (ví dụ {example!r}); geoapp không chuyển "
                "bảng mã cũ: hãy chuyển sang Unicode (ví dụ bằng công cụ chuyển mã của Unikey) rồi nhập lại")
    return (f"names contain characters no Vietnamese name uses (e.g. {example!r}) when read as "
            f"{encoding_used}; pass the right --encoding (e.g. UTF-8 or cp1258)",
            f"tên chứa ký tự lạ (ví dụ {example!r}) khi đọc bằng {encoding_used}; hãy chỉ rõ "
            "--encoding (ví dụ UTF-8 hoặc cp1258)")


def guess_bytes_encoding(raw_values: list[bytes]) -> str:
    """Pick ``UTF-8`` or ``cp1258`` for raw DBF text bytes (no ``.cpg`` given).

    UTF-8 is a strict code: bytes above 0x7F that decode as UTF-8 almost never are anything
    else. Otherwise cp1258, the Windows Vietnamese code page.
    """
    data = b"\n".join(raw_values)
    if all(b < 128 for b in data):
        return "UTF-8"
    try:
        data.decode("utf-8")
        return "UTF-8"
    except UnicodeDecodeError:
        return "cp1258"


