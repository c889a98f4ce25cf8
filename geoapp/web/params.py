"""Declared request parameters: one pydantic model per route, parsed once, read by the policy AND the view.

Trip-wires this module exists to close:

* **One source per request.** Route values come from the URL path; a read (GET/HEAD) takes the rest
  from the query string only, a write (POST …) from the form only — never ``request.values``, which
  mixes both and let a query string steer the policy while the form steered the view.
* **A name given twice is refused**, whether repeated in one source (``?edition=a&edition=b``) or
  given in the path and again in the source (``/map/2025/12?edition=pre2025``).
* **Empty means absent**: ``?province=`` is treated as not given (then a required field fails).
* **Checked against the data**: a province must exist in the edition, a unit code in the edition, a
  scheme or indicator in the catalogue. ``province`` ``None`` means the whole edition; a unit's
  province is filled in from the store, so the policy never guesses it.
* Numbers are finite and in range (``k`` 2–7, ``seed`` 0…2³²−1, ``fdr`` in (0, 1) or ``none``).

The OpenAPI document (:mod:`geoapp.web.openapi`) is generated from these same models.
"""
from __future__ import annotations

from typing import Annotated, ClassVar, Literal

from flask import request
from pydantic import (BaseModel, BeforeValidator, ConfigDict, Field, ValidationInfo,
                      field_validator, model_validator)
from pydantic import ValidationError as PydanticError

from ..editions import in_period
from ..errors import NotFoundError
from ..mapview.dates import default_as_of
from ..store.snapshot import snapshot
from .param_messages import vietnamese
from .param_types import (SEED_MAX, Breaks, Classes, Edition, Fdr, Flag, Indicator, IsoDate, Lang, ParamError,
                          Period, ProvinceCode, Rate, Scheme)
from .store_access import store

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


class Params(BaseModel):
    """Base of every route's parameters. ``PATH`` names the fields that come from the URL path;
    ``DERIVED`` the fields filled in by the model itself (never read from the request)."""

    model_config = ConfigDict(extra="ignore", frozen=True, str_strip_whitespace=True)
    PATH: ClassVar[tuple[str, ...]] = ()
    DERIVED: ClassVar[tuple[str, ...]] = ()


class EditionParams(Params):
    PATH: ClassVar = ("edition",)
    edition: Edition



class ProvinceParams(EditionParams):
    """An edition and one of its provinces (or ``all``: ``province`` becomes None = the whole edition)."""

    province: ProvinceCode
    ALLOW_ALL: ClassVar[bool] = True

    @field_validator("province")
    @classmethod
    def _known_province(cls, value, info: ValidationInfo):
        if value is None:
            return None
        if value == "all":
            if not cls.ALLOW_ALL:
                raise ValueError("one province is needed here, not all")
            return None
        edition = info.data.get("edition")
        if edition and value not in snapshot(store()).province_codes(edition):
            raise NotFoundError(f"no province {value} in edition {edition}",
                                message_vi=f"không có tỉnh {value} trong phiên bản {edition}")
        return value


class OptionalProvinceParams(ProvinceParams):
    province: ProvinceCode = None


class PathProvinceParams(ProvinceParams):
    PATH: ClassVar = ("edition", "province")


class SinceMixin(BaseModel):
    """``since``: the first day of a change view (:mod:`geoapp.mapview.transitions`) — a date before
    ``as_of`` (or the default date when ``as_of`` is absent) inside the edition's period."""

    since: IsoDate = None

    @model_validator(mode="after")
    def _since_before_as_of(self):
        if self.since is None:
            return self
        edition = getattr(self, "edition", None)
        as_of = getattr(self, "as_of", None) or default_as_of(store(), edition)
        if self.since >= as_of:
            raise ParamError(f"since ({self.since}) must be before as_of ({as_of})",
                             message_vi=f"since ({self.since}) phải trước ngày xem as_of ({as_of})")
        if not in_period(edition, self.since):
            raise ParamError(f"since ({self.since}) is outside the period of the {edition} map",
                             message_vi=f"since ({self.since}) nằm ngoài thời gian hiệu lực của bản đồ {edition}")
        return self


