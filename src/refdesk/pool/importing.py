"""Import the reference pool from a CSV or XLSX spreadsheet (the `refdesk import` contract).

Two streaming passes over the file: the first checks every row (field rules from
`validation.py`, conflicts inside the file and with the database) and predicts what will
change; the second, only if no row is bad, writes in one transaction with bulk operations.

Each row is one contact at one account plus their reference profile. Semantics of cells:

* Account columns describe an account that several rows share: a blank cell says nothing
  (the stored value stays); non-blank values for the same account must agree across rows.
* Contact and reference columns describe the row's person: a blank cell clears the value,
  except the identity columns (`external_id`) and `status` (blank keeps the status of an
  existing reference; a new one starts as `candidate`).
* Columns absent from the file leave their fields untouched.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import gc
import os
import re
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import connection, models, transaction
from django.db.models.functions import Lower
from django.utils import timezone

from refdesk.core.errors import Forbidden, InvalidInput
from refdesk.people import permissions
from refdesk.people.models import User
from refdesk.people.services import user_get_or_create_owner
from refdesk.pool import naics, services
from refdesk.pool import validation as v
from refdesk.pool.choices import STATUS_TRANSITIONS, ReferenceStatus
from refdesk.pool.models import (
    Account,
    Contact,
    NaicsIndustry,
    Product,
    ReferenceProfile,
    ReferenceStatusChange,
)

BATCH = 2000
SAMPLE_SIZE = 20
IMPORT_REASON = "import"

# Canonical column -> (entity, model field). Error messages name the canonical column.
COLUMNS: dict[str, tuple[str, str]] = {
    "account": ("account", "name"),
    "account_external_id": ("account", "external_id"),
    "industry": ("account", "industry"),
    "naics_code": ("account", "naics_code"),
    "country": ("account", "country"),
    "employees": ("account", "employees"),
    "products": ("account", "products"),
    "live_since": ("account", "live_since"),
    "owner_email": ("account", "owner_email"),
    "gift_policy": ("account", "gift_policy"),
    "matching_blocked": ("account", "matching_blocked"),
    "blocked_reason": ("account", "blocked_reason"),
    "contact": ("contact", "name"),
    "email": ("contact", "email"),
    "external_id": ("contact", "external_id"),
    "title": ("contact", "title"),
    "phone": ("contact", "phone"),
    "languages": ("contact", "languages"),
    "time_zone": ("contact", "time_zone"),
    "status": ("reference", "status"),
    "activities": ("reference", "activity_types"),
    "topics": ("reference", "topics"),
    "use_cases": ("reference", "topics"),
    "competitors_displaced": ("reference", "competitors_displaced"),
    "testimonial_channels": ("reference", "testimonial_channels"),
    "testimonial_expires": ("reference", "testimonial_expires"),
    "nps": ("reference", "nps"),
    "nps_date": ("reference", "nps_date"),
    "csat": ("reference", "csat"),
    "csat_date": ("reference", "csat_date"),
    "opted_out": ("reference", "opted_out"),
    "notes": ("reference", "notes"),
}
ALIASES = {
    "accountname": "account",
    "company": "account",
    "companyname": "account",
    "customer": "account",
    "accountcrmid": "account_external_id",
    "accountid": "account_external_id",
    "naics": "naics_code",
    "owner": "owner_email",
    "accountowner": "owner_email",
    "owneremail": "owner_email",
    "contactname": "contact",
    "name": "contact",
    "fullname": "contact",
    "emailaddress": "email",
    "contactexternalid": "external_id",
    "crmid": "external_id",
    "contactcrmid": "external_id",
    "jobtitle": "title",
    "timezone": "time_zone",
    "language": "languages",
    "activitytypes": "activities",
    "usecase": "use_cases",
    "competitors": "competitors_displaced",
    "golive": "live_since",
    "golivedate": "live_since",
    "npsscore": "nps",
    "csatscore": "csat",
    "giftpolicy": "gift_policy",
}
REQUIRED_COLUMNS = ("account", "contact", "email")
# Reading (entity, field) back to the column that carries it, for messages.
FIELD_COLUMN = {value: name for name, value in COLUMNS.items() if name != "use_cases"}
ACCOUNT_SEARCH_FIELDS = {"name", "industry_id", "industry_text", "products", "country"}  # what references copy


def _norm_header(text: Any) -> str:
    return re.sub(r"[\s_\-.]+", "", str(text or "").replace("\ufeff", "").strip().lower())


_CANONICAL = {_norm_header(name): name for name in COLUMNS} | ALIASES


# ---------------------------------------------------------------------------------------- result


@dataclass
class RowError:
    """One problem in one row: the spreadsheet line (header = 1), the column and the reason."""

    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return (
            f"line {self.line}: {self.field}: {self.message}"
            if self.field
            else f"line {self.line}: {self.message}"
        )

    def as_dict(self) -> dict:
        return {"line": self.line, "field": self.field, "message": self.message}


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def add(self, action: str) -> None:
        setattr(self, action, getattr(self, action) + 1)

    def as_dict(self) -> dict:
        return {"created": self.created, "updated": self.updated, "unchanged": self.unchanged}


@dataclass
class ImportResult:
    """What an import did (or, for a dry run or a refused file, would do)."""

    filename: str
    dry_run: bool
    rows: int = 0
    accounts: Counts = field(default_factory=Counts)
    contacts: Counts = field(default_factory=Counts)
    references: Counts = field(default_factory=Counts)
    status_changes: int = 0
    owners_created: int = 0
    products_created: int = 0
    errors: list[RowError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    samples: list[dict] = field(default_factory=list)
    written: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def bad_lines(self) -> int:
        return len({e.line for e in self.errors})

    def as_dict(self) -> dict:
        return {
            "filename": self.filename,
            "dry_run": self.dry_run,
            "written": self.written,
            "rows": self.rows,
            "accounts": self.accounts.as_dict(),
            "contacts": self.contacts.as_dict(),
            "references": self.references.as_dict(),
            "status_changes": self.status_changes,
            "owners_created": self.owners_created,
            "products_created": self.products_created,
            "errors": [e.as_dict() for e in self.errors],
            "warnings": list(self.warnings),
            "samples": self.samples,
        }

    def summary(self) -> str:
        """A few lines for people: what changed (or would), and how many rows were refused."""
        lines = [
            f"{self.filename}: {self.rows} rows"
            + (" (dry run, nothing written)" if self.dry_run else "")
        ]
        if self.errors:
            lines.append(f"{self.bad_lines} bad rows; nothing written.")
            return "\n".join(lines)
        for label, counts in (
            ("accounts", self.accounts),
            ("contacts", self.contacts),
            ("references", self.references),
        ):
            lines.append(
                f"  {label:<11} {counts.created:>7} created {counts.updated:>7} updated {counts.unchanged:>7} unchanged"
            )
        extras = []
        if self.status_changes:
            extras.append(f"{self.status_changes} status changes")
        if self.owners_created:
            extras.append(
                f"{self.owners_created} new account owners (sales reps who can log in once invited)"
            )
        if self.products_created:
            extras.append(f"{self.products_created} new products")
        if extras:
            lines.append("  " + "; ".join(extras) + ".")
        return "\n".join(lines)


class _RowRefused(Exception):
    """Pass two met a row that pass one accepted: the file changed underneath."""


# ---------------------------------------------------------------------------------------- reading

Progress = Callable[[str, int, int | None], None]


def _cell(value: Any) -> Any:
    """A spreadsheet cell as a cleaner expects it (1.0 -> 1, midnight datetimes -> dates)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dt.datetime) and value.time() == dt.time(0):
        return value.date()
    return value


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


