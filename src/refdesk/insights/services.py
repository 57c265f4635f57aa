"""Insights writes: CRM opportunities (upsert, CSV/XLSX import, link to requests) and the monthly summary."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from refdesk.core.errors import Forbidden, InvalidInput
from refdesk.insights import permissions as perms
from refdesk.insights.choices import OpportunityStage
from refdesk.insights.models import MonthlySummary, Opportunity, RequestOpportunity
from refdesk.pool import validation as v
from refdesk.pool.importing import RowError, Spreadsheet, _blank, _norm_header

MAX_AMOUNT = Decimal("999999999999.99")
EARLIEST, LATEST = dt.date(1970, 1, 1), dt.date(2100, 12, 31)
STAGE_ALIASES = {
    "closed_won": "won",
    "closedwon": "won",
    "closed_lost": "lost",
    "closedlost": "lost",
}
FIELDS = (
    "crm_id",
    "name",
    "prospect",
    "owner_email",
    "amount",
    "stage",
    "created_on",
    "closed_on",
    "request_ids",
)
REQUIRED = ("crm_id", "prospect", "created_on")
HEADER_ALIASES = {"crmid": "crm_id", "id": "crm_id", "opportunityid": "crm_id", "externalid": "crm_id", "opportunity": "name",
                  "account": "prospect", "company": "prospect", "owner": "owner_email", "requests": "request_ids",
                  "requestids": "request_ids", "createdon": "created_on", "created": "created_on", "closedon": "closed_on",
                  "closed": "closed_on", "closedate": "closed_on", "owneremail": "owner_email"}  # fmt: skip


def _require_manage(actor) -> None:
    if not (actor is None or perms.can_manage(actor)):
        raise Forbidden("Only a program manager can change opportunities.")


def _amount(value: Any) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        amount = Decimal(str(value).strip().replace(",", ""))
    except InvalidOperation:
        raise ValueError(f"{str(value)[:40]!r} is not an amount") from None
    if not amount.is_finite() or amount < 0 or amount > MAX_AMOUNT:
        raise ValueError("must be between 0 and 999,999,999,999.99")
    return amount.quantize(Decimal("0.01"))


def _stage(value: Any) -> str:
    raw = ("" if value is None else str(value)).strip().lower().replace(" ", "_").replace("-", "_")
    return v.choice(OpportunityStage, default=OpportunityStage.OPEN)(STAGE_ALIASES.get(raw, raw))


def _request_ids(value: Any) -> list[int]:
    ids = []
    for item in v.split_list(value if not isinstance(value, int) else str(value)):
        text = item.lstrip("#")
        if not text.isdigit() or len(text) > 12:
            raise ValueError(f"{item[:20]!r} is not a request number")
        ids.append(int(text))
    return ids


def _owner_email(value: Any) -> str:
    email = v.optional_email(value)
    if len(email) > 254:  # the user table's limit; PostgreSQL refuses longer ones with an error
        raise ValueError("is longer than 254 characters")
    return email


SPEC = {
    "crm_id": v.text(100, required=True),
    "name": v.text(200),
    "prospect": v.text(200, required=True),
    "owner_email": _owner_email,
    "amount": _amount,
    "stage": _stage,
    "created_on": v.date,
    "closed_on": v.date,
    "request_ids": _request_ids,
}


def opportunity_clean(data: dict[str, Any]) -> dict[str, Any]:
    """Check one opportunity's fields; every problem is reported by field name."""
    cleaned, errors = {}, {}
    for name, value in data.items():
        if name not in SPEC:
            errors[name] = "is not a field you can set"
            continue
        try:
            cleaned[name] = SPEC[name](v.without_nul(value))
        except ValueError as exc:
            errors[name] = str(exc)
    for name in REQUIRED:
        if name not in errors and not cleaned.get(name):
            errors[name] = "is required"
    for name in ("created_on", "closed_on"):
        day = cleaned.get(name)
        if day and not (EARLIEST <= day <= LATEST):
            errors[name] = f"must be between {EARLIEST} and {LATEST}"
    stage = cleaned.get("stage", OpportunityStage.OPEN)
    cleaned.setdefault("stage", stage)
    closed, created = cleaned.get("closed_on"), cleaned.get("created_on")
    if "closed_on" not in errors and "stage" not in errors:
        if stage == OpportunityStage.OPEN and closed:
            errors["closed_on"] = "must be blank while the opportunity is open"
        elif stage != OpportunityStage.OPEN and not closed:
            errors["closed_on"] = "is required for a won or lost opportunity"
        elif closed and created and closed < created:
            errors["closed_on"] = "must not be before created_on"
    if errors:
        summary = "; ".join(f"{name} {reason}" for name, reason in errors.items())
        raise InvalidInput(f"Please correct: {summary}.", details=errors)
    return cleaned


