"""Field cleaners shared by the pool's services, forms, API and import.

Each cleaner takes a raw value (from a form, JSON or a spreadsheet cell) and returns the
stored value, or raises ValueError with a reason a person can act on.
"""

import datetime as dt
import re
from collections.abc import Callable, Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from refdesk.core import geo
from refdesk.core.errors import InvalidInput
from refdesk.pool import naics
from refdesk.pool.choices import (
    ActivityType,
    ContactChannel,
    GiftPolicy,
    ReferenceStatus,
    TestimonialChannel,
)
from refdesk.pool.industry import industry_code_for

Cleaner = Callable[[Any], Any]

LANGUAGE_NAMES = {
    "english": "en", "german": "de", "deutsch": "de", "french": "fr", "français": "fr", "spanish": "es",
    "español": "es", "portuguese": "pt", "italian": "it", "dutch": "nl", "swedish": "sv", "norwegian": "no",
    "danish": "da", "finnish": "fi", "polish": "pl", "czech": "cs", "japanese": "ja", "korean": "ko",
    "chinese": "zh", "mandarin": "zh", "arabic": "ar", "hebrew": "he", "turkish": "tr", "hindi": "hi",
    "russian": "ru", "greek": "el", "hungarian": "hu", "romanian": "ro",
}


def split_list(value: Any) -> list[str]:
    """A list from a JSON list or a `;`-separated cell; blanks dropped, order kept, duplicates removed."""
    if value is None:
        return []
    if isinstance(value, str):
        items: Iterable[Any] = value.split(";")
    elif isinstance(value, list | tuple | set):
        items = value
    else:
        raise ValueError("expected a list or a ';'-separated text")
    seen: dict[str, None] = {}
    for item in items:
        text = str(item).strip()
        if text and text.lower() not in {k.lower() for k in seen}:
            seen[text] = None
    return list(seen)


def text(max_length: int, *, required: bool = False) -> Cleaner:
    def clean(value: Any) -> str:
        result = "" if value is None else str(value).strip()
        if required and not result:
            raise ValueError("is required")
        if len(result) > max_length:
            raise ValueError(f"is longer than {max_length} characters")
        return result

    return clean


def email(value: Any) -> str:
    result = ("" if value is None else str(value)).strip().lower()
    if not result:
        raise ValueError("is required")
    try:
        validate_email(result)
    except ValidationError:
        raise ValueError(f"{result!r} is not a valid email address") from None
    return result


def optional_email(value: Any) -> str:
    return email(value) if value not in (None, "") and str(value).strip() else ""


def country(value: Any) -> str:
    raw = ("" if value is None else str(value)).strip()
    if not raw:
        return ""
    code = geo.country_code(raw)
    if not code:
        raise ValueError(f"{raw!r} is not a country (use an ISO code such as DE or a name such as Germany)")
    return code


def whole_number(minimum: int, maximum: int) -> Cleaner:
    def clean(value: Any) -> int | None:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if isinstance(value, bool):
            raise ValueError("must be a whole number")
        if isinstance(value, float):
            if not value.is_integer():
                raise ValueError("must be a whole number")
            value = int(value)
        if isinstance(value, str):
            cleaned = value.strip().replace(",", "").replace("_", "")
            if re.fullmatch(r"-?\d+(\.0+)?", cleaned):
                value = int(float(cleaned)) if "." in cleaned else int(cleaned)
            else:
                raise ValueError(f"{value.strip()!r} is not a whole number")
        if not isinstance(value, int):
            raise ValueError("must be a whole number")
        if not minimum <= value <= maximum:
            raise ValueError(f"must be between {minimum} and {maximum}")
        return value

    return clean


# Ids are 32-bit integers in the database: a larger number is refused here, not there.
DATABASE_ID_MAX = 2**31 - 1
record_id = whole_number(1, DATABASE_ID_MAX)


def date(value: Any) -> dt.date | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    raw = str(value).strip()
    try:
        return dt.date.fromisoformat(raw[:10] if len(raw) > 10 and raw[10] in "T " else raw)
    except ValueError:
        raise ValueError(f"{raw!r} is not a date (use YYYY-MM-DD)") from None


def choice(choices: type, *, default: str | None = None) -> Cleaner:
    def clean(value: Any) -> str:
        raw = ("" if value is None else str(value)).strip().lower().replace(" ", "_").replace("-", "_")
        if not raw and default is not None:
            return default
        if raw not in choices.values:
            raise ValueError(f"{value!r} is not one of: {', '.join(choices.values)}")
        return raw

    return clean


def choice_list(choices: type) -> Cleaner:
    def clean(value: Any) -> list[str]:
        result, bad = [], []
        for item in split_list(value):
            key = item.lower().replace(" ", "_").replace("-", "_")
            if key in choices.values:
                if key not in result:
                    result.append(key)
            else:
                bad.append(item)
        if bad:
            raise ValueError(f"unknown {', '.join(repr(b) for b in bad)} (use: {', '.join(choices.values)})")
        return result

    return clean


