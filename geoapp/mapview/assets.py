"""Offline browser assets: maps load Leaflet (and jQuery for folium's popups) from the service itself.

The libraries come from PyPI, as the xstatic packages ``xstatic-leaflet`` and ``xstatic-jquery``
(dependencies of geoapp), and are served under ``/static/lib/<name>/`` from the installed package's
folder (:mod:`geoapp.resources` knows where); the fullscreen button is our own (``static/fullscreen.js``
and ``.css``, :class:`geoapp.mapview.basemap.FullscreenControl`). No npm, no CDN. This module makes
folium point at those files:

* :func:`offline_map` — a :class:`folium.Map` whose page references only local files; elements added
  later are switched to their local copies when the map renders;
* :func:`localize` — the same for a map (or figure) built elsewhere;
* :func:`inline_assets` — puts those local scripts and styles into the HTML itself (CSS images
  as ``data:`` URIs), for a standalone single-file export;
* :func:`assets_ready` / :func:`require_assets` — whether the library files are there.

URLs come from ``static_url``: a callable that maps a path under ``/static/`` to its URL (in
Flask, ``lambda f: url_for("static", filename=f)``, which also versions it), or a plain prefix such
as ``"/static"``. Flask is not imported here.

Bootstrap, Leaflet.awesome-markers and Font Awesome, which ``folium.Map`` also links by default,
are dropped: Map, GeoJson, Tooltip, Popup, LayerControl, the scale control and our fullscreen button
do not use them. ``folium.Icon`` (awesome-markers) does, so a strict map refuses it, as it refuses
any other element that would load a script or style from the network (``folium.plugins.Fullscreen``
included: use :class:`~geoapp.mapview.basemap.FullscreenControl`).
"""
from __future__ import annotations

import base64
import html as htmllib
import mimetypes
import re
from pathlib import Path
from typing import Callable, Union
from urllib.parse import urlsplit

import folium
from branca.element import CssLink, Element, Figure, JavascriptLink
from folium.elements import JSCSSMixin

from .. import resources

StaticUrl = Union[str, Callable[[str], str]]

#: folium resource name -> path under /static/ (folium's own names, so links dedupe)
LOCAL_JS: dict[str, str] = {
    "leaflet": "lib/leaflet/leaflet.js",
    "jquery": "lib/jquery/jquery.min.js",
    "geoapp_fullscreen": "fullscreen.js",
}
LOCAL_CSS: dict[str, str] = {
    "leaflet_css": "lib/leaflet/leaflet.css",
    "geoapp_fullscreen_css": "fullscreen.css",
}
#: what a map page loads, in order (Leaflet before anything that uses ``L``)
MAP_JS = ("leaflet", "jquery")
MAP_CSS = ("leaflet_css",)
#: every file under /static/ the maps need (incl. images the CSS refers to)
REQUIRED_FILES: tuple[str, ...] = tuple(dict.fromkeys(
    (*resources.LIBRARY_FILES, *LOCAL_JS.values(), *LOCAL_CSS.values())))

INSTALL_HINT = resources.REINSTALL_HINT
#: a versioned file name (``leaflet.0123456789ab.js``, see geoapp.web.static_files) -> the plain one
_HASHED = re.compile(r"\.[0-9a-f]{12}(?=\.[^./]+$)")

#: folium.Map's default resources that offline maps leave out (see the module docstring)
_DROPPED = frozenset(name for name, _ in [*folium.Map.default_js, *folium.Map.default_css]
                     if name not in MAP_JS and name not in MAP_CSS)


class AssetsMissingError(RuntimeError):
    """The browser libraries (or our map scripts) are not where geoapp serves them from."""


class OfflineAssetError(RuntimeError):
    """A map element wants a script or style that is not served locally (it would load from a CDN)."""


# --------------------------------------------------------------------------------------------
# readiness

def _local_file(rel: str, static_dir: Union[str, Path, None]) -> tuple[Path, Path]:
    """``(root, file)`` behind ``/static/<rel>``: under ``static_dir`` when given, else where
    :mod:`geoapp.resources` serves it from (an xstatic package for ``lib/...``, else ``static/``)."""
    if static_dir is not None:
        root = Path(static_dir).resolve()
        return root, root / rel
    prefix = next((p for p in resources.LIBRARIES if rel.startswith(p + "/")), None)
    folder = resources.library_dir(prefix) if prefix else resources.static_dir()
    root = (folder or Path(f"<{prefix} is not installed>")).resolve()
    return root, root / (rel[len(prefix) + 1:] if prefix else rel)


def missing_assets(static_dir: Union[str, Path, None] = None) -> list[str]:
    """Paths of :data:`REQUIRED_FILES` whose file is missing (see :func:`_local_file` for ``static_dir``)."""
    return [rel for rel in REQUIRED_FILES if not _local_file(rel, static_dir)[1].is_file()]


