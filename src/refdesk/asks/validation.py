"""Field cleaners for requests, shared by the services, the pages, the API and the CLI."""

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from refdesk.asks.choices import Stage
from refdesk.pool import validation as v
from refdesk.pool.choices import ActivityType

MAX_AMOUNT = Decimal("999999999999.99")


def amount(value: Any) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ValueError("must be an amount such as 250000 or 250000.00")
    raw = str(value).strip().replace(",", "").replace("_", "").replace(" ", "")
    for symbol in ("$", "€", "£", "¥"):
        raw = raw.replace(symbol, "")
    try:
        result = Decimal(raw)
    except InvalidOperation:
        raise ValueError(
            f"{str(value).strip()!r} is not an amount (use digits, e.g. 250000)"
        ) from None
    if not result.is_finite():
        raise ValueError("must be an amount such as 250000")
    if result < 0 or result > MAX_AMOUNT:
        raise ValueError(f"must be between 0 and {MAX_AMOUNT:,}")
    return result.quantize(Decimal("0.01"))


def industry_required(value: Any) -> tuple[str | None, str]:
    code, written = v.industry(value)
    if not code:
        raise ValueError("is required (a NAICS code or words such as “cattle ranch”)")
    return code, written


def time_zone(value: Any) -> str:
    return v.time_zone(value) or "UTC"


def future_date(value: Any) -> dt.date | None:
    result = v.date(value)
    if result is not None and result < dt.datetime.now(dt.UTC).date():
        raise ValueError("is in the past")
    return result


REQUEST_FIELDS: dict[str, v.Cleaner] = {
    "prospect": v.text(200, required=True),
    "industry": industry_required,
    "employees": v.whole_number(1, 10_000_000),
    "country": v.country,
    "products": v.free_list(20, 120),
    "amount": amount,
    "stage": v.choice(Stage, default=""),
    "expected_close": v.date,
    "competitor": v.text(200),
    "activity_type": v.choice(ActivityType, default=ActivityType.REFERENCE_CALL),
    "references_needed": v.whole_number(1, 5),
    "needed_by": future_date,
    "topics": v.text(1000),
    "notes": v.text(5000),
    "requester_time_zone": time_zone,
}

REQUIRED = ("prospect", "industry", "activity_type")


def clean_request(fields: dict[str, Any]) -> dict[str, Any]:
    """Every field of a new request cleaned; missing required ones reported with the others."""
    from refdesk.core.errors import InvalidInput

    fields = {k: v.without_nul(val) for k, val in fields.items()}
    errors = {
        name: "is required"
        for name in REQUIRED
        if name != "activity_type" and not str(fields.get(name) or "").strip()
    }
    present = {k: val for k, val in fields.items() if k not in errors}
    try:
        cleaned = v.clean_fields(REQUEST_FIELDS, present)
    except InvalidInput as exc:
        errors.update(exc.details or {})
        cleaned = {}
    if errors:
        summary = "; ".join(f"{name} {reason}" for name, reason in errors.items())
        raise InvalidInput(f"Please correct: {summary}.", details=errors)
    cleaned.setdefault("activity_type", ActivityType.REFERENCE_CALL)
    if cleaned.get("references_needed") is None:
        cleaned["references_needed"] = 1
    cleaned.setdefault("requester_time_zone", "UTC")
    return cleaned