class Spreadsheet:
    """A CSV or XLSX file that can be read row by row, more than once, without holding it."""

    def __init__(self, path: Path, filename: str):
        self.path, self.filename = path, filename
        with open(path, "rb") as fh:
            head = fh.read(8192)
        if not head.strip():
            raise InvalidInput(f"{filename} is empty.")
        if head.startswith(b"PK\x03\x04"):
            self.kind = "xlsx"
        elif head.startswith(b"\xd0\xcf\x11\xe0"):
            raise InvalidInput(
                f"{filename} is an old Excel (.xls) workbook: save it as .xlsx or CSV and import that."
            )
        elif filename.lower().endswith((".xlsx", ".xlsm")):
            raise InvalidInput(
                f"{filename} is not a valid Excel workbook (the file is damaged or not .xlsx)."
            )
        else:
            self.kind = "csv"
            self.encoding = self._sniff_encoding(head)
            if "\x00" in head.decode(
                self.encoding, errors="replace"
            ) and not self.encoding.startswith("utf-16"):
                raise InvalidInput(f"{filename} is not a spreadsheet: import a .csv or .xlsx file.")
            self.delimiter = self._sniff_delimiter()

    def _sniff_encoding(self, head: bytes) -> str:
        if head.startswith(codecs.BOM_UTF8):
            return "utf-8-sig"
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return "utf-16"
        if b"\x00" in head:
            raise InvalidInput(
                f"{self.filename} is not a spreadsheet: import a .csv or .xlsx file."
            )
        for encoding in ("utf-8", "cp1252"):
            decoder = codecs.getincrementaldecoder(encoding)()
            try:
                with open(self.path, "rb") as fh:
                    while chunk := fh.read(1 << 20):
                        decoder.decode(chunk)
                decoder.decode(b"", final=True)
                return encoding
            except UnicodeDecodeError:
                continue
        raise InvalidInput(
            f"{self.filename} is not text in UTF-8 or Windows-1252: save it as CSV UTF-8 and retry."
        )

    def _sniff_delimiter(self) -> str:
        with open(self.path, encoding=self.encoding, newline="") as fh:
            for line in fh:
                if line.strip():
                    unquoted = re.sub(r'"[^"]*"', "", line)
                    counts = {d: unquoted.count(d) for d in (",", ";", "\t")}
                    best = max(counts, key=lambda d: counts[d])
                    return best if counts[best] else ","
        return ","

    def records(self) -> Iterator[tuple[int, list]]:
        """(line number, cell values) for every row including the header; line 1 is the first."""
        if self.kind == "csv":
            yield from self._csv_records()
        else:
            yield from self._xlsx_records()

    def _csv_records(self) -> Iterator[tuple[int, list]]:
        line = 0
        try:
            with open(self.path, encoding=self.encoding, newline="") as fh:
                for line, row in enumerate(csv.reader(fh, delimiter=self.delimiter), start=1):
                    yield line, row
        except csv.Error as exc:
            raise InvalidInput(
                f"{self.filename} line {line + 1}: not readable as CSV ({exc})."
            ) from None

    def _xlsx_records(self) -> Iterator[tuple[int, list]]:
        import openpyxl

        try:
            workbook = openpyxl.load_workbook(self.path, read_only=True, data_only=True)
        except Exception:  # zip, XML or openpyxl errors: all mean "not a workbook we can read"
            raise InvalidInput(
                f"{self.filename} is not a valid Excel workbook: save it again as .xlsx, or as .csv."
            ) from None
        try:
            if not workbook.worksheets:
                raise InvalidInput(f"{self.filename} has no worksheet.")
            sheet = workbook.worksheets[0]
            try:
                for line, row in enumerate(sheet.iter_rows(values_only=True), start=1):
                    yield line, [_cell(c) for c in row]
            except (zipfile.BadZipFile, KeyError, ValueError, OSError, EOFError):
                raise InvalidInput(
                    f"{self.filename} is damaged and could not be read to the end: save it again as .xlsx, or as .csv."
                ) from None
        finally:
            workbook.close()

    def count_rows(self) -> int | None:
        """Roughly how many rows there are (for a progress bar)."""
        if self.kind == "csv":
            with open(self.path, "rb") as fh:
                return sum(chunk.count(b"\n") for chunk in iter(lambda: fh.read(1 << 20), b""))
        return None