class LayerMixin(SinceMixin):
    """What a map view shows: a status scheme or an indicator, on a date, classed (``since``: a change view)."""

    scheme: Scheme = "antt"
    indicator: Indicator | None = None
    as_of: IsoDate = None
    classes: Classes = "quantiles"
    k: int = Field(5, ge=2, le=7)
    breaks: Breaks = ()
    rate: Rate = False
    period: Period | None = None
    hotspots: Flag = False
    #: hot spots of a scheme: which statuses form the event (default: the scheme's hotspot_statuses)
    status: str | None = Field(None, max_length=64, pattern=r"^[a-z0-9_]+$")


class MapViewParams(LayerMixin, PathProvinceParams):
    """``/map``, ``/embed/map``: a province (or ``all``) and what it shows."""


class ExportParams(MapViewParams):
    PATH: ClassVar = ("edition", "province", "fmt")
    fmt: Literal["csv", "xlsx", "geojson", "gpkg", "shp.zip", "html", "png", "pdf", "zip"]
    dpi: Annotated[Literal[96, 150, 200, 300], BeforeValidator(int)] = 150


class OverviewParams(EditionParams):
    scheme: Scheme = "ma_tuy"
    as_of: IsoDate = None


class UnitListParams(PathProvinceParams):
    pass


class UnitParams(EditionParams):
    """One unit by code; ``province`` is looked up from the store (what the policy checks)."""

    PATH: ClassVar = ("edition", "code")
    DERIVED: ClassVar = ("province",)
    code: Annotated[str, Field(pattern=r"^[0-9]{1,5}$")]
    province: str | None = Field(None, exclude=True, json_schema_extra={"readOnly": True})

    @model_validator(mode="after")
    def _known_unit(self):
        code = self.code.zfill(5)
        units = store().units(self.edition)
        row = units[units["code"] == code]
        if row.empty:
            raise NotFoundError(f"no unit {code} in edition {self.edition}", message_vi=f"không có đơn vị {code}")
        object.__setattr__(self, "code", code)
        object.__setattr__(self, "province", row.iloc[0]["province_code"])
        return self


class CompareParams(Params):
    PATH: ClassVar = ("province",)
    edition: ClassVar[str] = "2025"
    province: ProvinceCode
    old: ProvinceCode = None
    as_of: IsoDate = None
    scheme: Scheme = "ma_tuy"

    @field_validator("province")
    @classmethod
    def _known(cls, value):
        if value in (None, "all") or value not in set(store().provinces("2025")["code"]):
            raise NotFoundError(f"no province {value} in edition 2025", message_vi=f"không có tỉnh {value}")
        return value


# -- the API -----------------------------------------------------------------------------------
class ApiParams(Params):
    lang: Lang = "vi"


class ApiEdition(ApiParams, EditionParams):
    pass


class ApiUnitsParams(ApiParams, ProvinceParams):
    lod: int | None = Field(None, ge=0, le=3)
    format: Literal["geojson", "csv"] = "geojson"


class ApiStatusesParams(SinceMixin, ApiParams, ProvinceParams):
    """Statuses on ``as_of``; with ``since``, the change from that day (relapsed, converted …)."""

    scheme: Scheme = "antt"
    as_of: IsoDate = None


class ApiStatsParams(ApiStatusesParams, OptionalProvinceParams):
    pass


class ApiIndicatorsParams(ApiParams, ProvinceParams):
    indicator: Indicator
    classes: Classes = "quantiles"
    k: int = Field(5, ge=2, le=7)
    breaks: Breaks = ()
    rate: Rate = False
    period: Period | None = None


class ApiProvincesGeojsonParams(ApiEdition):
    scheme: Scheme = "antt"
    as_of: IsoDate = None


class ApiOutlinesParams(ApiParams, OptionalProvinceParams):
    level: Literal["province", "district"] = "province"

    @model_validator(mode="after")
    def _district_needs_province(self):
        if self.level == "district" and self.province is None:
            raise ValueError("district outlines need ?province=<code>")
        return self


class ApiHotspotsParams(ApiParams, OptionalProvinceParams):
    indicator: Indicator | None = None
    scheme: Scheme | None = None
    status: str | None = Field(None, max_length=64, pattern=r"^[a-z0-9_]+$")
    period: Period | None = None
    as_of: IsoDate = None
    method: Literal["gi_star", "local_moran", "join_count"] | None = None
    weights: Literal["queen", "rook", "knn", "distance"] = "queen"
    permutations: int = Field(999, ge=1, le=9999)
    seed: int = Field(12345, ge=0, le=SEED_MAX)
    fdr: Fdr = 0.05
    rate: Rate = False

    @model_validator(mode="after")
    def _one_layer(self):
        if not (self.indicator or self.scheme):
            raise ValueError("give ?indicator= or ?scheme= (?status= overrides its hot-spot statuses)")
        return self


