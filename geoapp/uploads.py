"""Upload folders: one per previewed upload, removed on every error and after a time to live.

Layout: ``<instance>/uploads/<upload_id>/<file name>``. The web upload makes the folder,
writes the file once, previews it, and leaves it for the commit; the commit removes it.
Anything else (an error, a preview nobody commits) must not stay: :func:`discard` on every
error, :func:`sweep` for what was abandoned.

Trip-wire: age is the folder's mtime, which changes when an entry inside is created or
removed, not when the file is read; so it is "when the file was saved" — cheap to read, no
bookkeeping. No Flask here: the CLI or a cron job can call :func:`sweep` too.
"""
from __future__ import annotations

import re
import secrets
import shutil
import time
from pathlib import Path

_ID = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


def root(instance: str | Path) -> Path:
    """The uploads folder of an instance (made if missing)."""
    folder = Path(instance) / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def new_folder(uploads: Path) -> tuple[str, Path]:
    """A fresh, empty folder for one upload and its id (unguessable: it names the preview)."""
    upload_id = secrets.token_urlsafe(16)
    folder = uploads / upload_id
    folder.mkdir()
    return upload_id, folder


def folder_of(uploads: Path, upload_id: str) -> Path | None:
    """The folder of ``upload_id``, or ``None`` when the id is not one we could have made."""
    return uploads / upload_id if _ID.match(upload_id or "") else None


def discard(folder: Path | None) -> None:
    """Remove one upload folder and what it holds; never raises (it runs while handling errors)."""
    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)


def sweep(uploads: Path, ttl_hours: float, now: float | None = None) -> int:
    """Remove upload folders older than ``ttl_hours``; return how many were removed.

    Cheap enough for every upload request: one ``stat`` per entry. A stray file in the
    uploads folder is removed like a folder.
    """
    limit = (time.time() if now is None else now) - float(ttl_hours) * 3600
    removed = 0
    for entry in list(uploads.iterdir()) if uploads.is_dir() else []:
        try:
            if entry.lstat().st_mtime >= limit:
                continue
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry)
            else:
                entry.unlink()
            removed += 1
        except OSError:                 # committed or swept by another request meanwhile, or not ours
            continue
    return removed
