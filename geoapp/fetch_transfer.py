"""Move bytes from a folder or an HTTP URL into a file, verified first and renamed into place after.

Trip-wires:

* every file is written to a temporary name beside its target (``.<name>.*.part``) and renamed
  only after it was verified (sha256 and size from the manifest when known; it must be a zip),
  so an interrupted or corrupt fetch never leaves a file that looks ready to import — and the
  temp file goes on any failure, including KeyboardInterrupt;
* HTTP errors, refused connections and resets mid-body all become
  :class:`~geoapp.errors.FetchError` naming the URL (and the HTTP status when there is one).
"""
from __future__ import annotations

import hashlib
import json
import os
import tempfile
import urllib.error
import urllib.request
import zipfile
from pathlib import Path

from .errors import FetchError
from .fetch_manifest import MirrorEntry

CHUNK = 1 << 16
USER_AGENT = "geoapp-fetch/1"


def copy_file(src: Path, target: Path, entry: MirrorEntry | None) -> None:
    """Copy a local zip to ``target``, verified against ``entry`` when the manifest knows it."""
    try:
        fh = open(src, "rb")  # noqa: SIM115 - open errors and read errors are reported apart
    except OSError as exc:
        raise FetchError(f"cannot read {src}: {exc.strerror or exc}",
                         message_vi=f"không đọc được {src}") from None
    with fh:
        _write_verified(fh, target, entry, str(src))


def download(url: str, target: Path, entry: MirrorEntry | None, timeout: float) -> None:
    """Download a zip to ``target``, verified against ``entry`` when the manifest knows it."""
    with open_url(url, timeout) as resp:
        _write_verified(resp, target, entry, url)


def open_url(url: str, timeout: float):
    """Open an http(s) URL, or raise :class:`FetchError` naming it."""
    req = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    try:
        return urllib.request.urlopen(req, timeout=timeout)  # http(s) only, checked by the caller
    except urllib.error.HTTPError as exc:
        exc.close()
        raise FetchError(f"{url}: HTTP {exc.code} {exc.reason}",
                         message_vi=f"{url}: lỗi HTTP {exc.code}") from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise FetchError(f"{url}: cannot connect ({reason})",
                         message_vi=f"{url}: không kết nối được ({reason})") from None


def _write_verified(stream, target: Path, entry: MirrorEntry | None, label: str) -> None:
    """Stream into a temp file beside ``target``, verify, then rename it into place."""
    fd, tmp_name = tempfile.mkstemp(prefix="." + target.name + ".", suffix=".part", dir=target.parent)
    tmp = Path(tmp_name)
    try:
        digest, size = hashlib.sha256(), 0
        with os.fdopen(fd, "wb") as out:
            while True:
                try:
                    block = stream.read(CHUNK)
                except OSError as exc:  # timeouts and resets mid-body
                    raise FetchError(f"{label}: transfer failed after {size} bytes ({exc})",
                                     message_vi=f"{label}: tải bị ngắt") from None
                if not block:
                    break
                digest.update(block)
                size += len(block)
                out.write(block)
        if entry is not None and (size != entry.size or digest.hexdigest() != entry.sha256):
            raise FetchError(
                f"{label}: checksum mismatch (got {size} bytes sha256 {digest.hexdigest()[:12]}…, "
                f"expected {entry.size} bytes sha256 {entry.sha256[:12]}…); the mirror copy is "
                "corrupt or from another release",
                message_vi=f"{label}: sai mã kiểm tra sha256; bản sao bị hỏng hoặc khác phiên bản")
        if not zipfile.is_zipfile(tmp):
            raise FetchError(f"{label}: not a zip file", message_vi=f"{label}: không phải tệp zip")
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_collection(features: list[dict], target: Path) -> None:
    """Write a GeoJSON FeatureCollection to a temp file beside ``target``, then rename it into place."""
    fd, tmp_name = tempfile.mkstemp(prefix="." + target.name + ".", suffix=".part", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump({"type": "FeatureCollection", "features": features}, out,
                      ensure_ascii=False, separators=(",", ":"))
        os.replace(tmp_name, target)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
