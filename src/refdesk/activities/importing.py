"""Import activities from a CSV or XLSX file: all or nothing, every bad row named by its line.

Reads the file with the pool import's `Spreadsheet` (encoding and delimiter sniffing, XLSX) and
reports with its `RowError`, so both imports read and answer alike. Columns (case-insensitive):
`email` (the reference's), `activity_type`, `date`, and optionally `status`, `request_id`,
`opportunity`, `notes`, `external_id`. A row with an `external_id` already imported updates that
activity; re-importing the same file changes nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction

from refdesk.activities import validation as av
from refdesk.activities.choices import ActivitySource
from refdesk.activities.models import Activity
from refdesk.core.errors import Forbidden, InvalidInput
from refdesk.people import permissions
from refdesk.pool import validation as v
from refdesk.pool.importing import RowError, Spreadsheet

COLUMNS = (
    "email",
    "activity_type",
    "date",
    "status",
    "request_id",
    "opportunity",
    "notes",
    "external_id",
)
ALIASES = {
    "referenceemail": "email", "contactemail": "email", "reference": "email",
    "activitytype": "activity_type", "type": "activity_type", "activity": "activity_type",
    "occurredat": "date", "occurredon": "date", "when": "date", "requestid": "request_id", "request": "request_id",
    "opportunitytext": "opportunity", "deal": "opportunity", "prospect": "opportunity", "note": "notes",
    "externalid": "external_id", "id": "external_id", "crmid": "external_id",
}  # fmt: skip
REQUIRED = ("email", "activity_type", "date")
MAX_ROWS = 100_000
FIELDS = {
    "activity_type": av.required(av.ACTIVITY_TYPE),
    "date": av.required(av.activity_moment),
    "status": av.ACTIVITY_STATUS,
    "opportunity": v.text(300),
    "notes": v.text(5000),
    "external_id": v.text(100),
}


def _norm(text: Any) -> str:
    return re.sub(r"[\s_\-.]+", "", str(text or "").replace("\ufeff", "").strip().lower())


_CANONICAL = {_norm(c): c for c in COLUMNS} | ALIASES


@dataclass
class ActivityImportResult:
    """What an activity import did, or (dry run, refused file) would do."""

    filename: str
    dry_run: bool
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    samples: list[dict] = field(default_factory=list)
    written: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    def as_dict(self) -> dict:
        return {
            "filename": self.filename, "dry_run": self.dry_run, "written": self.written, "rows": self.rows,
            "created": self.created, "updated": self.updated, "unchanged": self.unchanged,
            "errors": [e.as_dict() for e in self.errors], "samples": self.samples,
        }  # fmt: skip

    def summary(self) -> str:
        head = f"{self.filename}: {self.rows} rows" + (
            " (dry run, nothing written)" if self.dry_run else ""
        )
        if self.errors:
            return f"{head}\n{len({e.line for e in self.errors})} bad rows; nothing written."
        return f"{head}\n  activities {self.created} created {self.updated} updated {self.unchanged} unchanged"


def _header(cells: list) -> tuple[dict[int, str], list[str]]:
    columns, problems = {}, []
    for i, cell in enumerate(cells):
        name = _CANONICAL.get(_norm(cell))
        if name and name not in columns.values():
            columns[i] = name
        elif str(cell or "").strip() and not name:
            problems.append(f"unknown column {str(cell).strip()!r} (use: {', '.join(COLUMNS)})")
    missing = [c for c in REQUIRED if c not in columns.values()]
    if missing:
        problems.append(f"missing column {', '.join(missing)}")
    return columns, problems


def activity_import(
    *, actor, path_or_file: Path | str, filename: str = "", dry_run: bool = False
) -> ActivityImportResult:
    """Check every row, then (unless a dry run or any row is bad) write them all in one transaction."""
    if actor is not None and not permissions.can_manage_pool(actor):
        raise Forbidden("Only a program manager can import activities.")
    from refdesk.asks.models import ReferenceRequest
    from refdesk.pool.models import ReferenceProfile

    path = Path(path_or_file)
    filename = filename or path.name
    sheet = Spreadsheet(path, filename)
    result = ActivityImportResult(filename=filename, dry_run=dry_run)
    rows: list[tuple[int, dict]] = []
    columns: dict[int, str] | None = None
    for line, cells in sheet.records():
        if columns is None:
            if not any(str(c or "").strip() for c in cells):
                continue
            columns, problems = _header(cells)
            if problems:
                raise InvalidInput(f"{filename} line {line}: " + "; ".join(problems) + ".")
            continue
        if not any(str(c or "").strip() for c in cells if c is not None):
            continue
        rows.append(
            (line, {name: cells[i] if i < len(cells) else None for i, name in columns.items()})
        )
        if len(rows) > MAX_ROWS:
            raise InvalidInput(f"{filename} has more than {MAX_ROWS} rows: split it.")
    if columns is None:
        raise InvalidInput(f"{filename} has no header row.")
    result.rows = len(rows)

    emails = {str(r.get("email") or "").strip().lower() for _, r in rows}
    references = {
        email: ref_id
        for ref_id, email in ReferenceProfile.objects.filter(contact__email__in=emails).values_list(
            "pk", "contact__email"
        )
    }
    request_ids = {
        v.whole_number(1, 2**62)(r["request_id"]) for _, r in rows if _ok_int(r.get("request_id"))
    }
    known_requests = dict(
        ReferenceRequest.objects.filter(pk__in=request_ids).values_list("pk", "prospect")
    )
    ext_ids = {str(r.get("external_id") or "").strip() for _, r in rows} - {""}
    existing = (
        {a.external_id: a for a in Activity.objects.filter(external_id__in=ext_ids)}
        if ext_ids
        else {}
    )
    seen_ext: dict[str, int] = {}
    plan: list[tuple[str, Activity | None, dict]] = []
    for line, raw in rows:
        errors_before = len(result.errors)
        cleaned: dict[str, Any] = {}
        for name, cleaner in FIELDS.items():
            if name not in raw:
                continue
            try:
                cleaned[name] = cleaner(raw[name])
            except ValueError as exc:
                result.errors.append(RowError(line, name, str(exc)))
        email = str(raw.get("email") or "").strip().lower()
        if not email:
            result.errors.append(RowError(line, "email", "is required"))
        elif email not in references:
            result.errors.append(RowError(line, "email", f"{email} is not a reference in the pool"))
        request_id = None
        if raw.get("request_id") not in (None, "") and str(raw.get("request_id")).strip():
            try:
                request_id = v.whole_number(1, 2**62)(raw["request_id"])
            except ValueError as exc:
                result.errors.append(RowError(line, "request_id", str(exc)))
            else:
                if request_id not in known_requests:
                    result.errors.append(
                        RowError(line, "request_id", f"#{request_id} is not a reference request")
                    )
        ext = cleaned.get("external_id", "")
        if ext:
            if ext in seen_ext:
                result.errors.append(
                    RowError(line, "external_id", f"{ext!r} is also on line {seen_ext[ext]}")
                )
            seen_ext.setdefault(ext, line)
        if len(result.errors) != errors_before:
            continue
        values = {
            "reference_id": references[email], "activity_type": cleaned["activity_type"], "occurred_at": cleaned["date"],
            "status": cleaned.get("status") or "completed", "request_id": request_id,
            "opportunity_text": cleaned.get("opportunity") or (known_requests.get(request_id) or ""),
            "notes": cleaned.get("notes", ""), "external_id": ext,
        }  # fmt: skip
        if request_id:
            values["request_text"] = f"#{request_id} {known_requests[request_id]}"[:300]
        found = existing.get(ext) if ext else None
        if found is None:
            plan.append(("created", None, values))
        elif any(getattr(found, k) != val for k, val in values.items() if k != "request_text"):
            plan.append(("updated", found, values))
        else:
            plan.append(("unchanged", found, values))
    for action, _, values in plan:
        setattr(result, action, getattr(result, action) + 1)
        if len(result.samples) < 10:
            result.samples.append({"action": action, **{k: str(val) for k, val in values.items()}})
    if result.errors or dry_run:
        return result
    with transaction.atomic():
        creates = []
        for action, found, values in plan:
            if action == "created":
                creates.append(Activity(**values, source=ActivitySource.IMPORT, entered_by=actor))
            elif action == "updated":
                for k, val in values.items():
                    setattr(found, k, val)
                found.save(update_fields=[*values, "updated_at"])
        Activity.objects.bulk_create(creates, batch_size=1000)
    result.written = True
    return result


def _ok_int(value: Any) -> bool:
    try:
        v.whole_number(1, 2**62)(value)
        return value not in (None, "")
    except ValueError:
        return False