def _missing_requests(ids: set[int]) -> set[int]:
    from refdesk.asks.models import ReferenceRequest

    found = set()
    id_list = sorted(ids)
    for i in range(0, len(id_list), 500):
        found |= set(
            ReferenceRequest.objects.filter(pk__in=id_list[i : i + 500]).values_list(
                "pk", flat=True
            )
        )
    return ids - found


def _write(cleaned: dict[str, Any], *, now: dt.datetime) -> tuple[Opportunity, str]:
    from refdesk.people.services import user_get_or_create_owner

    owner = (
        user_get_or_create_owner(email=cleaned["owner_email"])
        if cleaned.get("owner_email")
        else None
    )
    values = {
        "name": cleaned.get("name", ""), "prospect": cleaned["prospect"], "owner": owner, "amount": cleaned.get("amount"),
        "stage": cleaned["stage"], "created_on": cleaned["created_on"], "closed_on": cleaned.get("closed_on"),
    }  # fmt: skip
    found = Opportunity.objects.filter(crm_id=cleaned["crm_id"]).first()
    if found is None:
        opportunity, action = (
            Opportunity.objects.create(crm_id=cleaned["crm_id"], **values),
            "created",
        )
    else:
        changed = [k for k, val in values.items() if getattr(found, k) != val]
        for k in changed:
            setattr(found, k, values[k])
        if changed:
            found.save(update_fields=[*changed, "updated_at"])
        opportunity, action = found, "updated" if changed else "unchanged"
    for request_id in cleaned.get("request_ids", []):
        link, created = RequestOpportunity.objects.get_or_create(
            request_id=request_id, defaults={"opportunity": opportunity, "linked_at": now}
        )
        if not created and link.opportunity_id != opportunity.pk:
            RequestOpportunity.objects.filter(pk=link.pk).update(
                opportunity=opportunity, linked_at=now
            )
            action = "updated" if action == "unchanged" else action
        elif created and action == "unchanged":
            action = "updated"
    return opportunity, action


def opportunity_upsert(
    *, actor, data: dict[str, Any], now: dt.datetime | None = None
) -> tuple[Opportunity, str]:
    """Create or update one opportunity by its CRM id (and link the requests it names); returns it and what happened."""
    _require_manage(actor)
    cleaned = opportunity_clean(data)
    missing = _missing_requests(set(cleaned.get("request_ids", [])))
    if missing:
        raise InvalidInput(
            f"No request numbered {', '.join(map(str, sorted(missing)))}.",
            details={"request_ids": "names a request that does not exist"},
        )
    with transaction.atomic():
        return _write(cleaned, now=now or timezone.now())


def opportunity_link_request(
    *, actor, opportunity: Opportunity, request_id: int, now: dt.datetime | None = None
) -> RequestOpportunity:
    """Say which opportunity a request was made for (a request has at most one)."""
    _require_manage(actor)
    if _missing_requests({request_id}):
        raise InvalidInput(
            f"No request numbered {request_id}.", details={"request_id": "does not exist"}
        )
    link, _ = RequestOpportunity.objects.update_or_create(
        request_id=request_id,
        defaults={"opportunity": opportunity, "linked_at": now or timezone.now()},
    )
    return link


# --- import --------------------------------------------------------------------------------------


@dataclass
class OpportunityImport:
    """What an opportunity import did (or, for a dry run or a refused file, would do)."""

    filename: str
    dry_run: bool
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    written: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    def as_dict(self) -> dict:
        return {"filename": self.filename, "dry_run": self.dry_run, "written": self.written, "rows": self.rows, "created": self.created,
                "updated": self.updated, "unchanged": self.unchanged, "errors": [e.as_dict() for e in self.errors]}  # fmt: skip

    def summary(self) -> str:
        head = f"{self.filename}: {self.rows} rows" + (
            " (dry run, nothing written)" if self.dry_run else ""
        )
        if self.errors:
            return head + f"\n{len({e.line for e in self.errors})} bad rows; nothing written."
        return (
            head
            + f"\n  opportunities {self.created:>7} created {self.updated:>7} updated {self.unchanged:>7} unchanged"
        )


def _header(cells: list) -> tuple[dict[int, str], list[RowError]]:
    columns, errors, seen = {}, [], set()
    canonical = {_norm_header(f): f for f in FIELDS} | HEADER_ALIASES
    for i, cell in enumerate(cells):
        name = canonical.get(_norm_header(cell))
        if name is None:
            if not _blank(cell):
                errors.append(RowError(1, str(cell)[:60], "is not a column we read (ignored)"))
            continue
        if name in seen:
            errors.append(RowError(1, name, "appears twice"))
        seen.add(name)
        columns[i] = name
    missing = [n for n in REQUIRED if n not in seen]
    if missing:
        errors.append(RowError(1, "", f"missing column(s): {', '.join(missing)}"))
    # Unknown columns are only worth a note, not a refusal.
    return columns, [e for e in errors if "ignored" not in e.message]


