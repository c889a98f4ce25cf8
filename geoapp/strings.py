"""The interface strings, Vietnamese (default) and English: the page table (``t(key)`` in the templates),
the strings map.js shows (``config.strings``) and the export column headings. No Flask: the web, the
CLI and the briefing read them. The texts live in gettext catalogues,
``translations/<lang>/LC_MESSAGES/messages.po`` (msgid = the key, msgstr = the text), which a
translator edits (README, "Translations"); this module only loads them.

Trip-wires:

* any language but ``"en"`` gets Vietnamese, and an unknown key (or an empty or fuzzy msgstr) shows
  the key itself (a missing string is visible on the page, never an error);
* each catalogue is read once per process (:func:`catalogue`, cached); after editing a ``.po`` file,
  restart the process;
* a key that no literal ``t("…")`` / ``translate("…", …)`` names is marked with :func:`N_` here, so
  ``pybabel extract`` finds it (and ``pybabel update`` never marks it obsolete);
* the request's language (``?lang=`` and its cookie) is the web's business
  (:mod:`geoapp.web.i18n`): everything here takes ``lang`` explicitly.
"""
from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from babel.messages.pofile import read_po

#: the catalogues: ``<lang>/LC_MESSAGES/messages.po``
TRANSLATIONS = Path(__file__).resolve().parent / "translations"
#: the languages with a catalogue; the first is the default
LANGUAGES = ("vi", "en")


def N_(key: str) -> str:
    """Mark ``key`` for ``pybabel extract`` (the gettext convention); returns it unchanged."""
    return key


#: the strings map.js shows (the map config's ``strings``)
MAP_KEYS = (
    N_("since"), N_("decision"), N_("open_unit"), N_("no_designation"), N_("no_data"), N_("layer_units"),
    N_("layer_labels"), N_("layer_provinces"), N_("layer_districts"), N_("converted_text"), N_("key_text"),
    N_("drug_free_text"), N_("target_text"), N_("per_1000"), N_("share_title"), N_("hotspots_title"), N_("hotspots_title_status"),
    N_("emerging_title"), N_("key_title"), N_("coverage"), N_("no_data_title"), N_("change_list"),
    N_("change_title"),
    N_("legend_toggle"),
)
#: page keys the templates build from a variable (``t('kind_' ~ k)``) or no literal call names
MARKED_KEYS = (
    N_("kind_boundaries"), N_("kind_status"), N_("kind_indicators"), N_("small"), N_("medium"), N_("large"),
    N_("legend"), N_("not_found"),
)

#: the column headings of a map view's CSV/XLSX (:func:`heading`): ``col_<column>``
HEADING_KEYS = (
    N_("col_as_of"), N_("col_edition"), N_("col_code"), N_("col_full_name"), N_("col_name"),
    N_("col_district_name"), N_("col_province_name"), N_("col_status"), N_("col_label"),
    N_("col_colour"), N_("col_since"), N_("col_hotspot"), N_("col_hotspot_z"), N_("col_hotspot_p"),
    N_("col_hotspot_p_fdr"), N_("col_decision"), N_("col_note"), N_("col_scheme"),
    N_("col_demo"), N_("col_value"), N_("col_class"), N_("col_indicator"), N_("col_period"),
    N_("col_rate_per_1000"),
)


def catalogue_language(lang: str) -> str:
    """The catalogue a request language reads: ``en`` for ``"en"``, else ``vi``."""
    return "en" if lang == "en" else "vi"


def catalogue_path(lang: str) -> Path:
    return TRANSLATIONS / catalogue_language(lang) / "LC_MESSAGES" / "messages.po"


@lru_cache(maxsize=None)
def catalogue(lang: str) -> dict[str, str]:
    """key → text of the catalogue of ``lang`` (read once per process); empty and fuzzy entries left out."""
    code = catalogue_language(lang)
    with catalogue_path(code).open("rb") as fh:
        messages = read_po(fh, locale=code, domain="messages")
    return {m.id: m.string for m in messages if m.id and isinstance(m.id, str) and m.string and not m.fuzzy}


def translate(key: str, lang: str) -> str:
    """The text of ``key`` in ``lang`` (English for ``"en"``, else Vietnamese); the key itself when unknown."""
    return catalogue(catalogue_language(lang)).get(key, key)


def translator(lang: str) -> Callable[[str], str]:
    """``t(key)`` in ``lang``, as the templates call it."""
    def t(key: str) -> str:
        return translate(key, lang)
    return t


def map_strings(lang: str) -> dict:
    """The strings map.js shows, in ``lang``."""
    return {k: translate(k, lang) for k in MAP_KEYS}


def heading(column: str, lang: str) -> str:
    """The heading of an exported column in ``lang`` (its ``col_<column>`` entry); the column name when none."""
    key = f"col_{column}"
    text = translate(key, lang)
    return column if text == key else text