def free_list(max_items: int = 50, max_length: int = 100) -> Cleaner:
    def clean(value: Any) -> list[str]:
        items = split_list(value)
        if len(items) > max_items:
            raise ValueError(f"has more than {max_items} items")
        for item in items:
            if len(item) > max_length:
                raise ValueError(f"item {item[:20]!r}… is longer than {max_length} characters")
        return items

    return clean


def languages(value: Any) -> list[str]:
    result, bad = [], []
    for item in split_list(value):
        key = item.strip().lower()
        code = LANGUAGE_NAMES.get(key, key)
        if re.fullmatch(r"[a-z]{2,3}", code):
            if code not in result:
                result.append(code)
        else:
            bad.append(item)
    if bad:
        raise ValueError(f"unknown language {', '.join(repr(b) for b in bad)} (use codes such as en, de)")
    return result


def time_zone(value: Any) -> str:
    raw = ("" if value is None else str(value)).strip()
    if raw and not geo.is_time_zone(raw):
        raise ValueError(f"{raw!r} is not a time zone (use a name such as Europe/Berlin)")
    return raw


def industry(value: Any) -> tuple[str | None, str]:
    """(NAICS code or None, the text as written). A code is kept as is; free text is resolved."""
    raw = ("" if value is None else str(value)).strip()
    if not raw:
        return None, ""
    if re.fullmatch(r"\d{2,6}|\d\d-\d\d", raw):
        if not naics.is_code(raw):
            raise ValueError(f"{raw!r} is not a NAICS 2022 code")
        return raw, ""
    if len(raw) > 200:
        raise ValueError("is longer than 200 characters")
    code = industry_code_for(raw)
    if code is None:
        raise ValueError(f"no NAICS industry fits {raw!r}; use a NAICS code or other words")
    return code, raw


ACTIVITY_TYPES = choice_list(ActivityType)
TESTIMONIAL_CHANNELS = choice_list(TestimonialChannel)
REFERENCE_STATUS = choice(ReferenceStatus, default=ReferenceStatus.CANDIDATE)
GIFT_POLICY = choice(GiftPolicy, default=GiftPolicy.GIFTS_ALLOWED)


def without_nul(value: Any) -> Any:
    """Text with NUL characters removed (PostgreSQL cannot store them), in lists too."""
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, list | tuple):
        return [without_nul(item) for item in value]
    return value


def clean_fields(spec: dict[str, Cleaner], data: dict[str, Any], *, required: tuple[str, ...] = ()) -> dict[str, Any]:
    """Clean the fields present in `data` by `spec`, and check the `required` ones are given;
    all problems raised together, by field (a form shows every one at the first try)."""
    cleaned, errors = {}, {}
    for name, value in data.items():
        value = without_nul(value)
        if name not in spec:
            errors[name] = "is not a field you can set"
            continue
        try:
            cleaned[name] = spec[name](value)
        except ValueError as exc:
            errors[name] = str(exc)
    for name in required:
        if name not in errors and cleaned.get(name) in (None, "", []):
            errors[name] = "is required"
    if errors:
        summary = "; ".join(f"{name} {reason}" for name, reason in errors.items())
        raise InvalidInput(f"Please correct: {summary}.", details=errors)
    return cleaned


def boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    raw = ("" if value is None else str(value)).strip().lower()
    if raw in {"", "0", "false", "no", "n", "off"}:
        return False
    if raw in {"1", "true", "yes", "y", "on"}:
        return True
    raise ValueError(f"{value!r} is not yes or no")


ACCOUNT_FIELDS: dict[str, Cleaner] = {
    "name": text(200, required=True),
    "external_id": text(100),
    "industry": industry,
    "country": country,
    "employees": whole_number(0, 10_000_000),
    "products": free_list(100, 120),
    "live_since": date,
    "owner_email": optional_email,
    "gift_policy": GIFT_POLICY,
    "matching_blocked": boolean,
    "blocked_reason": text(300),
}

CONTACT_FIELDS: dict[str, Cleaner] = {
    "name": text(200, required=True),
    "email": email,
    "title": text(200),
    "phone": text(50),
    "languages": languages,
    "time_zone": time_zone,
    "preferred_channel": choice(ContactChannel, default=ContactChannel.EMAIL),
    "external_id": text(100),
}

REFERENCE_FIELDS: dict[str, Cleaner] = {
    "activity_types": ACTIVITY_TYPES,
    "topics": free_list(),
    "competitors_displaced": free_list(),
    "testimonial_channels": TESTIMONIAL_CHANNELS,
    "testimonial_expires": date,
    "nps": whole_number(0, 10),
    "nps_date": date,
    "csat": whole_number(1, 5),
    "csat_date": date,
    "opted_out": boolean,
    "notes": text(5000),
}
