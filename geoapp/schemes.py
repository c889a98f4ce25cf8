"""Status schemes and the indicator catalogue, read from TOML (see ``schemes.toml``).

A deployment adds or replaces schemes and indicators with its own TOML file
(``GEOAPP_SCHEMES_FILE``) — no code changes. Everything is validated on load: unknown kinds,
duplicate codes and malformed colours are refused with the file and entry named.

Each scheme, status and indicator may declare ``aliases``: the wording that official decisions
and provincial files use ("Xã không ma túy", "Không có tệ nạn ma túy" for ``khong_ma_tuy``).
Imports compare them without case, diacritics or punctuation
(:func:`geoapp.names.plain_key`), so an alias that reads like another status of the same
scheme is refused on load.
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

from .errors import ConfigError
from .names import plain_key

KINDS = ("key", "problem", "converted", "good")
_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
_CODE = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class Status:
    code: str
    label_vi: str
    label_en: str
    colour: str
    severity: int
    kind: str
    aliases: tuple[str, ...] = ()

    def label(self, lang: str = "vi") -> str:
        return self.label_en if lang == "en" else self.label_vi


#: what a summary figure counts (see :mod:`geoapp.mapview.figures`)
FIGURE_KINDS = ("now", "ever", "transition")


@dataclass(frozen=True)
class Figure:
    """A summary figure of a scheme, declared in ``[[schemes.X.figures]]``.

    ``kind``: ``now`` — units whose status on the date is in ``statuses``; ``ever`` — units that
    were in one of ``statuses`` on some day from ``start`` (default: ever) to the date
    (cumulative); ``transition`` — units that moved from one of ``from_statuses`` into one of
    ``statuses`` between ``start`` and the date. Texts take ``{value}``, ``{units}``, ``{share}``,
    ``{start_year}`` and ``{year}``.
    """
    code: str
    kind: str
    statuses: tuple[str, ...]
    text_vi: str
    text_en: str
    definition_vi: str
    definition_en: str
    start: str | None = None
    from_statuses: tuple[str, ...] = ()
    headline: bool = False
    #: the indicator (``chi_tieu``) of ``published/tong_hop_cong_bo.csv`` this figure restates, if any
    published: str = ""

    def text(self, lang: str = "vi") -> str:
        return self.text_en if lang == "en" else self.text_vi

    def definition(self, lang: str = "vi") -> str:
        return self.definition_en if lang == "en" else self.definition_vi


@dataclass(frozen=True)
class Notions:
    """Which statuses of a scheme a change view reads as *key*, *converted* and *certified*
    (``[schemes.X.transitions]``; default: the statuses of kind ``key``, ``converted``, ``good``).

    :mod:`geoapp.mapview.transitions` names every change from these three sets only, so a scheme
    without a ``converted`` status (``ma_tuy``) declares what release from a key designation is.
    """
    key: tuple[str, ...] = ()
    converted: tuple[str, ...] = ()
    certified: tuple[str, ...] = ()


@dataclass(frozen=True)
class Scheme:
    code: str
    label_vi: str
    label_en: str
    statuses: tuple[Status, ...]
    legal_basis: str = ""
    target_status: str | None = None
    target_share: float | None = None
    target_date: str | None = None
    aliases: tuple[str, ...] = ()
    figures: tuple[Figure, ...] = ()
    #: the statuses that form the "event" of the scheme's status hot spots (``hotspot_statuses``;
    #: default: its ``key`` statuses)
    hotspot_statuses: tuple[str, ...] = ()
    #: what a change view (``?since=``) reads as key / converted / certified
    notions: Notions = field(default_factory=Notions)

    def status(self, code: str) -> Status:
        for s in self.statuses:
            if s.code == code:
                return s
        raise KeyError(code)

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(s.code for s in self.statuses)

    def label(self, lang: str = "vi") -> str:
        return self.label_en if lang == "en" else self.label_vi


@dataclass(frozen=True)
class Indicator:
    code: str
    label_vi: str
    label_en: str
    unit_vi: str
    unit_en: str
    higher_is_worse: bool
    is_population: bool = False
    aliases: tuple[str, ...] = ()

    def label(self, lang: str = "vi") -> str:
        return self.label_en if lang == "en" else self.label_vi


@dataclass(frozen=True)
class Catalogue:
    schemes: dict[str, Scheme] = field(default_factory=dict)
    indicators: dict[str, Indicator] = field(default_factory=dict)

    def scheme(self, code: str) -> Scheme:
        try:
            return self.schemes[code]
        except KeyError:
            raise ConfigError(f"unknown scheme {code!r}; known: {', '.join(self.schemes)}") from None


def _aliases(entry: dict, where: str, problems: list[str]) -> tuple[str, ...]:
    aliases = entry.get("aliases", [])
    if not isinstance(aliases, list) or not all(isinstance(a, str) and plain_key(a) for a in aliases):
        problems.append(f"{where}: aliases must be a list of non-empty strings")
        return ()
    return tuple(aliases)


def _check_aliases(where: str, statuses: list[Status], problems: list[str]) -> None:
    """Within one scheme, every code, label and alias must name one status only."""
    owner: dict[str, str] = {}
    for st in statuses:
        for text in (st.code, st.label_vi, st.label_en, *st.aliases):
            key = plain_key(text)
            if owner.setdefault(key, st.code) != st.code:
                problems.append(f"{where}: {text!r} would name both {owner[key]} and {st.code}")


def _figures(entry: dict, where: str, known: set, problems: list[str]) -> tuple[Figure, ...]:
    """The ``figures`` tables of one scheme, checked against its status codes."""
    out = []
    for i, f in enumerate(entry.get("figures", [])):
        at = f"{where}.figures[{i}] {f.get('code', '')!r}"
        statuses = tuple(f.get("statuses", []))
        before = tuple(f.get("from_statuses", []))
        if not _CODE.match(str(f.get("code", ""))):
            problems.append(f"{at}: code must be lower_snake_case")
        if f.get("kind") not in FIGURE_KINDS:
            problems.append(f"{at}: kind must be one of {', '.join(FIGURE_KINDS)}")
        if not statuses or not set(statuses + before) <= known:
            problems.append(f"{at}: statuses must name statuses of the scheme")
        if f.get("kind") == "transition" and not before:
            problems.append(f"{at}: a transition needs from_statuses")
        texts = ("text_vi", "text_en", "definition_vi", "definition_en")
        if not all(isinstance(f.get(k), str) and f.get(k) for k in texts):
            problems.append(f"{at}: {', '.join(texts)} are required")
        out.append(Figure(str(f.get("code", "")), str(f.get("kind", "")), statuses,
                          *(str(f.get(k, "")) for k in texts), f.get("start"), before, bool(f.get("headline")),
                          str(f.get("published", ""))))
    return tuple(out)


def _hotspot_statuses(entry: dict, where: str, statuses: list[Status], problems: list[str]) -> tuple[str, ...]:
    """``hotspot_statuses`` of a scheme (status codes of its own), or its ``key`` statuses when not given."""
    declared = entry.get("hotspot_statuses")
    if declared is None:
        return tuple(s.code for s in sorted(statuses, key=lambda s: -s.severity) if s.kind == "key")
    known = {s.code for s in statuses}
    if not isinstance(declared, list) or not declared or not all(isinstance(c, str) and c in known for c in declared):
        problems.append(f"{where}: hotspot_statuses must be a non-empty list of its status codes")
        return ()
    return tuple(declared)


def _notions(entry: dict, where: str, statuses: list[Status], problems: list[str]) -> Notions:
    """``[schemes.X.transitions]`` (key, converted, certified: lists of its status codes), each
    defaulting to the statuses of kind ``key``, ``converted`` and ``good``. A scheme with no key
    status (a school drug-prevention list, say) still loads: its change view shows certifications
    and other changes, never a relapse."""
    declared = entry.get("transitions") or {}
    known = {s.code for s in statuses}
    out = {}
    for name, kind in (("key", "key"), ("converted", "converted"), ("certified", "good")):
        value = declared.get(name)
        if value is None:
            out[name] = tuple(s.code for s in statuses if s.kind == kind)
        elif not isinstance(value, list) or not all(isinstance(c, str) and c in known for c in value):
            problems.append(f"{where}.transitions: {name} must be a list of its status codes")
        else:
            out[name] = tuple(value)
    if "key" in declared and not out.get("key"):      # declared empty; a scheme with no key status may omit it
        problems.append(f"{where}.transitions: a change view needs at least one key status")
    if set(out.get("key", ())) & set(out.get("converted", ()) + out.get("certified", ())):
        problems.append(f"{where}.transitions: a key status cannot also be converted or certified")
    return Notions(**out) if len(out) == 3 else Notions()


def _parse(doc: dict, origin: str, base: Catalogue | None) -> Catalogue:
    schemes = dict(base.schemes) if base else {}
    indicators = dict(base.indicators) if base else {}
    problems = []
    for code, entry in (doc.get("schemes") or {}).items():
        where = f"{origin}: schemes.{code}"
        if not _CODE.match(code):
            problems.append(f"{where}: code must be lower_snake_case")
            continue
        statuses, seen = [], set()
        for st in entry.get("statuses", []):
            sc = st.get("code", "")
            if not _CODE.match(sc) or sc in seen:
                problems.append(f"{where}: status code {sc!r} is missing, malformed or repeated")
                continue
            seen.add(sc)
            if st.get("kind") not in KINDS:
                problems.append(f"{where}.{sc}: kind must be one of {', '.join(KINDS)}")
            if not _COLOUR.match(str(st.get("colour", ""))):
                problems.append(f"{where}.{sc}: colour must be #rrggbb")
            if not isinstance(st.get("severity"), int):
                problems.append(f"{where}.{sc}: severity must be a whole number")
            if not st.get("label_vi") or not st.get("label_en"):
                problems.append(f"{where}.{sc}: label_vi and label_en are required")
            statuses.append(Status(sc, st.get("label_vi", ""), st.get("label_en", ""), st.get("colour", ""),
                                   st.get("severity", 0), st.get("kind", ""), _aliases(st, f"{where}.{sc}", problems)))
        if not statuses:
            problems.append(f"{where}: a scheme needs at least one status")
        _check_aliases(where, statuses, problems)
        target = entry.get("target_status")
        if target and target not in seen:
            problems.append(f"{where}: target_status {target!r} is not one of its statuses")
        schemes[code] = Scheme(code, entry.get("label_vi", code), entry.get("label_en", code),
                               tuple(sorted(statuses, key=lambda s: s.severity)), entry.get("legal_basis", ""),
                               target, entry.get("target_share"), entry.get("target_date"),
                               _aliases(entry, where, problems), _figures(entry, where, seen, problems),
                               _hotspot_statuses(entry, where, statuses, problems),
                               _notions(entry, where, statuses, problems))
    for code, entry in (doc.get("indicators") or {}).items():
        if not _CODE.match(code):
            problems.append(f"{origin}: indicators.{code}: code must be lower_snake_case")
            continue
        indicators[code] = Indicator(code, entry.get("label_vi", code), entry.get("label_en", code),
                                     entry.get("unit_vi", ""), entry.get("unit_en", ""),
                                     bool(entry.get("higher_is_worse", True)), bool(entry.get("is_population", False)),
                                     _aliases(entry, f"{origin}: indicators.{code}", problems))
    if problems:
        raise ConfigError("invalid scheme definitions:\n  " + "\n  ".join(problems))
    return Catalogue(schemes, indicators)


@lru_cache(maxsize=8)
def load_catalogue(extra_file: str | None = None) -> Catalogue:
    """The built-in catalogue, extended by ``extra_file`` (a TOML path) when given."""
    text = (resources.files("geoapp") / "schemes.toml").read_text(encoding="utf-8")
    catalogue = _parse(tomllib.loads(text), "schemes.toml", None)
    if extra_file:
        path = Path(extra_file)
        try:
            doc = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"GEOAPP_SCHEMES_FILE {path}: {exc}") from None
        catalogue = _parse(doc, path.name, catalogue)
    return catalogue
