"""Status schemes and the indicator catalogue, read from TOML (see ``schemes.toml``).

A deployment adds or replaces schemes and indicators with its own TOML file
(``GEOAPP_SCHEMES_FILE``) — no code changes. Everything is validated on load: unknown kinds,
duplicate codes and malformed colours are refused with the file and entry named.
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

from .errors import ConfigError

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

    def label(self, lang: str = "vi") -> str:
        return self.label_en if lang == "en" else self.label_vi


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
                                   st.get("severity", 0), st.get("kind", "")))
        if not statuses:
            problems.append(f"{where}: a scheme needs at least one status")
        target = entry.get("target_status")
        if target and target not in seen:
            problems.append(f"{where}: target_status {target!r} is not one of its statuses")
        schemes[code] = Scheme(code, entry.get("label_vi", code), entry.get("label_en", code),
                               tuple(sorted(statuses, key=lambda s: s.severity)), entry.get("legal_basis", ""),
                               target, entry.get("target_share"), entry.get("target_date"))
    for code, entry in (doc.get("indicators") or {}).items():
        if not _CODE.match(code):
            problems.append(f"{origin}: indicators.{code}: code must be lower_snake_case")
            continue
        indicators[code] = Indicator(code, entry.get("label_vi", code), entry.get("label_en", code),
                                     entry.get("unit_vi", ""), entry.get("unit_en", ""),
                                     bool(entry.get("higher_is_worse", True)), bool(entry.get("is_population", False)))
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
