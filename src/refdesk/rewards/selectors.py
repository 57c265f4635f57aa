"""Reads of the rewards program that pages, API, CLI and the portal share, scoped to the caller."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Case, IntegerField, Q, QuerySet, Sum, Value, When
from django.utils import timezone

from refdesk.core.errors import Forbidden, InvalidInput, NotFound
from refdesk.people.permissions import is_program_manager
from refdesk.pool.validation import without_nul
from refdesk.rewards.choices import (
    RULE_KEYS,
    EntryKind,
    Period,
    RedemptionStatus,
    RefusalCode,
    ThankYouStatus,
)
from refdesk.rewards.models import (
    CatalogueItem,
    Contest,
    EarnRule,
    LedgerEntry,
    PointsHolder,
    Redemption,
    RewardRefusal,
    ThankYouTask,
    ThankYouTemplate,
)


def _require_login(user) -> None:
    if not (user and user.is_authenticated and user.is_active):
        raise Forbidden("Log in to see rewards.")


def _require_pm(user) -> None:
    if not is_program_manager(user):
        raise Forbidden("Only a program manager can see this.")


# --- balances and ledgers ------------------------------------------------------------------------


def balance_of(holder: PointsHolder | None) -> int:
    """The holder's balance, summed from the ledger (the cached column is only a cache)."""
    if holder is None:
        return 0
    return LedgerEntry.objects.filter(holder=holder).aggregate(s=Sum("points"))["s"] or 0


def ledger_list(*, holder: PointsHolder | None) -> QuerySet[LedgerEntry]:
    if holder is None:
        return LedgerEntry.objects.none()
    return (
        LedgerEntry.objects.filter(holder=holder)
        .select_related("redemption__item", "actor")
        .order_by("-at", "-pk")
    )


def expiring_soon(
    holder: PointsHolder | None, *, now: dt.datetime | None = None
) -> tuple[int, dt.datetime | None]:
    """(points that will lapse within the notice period, the first date) — for 'use them before…'."""
    from refdesk.rewards.services import _expiry_position, reward_settings_get

    if holder is None:
        return 0, None
    now = now or timezone.now()
    horizon = now + dt.timedelta(days=reward_settings_get().expiry_notice_days)
    first = (
        LedgerEntry.objects.filter(
            holder=holder, points__gt=0, expires_at__gt=now, expires_at__lte=horizon
        )
        .order_by("expires_at")
        .values_list("expires_at", flat=True)
        .first()
    )
    if first is None:
        return 0, None
    due, expired = _expiry_position(holder.pk, horizon)
    return max(0, min(due - expired, balance_of(holder))), first


@dataclass
class PointsSummary:
    holder: PointsHolder | None
    balance: int
    entries: list
    expiring: int
    expiring_at: dt.datetime | None
    redemptions: list


def my_points(*, user, limit: int = 100) -> PointsSummary:
    """The logged-in person's balance, recent ledger and redemptions."""
    _require_login(user)
    holder = PointsHolder.objects.filter(user=user).first()
    expiring, at = expiring_soon(holder)
    return PointsSummary(
        holder=holder,
        balance=balance_of(holder),
        entries=list(ledger_list(holder=holder)[:limit]),
        expiring=expiring,
        expiring_at=at,
        redemptions=list(Redemption.objects.filter(holder=holder).select_related("item")[:50])
        if holder
        else [],
    )


def holder_get(*, user, holder_id: int) -> PointsHolder:
    """A points holder: program managers see all, anyone else only their own."""
    _require_login(user)
    holder = (
        PointsHolder.objects.select_related("reference__contact__account", "user")
        .filter(pk=holder_id)
        .first()
    )
    if holder is None or not (is_program_manager(user) or holder.user_id == user.pk):
        raise NotFound(f"No points holder #{holder_id}.")
    return holder


def holder_find(*, user, email: str) -> tuple[bool, PointsHolder | None]:
    """(someone has this email, their points holder or None if they never had points).

    Users first, then reference contacts; program managers (or the CLI, user=None) look anyone up.
    """
    from refdesk.people.models import User
    from refdesk.pool.models import ReferenceProfile

    email = (email or "").strip().lower()
    if user is not None and not is_program_manager(user) and email != user.email.lower():
        raise Forbidden("You can only see your own points.")
    found = User.objects.filter(email__iexact=email).first()
    if found:
        return True, PointsHolder.objects.filter(user=found).first()
    reference = ReferenceProfile.objects.filter(contact__email__iexact=email).first()
    if reference:
        return True, PointsHolder.objects.filter(reference=reference).first()
    return False, None