def assets_ready(static_dir: Union[str, Path, None] = None) -> bool:
    """True when every file the maps need is there."""
    return not missing_assets(static_dir)


def require_assets(static_dir: Union[str, Path, None] = None) -> None:
    """Raise :class:`AssetsMissingError` (saying how to fix it) unless :func:`assets_ready`."""
    missing = missing_assets(static_dir)
    if missing:
        shown = ", ".join(missing[:3]) + (f" and {len(missing) - 3} more" if len(missing) > 3 else "")
        raise AssetsMissingError(f"the map libraries are incomplete (missing {shown}): {INSTALL_HINT}")


# --------------------------------------------------------------------------------------------
# local links

def url_function(static_url: StaticUrl) -> Callable[[str], str]:
    """``"/static"`` -> ``lambda f: "/static/" + f``; a callable is returned as is."""
    if callable(static_url):
        return static_url
    prefix = str(static_url).rstrip("/")
    return lambda filename: f"{prefix}/{filename.lstrip('/')}"


def _is_remote(url: str) -> bool:
    return bool(re.match(r"^\s*(?:[a-zA-Z][a-zA-Z0-9+.-]*:)?//", url))


def _localize_element(el: Element, url: Callable[[str], str], strict: bool) -> None:
    if isinstance(el, folium.Map):
        el.default_js = [(name, url(LOCAL_JS[name])) for name in MAP_JS]
        el.default_css = [(name, url(LOCAL_CSS[name])) for name in MAP_CSS]
        return
    if isinstance(el, folium.Icon) and strict:
        raise OfflineAssetError(
            "folium.Icon needs Leaflet.awesome-markers, Bootstrap and Font Awesome, which geoapp "
            "does not serve; use a plain Marker, CircleMarker or DivIcon")
    if isinstance(el, JSCSSMixin):
        for attr, local in (("default_js", LOCAL_JS), ("default_css", LOCAL_CSS)):
            links = []
            for name, link in getattr(el, attr):
                if name in local:
                    link = url(local[name])
                elif strict and _is_remote(link):
                    raise OfflineAssetError(
                        f"{type(el).__name__} loads {link!r} ({name}), which is not served locally; add "
                        "its xstatic package (PyPI) to pyproject.toml and geoapp.resources.LIBRARIES, "
                        "and its file to LOCAL_JS/LOCAL_CSS in geoapp/mapview/assets.py")
                links.append((name, link))
            setattr(el, attr, links)  # an instance list: never mutate folium's class lists
    elif isinstance(el, Figure):
        # links a previous render left in the page head: switch, drop or refuse them
        for name, child in list(el.header._children.items()):
            if not isinstance(child, (JavascriptLink, CssLink)):
                continue
            local = LOCAL_JS if isinstance(child, JavascriptLink) else LOCAL_CSS
            if name in local:
                child.url = url(local[name])
            elif name in _DROPPED:
                del el.header._children[name]
            elif strict and _is_remote(child.url):
                raise OfflineAssetError(f"the page links {child.url!r} ({name}), which would load "
                                        "from the network")


def _walk(el: Element):
    yield el
    for part in ("header", "html", "script"):
        sub = getattr(el, part, None)
        if isinstance(sub, Element) and sub is not el:
            yield from _walk(sub)
    for child in list(el._children.values()):
        yield from _walk(child)


def localize(element: Element, static_url: StaticUrl = "/static", *, strict: bool = True) -> Element:
    """Point a folium map/figure (and everything in it) at the locally served files, in place.

    Call it after the last plugin is added and before rendering (:func:`offline_map` does it
    for you at render time). With ``strict``, an element that would still load a script or
    style from the network raises :class:`OfflineAssetError`. Returns ``element``.
    """
    url = url_function(static_url)
    root = element.get_root() if isinstance(element, Element) else element
    for el in _walk(root):
        _localize_element(el, url, strict)
    return element


