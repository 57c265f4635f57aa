"""Every insights table, and the rows behind it, as CSV or XLSX."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Iterator
from decimal import Decimal

from refdesk.core.errors import InvalidInput

FORMATS = ("csv", "xlsx")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def export_format(value: str | None) -> str:
    """`csv` or `xlsx`; anything else is refused."""
    fmt = (value or "").strip().lower().lstrip(".")
    if fmt not in FORMATS:
        raise InvalidInput(
            f"Export as csv or xlsx, not {fmt[:20]!r}.", details={"format": "use csv or xlsx"}
        )
    return fmt


def _safe(text: str) -> str:
    # A cell starting with = + - @ is a formula to Excel: names typed by users must stay text.
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def _cell(value):
    if isinstance(value, str):
        return _safe(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


class _Echo:
    def write(self, value):
        return value


def csv_lines(columns: list[str], rows: Iterable[Iterable]) -> Iterator[str]:
    """CSV text line by line (with a BOM so Excel reads UTF-8), for a streaming response."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(columns)
    for row in rows:
        yield writer.writerow([_cell(v) for v in row])


def xlsx_bytes(columns: list[str], rows: Iterable[Iterable], *, title: str = "Insights") -> bytes:
    """An XLSX workbook of one sheet, written in openpyxl's streaming mode."""
    import openpyxl

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31] or "Insights")
    sheet.append(columns)
    for row in rows:
        sheet.append([float(v) if isinstance(v, Decimal) else _xlsx_cell(v) for v in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _xlsx_cell(value):
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).replace(tzinfo=None)
    if value is None:
        return None
    if isinstance(value, str):
        return _safe(value)
    return value if isinstance(value, int | float | dt.date | bool) else str(value)