def catalogue_list(*, user, include_inactive: bool = False) -> QuerySet[CatalogueItem]:
    _require_login(user)
    qs = CatalogueItem.objects.all()
    if not (include_inactive and is_program_manager(user)):
        qs = qs.filter(active=True)
    return qs


def catalogue_for_reference(reference) -> list[dict]:
    """Every active item with whether this reference may have it, and why not (gift policy, country)."""
    from refdesk.rewards.services import item_allowed_for

    account = reference.contact.account
    result = []
    for item in CatalogueItem.objects.filter(active=True):
        allowed, _, reason = item_allowed_for(
            item, gift_policy=account.gift_policy, country=account.country
        )
        if allowed and item.stock == 0:
            allowed, reason = False, "Out of stock."
        result.append({"item": item, "allowed": allowed, "reason": reason})
    return result


def reference_rewards_summary(reference_id: int, *, limit: int = 100) -> dict:
    """What the portal shows a reference: balance, ledger, what they may redeem, and what lapses soon."""
    from refdesk.pool.models import ReferenceProfile
    from refdesk.rewards.services import reward_settings_get, value_received_in_year

    reference = (
        ReferenceProfile.objects.select_related("contact__account").filter(pk=reference_id).first()
    )
    if reference is None:
        raise NotFound(f"No reference #{reference_id}.")
    holder = PointsHolder.objects.filter(reference=reference).first()
    expiring, expiring_at = expiring_soon(holder)
    settings = reward_settings_get()
    received = value_received_in_year(holder.pk, timezone.now()) if holder else 0
    return {
        "reference": reference,
        "holder": holder,
        "balance": balance_of(holder),
        "entries": list(ledger_list(holder=holder)[:limit]),
        "redemptions": list(Redemption.objects.filter(holder=holder).select_related("item")[:50])
        if holder
        else [],
        "catalogue": catalogue_for_reference(reference),
        "gift_policy": reference.contact.account.gift_policy,
        "expiring": expiring,
        "expiring_at": expiring_at,
        "yearly_value_cap": settings.yearly_value_cap,
        "value_received_this_year": received,
        "currency": settings.currency,
    }


# --- the program manager's queues -------------------------------------------------------------------


def redemption_list(*, user, status: str = "") -> QuerySet[Redemption]:
    """Program managers see every redemption; anyone else their own."""
    _require_login(user)
    qs = Redemption.objects.select_related(
        "item", "holder__reference__contact__account", "holder__user", "decided_by"
    )
    if not is_program_manager(user):
        qs = qs.filter(holder__user=user)
    if status:
        if status not in RedemptionStatus.values:
            raise InvalidInput(
                f"Unknown status {status!r}.",
                details={"status": f"use one of {', '.join(RedemptionStatus.values)}"},
            )
        qs = qs.filter(status=status)
    return qs.order_by("requested_at", "pk") if status == RedemptionStatus.REQUESTED else qs


def refusal_list(*, user, code: str = "") -> QuerySet[RewardRefusal]:
    _require_pm(user)
    qs = RewardRefusal.objects.select_related(
        "holder__reference__contact", "holder__user", "activity", "item", "actor"
    )
    if code and code not in RefusalCode.values:
        raise InvalidInput(
            f"Unknown refusal code {code!r}.",
            details={"code": f"use one of {', '.join(RefusalCode.values)}"},
        )
    return qs.filter(code=code) if code else qs


def earn_rule_list(*, user) -> QuerySet[EarnRule]:
    from refdesk.rewards.services import earn_rules_ensure

    _require_login(user)
    earn_rules_ensure()
    # The references' activity types first, then the salespeople's actions, as the choices list them.
    order = Case(
        *[When(key=key, then=Value(n)) for n, (key, _) in enumerate(RULE_KEYS)],
        output_field=IntegerField(),
    )
    return EarnRule.objects.order_by(order)


def thank_you_list(
    *,
    user,
    overdue: bool = False,
    status: str = ThankYouStatus.OPEN,
    now: dt.datetime | None = None,
) -> QuerySet[ThankYouTask]:
    """Thank-yous: program managers see all, account owners theirs; overdue ones first."""
    _require_login(user)
    qs = ThankYouTask.objects.select_related("reference__contact__account", "activity", "assignee")
    if not is_program_manager(user):
        qs = qs.filter(assignee=user)
    if status:
        qs = qs.filter(status=status)
    if overdue:
        qs = qs.filter(status=ThankYouStatus.OPEN, due_at__lte=now or timezone.now())
    return qs.order_by("due_at", "pk")


def thank_you_template_list(*, user, active_only: bool = False) -> QuerySet[ThankYouTemplate]:
    _require_login(user)
    qs = ThankYouTemplate.objects.all()
    return qs.filter(active=True) if active_only else qs


# --- leaderboards and contests ------------------------------------------------------------------------