# ---------------------------------------------------------------------------------------- rows


@dataclass
class _Row:
    line: int
    account: dict[str, Any]  # stated account fields (cleaned), always with "name"
    account_key: tuple[str, str]
    contact: dict[str, Any]  # contact fields of the present columns (cleaned)
    reference: dict[str, Any]
    status: str | None  # None: keep (existing) or candidate (new)


def _memo(cleaner: v.Cleaner, size: int = 20_000) -> v.Cleaner:
    """The same cleaner, remembering answers for repeated cells (industries, countries, lists)."""
    cache: dict[Any, tuple[bool, Any]] = {}

    def clean(value: Any) -> Any:
        try:
            ok, result = cache[value]
        except (KeyError, TypeError):
            try:
                ok, result = True, cleaner(value)
            except ValueError as exc:
                ok, result = False, str(exc)
            try:
                if len(cache) >= size:
                    cache.clear()
                cache[value] = (ok, result)
            except TypeError:
                pass
        if not ok:
            raise ValueError(result)
        return list(result) if isinstance(result, list) else result

    return clean


def _naics_code(value: Any) -> str | None:
    """A NAICS code column: the industry cleaner's rules, but only codes are accepted."""
    code, written = v.industry(value)
    if written:
        raise ValueError(
            f"{str(value).strip()!r} is not a NAICS code (free text goes in the industry column)"
        )
    return code


class _Parser:
    """Maps the header to columns and turns raw rows into cleaned `_Row`s or errors."""

    def __init__(self, header: list, result: ImportResult):
        self.index: dict[str, int] = {}
        self.topics_columns: list[int] = []
        for position, raw in enumerate(header):
            if _blank(raw):
                continue
            name = _CANONICAL.get(_norm_header(raw))
            if name is None:
                result.warnings.append(f"Column {str(raw).strip()!r} is not known and was ignored.")
                continue
            if name in ("topics", "use_cases"):
                self.topics_columns.append(position)
            if name in self.index:
                raise InvalidInput(
                    f"Columns {str(header[self.index[name]]).strip()!r} and {str(raw).strip()!r} both mean {name}; keep one."
                )
            self.index[name] = position
        missing = [name for name in REQUIRED_COLUMNS if name not in self.index]
        if missing:
            raise InvalidInput(
                f"The file has no {', '.join(missing)} column{'s' if len(missing) > 1 else ''}; "
                f"the first row must name the columns (at least: {', '.join(REQUIRED_COLUMNS)})."
            )
        self.account_spec = {k: _memo(c) for k, c in v.ACCOUNT_FIELDS.items()} | {
            "naics_code": _memo(_naics_code)
        }
        self.contact_spec = dict(v.CONTACT_FIELDS) | {
            "languages": _memo(v.languages),
            "time_zone": _memo(v.time_zone),
        }
        self.reference_spec = {
            k: _memo(c) for k, c in v.REFERENCE_FIELDS.items() if k not in ("notes",)
        }
        self.reference_spec["notes"] = v.REFERENCE_FIELDS["notes"]
        self.status_cleaner = _memo(v.REFERENCE_STATUS)
        self.cells = [
            (position, *COLUMNS[name])
            for name, position in self.index.items()
            if name not in ("topics", "use_cases")
        ]

    def parse(self, line: int, row: list) -> tuple[_Row | None, list[RowError]]:
        raw: dict[str, dict[str, Any]] = {"account": {}, "contact": {}, "reference": {}}
        width = len(row)
        for position, entity, attr in self.cells:
            value = row[position] if position < width else None
            raw[entity][attr] = value.strip() if isinstance(value, str) else value
        if self.topics_columns:
            cells = [row[p] for p in self.topics_columns if p < len(row) and not _blank(row[p])]
            raw["reference"]["topics"] = ";".join(str(c) for c in cells)
        status_raw = raw["reference"].pop("status", None)
        errors: list[RowError] = []
        # Account columns: blank says nothing, except the name, which is required.
        account_raw = {
            k: val for k, val in raw["account"].items() if k == "name" or not _blank(val)
        }
        account = self._clean(line, "account", self.account_spec, account_raw, errors)
        contact_raw = dict(raw["contact"])
        if _blank(contact_raw.get("external_id")):
            contact_raw.pop("external_id", None)
        contact = self._clean(line, "contact", self.contact_spec, contact_raw, errors)
        reference = self._clean(line, "reference", self.reference_spec, raw["reference"], errors)
        status = None
        if not _blank(status_raw):
            try:
                status = self.status_cleaner(status_raw)
            except ValueError as exc:
                errors.append(RowError(line, "status", str(exc)))
        if errors:
            return None, errors
        if "naics_code" in account:
            code = account.pop("naics_code")
            written = account.get("industry", (None, ""))[1]
            account["industry"] = (code, written)
        ext = account.get("external_id")
        key = ("ext", ext) if ext else ("name", account["name"].lower())
        return _Row(line, account, key, contact, reference, status), []

    def _clean(self, line, entity, spec, data, errors) -> dict:
        try:
            return v.clean_fields(spec, data)
        except InvalidInput as exc:
            for attr, reason in (exc.details or {}).items():
                column = (
                    "naics_code" if attr == "naics_code" else FIELD_COLUMN.get((entity, attr), attr)
                )
                if entity == "reference" and attr == "topics" and "topics" not in self.index:
                    column = "use_cases"
                errors.append(RowError(line, column, reason))
            return {}


# ---------------------------------------------------------------------------------------- plans


@dataclass
class _AccountPlan:
    line: int
    key: tuple[str, str]
    stated: dict[str, tuple[Any, int]] = field(default_factory=dict)  # field -> (value, line)
    db_id: int | None = None
    error: bool = False
    account: Any = None  # pass two: the account as written
    names: Any = None  # pass two: its product names


