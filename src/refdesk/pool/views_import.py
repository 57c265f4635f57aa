"""Import and export pages for program managers: upload, preview, confirm; CSV/XLSX downloads."""

import os
import secrets
import tempfile
from pathlib import Path

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, StreamingHttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods, require_POST

from refdesk.core.errors import RefdeskError
from refdesk.people import permissions
from refdesk.people.services import audit_pool_export
from refdesk.pool.exporting import CONTENT_TYPES, export_csv_chunks, export_format, export_xlsx
from refdesk.pool.importing import pool_import

SESSION_KEY = "pool_import_upload"
ALLOWED_SUFFIXES = (".csv", ".txt", ".tsv", ".xlsx")
MAX_ERRORS_SHOWN = 500


def _require_pm(request) -> None:
    if not permissions.can_manage_pool(request.user):
        raise PermissionDenied("Only a program manager can import or export the reference pool.")


def _upload_dir() -> Path:
    path = Path(settings.MEDIA_ROOT) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _stored_upload(request) -> dict | None:
    """The upload this session previewed, if its file is still there (paths come only from the session)."""
    stored = request.session.get(SESSION_KEY)
    if not stored:
        return None
    path = _upload_dir() / os.path.basename(stored.get("name", ""))
    return {**stored, "path": path} if stored.get("name") and path.is_file() else None


def _forget_upload(request) -> None:
    stored = _stored_upload(request)
    if stored:
        stored["path"].unlink(missing_ok=True)
    request.session.pop(SESSION_KEY, None)


def _context(result, **extra) -> dict:
    return {
        "result": result,
        "errors": result.errors[:MAX_ERRORS_SHOWN],
        "more_errors": max(len(result.errors) - MAX_ERRORS_SHOWN, 0),
        **extra,
    }


@login_required
@require_http_methods(["GET", "POST"])
def import_start(request):
    """Upload a spreadsheet; the answer is a preview of what the import would change."""
    _require_pm(request)
    if request.method == "GET":
        return render(request, "pool/import_upload.html", {})
    upload = request.FILES.get("file")
    if upload is None:
        return render(
            request,
            "pool/import_upload.html",
            {"error": "Choose a .csv or .xlsx file to import."},
            status=400,
        )
    filename = os.path.basename(upload.name or "upload")
    suffix = Path(filename).suffix.lower()
    if suffix not in ALLOWED_SUFFIXES:
        return render(
            request,
            "pool/import_upload.html",
            {"error": f"{filename} is not a .csv or .xlsx file."},
            status=400,
        )
    _forget_upload(request)
    name = secrets.token_hex(16) + suffix
    fd, tmp = tempfile.mkstemp(dir=_upload_dir(), suffix=".part")
    with os.fdopen(fd, "wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    os.replace(tmp, _upload_dir() / name)
    try:
        result = pool_import(
            actor=request.user, path_or_file=_upload_dir() / name, filename=filename, dry_run=True
        )
    except RefdeskError as exc:
        (_upload_dir() / name).unlink(missing_ok=True)
        return render(request, "pool/import_upload.html", {"error": exc.message}, status=400)
    if result.errors:
        (_upload_dir() / name).unlink(missing_ok=True)
    else:
        request.session[SESSION_KEY] = {"name": name, "filename": filename}
    return render(
        request, "pool/import_preview.html", _context(result), status=200 if result.ok else 422
    )


@login_required
@require_POST
def import_confirm(request):
    """Run the previewed import for real, on the file stored at upload time."""
    _require_pm(request)
    stored = _stored_upload(request)
    if stored is None:
        return render(
            request,
            "pool/import_upload.html",
            {"error": "There is no previewed file to import; upload it again."},
            status=400,
        )
    try:
        result = pool_import(
            actor=request.user,
            path_or_file=stored["path"],
            filename=stored["filename"],
            dry_run=False,
        )
    except RefdeskError as exc:
        _forget_upload(request)
        return render(request, "pool/import_upload.html", {"error": exc.message}, status=400)
    if result.errors:  # the pool changed since the preview: show why, keep nothing
        _forget_upload(request)
        return render(request, "pool/import_preview.html", _context(result), status=422)
    _forget_upload(request)
    return render(request, "pool/import_result.html", _context(result))


@login_required
def export(request):
    """Download every reference with its contact and account, `?format=csv` (default) or `xlsx`."""
    _require_pm(request)
    try:
        fmt = export_format(request.GET.get("format") or "csv")
    except RefdeskError as exc:
        return render(request, "pool/import_upload.html", {"error": exc.message}, status=400)
    audit_pool_export(request.user, via="page", detail=f"refdesk-references.{fmt}")
    return export_response(request.user, fmt)


def export_response(user, fmt: str):
    """The pool as a download (CSV streamed; XLSX built in a temporary file)."""
    filename = f"refdesk-references.{fmt}"
    if fmt == "csv":
        response = StreamingHttpResponse(
            export_csv_chunks(actor=user), content_type=CONTENT_TYPES["csv"]
        )
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
    handle = tempfile.TemporaryFile(suffix=".xlsx")
    export_xlsx(handle, actor=user)
    handle.seek(0)
    return FileResponse(
        handle, as_attachment=True, filename=filename, content_type=CONTENT_TYPES["xlsx"]
    )
