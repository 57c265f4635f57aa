"""`POST /api/imports` and `GET /api/exports/references.{csv,xlsx}`: thin doors onto import/export."""

from ninja import File, Form, Router, Schema
from ninja.files import UploadedFile

from refdesk.core.errors import Forbidden, InvalidInput
from refdesk.core.schemas import ERRORS
from refdesk.people import permissions
from refdesk.people.services import audit_pool_export
from refdesk.pool.importing import pool_import

router = Router(tags=["import"])


class CountsOut(Schema):
    created: int
    updated: int
    unchanged: int


class RowErrorOut(Schema):
    line: int
    field: str
    message: str


class ChangeOut(Schema):
    line: int
    action: str
    contact: str
    email: str
    account: str
    changes: list[str]


class ImportOut(Schema):
    filename: str
    dry_run: bool
    written: bool
    rows: int
    accounts: CountsOut
    contacts: CountsOut
    references: CountsOut
    status_changes: int
    owners_created: int
    products_created: int
    errors: list[RowErrorOut]
    warnings: list[str]
    samples: list[ChangeOut]


def _require_pm(request) -> None:
    if not permissions.can_manage_pool(request.user):
        raise Forbidden("Only a program manager can import or export the reference pool.")


@router.post(
    "/imports",
    response={200: ImportOut, **ERRORS},
    summary="Import the pool from a CSV or XLSX file",
)
def import_file(request, file: File[UploadedFile], dry_run: Form[bool] = False):
    """Check every row; if all are good (and not a dry run) write them in one go. Bad rows: 422, nothing written."""
    _require_pm(request)
    result = pool_import(actor=request.user, path_or_file=file, filename=file.name, dry_run=dry_run)
    if result.errors:
        raise InvalidInput(
            f"{result.bad_lines} bad rows in {result.filename}; nothing was written.",
            details=result.as_dict(),
        )
    return result.as_dict()


def _export(request, fmt: str):
    from refdesk.pool.views_import import export_response

    _require_pm(request)
    audit_pool_export(request.user, via="api", detail=f"references.{fmt}")
    return export_response(request.user, fmt)


@router.get(
    "/exports/references.csv", response={200: None, **ERRORS}, summary="Every reference as CSV"
)
def export_csv(request):
    """Every reference with its contact and account, in the columns the import reads."""
    return _export(request, "csv")


@router.get(
    "/exports/references.xlsx", response={200: None, **ERRORS}, summary="Every reference as XLSX"
)
def export_xlsx(request):
    """Every reference with its contact and account, as an Excel workbook."""
    return _export(request, "xlsx")
