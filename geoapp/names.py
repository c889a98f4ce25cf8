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

APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "`": "'", "´": "'", "ʻ": "'"})
_SPACES = re.compile(r"[\s\-‐–—]+")


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
