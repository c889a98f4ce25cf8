"""Offline browser assets: maps load Leaflet and folium's plugins from static/vendor, never a CDN.

The libraries are installed from npm at set-up time by ``scripts/install_assets.py`` into
``static/vendor/<package>/...`` (git-ignored). This module makes folium point at those files:

* :func:`offline_map` — a :class:`folium.Map` whose page references only local files; plugins
  added later (``folium.plugins.Fullscreen``) are switched to their local copies when the map
  renders;
* :func:`localize` — the same for a map (or figure) built elsewhere;
* :func:`inline_assets` — puts those local scripts and styles into the HTML itself (CSS images
  as ``data:`` URIs), for a standalone single-file export;
* :func:`assets_ready` / :func:`require_assets` — whether the vendor files are there.

URLs come from ``static_url``: a callable that maps a path under ``static/`` to its URL (in
Flask, ``lambda f: url_for("static", filename=f)``), or a plain prefix such as ``"/static"``.
Flask is not imported here.

What is vendored: Leaflet, leaflet.fullscreen and jQuery (folium's ``Popup`` builds its content
with ``$(...)``). Bootstrap, Leaflet.awesome-markers and Font Awesome, which ``folium.Map`` also
links by default, are dropped: Map, GeoJson, Tooltip, Popup, LayerControl, the scale control and
Fullscreen do not use them. ``folium.Icon`` (awesome-markers) does, so a strict map refuses it,
as it refuses any other element that would load a script or style from the network.
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

StaticUrl = Union[str, Callable[[str], str]]

VENDOR = "vendor"
#: folium resource name -> file under static/ (the names folium itself uses, so links dedupe)
LOCAL_JS: dict[str, str] = {
    "leaflet": "vendor/leaflet/leaflet.js",
    "jquery": "vendor/jquery/jquery.min.js",
    "Control.Fullscreen.js": "vendor/leaflet.fullscreen/Control.FullScreen.js",
}
LOCAL_CSS: dict[str, str] = {
    "leaflet_css": "vendor/leaflet/leaflet.css",
    "Control.FullScreen.css": "vendor/leaflet.fullscreen/Control.FullScreen.css",
}
#: what a map page loads, in order (Leaflet before anything that uses ``L``)
MAP_JS = ("leaflet", "jquery")
MAP_CSS = ("leaflet_css",)
#: every file that must be in static/ for the maps to draw (incl. images the CSS refers to)
REQUIRED_FILES: tuple[str, ...] = (
    *LOCAL_JS.values(),
    *LOCAL_CSS.values(),
    "vendor/leaflet/images/layers.png",
    "vendor/leaflet/images/layers-2x.png",
    "vendor/leaflet/images/marker-icon.png",
    "vendor/leaflet/images/marker-icon-2x.png",
    "vendor/leaflet/images/marker-shadow.png",
    "vendor/leaflet.fullscreen/icon-fullscreen.svg",
    "vendor/manifest.json",
)

INSTALL_HINT = "run python scripts/install_assets.py"

#: folium.Map's default resources that offline maps leave out (see the module docstring)
_DROPPED = frozenset(name for name, _ in [*folium.Map.default_js, *folium.Map.default_css]
                     if name not in MAP_JS and name not in MAP_CSS)


class AssetsMissingError(RuntimeError):
    """The vendored map libraries are not in ``static/vendor``."""


class OfflineAssetError(RuntimeError):
    """A map element wants a script or style that is not vendored (it would load from a CDN)."""


# --------------------------------------------------------------------------------------------
# readiness

def missing_assets(static_dir: Union[str, Path]) -> list[str]:
    """Files of :data:`REQUIRED_FILES` that are not in ``static_dir`` (paths under it)."""
    root = Path(static_dir)
    return [rel for rel in REQUIRED_FILES if not (root / rel).is_file()]


def assets_ready(static_dir: Union[str, Path]) -> bool:
    """True when every vendored file the maps need is in ``static_dir``."""
    return not missing_assets(static_dir)


def require_assets(static_dir: Union[str, Path]) -> None:
    """Raise :class:`AssetsMissingError` (saying what to run) unless :func:`assets_ready`."""
    missing = missing_assets(static_dir)
    if missing:
        shown = ", ".join(missing[:3]) + (f" and {len(missing) - 3} more" if len(missing) > 3 else "")
        raise AssetsMissingError(
            f"the map libraries are not installed in {Path(static_dir) / VENDOR} (missing {shown}): "
            f"{INSTALL_HINT} (it needs Node.js and npm once, at set-up time)")


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
            "folium.Icon needs Leaflet.awesome-markers, Bootstrap and Font Awesome, which are not "
            "vendored; use a plain Marker, CircleMarker or DivIcon")
    if isinstance(el, JSCSSMixin):
        for attr, local in (("default_js", LOCAL_JS), ("default_css", LOCAL_CSS)):
            links = []
            for name, link in getattr(el, attr):
                if name in local:
                    link = url(local[name])
                elif strict and _is_remote(link):
                    raise OfflineAssetError(
                        f"{type(el).__name__} loads {link!r} ({name}), which is not vendored; add its "
                        "npm package to package.json and scripts/install_assets.py, and its file to "
                        "LOCAL_JS/LOCAL_CSS in geoapp/mapview/assets.py")
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
    """Point a folium map/figure (and everything in it) at the vendored files, in place.

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
                static_dir: Union[str, Path, None] = None, strict: bool = True, **kwargs) -> folium.Map:
    """A :class:`folium.Map` whose page loads Leaflet and its plugins from ``static_url``.

    ``kwargs`` go to :class:`folium.Map` (``tiles``, ``control_scale`` …). Plugins added later
    (``folium.plugins.Fullscreen().add_to(m)``) are switched to local files when the map
    renders. With ``static_dir``, raise :class:`AssetsMissingError` now if the files are not
    installed. With ``strict`` (the default), rendering raises :class:`OfflineAssetError`
    rather than emit a script or style link to another host.
    """
    if static_dir is not None:
        require_assets(static_dir)
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