def opportunity_import(
    *, actor, path: Path, filename: str = "", dry_run: bool = False, now: dt.datetime | None = None
) -> OpportunityImport:
    """Import opportunities from CSV or XLSX: every row checked first; any bad row and nothing is written."""
    _require_manage(actor)
    filename = filename or path.name
    sheet = Spreadsheet(path, filename)
    result = OpportunityImport(filename=filename, dry_run=dry_run)
    columns: dict[int, str] = {}
    rows: list[tuple[int, dict]] = []
    seen: dict[str, int] = {}
    for line, cells in sheet.records():
        if line == 1:
            columns, errors = _header(cells)
            result.errors.extend(errors)
            if errors:
                return result
            continue
        if all(_blank(c) for c in cells):
            continue
        result.rows += 1
        data = {
            columns[i]: cell for i, cell in enumerate(cells) if i in columns and not _blank(cell)
        }
        try:
            cleaned = opportunity_clean(data)
        except InvalidInput as exc:
            for name, reason in (exc.details or {}).items():
                result.errors.append(RowError(line, name, reason))
            continue
        if cleaned["crm_id"] in seen:
            result.errors.append(
                RowError(
                    line,
                    "crm_id",
                    f"{cleaned['crm_id']!r} is also on line {seen[cleaned['crm_id']]}",
                )
            )
            continue
        seen[cleaned["crm_id"]] = line
        rows.append((line, cleaned))
    if not columns and not result.errors:
        raise InvalidInput(f"{filename} has no header row.")
    wanted = {rid for _, c in rows for rid in c.get("request_ids", [])}
    missing = _missing_requests(wanted)
    for line, cleaned in rows:
        bad = sorted(set(cleaned.get("request_ids", [])) & missing)
        if bad:
            result.errors.append(
                RowError(line, "request_ids", f"no request numbered {', '.join(map(str, bad))}")
            )
    result.errors.sort(key=lambda e: e.line)
    if result.errors:
        return result
    now = now or timezone.now()
    try:
        with transaction.atomic():
            for _, cleaned in rows:
                _, action = _write(cleaned, now=now)
                setattr(result, action, getattr(result, action) + 1)
            if dry_run:
                transaction.set_rollback(True)
    except IntegrityError as exc:  # a concurrent import took a CRM id between the passes
        raise InvalidInput(
            f"{filename} could not be written ({exc}); nothing was written."
        ) from None
    result.written = not dry_run
    return result


# --- the monthly summary ----------------------------------------------------------------------------


def _previous_month(now: dt.datetime) -> dt.date:
    return (now.date().replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def monthly_summary_send(*, now: dt.datetime | None = None) -> int:
    """Email last month's figures to every executive, once per month (a unique row claims the month); returns emails written."""
    from refdesk.insights import selectors
    from refdesk.notify.services import email_prepare, enqueue
    from refdesk.notify.tasks import send_outbound_email
    from refdesk.people.choices import Role
    from refdesk.people.models import User

    now = now or timezone.now()
    month = _previous_month(now)
    if MonthlySummary.objects.filter(month=month).exists():
        return 0
    period = selectors.month_period(month)
    recipients = list(
        User.objects.filter(role=Role.EXECUTIVE, is_active=True).exclude(email="").order_by("email")
    )
    with transaction.atomic():
        try:
            with transaction.atomic():
                MonthlySummary.objects.create(
                    month=month, created_at=now, recipients=len(recipients)
                )
        except IntegrityError:
            return 0  # another worker claimed this month
        figures = {f.key: f for f in selectors.dashboard_compute(period, now=now)}
        site = settings.SITE_URL.rstrip("/")
        context = {
            "period": period,
            "f": figures,
            "month": month,
            "link": f"{site}/insights/?from={period.start}&to={period.end}",
        }
        subject = f"Reference program, {month:%B %Y}"
        text = render_to_string("insights/email/monthly.txt", context)
        html = render_to_string("insights/email/monthly.html", context)
        created_ids = []
        for user in recipients:
            email, created = email_prepare(key=f"insights-monthly:{month:%Y-%m}:{user.email}"[:200], kind="insights_monthly",
                                           recipient_role="executive", to=user.email, subject=subject, body_text=text, body_html=html)  # fmt: skip
            if created:
                created_ids.append(email.pk)
        transaction.on_commit(lambda: [enqueue(send_outbound_email, pk) for pk in created_ids])
    return len(created_ids)
