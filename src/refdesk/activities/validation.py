"""Field cleaners for activities, content, shares and events (on top of the pool's)."""

import datetime as dt
from typing import Any

from refdesk.activities.choices import ActivityStatus, ContentKind, EventFormat
from refdesk.pool import validation as v
from refdesk.pool.choices import ActivityType, TestimonialChannel


def moment(value: Any) -> dt.datetime | None:
    """A date (taken as noon UTC) or a date and time; naive times are UTC."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, dt.datetime):
        result = value
    elif isinstance(value, dt.date):
        result = dt.datetime.combine(value, dt.time(12))
    else:
        raw = str(value).strip().replace("Z", "+00:00")
        try:
            result = (
                dt.datetime.combine(dt.date.fromisoformat(raw), dt.time(12))
                if len(raw) == 10
                else dt.datetime.fromisoformat(raw)
            )
        except ValueError:
            raise ValueError(
                f"{raw!r} is not a date (use YYYY-MM-DD or YYYY-MM-DDTHH:MM)"
            ) from None
    if result.tzinfo is None:
        result = result.replace(tzinfo=dt.UTC)
    try:
        return result.astimezone(dt.UTC)
    except OverflowError:
        raise ValueError("is out of range") from None


EARLIEST = dt.date(1990, 1, 1)
AHEAD_DAYS = 3 * 366


def activity_moment(value: Any) -> dt.datetime | None:
    """A date an activity or event can have: not before 1990, at most three years ahead."""
    result = moment(value)
    if result is None:
        return None
    latest = dt.date.today() + dt.timedelta(days=AHEAD_DAYS)
    if not EARLIEST <= result.date() <= latest:
        raise ValueError(f"must be between {EARLIEST} and {latest}")
    return result


def required(cleaner):
    def clean(value: Any):
        result = cleaner(value)
        if result in (None, "", []):
            raise ValueError("is required")
        return result

    return clean


def url(value: Any) -> str:
    raw = ("" if value is None else str(value)).strip()
    if raw and not raw.lower().startswith(("https://", "http://")):
        raise ValueError(f"{raw[:60]!r} is not a web link (start with https://)")
    if len(raw) > 500:
        raise ValueError("is longer than 500 characters")
    return raw


ACTIVITY_TYPE = v.choice(ActivityType)
ACTIVITY_STATUS = v.choice(ActivityStatus, default=ActivityStatus.COMPLETED)
CONTENT_KIND = v.choice(ContentKind)
CHANNELS = v.choice_list(TestimonialChannel)
EVENT_FORMAT = v.choice(EventFormat, default=EventFormat.WEBINAR)
CAP = v.whole_number(1, 100)
WINDOW = v.whole_number(1, 365)
DAYS = v.whole_number(0, 365)
LIMIT = v.whole_number(0, 100)


def industry_code(value: Any) -> str | None:
    return v.industry(value)[0]
