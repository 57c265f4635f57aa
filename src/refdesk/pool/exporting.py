"""Export the reference pool as CSV or XLSX, in the columns `refdesk import` reads back."""

import csv
from collections.abc import Iterator
from typing import IO

from django.db.models import Prefetch

from refdesk.core.errors import Forbidden, InvalidInput
from refdesk.people import permissions
from refdesk.pool.models import Product, ReferenceProfile

# Every column the import understands, in a readable order. `industry` is the text as it was
# written (else the code) and `naics_code` the code, so a round trip keeps both.
EXPORT_COLUMNS = [
    "account",
    "account_external_id",
    "industry",
    "naics_code",
    "country",
    "employees",
    "products",
    "live_since",
    "owner_email",
    "gift_policy",
    "matching_blocked",
    "blocked_reason",
    "contact",
    "email",
    "external_id",
    "title",
    "phone",
    "languages",
    "time_zone",
    "status",
    "activities",
    "topics",
    "competitors_displaced",
    "testimonial_channels",
    "testimonial_expires",
    "nps",
    "nps_date",
    "csat",
    "csat_date",
    "opted_out",
    "notes",
]
FORMATS = ("csv", "xlsx")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _require(actor) -> None:
    if not (actor is None or permissions.can_manage_pool(actor)):
        raise Forbidden("Only a program manager can export the reference pool.")


def export_format(value: str | None, filename: str = "") -> str:
    """`csv` or `xlsx` from an explicit format or a file name; anything else is refused."""
    fmt = (value or "").strip().lower().lstrip(".")
    if not fmt and filename:
        fmt = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if fmt not in FORMATS:
        raise InvalidInput(
            f"Export as csv or xlsx, not {fmt or filename or 'nothing'!r}.",
            details={"format": "use csv or xlsx"},
        )
    return fmt


def _date(value) -> str:
    return value.isoformat() if value else ""


def _yes_no(value: bool) -> str:
    return "yes" if value else "no"


def reference_export_rows(*, actor) -> Iterator[list]:
    """The header, then one row per reference with its contact and account (lists `;`-joined)."""
    _require(actor)
    yield list(EXPORT_COLUMNS)
    references = (
        ReferenceProfile.objects.select_related("contact__account__owner")
        .prefetch_related(
            Prefetch("contact__account__products", queryset=Product.objects.order_by("name"))
        )
        .order_by("contact__account__name", "contact__account_id", "contact__name", "pk")
    )
    for r in references.iterator(chunk_size=2000):
        contact, account = r.contact, r.contact.account
        yield [
            account.name,
            account.external_id,
            account.industry_text or (account.industry_id or ""),
            account.industry_id or "",
            account.country,
            "" if account.employees is None else account.employees,
            "; ".join(p.name for p in account.products.all()),
            _date(account.live_since),
            account.owner.email if account.owner_id else "",
            account.gift_policy,
            _yes_no(account.matching_blocked),
            account.blocked_reason,
            contact.name,
            contact.email,
            contact.external_id,
            contact.title,
            contact.phone,
            "; ".join(contact.languages),
            contact.time_zone,
            r.status,
            "; ".join(r.activity_types),
            "; ".join(r.topics),
            "; ".join(r.competitors_displaced),
            "; ".join(r.testimonial_channels),
            _date(r.testimonial_expires),
            "" if r.nps is None else r.nps,
            _date(r.nps_date),
            "" if r.csat is None else r.csat,
            _date(r.csat_date),
            _yes_no(r.opted_out),
            r.notes,
        ]


class _Echo:
    """A file-like that hands back what is written (for streaming CSV responses)."""

    def write(self, value):
        return value


def export_csv_chunks(*, actor) -> Iterator[str]:
    """The pool as CSV text, a row at a time (UTF-8 with BOM so Excel reads accents)."""
    rows = reference_export_rows(actor=actor)
    writer = csv.writer(_Echo())
    first = next(rows)
    yield "\ufeff" + writer.writerow(first)
    for row in rows:
        yield writer.writerow(row)


def export_csv(out: IO[str], *, actor) -> int:
    """Write the pool as CSV to a text stream; returns the number of references."""
    lines = 0
    for chunk in export_csv_chunks(actor=actor):
        out.write(chunk)
        lines += 1
    return max(lines - 1, 0)


def export_xlsx(path, *, actor) -> int:
    """Write the pool as an XLSX workbook (streamed, no formulas); returns the number of references."""
    import openpyxl
    from openpyxl.cell import WriteOnlyCell

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("References")
    lines = 0
    for row in reference_export_rows(actor=actor):
        lines += 1
        cells = []
        for value in row:
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, str) and value.startswith("="):
                cell.data_type = "s"  # text that looks like a formula stays text
            cells.append(cell)
        sheet.append(cells)
    workbook.save(path)
    return max(lines - 1, 0)