def _resolve(link: str, root: Path, prefix: str | None) -> Path | None:
    """The file under ``root`` a local ``link`` names, or None when it is not local."""
    if _is_remote(link) or link.startswith("data:"):
        return None
    path = urlsplit(link).path
    if prefix and path.startswith(prefix + "/"):
        rel = path[len(prefix) + 1:]
    else:
        i = path.find(f"/{VENDOR}/")
        if i >= 0:
            rel = path[i + 1:]
        elif path.startswith(f"{VENDOR}/"):
            rel = path
        else:
            return None
    target = (root / rel).resolve()
    if root not in target.parents:
        return None
    if not target.is_file():
        raise AssetsMissingError(f"{link} refers to {target}, which does not exist: {INSTALL_HINT}")
    return target


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


def inline_assets(html: str, static_dir: Union[str, Path], static_url: str | None = None) -> str:
    """Replace local ``<script src>`` / ``<link rel=stylesheet href>`` tags with the files' contents.

    Links are resolved under ``static_dir``: those starting with the ``static_url`` prefix
    (e.g. ``"/static"``) when given, and any path containing ``/vendor/`` (the vendored
    libraries). ``url(...)`` references in inlined CSS become ``data:`` URIs. Links to other
    hosts are left as they are. Raises :class:`AssetsMissingError` when a local file is missing.
    """
    root = Path(static_dir).resolve()
    prefix = urlsplit(static_url).path.rstrip("/") if static_url else None

    def replace(m: re.Match) -> str:
        if m.group("sattrs") is not None:
            attrs = _attrs(m.group("sattrs"))
            target = _resolve(attrs["src"], root, prefix) if "src" in attrs else None
            if target is None:
                return m.group(0)
            kind = f' type="{attrs["type"]}"' if attrs.get("type") else ""
            return f"<script{kind}>/* {target.relative_to(root).as_posix()} */\n{_inline_js(target)}\n</script>"
        attrs = _attrs(m.group("lattrs"))
        if attrs.get("rel", "").lower() != "stylesheet" or "href" not in attrs:
            return m.group(0)
        target = _resolve(attrs["href"], root, prefix)
        if target is None:
            return m.group(0)
        return f"<style>/* {target.relative_to(root).as_posix()} */\n{_inline_css(target, root)}\n</style>"

    return _TAG.sub(replace, html)
