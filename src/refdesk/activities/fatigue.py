"""Pure fatigue rules: per-type caps over rolling windows, cool-down, a reference's own limit.

Plain functions over plain data (no database), so the edges are tested exactly. Windows follow
the matcher's convention (`matching.scoring.usage_of`): an activity counts in a window of N days
while it is less than N days old, and a cool-down of N days after day D ends on day D + N.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from refdesk.activities.choices import PASSIVE_ACTIVITY_TYPES

MONTH_DAYS = 30
# "Near the cap": one activity left in a window.
NEAR_MARGIN = 1


@dataclass(frozen=True, slots=True)
class TypeRule:
    """The program's limits for one activity type (None: no cap)."""

    short_cap: int | None = 2
    short_window_days: int = 30
    long_cap: int | None = 6
    long_window_days: int = 90
    cooldown_days: int = 14

    @property
    def lookback_days(self) -> int:
        return max(self.short_window_days, self.long_window_days, self.cooldown_days, MONTH_DAYS)


# Two calls a month and six a quarter; heavier asks (a case study, a site visit) far more rarely.
DEFAULT_RULES: dict[str, TypeRule] = {
    "reference_call": TypeRule(2, 30, 6, 90, 14),
    "case_study": TypeRule(1, 180, 2, 365, 30),
    "speaking": TypeRule(1, 90, 3, 365, 30),
    "media": TypeRule(2, 30, 4, 90, 7),
    "webinar": TypeRule(1, 30, 3, 90, 14),
    "site_visit": TypeRule(1, 90, 2, 365, 30),
    "referral": TypeRule(2, 30, 6, 90, 0),
    "quote": TypeRule(None, 30, None, 90, 0),
    "logo": TypeRule(None, 30, None, 90, 0),
}


@dataclass(frozen=True, slots=True)
class ReferenceLimits:
    """A reference's own stated limit and the program manager's override (None: not set)."""

    monthly_limit: int | None = None
    short_cap: int | None = None
    long_cap: int | None = None
    cooldown_days: int | None = None


NO_LIMITS = ReferenceLimits()


@dataclass(frozen=True, slots=True)
class Block:
    """Why a reference may not be asked for this type now, and the day they are free again."""

    rule: str  # "cap", "cooldown" or "own_limit"
    reason: str
    until: dt.date


@dataclass(frozen=True, slots=True)
class Load:
    """Where a reference stands against the limits for one activity type."""

    short_count: int
    short_cap: int | None
    long_count: int
    long_cap: int | None
    month_count: int
    monthly_limit: int | None
    blocks: tuple[Block, ...]

    @property
    def blocked(self) -> bool:
        return bool(self.blocks)

    @property
    def free_from(self) -> dt.date | None:
        return max((b.until for b in self.blocks), default=None)

    @property
    def near(self) -> bool:
        """One more activity would reach a cap or their own limit."""
        pairs = (
            (self.short_count, self.short_cap),
            (self.long_count, self.long_cap),
            (self.month_count, self.monthly_limit),
        )
        return any(cap is not None and count + NEAR_MARGIN >= cap for count, cap in pairs)


def effective_rule(rule: TypeRule, limits: ReferenceLimits = NO_LIMITS) -> TypeRule:
    """The type's rule with the program manager's per-reference override applied."""
    return TypeRule(
        short_cap=limits.short_cap if limits.short_cap is not None else rule.short_cap,
        short_window_days=rule.short_window_days,
        long_cap=limits.long_cap if limits.long_cap is not None else rule.long_cap,
        long_window_days=rule.long_window_days,
        cooldown_days=limits.cooldown_days
        if limits.cooldown_days is not None
        else rule.cooldown_days,
    )


def _in_window(dates: list[dt.date], today: dt.date, days: int) -> list[dt.date]:
    return [d for d in dates if d > today - dt.timedelta(days=days)]


def _free_when(window: list[dt.date], cap: int, days: int) -> dt.date:
    # Free again when enough of the oldest activities have left the window.
    return window[len(window) - cap] + dt.timedelta(days=days)


def load_of(
    activities: Iterable[tuple[str, dt.date]],
    *,
    activity_type: str,
    rule: TypeRule,
    limits: ReferenceLimits = NO_LIMITS,
    today: dt.date,
) -> Load:
    """Counts and blocks for asking this reference for `activity_type` on `today`.

    `activities` are (type, date) of the reference's counted activities (not cancelled, not
    passive), scheduled future ones included: a booked call will use their time.
    """
    rows = sorted(activities, key=lambda a: a[1])
    every = [d for _, d in rows]
    same = [d for t, d in rows if t == activity_type]
    rule = effective_rule(rule, limits)
    short = _in_window(same, today, rule.short_window_days)
    long_ = _in_window(same, today, rule.long_window_days)
    month = _in_window(every, today, MONTH_DAYS)
    blocks: list[Block] = []
    if activity_type not in PASSIVE_ACTIVITY_TYPES:
        label = activity_type.replace("_", " ")
        for window, cap, days in (
            (short, rule.short_cap, rule.short_window_days),
            (long_, rule.long_cap, rule.long_window_days),
        ):
            if cap is not None and len(window) >= cap:
                until = _free_when(window, cap, days)
                blocks.append(
                    Block(
                        "cap",
                        f"{len(window)} × {label} in {days} days (cap {cap}); free again {until}",
                        until,
                    )
                )
        if limits.monthly_limit is not None and len(month) >= limits.monthly_limit:
            if limits.monthly_limit == 0:
                until = today + dt.timedelta(days=MONTH_DAYS)
            else:
                until = _free_when(month, limits.monthly_limit, MONTH_DAYS)
            blocks.append(
                Block(
                    "own_limit",
                    f"their own limit of {limits.monthly_limit} a month is reached; free again {until}",
                    until,
                )
            )
        if every and rule.cooldown_days > 0:
            # Cool-down follows the latest activity of any kind that used their time.
            end = every[-1] + dt.timedelta(days=rule.cooldown_days)
            if end > today:
                blocks.append(
                    Block(
                        "cooldown",
                        f"resting after the activity on {every[-1]}; free again {end}",
                        end,
                    )
                )
    return Load(
        short_count=len(short), short_cap=rule.short_cap, long_count=len(long_), long_cap=rule.long_cap,
        month_count=len(month), monthly_limit=limits.monthly_limit, blocks=tuple(blocks),
    )  # fmt: skip


def blocked_references(
    activities_by_reference: Mapping[int, list[tuple[str, dt.date]]],
    *,
    activity_type: str,
    rules: Mapping[str, TypeRule],
    limits: Mapping[int, ReferenceLimits],
    today: dt.date,
) -> dict[int, Block]:
    """reference id -> the block that lasts longest, for every reference not free for this type."""
    rule = rules.get(activity_type) or DEFAULT_RULES.get(activity_type, TypeRule())
    result = {}
    for ref_id in set(activities_by_reference) | set(limits):
        load = load_of(
            activities_by_reference.get(ref_id, ()), activity_type=activity_type, rule=rule,
            limits=limits.get(ref_id, NO_LIMITS), today=today,
        )  # fmt: skip
        if load.blocks:
            result[ref_id] = max(load.blocks, key=lambda b: b.until)
    return result


def busiest_share(counts: Iterable[int], *, share: float = 0.10) -> float:
    """The fraction of all activity taken by the busiest `share` of references (0 when none)."""
    values = sorted((c for c in counts), reverse=True)
    total = sum(values)
    if not total:
        return 0.0
    top = max(1, round(len(values) * share))
    return sum(values[:top]) / total