def _same(attr: str, a: Any, b: Any) -> bool:
    if attr == "products":
        return {x.lower() for x in a} == {x.lower() for x in b}
    if attr == "name":
        return a.lower() == b.lower()
    return a == b


def _show(value: Any) -> str:
    if isinstance(value, tuple):  # industry (code, text)
        return repr(value[1] or value[0])
    if isinstance(value, list):
        return repr("; ".join(value))
    if isinstance(value, dt.date):
        return value.isoformat()
    return repr(value)


CONTACT_ATTRS = ["name", "email", "title", "phone", "languages", "time_zone", "external_id"]
REFERENCE_ATTRS = [
    "activity_types",
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


# Copies a reference keeps of its contact and account (search words, sort keys), see services.
DERIVED_FIELDS = [
    f.name
    for f in ReferenceProfile._meta.fields
    if f.name in ("search_text", "sort_name", "sort_account", "country", "industry_code")
]


def _derived(reference: ReferenceProfile) -> dict[str, str]:
    """The reference's derived fields, computed by the services' own function."""
    if hasattr(services, "reference_derived_fields"):
        return services.reference_derived_fields(reference)
    return {"search_text": services.reference_search_text(reference)}


ACCOUNT_VALUES = [
    "id",
    "name",
    "external_id",
    "industry_id",
    "industry_text",
    "country",
    "employees",
    "live_since",
    "owner_id",
    "gift_policy",
    "matching_blocked",
    "blocked_reason",
]


class _Stored:
    """A stored contact and its reference profile, read as plain values (cheaper than models)."""

    QUERY = (
        "pk",
        "account_id",
        *CONTACT_ATTRS,
        "reference__pk",
        "reference__status",
        "reference__status_changed_at",
        "reference__status_changed_by",
        "reference__updated_at",
        *(f"reference__{a}" for a in REFERENCE_ATTRS),
        *(f"reference__{a}" for a in DERIVED_FIELDS),
    )
    __slots__ = ("pk", "account_id", "name", "email", "external_id", "values", "reference")

    def __init__(self, values: tuple):
        self.pk, self.account_id = values[0], values[1]
        n = len(CONTACT_ATTRS)
        self.values = dict(zip(CONTACT_ATTRS, values[2 : 2 + n], strict=True))
        self.name, self.email, self.external_id = (
            self.values["name"],
            self.values["email"],
            self.values["external_id"],
        )
        rest = values[2 + n :]
        if rest[0] is None:
            self.reference = None
        else:
            keys = (
                "pk",
                "status",
                "status_changed_at",
                "status_changed_by",
                "updated_at",
                *REFERENCE_ATTRS,
                *DERIVED_FIELDS,
            )
            self.reference = dict(zip(keys, rest, strict=True))

    def __getattr__(self, name):
        try:
            return self.values[name]
        except KeyError:
            raise AttributeError(name) from None

    def contact_values(self) -> dict:
        return dict(self.values)


class _Importer:
    def __init__(self, *, actor, sheet: Spreadsheet, dry_run: bool, progress: Progress | None):
        self.actor, self.sheet, self.dry_run = actor, sheet, dry_run
        self.progress = progress
        self.result = ImportResult(filename=sheet.filename, dry_run=dry_run)
        self.total = sheet.count_rows() if progress else None

    # ---- shared between the passes

    def _rows(self, stage: str) -> Iterator[list[_Row]]:
        """Batches of cleaned rows; bad rows go to the result's errors (pass one only)."""
        records = self.sheet.records()
        header = None
        for _line, cells in records:
            if any(not _blank(c) for c in cells):
                header = cells
                break
        if header is None:
            raise InvalidInput(f"{self.sheet.filename} is empty: it has no header row.")
        parser = _Parser(
            header, self.result if stage == "check" else ImportResult(filename="", dry_run=True)
        )
        self.parser = parser
        batch: list[_Row] = []
        count = 0
        for line, cells in records:
            if not any(not _blank(c) for c in cells):
                continue
            count += 1
            row, errors = parser.parse(line, cells)
            if errors:
                if stage != "check":
                    raise _RowRefused(str(errors[0]))
                self.result.errors.extend(errors)
            else:
                batch.append(row)
            if len(batch) >= BATCH:
                yield batch
                batch = []
            if self.progress and count % 1000 == 0:
                self.progress(stage, count, self.total)
        if batch:
            yield batch
        if stage == "check":
            self.result.rows = count
            if count == 0:
                raise InvalidInput(f"{self.sheet.filename} has a header but no rows to import.")
        if self.progress:
            self.progress(stage, count, count)

    def _resolve_accounts(self, rows: list[_Row]) -> None:
        """Find the stored account each new account key names (pass one)."""
        new = {}
        for row in rows:
            if row.account_key not in self.plans:
                new.setdefault(row.account_key, row)
        if not new:
            return
        ext_ids = [k[1] for k in new if k[0] == "ext"]
        by_ext = {
            a.external_id: a.pk
            for a in Account.objects.filter(external_id__in=ext_ids).only("pk", "external_id")
        }
        names = {k[1] for k in new if k[0] == "name"}
        names |= {
            r.account["name"].lower()
            for k, r in new.items()
            if k[0] == "ext" and k[1] not in by_ext
        }
        by_name: dict[str, list[tuple[int, str]]] = {}
        for pk, lname, ext in (
            Account.objects.annotate(lname=Lower("name"))
            .filter(lname__in=list(names))
            .values_list("pk", "lname", "external_id")
        ):
            by_name.setdefault(lname, []).append((pk, ext))
        for key, row in new.items():
            plan = _AccountPlan(line=row.line, key=key)
            self.plans[key] = plan
            if key[0] == "ext":
                plan.db_id = by_ext.get(key[1])
                if plan.db_id is None:
                    # An account imported before without its CRM id adopts it now.
                    unkeyed = [
                        pk for pk, ext in by_name.get(row.account["name"].lower(), []) if not ext
                    ]
                    if len(unkeyed) == 1:
                        plan.db_id = unkeyed[0]
            else:
                found = by_name.get(key[1], [])
                if len(found) > 1:
                    plan.error = True
                    self.result.errors.append(
                        RowError(
                            row.line,
                            "account",
                            f"several accounts are named {row.account['name']!r}; add account_external_id to say which",
                        )
                    )
                elif found:
                    plan.db_id = found[0][0]
            if plan.db_id is not None:
                if plan.db_id in self.account_ids:
                    plan.error = True
                    self.result.errors.append(
                        RowError(
                            row.line,
                            "account",
                            f"is the same account as on line {self.account_ids[plan.db_id]}, named differently",
                        )
                    )
                else:
                    self.account_ids[plan.db_id] = row.line

    def _find_contacts(self, rows: list[_Row]) -> tuple[dict[str, _Stored], dict[str, _Stored]]:
        """The stored contacts (and references) the batch's rows name, by CRM id and by email."""
        exts = [r.contact["external_id"] for r in rows if r.contact.get("external_id")]
        emails = [r.contact["email"] for r in rows]
        by_ext, by_email = {}, {}
        base = Contact.objects.order_by()
        if exts:
            for values in (
                base.filter(external_id__in=exts)
                .exclude(external_id="")
                .values_list(*_Stored.QUERY)
            ):
                stored = _Stored(values)
                by_ext[stored.external_id] = stored
        for values in (
            base.annotate(lemail=Lower("email"))
            .filter(lemail__in=emails)
            .values_list(*_Stored.QUERY)
        ):
            stored = _Stored(values)
            by_email[stored.email.lower()] = stored
        return by_ext, by_email

    def _match_contact(self, row: _Row, by_ext, by_email) -> tuple[_Stored | None, RowError | None]:
        """The stored contact a row is about (by CRM id, else email), or a reason it cannot be told."""
        email, ext = row.contact["email"], row.contact.get("external_id")
        contact = by_ext.get(ext) if ext else None
        other = by_email.get(email)
        if contact is None:
            if other is not None and ext and other.external_id and other.external_id != ext:
                return None, RowError(
                    row.line,
                    "email",
                    f"{email} belongs to {other.name}, whose CRM id is {other.external_id!r}, not {ext!r}",
                )
            return other, None
        if other is not None and other.pk != contact.pk:
            return None, RowError(
                row.line,
                "email",
                f"{email} is already the email of {other.name} (CRM id {other.external_id or 'none'})",
            )
        return contact, None

    def _contact_changes(self, row: _Row, contact: _Stored, account_id: int | None) -> list[str]:
        changed = [a for a, val in row.contact.items() if getattr(contact, a) != val]
        if account_id is None or contact.account_id != account_id:
            changed.append("account")
        return changed

    def _reference_changes(self, row: _Row, contact: _Stored) -> list[str]:
        ref = contact.reference
        changed = [a for a, val in row.reference.items() if ref[a] != val]
        if row.status and row.status != ref["status"]:
            changed.append("status")
        return changed

    def _transition_error(self, row: _Row, contact: _Stored) -> RowError | None:
        current = contact.reference["status"]
        if row.status and row.status != current and row.status not in STATUS_TRANSITIONS[current]:
            allowed = ", ".join(sorted(STATUS_TRANSITIONS[current]))
            return RowError(
                row.line,
                "status",
                f"a reference cannot go from {current} to {row.status}; from {current} it can go to: {allowed}",
            )
        return None

    # ---- pass one

    def check(self) -> None:
        """Read every row, find every problem, and count what would change."""
        self.plans: dict[tuple[str, str], _AccountPlan] = {}
        self.account_ids: dict[int, int] = {}
        emails: dict[str, int] = {}
        exts: dict[str, int] = {}
        contact_ids: dict[int, int] = {}
        result = self.result
        for batch in self._rows("check"):
            self._resolve_accounts(batch)
            by_ext, by_email = self._find_contacts(batch)
            for row in batch:
                errors = self._merge_account(row)
                email, ext = row.contact["email"], row.contact.get("external_id")
                if email in emails:
                    errors.append(
                        RowError(row.line, "email", f"{email} is also on line {emails[email]}")
                    )
                else:
                    emails[email] = row.line
                if ext:
                    if ext in exts:
                        errors.append(
                            RowError(
                                row.line, "external_id", f"{ext!r} is also on line {exts[ext]}"
                            )
                        )
                    else:
                        exts[ext] = row.line
                contact, error = self._match_contact(row, by_ext, by_email)
                if error:
                    errors.append(error)
                if contact is not None:
                    if contact.pk in contact_ids and not errors:
                        errors.append(
                            RowError(
                                row.line,
                                "email",
                                f"is the same person as on line {contact_ids[contact.pk]}",
                            )
                        )
                    contact_ids.setdefault(contact.pk, row.line)
                    if contact.reference is not None:
                        error = self._transition_error(row, contact)
                        if error:
                            errors.append(error)
                if errors:
                    result.errors.extend(errors)
                    continue
                self._count_row(row, contact, self.plans[row.account_key].db_id)
        self._plan_accounts()
        result.errors.sort(key=lambda e: e.line)

    def _merge_account(self, row: _Row) -> list[RowError]:
        plan = self.plans[row.account_key]
        errors = []
        if plan.error and row.line != plan.line:
            errors.append(RowError(row.line, "account", f"see line {plan.line}"))
        for attr, value in row.account.items():
            if attr in plan.stated:
                before, line = plan.stated[attr]
                if not _same(attr, before, value):
                    column = FIELD_COLUMN.get(("account", attr), attr)
                    errors.append(
                        RowError(
                            row.line,
                            column,
                            f"{_show(value)} differs from {_show(before)} on line {line} for the same account",
                        )
                    )
            else:
                plan.stated[attr] = (value, row.line)
        return errors

    def _count_row(self, row: _Row, contact: _Stored | None, account_id) -> None:
        result = self.result
        if contact is None:
            result.contacts.add("created")
            result.references.add("created")
            result.status_changes += 1
            self._sample(row, "create", [])
            return
        contact_changed = self._contact_changes(row, contact, account_id)
        result.contacts.add("updated" if contact_changed else "unchanged")
        if contact.reference is None:
            result.references.add("created")
            result.status_changes += 1
            self._sample(row, "update", [*contact_changed, "reference"])
            return
        reference_changed = self._reference_changes(row, contact)
        result.references.add("updated" if reference_changed else "unchanged")
        if "status" in reference_changed:
            result.status_changes += 1
        if contact_changed or reference_changed:
            self._sample(row, "update", contact_changed + reference_changed)

    def _sample(self, row: _Row, action: str, changed: list[str]) -> None:
        if len(self.result.samples) < SAMPLE_SIZE:
            self.result.samples.append(
                {
                    "line": row.line,
                    "action": action,
                    "contact": row.contact.get("name", ""),
                    "email": row.contact["email"],
                    "account": row.account["name"],
                    "changes": [
                        FIELD_COLUMN.get(("contact", c)) or FIELD_COLUMN.get(("reference", c)) or c
                        for c in changed
                    ],
                }
            )

    def _plan_accounts(self) -> None:
        """Decide for each account in the file: create, update or unchanged (and which owners are new)."""
        owner_emails = {
            p.stated["owner_email"][0]
            for p in self.plans.values()
            if p.stated.get("owner_email", ("",))[0]
        }
        known = set()
        emails = list(owner_emails)
        for i in range(0, len(emails), 500):
            known |= set(
                User.objects.annotate(le=Lower("email"))
                .filter(le__in=emails[i : i + 500])
                .values_list("le", flat=True)
            )
        self.result.owners_created = len(owner_emails - known)
        product_names = {
            n.lower() for p in self.plans.values() for n in p.stated.get("products", ([], 0))[0]
        }
        existing = set(Product.objects.annotate(ln=Lower("name")).values_list("ln", flat=True))
        self.result.products_created = len(product_names - existing)
        plans = [p for p in self.plans.values() if not p.error]
        for i in range(0, len(plans), 1000):
            chunk = plans[i : i + 1000]
            stored = self._stored_accounts([p.db_id for p in chunk if p.db_id])
            for plan in chunk:
                action = (
                    "created"
                    if plan.db_id is None
                    else "updated"
                    if self._account_changes(plan, stored[plan.db_id])
                    else "unchanged"
                )
                self.result.accounts.add(action)

    def _stored_accounts(self, ids: list[int]) -> dict[int, dict]:
        """Stored accounts as plain dicts (with `owner_email` and `products`), in two queries."""
        if not ids:
            return {}
        stored = {
            row["id"]: row | {"products": []}
            for row in Account.objects.filter(pk__in=ids)
            .order_by()
            .values(*ACCOUNT_VALUES, owner_email=Lower("owner__email"))
        }
        links = (
            Account.products.through.objects.filter(account_id__in=ids)
            .order_by()
            .values_list("account_id", "product__name")
        )
        for account_id, name in links:
            stored[account_id]["products"].append(name)
        return stored

    def _account_changes(self, plan: _AccountPlan, account: dict) -> set[str]:
        changed = set()
        for attr, (value, _line) in plan.stated.items():
            if attr == "industry":
                code, written = value
                if account["industry_id"] != code:
                    changed.add("industry_id")
                if account["industry_text"] != written:
                    changed.add("industry_text")
            elif attr == "owner_email":
                if (account["owner_email"] or "") != value:
                    changed.add("owner")
            elif attr == "products":
                if {p.lower() for p in account["products"]} != {n.lower() for n in value}:
                    changed.add("products")
            elif account[attr] != value:
                changed.add(attr)
        if plan.key[0] == "ext" and account["external_id"] != plan.key[1]:
            changed.add("external_id")
        return changed

    # ---- pass two

    def write(self) -> None:
        """Write what pass one planned, in one transaction, with bulk operations."""
        predicted = self.result
        self.result = ImportResult(
            filename=predicted.filename,
            dry_run=False,
            rows=predicted.rows,
            warnings=predicted.warnings,
            samples=predicted.samples,
            owners_created=predicted.owners_created,
            products_created=predicted.products_created,
        )
        self.now = timezone.now()
        if connection.vendor == "sqlite":
            # A bigger page cache for this connection: index inserts into large tables stay in memory.
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA cache_size = -65536")
        with transaction.atomic():
            self._write_accounts()
            self.contact_ids: set[int] = set()
            self.account_cache: dict = {}
            for batch in self._rows("write"):
                self._write_rows(batch)
            self._refresh_account_search_text()
        self.result.written = True

    def _write_accounts(self) -> None:
        owners: dict[str, int] = {}
        for plan in self.plans.values():
            email = plan.stated.get("owner_email", ("",))[0]
            if email and email not in owners:
                owners[email] = user_get_or_create_owner(email=email).pk
        products = {p.name.lower(): p for p in Product.objects.all()}
        wanted = {n for p in self.plans.values() for n in p.stated.get("products", ([], 0))[0]}
        for name in sorted(wanted, key=str.lower):
            if name.lower() not in products:
                products[name.lower()] = services.products_get_or_create([name])[0]
        self.search_dirty: set[int] = set()
        # What the search words need of each account: key -> (id, name, industry code, text, products).
        self.account_info: dict[tuple[str, str], tuple] = {}
        through = Account.products.through
        update_fields = [f for f in ACCOUNT_VALUES if f != "id"] + ["updated_at"]
        plans = list(self.plans.values())
        for i in range(0, len(plans), 1000):
            chunk = plans[i : i + 1000]
            stored = self._stored_accounts([p.db_id for p in chunk if p.db_id])
            new, changed, links, unlink = [], [], [], []
            for plan in chunk:
                before = stored.get(plan.db_id) if plan.db_id else None
                changes = self._account_changes(plan, before) if before else {"new"}
                values = {k: before[k] for k in ACCOUNT_VALUES} if before else {}
                names = before["products"] if before else []
                for attr, (value, _line) in plan.stated.items():
                    if attr == "industry":
                        values["industry_id"], values["industry_text"] = value
                    elif attr == "owner_email":
                        values["owner_id"] = owners[value] if value else None
                    elif attr == "products":
                        names = [products[n.lower()].name for n in value]
                    else:
                        values[attr] = value
                if plan.key[0] == "ext":
                    values["external_id"] = plan.key[1]
                account = Account(**values)
                if not changes:
                    self.result.accounts.add("unchanged")
                elif before:
                    account.updated_at = self.now
                    changed.append(account)
                    self.result.accounts.add("updated")
                    if changes & ACCOUNT_SEARCH_FIELDS:
                        self.search_dirty.add(account.pk)
                    if "products" in changes:
                        unlink.append(account.pk)
                        links += [(account, products[n.lower()].pk) for n in names]
                else:
                    new.append((plan, account))
                    self.result.accounts.add("created")
                    links += [(account, products[n.lower()].pk) for n in names]
                plan.names = names
                plan.account = account
            if new:
                Account.objects.bulk_create([a for _, a in new])
                for plan, account in new:
                    plan.db_id = account.pk
            if changed:
                Account.objects.bulk_update(changed, update_fields)
            if unlink:
                through.objects.filter(account_id__in=unlink).delete()
            if links:
                through.objects.bulk_create(
                    [through(account_id=a.pk, product_id=pid) for a, pid in links]
                )
            for plan in chunk:
                a = plan.account
                self.account_info[plan.key] = (
                    a.pk,
                    a.name,
                    a.industry_id,
                    a.industry_text,
                    tuple(sorted(plan.names)),
                    a.country,
                )
                plan.account = plan.names = None
        self.plans.clear()

    def _account_for_search(self, key: tuple[str, str], cache: dict) -> Account:
        """An in-memory account with what `reference_derived_fields` reads (industry, country, products) in place."""
        account = cache.get(key)
        if account is None:
            pk, name, code, written, names, country = self.account_info[key]
            account = Account(pk=pk, name=name, industry_text=written, country=country)
            if code:
                account.industry = NaicsIndustry(code=code, title=naics.title(code))
            account._prefetched_objects_cache = {"products": [Product(name=n) for n in names]}
            cache[key] = account
        return account

    def _write_rows(self, rows: list[_Row]) -> None:
        by_ext, by_email = self._find_contacts(rows)
        accounts = self.account_cache
        if len(accounts) > 50_000:
            accounts.clear()
        result, actor, now = self.result, self.actor, self.now
        new_contacts, changed_contacts = [], []
        new_refs, changed_refs, changes = [], [], []
        for row in rows:
            stored, error = self._match_contact(row, by_ext, by_email)
            if error or (stored is not None and stored.pk in self.contact_ids):
                raise _RowRefused(str(error or f"line {row.line}: the same person twice"))
            account = self._account_for_search(row.account_key, accounts)
            if stored is None:
                contact = Contact(account=account, **row.contact)
                new_contacts.append(contact)
                result.contacts.add("created")
            else:
                self.contact_ids.add(stored.pk)
                contact_changed = self._contact_changes(row, stored, account.pk)
                if (
                    not contact_changed
                    and stored.reference is not None
                    and not self._reference_changes(row, stored)
                ):
                    result.contacts.add("unchanged")
                    result.references.add("unchanged")
                    continue
                contact = Contact(
                    pk=stored.pk, account=account, **(stored.contact_values() | row.contact)
                )
                if contact_changed:
                    contact.updated_at = now
                    changed_contacts.append(contact)
                    result.contacts.add("updated")
                else:
                    result.contacts.add("unchanged")
            if stored is None or stored.reference is None:
                reference = ReferenceProfile(
                    contact=contact,
                    status=row.status or ReferenceStatus.CANDIDATE,
                    status_changed_at=now,
                    status_changed_by=actor,
                    **row.reference,
                )
                for name, value in _derived(reference).items():
                    setattr(reference, name, value)
                new_refs.append(reference)
                result.references.add("created")
                result.status_changes += 1
                continue
            error = self._transition_error(row, stored)
            if error:
                raise _RowRefused(str(error))
            changed = self._reference_changes(row, stored)
            result.references.add("updated" if changed else "unchanged")
            if not (changed or contact_changed):
                continue
            ref = stored.reference
            reference = ReferenceProfile(
                pk=ref["pk"],
                contact=contact,
                status=ref["status"],
                status_changed_at=ref["status_changed_at"],
                status_changed_by_id=ref["status_changed_by"],
                **({a: ref[a] for a in REFERENCE_ATTRS} | row.reference),
            )
            if "status" in changed:
                changes.append(
                    ReferenceStatusChange(
                        reference=reference,
                        from_status=reference.status,
                        to_status=row.status,
                        changed_at=now,
                        changed_by=actor,
                        reason=IMPORT_REASON,
                    )
                )
                reference.status, reference.status_changed_at, reference.status_changed_by = (
                    row.status,
                    now,
                    actor,
                )
                result.status_changes += 1
            derived = _derived(reference)
            for name, value in derived.items():
                setattr(reference, name, value)
            reference.updated_at = ref["updated_at"] if not changed else now
            if changed or any(ref[name] != value for name, value in derived.items()):
                changed_refs.append(reference)
        if new_contacts:
            for contact in new_contacts:
                contact.created_at = contact.updated_at = now
            _insert(Contact, new_contacts)
            ids = dict(
                Contact.objects.annotate(le=Lower("email"))
                .filter(le__in=[c.email for c in new_contacts])
                .values_list("le", "pk")
            )
            for contact in new_contacts:
                contact.pk = ids[contact.email]
        if changed_contacts:
            Contact.objects.bulk_update(
                changed_contacts, [*CONTACT_ATTRS, "account_id", "updated_at"]
            )
        if new_refs:
            for reference in new_refs:
                reference.contact_id = reference.contact.pk
                reference.created_at = reference.updated_at = now
            _insert(ReferenceProfile, new_refs)
            ids = dict(
                ReferenceProfile.objects.filter(
                    contact_id__in=[r.contact_id for r in new_refs]
                ).values_list("contact_id", "pk")
            )
            for reference in new_refs:
                reference.pk = ids[reference.contact_id]
            changes += [
                ReferenceStatusChange(
                    reference=r,
                    from_status="",
                    to_status=r.status,
                    changed_at=now,
                    changed_by=actor,
                    reason=IMPORT_REASON,
                )
                for r in new_refs
            ]
        if changed_refs:
            ReferenceProfile.objects.bulk_update(
                changed_refs,
                [
                    *REFERENCE_ATTRS,
                    "status",
                    "status_changed_at",
                    "status_changed_by",
                    *DERIVED_FIELDS,
                    "updated_at",
                ],
            )
        if changes:
            for change in changes:
                change.reference_id = change.reference.pk
            _insert(ReferenceStatusChange, changes)

    def _refresh_account_search_text(self) -> None:
        """References at accounts whose name, industry or products changed get fresh search words and sort keys."""
        ids = sorted(self.search_dirty)
        if not ids:
            return
        by_id = {info[0]: key for key, info in self.account_info.items()}
        accounts: dict = {}
        for i in range(0, len(ids), 500):
            stale = []
            references = ReferenceProfile.objects.filter(
                contact__account_id__in=ids[i : i + 500]
            ).select_related("contact")
            for reference in references.order_by():
                reference.contact.account = self._account_for_search(
                    by_id[reference.contact.account_id], accounts
                )
                derived = _derived(reference)
                if any(getattr(reference, name) != value for name, value in derived.items()):
                    for name, value in derived.items():
                        setattr(reference, name, value)
                    stale.append(reference)
            ReferenceProfile.objects.bulk_update(stale, DERIVED_FIELDS, batch_size=1000)


def _insert(model, objects: list) -> None:
    """INSERT many new rows with one prepared statement, skipping the ORM's per-object compiler.

    Values go through each field's own `get_db_prep_save` where the database needs adapting
    (dates, times, JSON); plain text, numbers, booleans and ids are passed as they are.
    """
    plain = (
        models.CharField,
        models.TextField,
        models.IntegerField,
        models.BooleanField,
        models.ForeignKey,
    )
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    quote = connection.ops.quote_name
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "
        f"VALUES ({', '.join(['%s'] * len(fields))})"
    )
    memos: dict[str, dict] = {}
    getters = []
    for f in fields:
        if isinstance(f, plain) and not isinstance(f, models.JSONField):
            getters.append((f.attname, None, None))
        elif isinstance(
            f, models.DateField
        ):  # also DateTimeField: few distinct values (often `now`)
            getters.append((f.attname, f, memos.setdefault(f.attname, {})))
        else:
            getters.append((f.attname, f, None))

    def prep(f, memo, value):
        if memo is None:
            return f.get_db_prep_save(value, connection)
        if value not in memo:
            memo[value] = f.get_db_prep_save(value, connection)
        return memo[value]

    rows = [
        tuple(
            getattr(obj, attname) if f is None else prep(f, memo, getattr(obj, attname))
            for attname, f, memo in getters
        )
        for obj in objects
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


# ---------------------------------------------------------------------------------------- entry


def pool_import(
    *,
    actor,
    path_or_file,
    filename: str | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> ImportResult:
    """Import contacts, accounts and reference profiles from a CSV or XLSX file; all or nothing."""
    if not (actor is None or permissions.can_manage_pool(actor)):
        raise Forbidden("Only a program manager can import the reference pool.")
    temp_dir = None
    try:
        if isinstance(path_or_file, str | os.PathLike):
            path = Path(path_or_file)
            if not path.is_file():
                raise InvalidInput(f"No file {path}.")
        else:
            temp_dir = tempfile.mkdtemp(prefix="refdesk-import-")
            path = Path(temp_dir) / "upload"
            if hasattr(path_or_file, "seek"):
                path_or_file.seek(0)
            with open(path, "wb") as out:
                chunks = (
                    path_or_file.chunks()
                    if hasattr(path_or_file, "chunks")
                    else iter(lambda: path_or_file.read(1 << 20), b"")
                )
                for chunk in chunks:
                    out.write(chunk if isinstance(chunk, bytes) else chunk.encode("utf-8"))
        filename = filename or getattr(path_or_file, "name", None) or path.name
        filename = os.path.basename(str(filename))
        sheet = Spreadsheet(path, filename)
        importer = _Importer(actor=actor, sheet=sheet, dry_run=dry_run, progress=progress)
        # Hundreds of thousands of short-lived objects: the cycle collector would rescan the
        # long-lived caches again and again. Nothing here makes cycles that must be freed early.
        gc_was_enabled = gc.isenabled()
        gc.disable()
        try:
            importer.check()
            if dry_run or importer.result.errors:
                return importer.result
            try:
                importer.write()
            except _RowRefused as exc:
                raise InvalidInput(
                    f"{filename} changed while it was imported ({exc}); nothing was written."
                ) from None
            return importer.result
        finally:
            if gc_was_enabled:
                gc.enable()
    finally:
        if temp_dir:
            shutil.rmtree(temp_dir, ignore_errors=True)
