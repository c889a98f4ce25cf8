"""Administration: the audit log, users, and the web upload of boundary, status and indicator files.

Uploads are checked before anything is read (size by MAX_CONTENT_LENGTH, type by extension and
magic bytes, a zip's directory by :func:`geoapp.sources.check_zip_members`), validated exactly as
the CLI does (the readers inflate every zip and .xlsx with a byte counter before GDAL or openpyxl
open it: :func:`geoapp.sources.check_zip`), previewed with every problem, and imported only when
the user commits the preview.

Trip-wires: the upload folder is removed on *every* error, whatever raised (see
:mod:`geoapp.uploads`), and previews older than ``UPLOAD_TTL_HOURS`` are swept on each upload
request. A file that cannot be read answers 422 whatever the parser raised — never 500 — and
no message shown may hold a server path (GDAL quotes the paths it opens).
"""
from __future__ import annotations

import zipfile
from pathlib import Path

from flask import Blueprint, abort, current_app, g, render_template, request
from werkzeug.exceptions import HTTPException
from werkzeug.utils import secure_filename

from .. import config, uploads

from ..boundaries import read_boundaries
from ..errors import GeoappError, InputError
from ..ingest import import_boundaries
from ..lod_cache import LodCache
from ..records import import_indicator_file, import_status_file
from ..sources import check_zip_members, without_paths
from .store_access import catalogue, store

bp = Blueprint("admin", __name__, url_prefix="/admin")
KINDS = ("boundaries", "status", "indicators")
ALLOWED = {"boundaries": (".zip", ".gpkg", ".geojson", ".json"), "status": (".csv", ".xlsx"),
           "indicators": (".csv", ".xlsx")}
MAGIC = {".zip": (b"PK\x03\x04",), ".xlsx": (b"PK\x03\x04",), ".gpkg": (b"SQLite format 3\x00",)}


def _uploads() -> Path:
    """The uploads folder, after sweeping the previews older than ``UPLOAD_TTL_HOURS``."""
    folder = uploads.root(current_app.instance_path)
    uploads.sweep(folder, current_app.config.get("UPLOAD_TTL_HOURS", 24))
    return folder


def _check_type(path: Path, kind: str) -> None:
    suffix = path.suffix.lower()
    if suffix not in ALLOWED[kind]:
        raise InputError(f"{path.name}: a {kind} upload must be one of {', '.join(ALLOWED[kind])} "
                         "(zip a shapefile set)", message_vi=f"{path.name}: loại tệp không hợp lệ cho {kind}")
    if path.stat().st_size == 0:
        raise InputError(f"{path.name} is empty", message_vi=f"{path.name} không có dữ liệu")
    with path.open("rb") as fh:
        head = fh.read(32)
    if suffix in MAGIC and not head.startswith(MAGIC[suffix]):
        raise InputError(f"{path.name} is not really a {suffix} file", message_vi=f"{path.name} không đúng định dạng {suffix}")
    if suffix in (".geojson", ".json") and not head.lstrip().startswith(b"{"):
        raise InputError(f"{path.name} is not GeoJSON", message_vi=f"{path.name} không phải GeoJSON")
    if suffix in (".zip", ".xlsx"):      # the directory only; the reader inflates and counts
        try:
            with zipfile.ZipFile(path) as zf:
                check_zip_members(path.name, zf.infolist())
        except (zipfile.BadZipFile, ValueError, EOFError, OverflowError):
            raise InputError(f"{path.name} is a damaged zip file", message_vi=f"{path.name} bị hỏng") from None


def _record_options(kind: str, params) -> dict:
    """The reading options of a status/indicator file from the form (scheme only for status files)."""
    options = {"header_row": params.header_row}
    if kind == "status":
        options["scheme"] = params.scheme
    return options


def _validate(kind: str, path: Path, edition: str, province: str, options: dict | None = None):
    if kind == "boundaries":
        read = read_boundaries([path])
        outside = sorted(set(read.units["province_code"]) - {province})
        if outside:
            raise InputError(f"the file holds provinces {', '.join(outside)} besides {province}; upload them "
                             "separately (each needs its own permission)",
                             message_vi=f"tệp có cả các tỉnh {', '.join(outside)} ngoài tỉnh {province}; hãy tải "
                                        "lên riêng từng tỉnh (mỗi tỉnh cần quyền riêng)")
        return {"records": len(read.units), "problems": [p.to_dict() for p in read.problems]}
    fn = import_status_file if kind == "status" else import_indicator_file
    report = fn(store(), path, edition, catalogue(), province=province, dry_run=True, user=g.principal.name,
                **(options or {}))
    return {"records": report["records"], "problems": report.get("notices", []),
            "skipped": report.get("skipped", []), "header_row": report.get("header_row")}


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


