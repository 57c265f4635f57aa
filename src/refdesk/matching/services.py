"""Every write of the matching app: the program's weights and rules."""

from typing import Any

from django.db import transaction

from refdesk.core.errors import Forbidden, InvalidInput
from refdesk.matching import scoring
from refdesk.matching.selectors import matching_settings_get
from refdesk.people import permissions

# (minimum, maximum) for each setting besides the weights (0–100 each).
RANGES = {
    "nps_threshold": (0, 10),
    "short_cap": (1, 100),
    "short_window_days": (1, 365),
    "long_cap": (1, 100),
    "long_window_days": (1, 365),
    "cooldown_days": (0, 365),
}


def _whole(value: Any, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, str) and value.strip().lstrip("-").isdigit():
            value = int(value.strip())
        else:
            raise ValueError("must be a whole number")
    if not low <= value <= high:
        raise ValueError(f"must be between {low} and {high}")
    return value


@transaction.atomic
def matching_settings_update(*, actor, weights: dict[str, Any] | None = None, **fields: Any):
    """Change the weights, NPS threshold, caps or cool-down; only a program manager may."""
    if actor is not None and not permissions.is_program_manager(actor):
        raise Forbidden("Only a program manager can change the matching rules.")
    settings = matching_settings_get()
    errors: dict[str, str] = {}
    changes: dict[str, int] = {}
    for criterion, value in (weights or {}).items():
        if criterion not in scoring.CRITERIA:
            errors[f"weights.{criterion}"] = (
                f"is not a criterion (use {', '.join(scoring.CRITERIA)})"
            )
            continue
        try:
            changes[f"weight_{criterion}"] = _whole(value, 0, 100)
        except ValueError as exc:
            errors[f"weights.{criterion}"] = str(exc)
    for name, value in fields.items():
        if name not in RANGES:
            errors[name] = "is not a setting"
            continue
        try:
            changes[name] = _whole(value, *RANGES[name])
        except ValueError as exc:
            errors[name] = str(exc)
    short_days = changes.get("short_window_days", settings.short_window_days)
    long_days = changes.get("long_window_days", settings.long_window_days)
    if not errors and short_days > long_days:
        errors["short_window_days"] = "must not be longer than the long window"
    if errors:
        raise InvalidInput(
            "Please correct: " + "; ".join(f"{k} {v}" for k, v in errors.items()) + ".",
            details=errors,
        )
    for name, value in changes.items():
        setattr(settings, name, value)
    settings.updated_by = actor
    settings.save(update_fields=[*changes, "updated_by", "updated_at"])
    return settings