def period_bounds(period: str, on: dt.date) -> tuple[dt.date, dt.date]:
    """First day and the day after the last of the month, quarter or year containing `on`. Pure."""
    if not 1900 <= on.year <= 2999:
        raise InvalidInput(
            "Pick a day between the years 1900 and 2999.", details={"on": "is out of range"}
        )
    if period == Period.MONTH:
        start = on.replace(day=1)
        end = (start + dt.timedelta(days=32)).replace(day=1)
    elif period == Period.QUARTER:
        start = dt.date(on.year, 3 * ((on.month - 1) // 3) + 1, 1)
        end = (start + dt.timedelta(days=95)).replace(day=1)
    elif period == Period.YEAR:
        start, end = dt.date(on.year, 1, 1), dt.date(on.year + 1, 1, 1)
    else:
        raise InvalidInput(
            f"Unknown period {period!r}.", details={"period": "use month, quarter or year"}
        )
    return start, end


def _start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=dt.UTC)


@dataclass
class Standing:
    rank: int
    user_id: int
    name: str
    team: str
    points: int
    prize: str = ""


def standings(
    *,
    start: dt.date,
    end: dt.date,
    team: str = "",
    prizes: list[str] | None = None,
    limit: int = 100,
) -> list[Standing]:
    """Salespeople ranked by points earned in [start, end); equal points share a rank."""
    qs = LedgerEntry.objects.filter(
        kind=EntryKind.EARN, holder__user__isnull=False, at__gte=_start(start), at__lt=_start(end)
    )
    if team:
        qs = qs.filter(holder__user__team=team)
    rows = (
        qs.values(
            "holder__user_id",
            "holder__user__first_name",
            "holder__user__last_name",
            "holder__user__email",
            "holder__user__team",
        )
        .annotate(points=Sum("points"))
        .order_by("-points", "holder__user__first_name", "holder__user_id")[:limit]
    )
    result, rank, previous = [], 0, None
    for index, row in enumerate(rows, start=1):
        if row["points"] != previous:
            rank, previous = index, row["points"]
        name = (
            f"{row['holder__user__first_name']} {row['holder__user__last_name']}".strip()
            or row["holder__user__email"]
        )
        prize = prizes[rank - 1] if prizes and rank <= len(prizes) else ""
        result.append(
            Standing(
                rank=rank,
                user_id=row["holder__user_id"],
                name=name,
                team=row["holder__user__team"],
                points=row["points"],
                prize=prize,
            )
        )
    return result


def leaderboard(
    *, user, period: str = Period.MONTH, on: dt.date | None = None, team: str = ""
) -> dict:
    """The salespeople's leaderboard for a month, quarter or year, for everyone or one team."""
    _require_login(user)
    on = on or timezone.now().date()
    team = without_nul(team or "")
    start, end = period_bounds(period, on)
    return {"period": period, "start": start, "end": end - dt.timedelta(days=1), "team": team,
            "rows": standings(start=start, end=end, team=team)}  # fmt: skip


def teams() -> list[str]:
    from refdesk.people.models import User

    return list(
        User.objects.exclude(team="")
        .filter(is_active=True)
        .values_list("team", flat=True)
        .distinct()
        .order_by("team")
    )


def contest_list(*, user) -> QuerySet[Contest]:
    _require_login(user)
    return Contest.objects.all()


def contest_get(*, user, contest_id: int) -> Contest:
    _require_login(user)
    contest = Contest.objects.filter(pk=contest_id).first()
    if contest is None:
        raise NotFound(f"No contest #{contest_id}.")
    return contest


def contest_standings(contest: Contest) -> list[Standing]:
    """The contest's leaderboard: points earned from its first to its last day, with prizes by rank."""
    return standings(
        start=contest.starts_on,
        end=contest.ends_on + dt.timedelta(days=1),
        team=contest.team,
        prizes=contest.prizes,
    )


def pm_counts(*, user) -> dict:
    """What waits for the program manager: redemptions to decide and fulfil, overdue thank-yous, refusals this month."""
    _require_pm(user)
    now = timezone.now()
    return {
        "to_approve": Redemption.objects.filter(status=RedemptionStatus.REQUESTED).count(),
        "to_fulfil": Redemption.objects.filter(status=RedemptionStatus.APPROVED).count(),
        "thank_yous_overdue": ThankYouTask.objects.filter(
            status=ThankYouStatus.OPEN, due_at__lte=now
        ).count(),
        "refusals_30d": RewardRefusal.objects.filter(at__gte=now - dt.timedelta(days=30)).count(),
        "points_outstanding": PointsHolder.objects.filter(Q(reference__isnull=False)).aggregate(
            s=Sum("balance")
        )["s"]
        or 0,
    }