class ApiEmergingParams(ApiParams, OptionalProvinceParams):
    indicator: Indicator
    rate: Rate = False


class ApiUnitParams(ApiParams, UnitParams):
    pass


# -- forms -------------------------------------------------------------------------------------
class UploadParams(ProvinceParams):
    """The upload form (POST): what is uploaded, into which edition and (one) province."""

    PATH: ClassVar = ()
    ALLOW_ALL: ClassVar[bool] = False
    kind: Literal["boundaries", "status", "indicators"]
    scheme: Scheme | None = None                      # for status files without a scheme column
    header_row: int | None = Field(None, ge=1, le=1000)   # where the column names are (else found)


class UploadCommitParams(UploadParams):
    upload_id: str = Field(pattern=r"^[A-Za-z0-9_-]{8,64}$")


class ShareParams(ProvinceParams):
    """The share form: a map view (edition, province or all, its query) and how long the link lives."""

    PATH: ClassVar = ()
    query: str = Field("", max_length=1000, pattern=r"^[^\r\n<>\"']*$")
    days: int = Field(7, ge=1, le=90)


class ShareLinkParams(Params):
    PATH: ClassVar = ("link_id",)
    link_id: int = Field(ge=1)


class ShareTokenParams(Params):
    PATH: ClassVar = ("token",)
    token: str = Field(max_length=200, pattern=r"^[A-Za-z0-9_-]+$")


class LoginParams(Params):
    """The sign-in form. The password is taken exactly as typed (never stripped)."""

    model_config = ConfigDict(extra="ignore", frozen=True, str_strip_whitespace=False)
    name: Annotated[str, BeforeValidator(lambda v: str(v).strip())] = Field("", max_length=64)
    password: str = Field("", max_length=1024)
    next: str = Field("", max_length=2000)


class NoParams(Params):
    pass


# -- parsing -----------------------------------------------------------------------------------
def source_values(model: type[Params], view_args: dict | None, method: str, query, form) -> dict:
    """The raw values for ``model``: path values, plus the query (reads) or the form (writes).

    Raises :class:`ParamError` for a name given twice (in one source, or in the path and the source)."""
    view_args = dict(view_args or {})
    source = form if method in UNSAFE else query
    data = {name: view_args[name] for name in model.PATH if name in view_args}
    for name in model.model_fields:
        if name in model.DERIVED:
            continue
        if name in model.PATH:
            if name in source:
                raise ParamError(f"{name} is part of the address; do not give it again",
                                 message_vi=f"{name} đã có trong đường dẫn; không được gửi lại")
            continue
        values = [v for v in source.getlist(name)] if name in source else []
        if len(values) > 1:
            raise ParamError(f"{name} is given {len(values)} times; give it once",
                             message_vi=f"tham số {name} được gửi {len(values)} lần; chỉ gửi một lần")
        if values and values[0].strip() != "":
            data[name] = values[0]
    return data


def parse(model: type[Params], view_args: dict | None = None, method: str | None = None, query=None,
          form=None) -> Params:
    """Parse and check the parameters of the current request (or of the given parts) into ``model``."""
    method = method or request.method
    query = request.args if query is None else query
    form = request.form if form is None and method in UNSAFE else (form or {})
    data = source_values(model, request.view_args if view_args is None else view_args, method, query, form)
    try:
        return model.model_validate(data)
    except PydanticError as exc:
        raise _param_error(exc) from None


def _param_error(exc: PydanticError) -> ParamError:
    parts_en, parts_vi = [], []
    for err in exc.errors(include_url=False, include_input=False):
        name = ".".join(str(x) for x in err.get("loc", ())) or "request"
        msg = err.get("msg", "invalid").removeprefix("Value error, ")
        parts_en.append(f"{name}: {msg}")
        parts_vi.append(f"tham số {name}: {vietnamese(err)}")
    return ParamError("; ".join(parts_en) or "invalid parameters", message_vi="; ".join(parts_vi))
