"""Administration: the audit log, users, and the web upload of boundary, status and indicator files.

Uploads are checked before anything is read (size by MAX_CONTENT_LENGTH, type by extension and
magic bytes, zips by :func:`geoapp.sources.check_zip_members`), validated exactly as the CLI
does, previewed with every problem, and imported only when the user commits the preview.
"""
from __future__ import annotations

import secrets
import shutil
import zipfile
from pathlib import Path

from flask import Blueprint, abort, current_app, g, render_template, request
from werkzeug.utils import secure_filename

from ..boundaries import read_boundaries
from ..errors import GeoappError, InputError, ValidationError
from ..ingest import check_edition, import_boundaries
from ..records import import_indicator_file, import_status_file
from ..sources import check_zip_members
from .store_access import catalogue, store

bp = Blueprint("admin", __name__, url_prefix="/admin")
KINDS = ("boundaries", "status", "indicators")
ALLOWED = {"boundaries": (".zip", ".gpkg", ".geojson", ".json"), "status": (".csv", ".xlsx"),
           "indicators": (".csv", ".xlsx")}
MAGIC = {".zip": (b"PK\x03\x04",), ".xlsx": (b"PK\x03\x04",), ".gpkg": (b"SQLite format 3\x00",)}


def _uploads() -> Path:
    folder = Path(current_app.instance_path) / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _check_type(path: Path, kind: str) -> None:
    suffix = path.suffix.lower()
    if suffix not in ALLOWED[kind]:
        raise InputError(f"{path.name}: a {kind} upload must be one of {', '.join(ALLOWED[kind])} "
                         "(zip a shapefile set)", message_vi=f"{path.name}: loại tệp không hợp lệ cho {kind}")
    head = path.read_bytes()[:32]
    if suffix in MAGIC and not head.startswith(MAGIC[suffix]):
        raise InputError(f"{path.name} is not really a {suffix} file", message_vi=f"{path.name} không đúng định dạng {suffix}")
    if suffix in (".geojson", ".json") and not head.lstrip().startswith(b"{"):
        raise InputError(f"{path.name} is not GeoJSON", message_vi=f"{path.name} không phải GeoJSON")
    if suffix in (".zip", ".xlsx"):
        try:
            with zipfile.ZipFile(path) as zf:
                check_zip_members(path.name, zf.infolist())
        except zipfile.BadZipFile:
            raise InputError(f"{path.name} is a damaged zip file", message_vi=f"{path.name} bị hỏng") from None


def _validate(kind: str, path: Path, edition: str, province: str):
    if kind == "boundaries":
        read = read_boundaries([path])
        outside = sorted(set(read.units["province_code"]) - {province})
        if outside:
            raise InputError(f"the file holds provinces {', '.join(outside)} besides {province}; upload them "
                             "separately (each needs its own permission)")
        return {"records": len(read.units), "problems": [p.to_dict() for p in read.problems]}
    fn = import_status_file if kind == "status" else import_indicator_file
    report = fn(store(), path, edition, catalogue(), province=province, dry_run=True, user=g.principal.name)
    return {"records": report["records"], "problems": []}


@bp.get("/audit")
def audit():
    """The audit log (administrators)."""
    return render_template("admin_audit.html", rows=store().audit_log(500).to_dict("records"))


@bp.get("/shares")
def shares():
    """Share links: an administrator sees all, a user their own."""
    links = store().share_links()
    if not g.principal.is_admin:
        links = links[links["created_by"] == g.principal.name]
    return render_template("admin_shares.html", links=links.to_dict("records"))


@bp.get("/users")
def users():
    """Users and their scopes (administrators; changes are made with `geoapp users`)."""
    return render_template("admin_users.html", users=store().users().to_dict("records"))


@bp.route("/upload", methods=["GET", "POST"])
def upload():
    """Upload a file: checked, validated and previewed; nothing is imported yet."""
    if request.method == "GET":
        return render_template("upload.html", kinds=KINDS, preview=None, error=None)
    kind = request.form.get("kind", "")
    edition = request.form.get("edition", "")
    province = (request.form.get("province") or "").zfill(2)
    file = request.files.get("file")
    if kind not in KINDS or file is None or not file.filename:
        abort(400, "choose a kind and a file")
    check_edition(edition)
    name = secure_filename(file.filename) or "upload"
    upload_id = secrets.token_urlsafe(16)
    folder = _uploads() / upload_id
    folder.mkdir()
    path = folder / name
    file.save(path)
    try:
        _check_type(path, kind)
        preview = _validate(kind, path, edition, province)
    except GeoappError as exc:
        shutil.rmtree(folder, ignore_errors=True)
        problems = [p.to_dict() for p in getattr(exc, "problems", [])]
        return render_template("upload.html", kinds=KINDS, preview=None, error=exc, problems=problems,
                               filename=file.filename), 422
    return render_template("upload.html", kinds=KINDS, error=None, filename=file.filename,
                           preview={"id": upload_id, "kind": kind, "edition": edition, "province": province,
                                    "name": name, **preview})


@bp.post("/upload/commit")
def upload_commit():
    """Import a previewed upload (all or nothing)."""
    upload_id = request.form.get("upload_id", "")
    kind = request.form.get("kind", "")
    edition = request.form.get("edition", "")
    province = (request.form.get("province") or "").zfill(2)
    if not upload_id.replace("-", "").replace("_", "").isalnum() or kind not in KINDS:
        abort(400, "unknown upload")
    folder = _uploads() / upload_id
    files = list(folder.iterdir()) if folder.is_dir() else []
    if len(files) != 1:
        abort(404, "this upload has expired or was already imported; upload the file again")
    path = files[0]
    check_edition(edition)
    user, origin = g.principal.name, request.remote_addr or ""
    try:
        if kind == "boundaries":
            _validate(kind, path, edition, province)        # the province check again, against this request
            report = import_boundaries(store(), [path], edition, user=user, origin=origin, provinces=[province])
        else:
            fn = import_status_file if kind == "status" else import_indicator_file
            report = fn(store(), path, edition, catalogue(), province=province, user=user, origin=origin)
    except ValidationError as exc:
        return render_template("upload.html", kinds=KINDS, preview=None, error=exc,
                               problems=[p.to_dict() for p in exc.problems], filename=path.name), 422
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return render_template("upload_done.html", report=report, kind=kind)
