"""Showing request times in each side's zone, and SLA badges."""

import datetime as dt
from zoneinfo import ZoneInfo

from django import template

register = template.Library()


@register.filter
def in_zone(value, zone: str = "UTC") -> str:
    """'Tue 3 Mar 2026, 10:00 CET' for an aware datetime in the given zone."""
    if not isinstance(value, dt.datetime):
        return ""
    try:
        tz = ZoneInfo(zone or "UTC")
    except Exception:
        tz, zone = dt.UTC, "UTC"
    local = value.astimezone(tz)
    return f"{local:%a %-d %b %Y, %H:%M} {local.tzname() or zone}"


@register.filter
def hm_in_zone(value, zone: str = "UTC") -> str:
    if not isinstance(value, dt.datetime):
        return ""
    try:
        tz = ZoneInfo(zone or "UTC")
    except Exception:
        tz = dt.UTC
    return f"{value.astimezone(tz):%H:%M}"


@register.filter
def kind_label(kind: str) -> str:
    """'invitation.accepted' -> 'Invitation accepted'."""
    return (kind or "").replace(".", " ").replace("_", " ").capitalize()


@register.filter
def status_label(value: str) -> str:
    return (value or "").replace("_", " ")