@bp.get("/embedding")
def embedding():
    """Which sites may frame /embed/ views (administrators; read-only: ``GEOAPP_EMBED_ORIGINS``)."""
    return render_template("admin_embedding.html")


@bp.route("/upload", methods=["GET", "POST"])
def upload():
    """Upload a file: checked, validated and previewed; nothing is imported yet."""
    if request.method == "GET":
        return render_template("upload.html", kinds=KINDS, schemes=catalogue().schemes.values(), preview=None, error=None)
    kind, edition, province = g.params.kind, g.params.edition, g.params.province   # checked by the gate
    file = request.files.get("file")
    if file is None or not file.filename:
        abort(400, "choose a kind and a file")
    name = secure_filename(file.filename) or "upload"
    upload_id, folder = uploads.new_folder(_uploads())
    try:
        path = folder / name
        file.save(path)
        _check_type(path, kind)
        preview = _validate(kind, path, edition, province, _record_options(kind, g.params))
    except Exception as exc:                        # whatever raised, nothing stays behind
        uploads.discard(folder)
        if isinstance(exc, HTTPException):
            raise
        return _refused(_as_input_error(exc, file.filename), folder, file.filename)
    return render_template("upload.html", kinds=KINDS, schemes=catalogue().schemes.values(), error=None, filename=file.filename,
                           preview={"id": upload_id, "kind": kind, "edition": edition, "province": province,
                                    "name": name, "scheme": g.params.scheme or "",
                                    "header_row": g.params.header_row or "", **preview})


@bp.post("/upload/commit")
def upload_commit():
    """Import a previewed upload (all or nothing)."""
    q = g.params                                    # checked by the gate (web.params.UploadCommitParams)
    upload_id, kind, edition, province = q.upload_id, q.kind, q.edition, q.province
    folder = uploads.folder_of(_uploads(), upload_id)
    try:
        files = list(folder.iterdir()) if folder is not None and folder.is_dir() else []
        if len(files) != 1:
            abort(404, "this upload has expired or was already imported; upload the file again")
        path = files[0]
        user, origin = g.principal.name, request.remote_addr or ""
        if kind == "boundaries":
            _validate(kind, path, edition, province)        # the province check again, against this request
            report = import_boundaries(store(), [path], edition, user=user, origin=origin, provinces=[province],
                                       lod_cache=LodCache(*config.lod_cache_folders(current_app.config)))
        else:
            fn = import_status_file if kind == "status" else import_indicator_file
            report = fn(store(), path, edition, catalogue(), province=province, user=user, origin=origin,
                        **_record_options(kind, q))
    except InputError as exc:                       # the file, read again, is refused: show why
        return _refused(exc, folder, path.name)
    finally:                                        # imported or not, the upload is used up
        uploads.discard(folder)
    return render_template("upload_done.html", report=report, kind=kind)


def _as_input_error(exc: Exception, filename: str) -> GeoappError:
    """``exc`` if geoapp raised it; anything else a parser raised becomes a plain refusal (logged)."""
    if isinstance(exc, GeoappError):
        return exc
    current_app.logger.exception("upload %r could not be read", filename)
    return InputError("the file could not be read; check that it is a complete, valid file of the chosen kind "
                      f"({type(exc).__name__})", message_vi="không đọc được tệp; hãy kiểm tra tệp có đầy đủ, "
                      f"đúng định dạng của loại đã chọn ({type(exc).__name__})")


def _refused(exc: GeoappError, folder: Path | None, filename: str):
    """The upload page with the error and every problem, 422, with no server path in any text."""
    known = (str(folder), str(folder.resolve())) if folder is not None else ()
    known += (current_app.instance_path,)

    def clean(text: str) -> str:
        return without_paths(text or "", known)

    shown = InputError(clean(exc.message), message_vi=clean(exc.message_vi))
    problems = [{**p, "where": clean(p["where"]), "message": clean(p["message"]),
                 "message_vi": clean(p["message_vi"])} for p in (x.to_dict() for x in getattr(exc, "problems", []))]
    return render_template("upload.html", kinds=KINDS, schemes=catalogue().schemes.values(), preview=None, error=shown, problems=problems,
                           filename=filename), 422
