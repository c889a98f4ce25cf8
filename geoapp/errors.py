"""The geoapp error tree. Domain code raises these; only the web layer maps them to HTTP.

::

    GeoappError                      anything geoapp refuses, with a message that says what to do
    ├── ConfigError                  a setting is missing or malformed
    ├── InputError                   a file or argument cannot be used as given
    │   ├── ValidationError          the input was read; it breaks rules (``problems`` lists all)
    │   ├── CRSError                 no usable CRS (``candidates`` lists likely ones)
    │   └── EncodingError            text cannot be decoded, or decodes to mojibake
    ├── NotFoundError                an edition, province or unit that does not exist
    ├── FetchError                   a source (mirror folder or URL) could not deliver a file
    ├── RateLimitedError             too much work asked at once; try again after ``retry_after`` s
    └── StoreError                   the database refused (schema too new, locked …)

Every error keeps its message in English and Vietnamese where a user may read it: ``str(e)``
is the English text, ``e.message_vi`` the Vietnamese one (falls back to English).
"""
from __future__ import annotations

from dataclasses import dataclass, field


class GeoappError(Exception):
    """Base of every error geoapp raises on purpose."""

    def __init__(self, message: str, *, message_vi: str | None = None):
        super().__init__(message)
        self.message = message
        self.message_vi = message_vi or message

    def to_dict(self) -> dict:
        return {"error": type(self).__name__, "message": self.message,
                "message_vi": self.message_vi}


class ConfigError(GeoappError):
    """A setting is missing or malformed."""


class InputError(GeoappError):
    """A file or argument cannot be used as given."""


@dataclass(frozen=True)
class Problem:
    """One problem found while validating an input.

    ``where`` names the place (a feature number, a code, a column); ``level`` is ``error``
    (the input is refused) or ``repaired``/``warning`` (accepted, but the user is told).
    """

    level: str
    message: str
    where: str = ""
    message_vi: str = ""

    def __str__(self) -> str:
        prefix = f"{self.where}: " if self.where else ""
        return f"[{self.level}] {prefix}{self.message}"

    def to_dict(self) -> dict:
        return {"level": self.level, "where": self.where, "message": self.message,
                "message_vi": self.message_vi or self.message}


class ValidationError(InputError):
    """The input was read but breaks rules; ``problems`` holds every one found, not just the first."""

    def __init__(self, message: str, problems: list[Problem], **kw):
        super().__init__(message, **kw)
        self.problems = list(problems)

    def __str__(self) -> str:
        errors = [p for p in self.problems if p.level == "error"]
        lines = [self.message] + [f"  {p}" for p in errors[:50]]
        if len(errors) > 50:
            lines.append(f"  … and {len(errors) - 50} more errors")
        return "\n".join(lines)

    def to_dict(self) -> dict:
        d = super().to_dict()
        d["problems"] = [p.to_dict() for p in self.problems]
        return d


@dataclass
class CRSCandidate:
    """A CRS that would put the data's coordinates somewhere plausible in Vietnam."""

    crs: str
    name: str
    lon: float
    lat: float
    note: str = field(default="")

    def __str__(self) -> str:
        return f"{self.crs} ({self.name}) → centre at {self.lon:.3f}°E {self.lat:.3f}°N {self.note}".rstrip()


class CRSError(InputError):
    """No usable coordinate reference system; ``candidates`` are judged from the coordinates."""

    def __init__(self, message: str, candidates: list[CRSCandidate] | None = None, **kw):
        super().__init__(message, **kw)
        self.candidates = list(candidates or [])

    def __str__(self) -> str:
        if not self.candidates:
            return self.message
        return self.message + "\n" + "\n".join(f"  --crs {c}" for c in self.candidates)

    def to_dict(self) -> dict:
        d = super().to_dict()
        d["candidates"] = [c.__dict__ for c in self.candidates]
        return d


class EncodingError(InputError):
    """Text cannot be decoded, or decodes to mojibake (wrong code page, TCVN3/VNI fonts)."""


class NotFoundError(GeoappError):
    """An edition, province or unit that does not exist."""


class FetchError(GeoappError):
    """A source (mirror folder or URL) could not deliver a file."""


class RateLimitedError(GeoappError):
    """Too much work asked at once (e.g. export jobs); the web answers 429 with ``Retry-After``.

    ``retry_after`` is in whole seconds (at least 1): a client that waits that long may try again.
    """

    def __init__(self, message: str, *, retry_after: float = 1, message_vi: str | None = None):
        super().__init__(message, message_vi=message_vi)
        self.retry_after = max(1, int(-(-float(retry_after) // 1)))     # ceil, never 0

    def to_dict(self) -> dict:
        return {**super().to_dict(), "retry_after": self.retry_after}


class StoreError(GeoappError):
    """The database refused: schema newer than this code, locked, or corrupt."""