class OfflineMap(folium.Map):
    """A :class:`folium.Map` that localizes itself and its children each time it renders."""

    def __init__(self, *args, static_url: StaticUrl = "/static", strict: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self._static_url = url_function(static_url)
        self._strict = strict
        _localize_element(self, self._static_url, strict)

    def render(self, **kwargs):
        localize(self, self._static_url, strict=self._strict)
        return super().render(**kwargs)


def offline_map(location=None, zoom_start: int = 10, *, static_url: StaticUrl = "/static",
                static_dir: Union[str, Path, bool, None] = None, strict: bool = True,
                **kwargs) -> folium.Map:
    """A :class:`folium.Map` whose page loads Leaflet and its plugins from ``static_url``.

    ``kwargs`` go to :class:`folium.Map` (``tiles``, ``control_scale`` …). Plugins added later
    (e.g. :class:`~geoapp.mapview.basemap.FullscreenControl`) are switched to local files when the
    map renders. With ``static_dir`` (``True``: where geoapp serves them from), raise
    :class:`AssetsMissingError` now if the files are not there. With ``strict`` (the default),
    rendering raises :class:`OfflineAssetError` rather than emit a script or style link to another host.
    """
    if static_dir is not None:
        require_assets(None if static_dir is True else static_dir)
    return OfflineMap(location, zoom_start=zoom_start, static_url=static_url, strict=strict, **kwargs)


# --------------------------------------------------------------------------------------------
# inlining

_TAG = re.compile(
    r"<script\b(?P<sattrs>[^>]*)>\s*</script\s*>"
    r"|<link\b(?P<lattrs>[^>]*?)/?>",
    re.IGNORECASE)
_ATTR = re.compile(r"""([^\s=/>]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?""")
_CSS_URL = re.compile(r"""url\(\s*(['"]?)([^'")]+)\1\s*\)""")
_SOURCE_MAP = re.compile(r"^\s*(?://[#@]\s*sourceMappingURL=.*|/\*[#@]\s*sourceMappingURL=.*?\*/)\s*$",
                         re.MULTILINE)


def _attrs(text: str) -> dict[str, str]:
    out = {}
    for m in _ATTR.finditer(text):
        value = next((v for v in m.group(2, 3, 4) if v is not None), "")
        out[m.group(1).lower()] = htmllib.unescape(value)
    return out


def _resolve(link: str, static_dir: Union[str, Path, None], prefix: str) -> tuple[Path, Path] | None:
    """``(root, file)`` a local ``link`` under ``prefix`` names, or None when it is not one of ours."""
    if _is_remote(link) or link.startswith("data:"):
        return None
    path = urlsplit(link).path
    if not path.startswith(prefix + "/"):
        return None
    rel = path[len(prefix) + 1:]
    root, target = _local_file(rel, static_dir)
    if not target.is_file() and _HASHED.search(rel):       # a versioned URL: the plain file
        root, target = _local_file(_HASHED.sub("", rel), static_dir)
    target = target.resolve()
    if root not in target.parents:
        return None
    if not target.is_file():
        raise AssetsMissingError(f"{link} refers to {target}, which does not exist: {INSTALL_HINT}")
    return root, target


def _data_uri(path: Path) -> str:
    mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    if path.suffix.lower() == ".svg":
        mime = "image/svg+xml"
    return f"data:{mime};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"


def _inline_css(path: Path, root: Path) -> str:
    css = path.read_text(encoding="utf-8")

    def embed(m: re.Match) -> str:
        ref = m.group(2).strip()
        if _is_remote(ref) or ref.startswith(("data:", "#")):
            return m.group(0)
        target = (path.parent / urlsplit(ref).path).resolve()
        if root not in target.parents or not target.is_file():
            return m.group(0)
        return f'url("{_data_uri(target)}")'

    css = _SOURCE_MAP.sub("", _CSS_URL.sub(embed, css))
    return re.sub(r"</(style)", r"<\\/\1", css, flags=re.IGNORECASE)


def _inline_js(path: Path) -> str:
    js = _SOURCE_MAP.sub("", path.read_text(encoding="utf-8"))
    # "</script" would end the element early; "<\/script" means the same inside JS strings/regexes
    return re.sub(r"</(script)", r"<\\/\1", js, flags=re.IGNORECASE)


def inline_assets(html: str, static_dir: Union[str, Path, None] = None, static_url: str = "/static") -> str:
    """Replace local ``<script src>`` / ``<link rel=stylesheet href>`` tags with the files' contents.

    Links whose path starts with ``static_url`` (default ``"/static"``; versioned names work too)
    are resolved where geoapp serves them from (the xstatic packages for ``lib/...``, else
    ``static/``), or under ``static_dir`` when given. ``url(...)`` references in inlined CSS become
    ``data:`` URIs. Links to other hosts are left as they are. Raises :class:`AssetsMissingError`
    when a local file is missing.
    """
    prefix = urlsplit(static_url).path.rstrip("/")

    def replace(m: re.Match) -> str:
        if m.group("sattrs") is not None:
            attrs = _attrs(m.group("sattrs"))
            found = _resolve(attrs["src"], static_dir, prefix) if "src" in attrs else None
            if found is None:
                return m.group(0)
            root, target = found
            kind = f' type="{attrs["type"]}"' if attrs.get("type") else ""
            return f"<script{kind}>/* {target.relative_to(root).as_posix()} */\n{_inline_js(target)}\n</script>"
        attrs = _attrs(m.group("lattrs"))
        if attrs.get("rel", "").lower() != "stylesheet" or "href" not in attrs:
            return m.group(0)
        found = _resolve(attrs["href"], static_dir, prefix)
        if found is None:
            return m.group(0)
        root, target = found
        return f"<style>/* {target.relative_to(root).as_posix()} */\n{_inline_css(target, root)}\n</style>"

    return _TAG.sub(replace, html)
