"""Every write of the rewards program: the ledger, earn rules, catalogue, redemptions, thank-yous, contests.

Ledger entries are written only by `_post`, inside a transaction that holds the holder's row
(`select_for_update` on PostgreSQL; SQLite's IMMEDIATE transactions let one writer in at a
time), so the balance read there is the balance at that moment and can never go below zero.
"""

from __future__ import annotations

import calendar
import datetime as dt
import logging
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Q, Sum
from django.utils import timezone

from refdesk.core.errors import Conflict, Forbidden, IllegalTransition, InvalidInput, NotFound
from refdesk.people.permissions import is_program_manager
from refdesk.pool import validation as v
from refdesk.pool.choices import ActivityType, GiftPolicy
from refdesk.rewards.choices import (
    DEFAULT_POINTS,
    LIVE_REDEMPTION_STATUSES,
    RULE_KEYS,
    EntryKind,
    ItemKind,
    RedemptionStatus,
    RefusalCode,
    SalesAction,
    ThankYouStatus,
)
from refdesk.rewards.models import (
    CatalogueItem,
    Contest,
    EarnRule,
    ExpiryNotice,
    LedgerEntry,
    PointsHolder,
    Redemption,
    RewardRefusal,
    RewardSettings,
    ThankYouTask,
    ThankYouTemplate,
)

logger = logging.getLogger(__name__)
SYSTEM = "Refdesk"


class RewardRefused(Conflict):
    """A credit or redemption the program's rules refuse; the refusal is logged for the program manager."""

    def __init__(self, message: str, *, code: str, details: Any = None):
        super().__init__(message, details=details or {"code": code})
        self.code = code


def _require_pm(actor, message: str) -> None:
    if actor is not None and not is_program_manager(actor):
        raise Forbidden(message)


def _label(actor) -> str:
    return actor.display_name[:120] if getattr(actor, "pk", None) else SYSTEM


# --- settings and rules ----------------------------------------------------------------------


def reward_settings_get() -> RewardSettings:
    """The program's reward settings (created with the defaults on first use)."""
    found = RewardSettings.objects.filter(pk=1).first()
    if found:
        return found
    try:
        with transaction.atomic():
            return RewardSettings.objects.create(pk=1)
    except IntegrityError:
        return RewardSettings.objects.get(pk=1)


def _decimal(minimum: Decimal, maximum: Decimal):
    def clean(value: Any) -> Decimal:
        try:
            amount = Decimal(str(value).strip().replace(",", ""))
        except (InvalidOperation, ValueError):
            raise ValueError(f"{value!r} is not an amount") from None
        if not amount.is_finite() or not minimum <= amount <= maximum:
            raise ValueError(f"must be between {minimum} and {maximum}")
        return amount.quantize(Decimal("0.01"))

    return clean


def _currency(value: Any) -> str:
    code = str(value or "").strip().upper()
    if len(code) != 3 or not code.isalpha():
        raise ValueError("must be a three-letter currency code such as USD")
    return code


def _required(cleaner):
    def clean(value: Any):
        result = cleaner(value)
        if result is None:
            raise ValueError("is required")
        return result

    return clean


SETTINGS_FIELDS = {
    "expiry_months": _required(v.whole_number(1, 120)),
    "expiry_notice_days": _required(v.whole_number(1, 365)),
    "yearly_value_cap": _decimal(Decimal("0"), Decimal("99999999")),
    "currency": _currency,
    "thank_you_due_days": _required(v.whole_number(1, 60)),
}


def reward_settings_update(*, actor, **fields: Any) -> RewardSettings:
    """Change how long points last, the expiry notice, the yearly value cap or the thank-you deadline."""
    _require_pm(actor, "Only a program manager can change reward settings.")
    cleaned = v.clean_fields(SETTINGS_FIELDS, fields)
    current = reward_settings_get()
    RewardSettings.objects.filter(pk=1).update(**cleaned, updated_by=actor if getattr(actor, "pk", None) else None,
                                               updated_at=timezone.now())  # fmt: skip
    current.refresh_from_db()
    return current


def earn_rules_ensure() -> None:
    """Create the default earn rule for every activity type and sales action that has none."""
    keys = {key for key, _ in RULE_KEYS}
    existing = set(EarnRule.objects.values_list("key", flat=True))
    missing = [EarnRule(key=key, points=DEFAULT_POINTS[key]) for key in sorted(keys - existing)]
    if missing:
        EarnRule.objects.bulk_create(missing, ignore_conflicts=True)


def earn_rule_set(*, actor, key: str, points: Any, active: Any = True) -> EarnRule:
    """Set the points one activity type or sales action earns (the program manager decides)."""
    _require_pm(actor, "Only a program manager can change earn rules.")
    keys = [k for k, _ in RULE_KEYS]
    if key not in keys:
        raise InvalidInput(
            f"Unknown rule {key!r}: use one of {', '.join(keys)}.", details={"key": "is unknown"}
        )
    cleaned = v.clean_fields({"points": _required(v.whole_number(0, 1_000_000)), "active": v.boolean},
                             {"points": points, "active": active})  # fmt: skip
    earn_rules_ensure()
    EarnRule.objects.filter(key=key).update(**cleaned, updated_by=actor if getattr(actor, "pk", None) else None,
                                            updated_at=timezone.now())  # fmt: skip
    return EarnRule.objects.get(key=key)


def _rule_points(key: str) -> int:
    earn_rules_ensure()
    rule = EarnRule.objects.filter(key=key, active=True).first()
    return rule.points if rule else 0


# --- holders and the ledger --------------------------------------------------------------------


def holder_for_reference(reference_id: int) -> PointsHolder:
    """The points account of a reference, opened on first use."""
    return _holder(reference_id=reference_id)


def holder_for_user(user_id: int) -> PointsHolder:
    """The points account of a salesperson, opened on first use."""
    return _holder(user_id=user_id)


def _holder(**owner: int) -> PointsHolder:
    found = PointsHolder.objects.filter(**owner).first()
    if found:
        return found
    try:
        with transaction.atomic():
            return PointsHolder.objects.create(**owner)
    except IntegrityError:  # opened at the same moment by someone else
        return PointsHolder.objects.get(**owner)


def _lock(holder_id: int) -> PointsHolder:
    return PointsHolder.objects.select_for_update().get(pk=holder_id)


def _post(
    holder: PointsHolder,
    *,
    kind: str,
    points: int,
    reason: str,
    at: dt.datetime,
    source_key: str = "",
    rule: str = "",
    activity=None,
    redemption=None,
    actor=None,
) -> LedgerEntry:
    """Append one entry and move the cached balance; the caller holds the holder's lock.

    Raises IntegrityError when `source_key` was posted before (the caller decides what that means)
    and _Refused when the balance would go below zero.
    """
    balance = holder.balance + points
    if balance < 0:
        raise _Refused(
            RefusalCode.BALANCE, f"Not enough points: {holder.balance} available, {-points} needed."
        )
    expires_at = None
    if points > 0 and kind in (EntryKind.EARN, EntryKind.ADJUST):
        expires_at = _add_months(at, reward_settings_get().expiry_months)
    with transaction.atomic():
        entry = LedgerEntry.objects.create(
            holder=holder, kind=kind, points=points, balance_after=balance, at=at, expires_at=expires_at, rule=rule,
            reason=reason[:300], source_key=source_key, activity=activity, redemption=redemption,
            actor=actor if getattr(actor, "pk", None) else None, actor_label=_label(actor),
        )  # fmt: skip
        PointsHolder.objects.filter(pk=holder.pk).update(balance=balance)
    holder.balance = balance
    return entry


def _add_months(moment: dt.datetime, months: int) -> dt.datetime:
    month = moment.month - 1 + months
    year, month = moment.year + month // 12, month % 12 + 1
    return moment.replace(
        year=year, month=month, day=min(moment.day, calendar.monthrange(year, month)[1])
    )


class _Refused(Exception):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


def _refuse(code: str, reason: str, *, key: str = "", holder=None, activity=None, item=None, redemption=None,
            actor=None) -> RewardRefusal | None:  # fmt: skip
    """Log a refusal with its reason (once per key), for the program manager to review."""
    fields = dict(code=code, reason=reason[:500], holder=holder, activity=activity, item=item, redemption=redemption,
                  actor=actor if getattr(actor, "pk", None) else None, at=timezone.now())  # fmt: skip
    if key and RewardRefusal.objects.filter(key=key[:120]).exists():
        return None
    try:
        with transaction.atomic():
            return RewardRefusal.objects.create(key=key[:120], **fields)
    except IntegrityError:
        return None


def holder_balance_rebuild(*, holder_id: int) -> int:
    """Recompute a holder's cached balance from their ledger entries; returns the balance."""
    with transaction.atomic():
        holder = _lock(holder_id)
        total = LedgerEntry.objects.filter(holder=holder).aggregate(s=Sum("points"))["s"] or 0
        PointsHolder.objects.filter(pk=holder.pk).update(balance=total)
    return total


def points_adjust(*, actor, holder_id: int, points: int, reason: str) -> LedgerEntry:
    """A program manager adds or takes away points by hand, with a reason."""
    _require_pm(actor, "Only a program manager can adjust points.")
    if actor is None:
        raise Forbidden("An adjustment needs a program manager.")
    reason = v.without_nul(reason or "").strip()
    errors = {}
    if (
        isinstance(points, bool)
        or not isinstance(points, int)
        or points == 0
        or abs(points) > 10_000_000
    ):
        errors["points"] = "must be a whole number other than 0"
    if not reason:
        errors["reason"] = "is required"
    if errors:
        raise InvalidInput(
            "Please correct: " + "; ".join(f"{k} {m}" for k, m in errors.items()) + ".",
            details=errors,
        )
    if not PointsHolder.objects.filter(pk=holder_id).exists():
        raise NotFound("No such points holder.")
    try:
        with transaction.atomic():
            holder = _lock(holder_id)
            return _post(
                holder,
                kind=EntryKind.ADJUST,
                points=points,
                reason=reason,
                at=timezone.now(),
                actor=actor,
            )
    except _Refused as exc:
        raise RewardRefused(exc.message, code=exc.code) from None


# --- earning ------------------------------------------------------------------------------------


def _earn(holder_id: int, *, points: int, reason: str, source_key: str, rule: str, at: dt.datetime,
          activity=None) -> LedgerEntry | None:  # fmt: skip
    """Credit points once per source; None when this source was credited before."""
    try:
        with transaction.atomic():
            holder = _lock(holder_id)
            return _post(holder, kind=EntryKind.EARN, points=points, reason=reason, at=at, source_key=source_key,
                         rule=rule, activity=activity)  # fmt: skip
    except IntegrityError:
        return None


def reward_credit_for_activity(
    *, activity_id: int, at: dt.datetime | None = None, actor=None
) -> LedgerEntry | None:
    """Credit the reference for a completed activity (once) and open its thank-you task; refusals are logged.

    The completion hook, the sweep and the demo may all deliver the same completion: a repeat from
    them is the same credit arriving twice and returns None quietly. A person asking (`actor`)
    for an activity already credited is refused and logged.
    """
    from refdesk.activities.choices import ActivityStatus
    from refdesk.activities.models import Activity

    _require_pm(actor, "Only a program manager can credit an activity.")
    activity = (
        Activity.objects.select_related("reference__contact__account__owner")
        .filter(pk=activity_id)
        .first()
    )
    if activity is None:
        raise NotFound(f"No activity #{activity_id}.")
    now = timezone.now()
    at = at or now
    holder = holder_for_reference(activity.reference_id)
    name = activity.get_activity_type_display().lower()
    if activity.status != ActivityStatus.COMPLETED:
        _refuse(RefusalCode.NOT_COMPLETED, f"The {name} on {activity.occurred_at:%Y-%m-%d} is {activity.status}, not completed.",
                key=f"{RefusalCode.NOT_COMPLETED}:activity:{activity.pk}:{activity.status}", holder=holder, activity=activity)  # fmt: skip
        return None
    if activity.occurred_at > now:
        _refuse(RefusalCode.NOT_HAPPENED, f"The {name} is dated {activity.occurred_at:%Y-%m-%d %H:%M} UTC, in the future.",
                key=f"{RefusalCode.NOT_HAPPENED}:activity:{activity.pk}", holder=holder, activity=activity)  # fmt: skip
        return None
    thank_you_open(activity=activity, at=at)
    source_key = f"activity:{activity.pk}"

    def already() -> None:
        if actor is not None:
            _refuse(RefusalCode.ALREADY_CREDITED, f"The {name} on {activity.occurred_at:%Y-%m-%d} was credited already.",
                    key=f"{RefusalCode.ALREADY_CREDITED}:{source_key}", holder=holder, activity=activity, actor=actor)  # fmt: skip

    if LedgerEntry.objects.filter(activity=activity, kind=EntryKind.EARN).exists():
        return already()
    points = _rule_points(activity.activity_type)
    if points <= 0:
        _refuse(RefusalCode.NO_RULE, f"No active earn rule gives points for a {name}.",
                key=f"{RefusalCode.NO_RULE}:{source_key}", holder=holder, activity=activity)  # fmt: skip
        return None
    entry = _earn(holder.pk, points=points, at=at, source_key=source_key, rule=activity.activity_type, activity=activity,
                  reason=f"{activity.get_activity_type_display()} on {activity.occurred_at:%Y-%m-%d}")  # fmt: skip
    return entry if entry is not None else already()


def reward_credit_nomination(
    *, nominator, reference_id: int, at: dt.datetime | None = None
) -> LedgerEntry | None:
    """Credit the salesperson who nominated a reference (the first nominator only; never oneself)."""
    from refdesk.pool.models import ReferenceProfile

    reference = ReferenceProfile.objects.select_related("contact").filter(pk=reference_id).first()
    if reference is None:
        raise NotFound(f"No reference #{reference_id}.")
    if nominator is None or not getattr(nominator, "pk", None) or not nominator.is_active:
        raise InvalidInput("A nomination needs an active user as nominator.")
    holder = holder_for_user(nominator.pk)
    source_key = f"nomination:{reference.pk}"
    if (nominator.email or "").strip().lower() == (reference.contact.email or "").strip().lower():
        _refuse(RefusalCode.SELF_CREDIT, f"{nominator.display_name} nominated themselves.",
                key=f"{RefusalCode.SELF_CREDIT}:{source_key}:{nominator.pk}", holder=holder, actor=nominator)  # fmt: skip
        return None
    points = _rule_points(SalesAction.NOMINATION)
    if points <= 0:
        _refuse(RefusalCode.NO_RULE, "No active earn rule gives points for nominating.",
                key=f"{RefusalCode.NO_RULE}:{source_key}:{nominator.pk}", holder=holder, actor=nominator)  # fmt: skip
        return None
    entry = _earn(holder.pk, points=points, at=at or timezone.now(), source_key=source_key, rule=SalesAction.NOMINATION,
                  reason=f"Nominated {reference.contact.name}")  # fmt: skip
    if entry is None:
        _refuse(RefusalCode.ALREADY_CREDITED, f"{reference.contact.name} was nominated before; only the first nomination earns.",
                key=f"{RefusalCode.ALREADY_CREDITED}:{source_key}:{nominator.pk}", holder=holder, actor=nominator)  # fmt: skip
    return entry


def reward_credit_sharing(
    *, candidate_id: int, at: dt.datetime | None = None
) -> LedgerEntry | None:
    """Credit the account owner when another rep's request to use their customer was approved (once per request and account)."""
    from refdesk.asks.models import RequestCandidate

    candidate = (
        RequestCandidate.objects.select_related(
            "request__requester", "reference__contact__account__owner"
        )
        .filter(pk=candidate_id)
        .first()
    )
    if candidate is None:
        raise NotFound(f"No candidate #{candidate_id}.")
    account = candidate.reference.contact.account
    owner = account.owner
    if owner is None or candidate.approved_at is None:
        return None  # nothing was shared (yet): not a refusal, the request simply has not got there
    holder = holder_for_user(owner.pk)
    request = candidate.request
    source_key = f"sharing:{request.pk}:{account.pk}"
    if request.requester_id == owner.pk:
        _refuse(RefusalCode.SELF_CREDIT, f"{owner.display_name} asked for their own customer {account.name} (request #{request.pk}): not sharing.",
                key=f"{RefusalCode.SELF_CREDIT}:{source_key}", holder=holder)  # fmt: skip
        return None
    points = _rule_points(SalesAction.SHARING)
    if points <= 0:
        return None
    return _earn(holder.pk, points=points, at=at or timezone.now(), source_key=source_key, rule=SalesAction.SHARING,
                 reason=f"Shared {account.name} with {request.requester.display_name} (request #{request.pk})")  # fmt: skip


def reward_credit_feedback(
    *, feedback_id: int, at: dt.datetime | None = None
) -> LedgerEntry | None:
    """Credit the salesperson who gave feedback after an activity (once per feedback)."""
    from refdesk.asks.models import Feedback

    feedback = (
        Feedback.objects.select_related(
            "given_by", "candidate__request", "candidate__reference__contact"
        )
        .filter(pk=feedback_id)
        .first()
    )
    if feedback is None:
        raise NotFound(f"No feedback #{feedback_id}.")
    if feedback.given_by is None:
        return (
            None  # the reference's own feedback through their link: references earn from activities
        )
    holder = holder_for_user(feedback.given_by_id)
    points = _rule_points(SalesAction.FEEDBACK)
    if points <= 0:
        return None
    request = feedback.candidate.request
    return _earn(holder.pk, points=points, at=at or timezone.now(), source_key=f"feedback:{feedback.pk}", rule=SalesAction.FEEDBACK,
                 reason=f"Feedback on {feedback.candidate.reference.contact.name} (request #{request.pk})")  # fmt: skip


# --- catalogue ------------------------------------------------------------------------------------


def _countries(value: Any) -> list[str]:
    result = []
    for item in v.split_list(value):
        code = v.country(item)
        if code and code not in result:
            result.append(code)
    return result


ITEM_FIELDS = {
    "name": v.text(200, required=True),
    "kind": v.choice(ItemKind),
    "description": v.text(2000),
    "points_cost": _required(v.whole_number(0, 10_000_000)),
    "stock": v.whole_number(0, 10_000_000),
    "countries": _countries,
    "value": _decimal(Decimal("0"), Decimal("99999999")),
    "currency": _currency,
    "active": v.boolean,
}


def catalogue_item_create(*, actor, **fields: Any) -> CatalogueItem:
    """Add an item to the rewards catalogue."""
    _require_pm(actor, "Only a program manager can change the catalogue.")
    cleaned = v.clean_fields(ITEM_FIELDS, fields)
    missing = {k: "is required" for k in ("name", "kind", "points_cost") if k not in cleaned}
    if missing:
        raise InvalidInput(
            "Please correct: " + "; ".join(f"{k} is required" for k in missing) + ".",
            details=missing,
        )
    cleaned.setdefault("currency", reward_settings_get().currency)
    return CatalogueItem.objects.create(**cleaned)


def catalogue_item_update(*, actor, item_id: int, **fields: Any) -> CatalogueItem:
    """Change an item: its cost, stock, countries, value, or take it off the catalogue."""
    _require_pm(actor, "Only a program manager can change the catalogue.")
    cleaned = v.clean_fields(ITEM_FIELDS, fields)
    if not CatalogueItem.objects.filter(pk=item_id).exists():
        raise NotFound(f"No catalogue item #{item_id}.")
    if cleaned:
        CatalogueItem.objects.filter(pk=item_id).update(**cleaned, updated_at=timezone.now())
    return CatalogueItem.objects.get(pk=item_id)


# --- redemption -----------------------------------------------------------------------------------


def item_allowed_for(
    item: CatalogueItem, *, gift_policy: str | None, country: str | None
) -> tuple[bool, str, str]:
    """(allowed, refusal code, reason) for a holder under an account's gift policy and country. Pure rule.

    Salespeople have neither (None): company policies and shipping are the program's own business.
    """
    if gift_policy == GiftPolicy.DONATION_ONLY and item.kind != ItemKind.DONATION:
        return (
            False,
            RefusalCode.GIFT_POLICY,
            "The customer's company allows only a donation in their name.",
        )
    if gift_policy == GiftPolicy.THANK_YOU_ONLY and item.kind != ItemKind.THANK_YOU:
        return (
            False,
            RefusalCode.GIFT_POLICY,
            "The customer's company allows only a thank-you, no gifts.",
        )
    if country is None:
        return True, "", ""
    if item.countries and country and country not in item.countries:
        return (
            False,
            RefusalCode.COUNTRY,
            f"{item.name} cannot be fulfilled in {country} (only {', '.join(item.countries)}).",
        )
    if item.countries and not country:
        return (
            False,
            RefusalCode.COUNTRY,
            f"{item.name} is fulfilled only in {', '.join(item.countries)}; the country is unknown.",
        )
    return True, "", ""


def _year_bounds(moment: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime(moment.year, 1, 1, tzinfo=dt.UTC)
    return start, dt.datetime(moment.year + 1, 1, 1, tzinfo=dt.UTC)


def value_received_in_year(holder_id: int, moment: dt.datetime) -> Decimal:
    """Money value of a holder's live redemptions in the calendar year of `moment`."""
    start, end = _year_bounds(moment)
    total = Redemption.objects.filter(
        holder_id=holder_id,
        status__in=LIVE_REDEMPTION_STATUSES,
        requested_at__gte=start,
        requested_at__lt=end,
    ).aggregate(s=Sum("value"))["s"]
    return total or Decimal("0.00")


def reward_redeem(
    *, actor, item_id: int, reference_id: int | None = None, note: str = ""
) -> Redemption:
    """Spend points on a catalogue item; the points are taken now and returned if it is refused.

    With `reference_id` the reference's points are spent: by a program manager, or by the reference
    through their signed portal link (`actor=None`). Without it, the actor spends their own points.
    """
    if reference_id is not None:
        if actor is not None and not is_program_manager(actor):
            raise Forbidden(
                "Only a program manager, or the reference through their link, can redeem a reference's points."
            )
        from refdesk.pool.models import ReferenceProfile

        reference = (
            ReferenceProfile.objects.select_related("contact__account")
            .filter(pk=reference_id)
            .first()
        )
        if reference is None:
            raise NotFound(f"No reference #{reference_id}.")
        holder = holder_for_reference(reference.pk)
        gift_policy, country = (
            reference.contact.account.gift_policy,
            reference.contact.account.country,
        )
    else:
        if actor is None or not getattr(actor, "pk", None):
            raise Forbidden("Log in to redeem your points.")
        holder = holder_for_user(actor.pk)
        gift_policy, country = None, None
    item = CatalogueItem.objects.filter(pk=item_id).first()
    if item is None:
        raise NotFound(f"No catalogue item #{item_id}.")
    note = v.without_nul(note or "").strip()[:500]

    def refused(code: str, message: str):
        _refuse(code, message, holder=holder, item=item, actor=actor)
        return RewardRefused(message, code=code)

    if not item.active:
        raise refused(RefusalCode.INACTIVE_ITEM, f"{item.name} is no longer offered.")
    allowed, code, reason = item_allowed_for(item, gift_policy=gift_policy, country=country)
    if not allowed:
        raise refused(code, reason)
    now = timezone.now()
    cap = reward_settings_get().yearly_value_cap
    try:
        with transaction.atomic():
            locked = _lock(holder.pk)
            received = value_received_in_year(locked.pk, now)
            if item.value and received + item.value > cap:
                raise _Refused(RefusalCode.YEARLY_CAP, f"{item.name} ({item.value} {item.currency}) would take this person to "
                                                        f"{received + item.value} this year; the yearly limit is {cap}.")  # fmt: skip
            if locked.balance < item.points_cost:
                raise _Refused(
                    RefusalCode.BALANCE,
                    f"{item.name} costs {item.points_cost} points; {locked.balance} available.",
                )
            if item.stock is not None:
                # A conditional UPDATE: two redemptions of the last one cannot both succeed.
                if not CatalogueItem.objects.filter(pk=item.pk, stock__gte=1).update(
                    stock=F("stock") - 1
                ):
                    raise _Refused(RefusalCode.OUT_OF_STOCK, f"{item.name} is out of stock.")
            redemption = Redemption.objects.create(
                holder=locked, item=item, points=item.points_cost, value=item.value, currency=item.currency, note=note,
                requested_at=now, requested_by=actor if getattr(actor, "pk", None) else None,
            )  # fmt: skip
            if item.points_cost:
                _post(locked, kind=EntryKind.REDEEM, points=-item.points_cost, reason=f"Redeemed {item.name}", at=now,
                      source_key=f"redemption:{redemption.pk}", redemption=redemption, actor=actor)  # fmt: skip
    except _Refused as exc:
        raise refused(exc.code, exc.message) from None
    return redemption


def _decide(actor, redemption_id: int, verb: str) -> Redemption:
    _require_pm(actor, f"Only a program manager can {verb} redemptions.")
    if actor is None:
        raise Forbidden(f"Only a program manager can {verb} redemptions.")
    redemption = Redemption.objects.select_related("item").filter(pk=redemption_id).first()
    if redemption is None:
        raise NotFound(f"No redemption #{redemption_id}.")
    return redemption


def redemption_approve(*, actor, redemption_id: int) -> Redemption:
    """The program manager approves a redemption; it waits to be fulfilled."""
    redemption = _decide(actor, redemption_id, "approve")
    now = timezone.now()
    changed = Redemption.objects.filter(pk=redemption.pk, status=RedemptionStatus.REQUESTED).update(
        status=RedemptionStatus.APPROVED, decided_at=now, decided_by=actor
    )
    if changed != 1:
        raise IllegalTransition(
            f"Only a redemption waiting for approval can be approved; this one is {redemption.get_status_display().lower()}."
        )
    redemption.refresh_from_db()
    return redemption


def redemption_fulfil(*, actor, redemption_id: int) -> Redemption:
    """The item was sent, the donation made, the service booked."""
    redemption = _decide(actor, redemption_id, "fulfil")
    changed = Redemption.objects.filter(pk=redemption.pk, status=RedemptionStatus.APPROVED).update(
        status=RedemptionStatus.FULFILLED, fulfilled_at=timezone.now()
    )
    if changed != 1:
        raise IllegalTransition(
            f"Only an approved redemption can be fulfilled; this one is {redemption.get_status_display().lower()}."
        )
    redemption.refresh_from_db()
    return redemption


def redemption_refuse(*, actor, redemption_id: int, reason: str) -> Redemption:
    """The program manager refuses a redemption with a reason; the points come back and the stock too."""
    redemption = _decide(actor, redemption_id, "refuse")
    reason = v.without_nul(reason or "").strip()
    if not reason:
        raise InvalidInput("Please give a reason for refusing.", details={"reason": "is required"})
    now = timezone.now()
    with transaction.atomic():
        holder = _lock(redemption.holder_id)
        changed = Redemption.objects.filter(pk=redemption.pk, status__in=[RedemptionStatus.REQUESTED, RedemptionStatus.APPROVED]).update(
            status=RedemptionStatus.REFUSED, decided_at=now, decided_by=actor, refusal_reason=reason[:500]
        )  # fmt: skip
        if changed != 1:
            raise IllegalTransition(
                f"A redemption that is {redemption.get_status_display().lower()} cannot be refused."
            )
        if redemption.points:
            _post(holder, kind=EntryKind.REVERSE, points=redemption.points, reason=f"Returned: {redemption.item.name} refused ({reason[:200]})",
                  at=now, source_key=f"redemption:{redemption.pk}:reverse", redemption=redemption, actor=actor)  # fmt: skip
        if redemption.item.stock is not None:
            CatalogueItem.objects.filter(pk=redemption.item_id).update(stock=F("stock") + 1)
        _refuse(RefusalCode.REDEMPTION_REFUSED, f"{redemption.item.name}: {reason}", key=f"redemption:{redemption.pk}",
                holder=holder, item=redemption.item, redemption=redemption, actor=actor)  # fmt: skip
    redemption.refresh_from_db()
    return redemption


# --- expiry ------------------------------------------------------------------------------------------


def _expiry_position(holder_id: int, until: dt.datetime) -> tuple[int, int]:
    """(points that should have lapsed by `until`, points already expired).

    Spending uses the oldest points first, so what lapses by `until` is what was added with an
    expiry up to then, less everything spent since the start (never below zero).
    """
    rows = LedgerEntry.objects.filter(holder_id=holder_id)
    lapsing = rows.filter(points__gt=0, expires_at__lte=until).aggregate(s=Sum("points"))["s"] or 0
    spent = -(rows.filter(Q(kind__in=[EntryKind.REDEEM, EntryKind.REVERSE]) | Q(kind=EntryKind.ADJUST, points__lt=0))
              .aggregate(s=Sum("points"))["s"] or 0)  # fmt: skip
    expired = -(rows.filter(kind=EntryKind.EXPIRE).aggregate(s=Sum("points"))["s"] or 0)
    return max(0, lapsing - spent), expired


def points_expire(*, now: dt.datetime | None = None) -> int:
    """Write an expire entry for every holder whose points have lapsed; safe to run again. Returns entries written."""
    now = now or timezone.now()
    holder_ids = (
        LedgerEntry.objects.filter(points__gt=0, expires_at__lte=now, holder__balance__gt=0)
        .values_list("holder_id", flat=True)
        .distinct()
    )
    written = 0
    for holder_id in list(holder_ids):
        with transaction.atomic():
            holder = _lock(holder_id)
            due, expired = _expiry_position(holder.pk, now)
            amount = min(due - expired, holder.balance)
            if amount <= 0:
                continue
            _post(holder, kind=EntryKind.EXPIRE, points=-amount, at=now, source_key=f"expire:{holder.pk}:{expired + amount}",
                  reason=f"{amount} points earned more than {reward_settings_get().expiry_months} months ago lapsed")  # fmt: skip
            written += 1
    return written


def expiry_notices_send(*, now: dt.datetime | None = None) -> int:
    """Tell each holder once, ahead of time, how many points will lapse and when. Returns notices sent."""
    now = now or timezone.now()
    settings = reward_settings_get()
    horizon = now + dt.timedelta(days=settings.expiry_notice_days)
    rows = (
        LedgerEntry.objects.filter(
            points__gt=0, expires_at__gt=now, expires_at__lte=horizon, holder__balance__gt=0
        )
        .values_list("holder_id", "expires_at")
        .order_by("holder_id", "expires_at")
    )
    first_expiry: dict[int, dt.datetime] = {}
    for holder_id, expires_at in rows:
        first_expiry.setdefault(holder_id, expires_at)
    sent = 0
    for holder_id, first in first_expiry.items():
        due, expired = _expiry_position(holder_id, horizon)
        amount = due - expired
        if amount <= 0:
            continue
        try:
            with transaction.atomic():
                notice = ExpiryNotice.objects.create(
                    holder_id=holder_id, expires_on=first.date(), points=amount, sent_at=now
                )
        except IntegrityError:
            continue
        _email_holder(notice.holder, key=f"rewards-expiry:{notice.pk}", kind="rewards_expiry",
                      subject=f"{amount} of your points expire on {first:%-d %B %Y}",
                      text=f"{amount} of your reference program points expire on {first:%-d %B %Y}. "
                           "Redeem them before then from your rewards page.")  # fmt: skip
        sent += 1
    return sent


def _email_holder(holder: PointsHolder, *, key: str, kind: str, subject: str, text: str) -> None:
    holder = PointsHolder.objects.select_related("reference__contact", "user").get(pk=holder.pk)
    if holder.reference_id:
        to, name, role = holder.reference.contact.email, holder.reference.contact.name, "reference"
        from refdesk.portal.services import page_path, portal_url

        text += f"\n\nYour points and rewards: {portal_url(holder.reference.contact, page_path('rewards'))}"
    else:
        to, name, role = holder.user.email, holder.user.display_name, "owner"
    _email(key=key, kind=kind, role=role, to=to, subject=subject, text=f"Hello {name},\n\n{text}\n")


def _email(*, key: str, kind: str, role: str, to: str, subject: str, text: str) -> None:
    """Write an email through the notify outbox and send it once the transaction commits."""
    if not to:
        return
    from refdesk.notify.services import email_prepare, enqueue
    from refdesk.notify.tasks import send_outbound_email

    email, created = email_prepare(key=key[:200], kind=kind, recipient_role=role, to=to, subject=subject[:300],
                                   body_text=text, body_html="")  # fmt: skip
    if created:
        transaction.on_commit(lambda: enqueue(send_outbound_email, email.pk))


# --- thank-yous --------------------------------------------------------------------------------------


def thank_you_open(*, activity, at: dt.datetime | None = None) -> ThankYouTask:
    """Open the thank-you a completed activity is owed (once), assigned to the account owner."""
    found = ThankYouTask.objects.filter(activity=activity).first()
    if found:
        return found
    at = at or timezone.now()
    owner = activity.reference.contact.account.owner
    try:
        with transaction.atomic():
            return ThankYouTask.objects.create(
                activity=activity, reference_id=activity.reference_id, assignee=owner if owner and owner.is_active else None,
                created_at=at, due_at=at + dt.timedelta(days=reward_settings_get().thank_you_due_days),
            )  # fmt: skip
    except IntegrityError:
        return ThankYouTask.objects.get(activity=activity)


def _render(text: str, task: ThankYouTask, sender) -> str:
    values = {
        "name": task.reference.contact.name,
        "first_name": task.reference.contact.name.split(" ")[0],
        "activity": task.activity.get_activity_type_display().lower(),
        "date": f"{task.activity.occurred_at:%-d %B %Y}",
        "account": task.reference.contact.account.name,
        "sender": sender.display_name
        if getattr(sender, "pk", None)
        else "The reference program team",
    }
    for name, value in values.items():
        text = text.replace("{" + name + "}", value)
    return text


def thank_you_complete(
    *, actor, task_id: int, template_id: int | None = None, note: str = "", send: bool = True
) -> ThankYouTask:
    """Say thank you: from a template or a note, emailed to the reference (or recorded as thanked another way)."""
    task = (
        ThankYouTask.objects.select_related("reference__contact__account", "activity")
        .filter(pk=task_id)
        .first()
    )
    if task is None:
        raise NotFound(f"No thank-you task #{task_id}.")
    if actor is None or not (is_program_manager(actor) or task.assignee_id == actor.pk):
        raise Forbidden("Only the account owner or a program manager can close this thank-you.")
    template = None
    if template_id:
        template = ThankYouTemplate.objects.filter(pk=template_id, active=True).first()
        if template is None:
            raise NotFound(f"No active thank-you template #{template_id}.")
    body = v.without_nul(note or "").strip() or (
        _render(template.body, task, actor) if template else ""
    )
    if send and not body:
        raise InvalidInput(
            "Choose a template or write a note to send.", details={"note": "is required to send"}
        )
    if len(body) > 5000:
        raise InvalidInput(
            "The note is longer than 5000 characters.", details={"note": "is too long"}
        )
    now = timezone.now()
    with transaction.atomic():
        changed = ThankYouTask.objects.filter(pk=task.pk, status=ThankYouStatus.OPEN).update(
            status=ThankYouStatus.DONE, done_at=now, done_by=actor, note=body, template=template
        )
        if changed != 1:
            raise IllegalTransition("This thank-you was already sent.")
        if send:
            subject = _render(template.subject, task, actor) if template else "Thank you"
            _email(key=f"thankyou:{task.pk}", kind="thank_you", role="reference", to=task.reference.contact.email,
                   subject=subject, text=body)  # fmt: skip
    task.refresh_from_db()
    return task


def thank_you_reminders_send(*, now: dt.datetime | None = None) -> int:
    """Remind the owner of every overdue thank-you, once (program managers when nobody owns it)."""
    from refdesk.people.models import User

    now = now or timezone.now()
    overdue = ThankYouTask.objects.filter(
        status=ThankYouStatus.OPEN, due_at__lte=now, reminded_at__isnull=True
    )
    sent = 0
    pms = None
    for task in overdue.select_related("assignee", "reference__contact__account", "activity"):
        if not ThankYouTask.objects.filter(pk=task.pk, reminded_at__isnull=True).update(
            reminded_at=now
        ):
            continue  # another sweep claimed it
        if task.assignee:
            people = [task.assignee]
        else:
            pms = (
                pms
                if pms is not None
                else list(User.objects.filter(role="program_manager", is_active=True))
            )
            people = pms
        contact = task.reference.contact
        for person in people:
            _email(key=f"thankyou-reminder:{task.pk}:{person.pk}", kind="thank_you_reminder", role="owner", to=person.email,
                   subject=f"A thank-you to {contact.name} is overdue",
                   text=f"Hello {person.display_name},\n\n{contact.name} ({contact.account.name}) did a "
                        f"{task.activity.get_activity_type_display().lower()} on {task.activity.occurred_at:%-d %B %Y}. "
                        f"Their thank-you was due {task.due_at:%-d %B %Y %H:%M} UTC.\n")  # fmt: skip
        sent += 1
    return sent


TEMPLATE_FIELDS = {
    "name": v.text(120, required=True),
    "activity_type": v.choice(ActivityType, default=""),
    "subject": v.text(200, required=True),
    "body": v.text(5000, required=True),
    "active": v.boolean,
}


def thank_you_template_save(
    *, actor, template_id: int | None = None, **fields: Any
) -> ThankYouTemplate:
    """Add or edit a thank-you note template (program managers)."""
    _require_pm(actor, "Only a program manager can edit thank-you templates.")
    if "activity_type" in fields and not fields["activity_type"]:
        fields["activity_type"] = ""
    cleaned = v.clean_fields(TEMPLATE_FIELDS, fields)
    by = actor if getattr(actor, "pk", None) else None
    if template_id is None:
        missing = {k: "is required" for k in ("name", "subject", "body") if k not in cleaned}
        if missing:
            raise InvalidInput(
                "Please correct: " + "; ".join(f"{k} is required" for k in missing) + ".",
                details=missing,
            )
        return ThankYouTemplate.objects.create(**cleaned, updated_by=by)
    if not ThankYouTemplate.objects.filter(pk=template_id).update(
        **cleaned, updated_by=by, updated_at=timezone.now()
    ):
        raise NotFound(f"No thank-you template #{template_id}.")
    return ThankYouTemplate.objects.get(pk=template_id)


# --- contests ----------------------------------------------------------------------------------------


CONTEST_FIELDS = {
    "name": v.text(200, required=True),
    "description": v.text(2000),
    "starts_on": _required(v.date),
    "ends_on": _required(v.date),
    "team": v.text(100),
    "prizes": v.free_list(20, 200),
}


def contest_create(*, actor, **fields: Any) -> Contest:
    """Start a contest between salespeople: dates, an optional team, and prizes by rank."""
    _require_pm(actor, "Only a program manager can run contests.")
    cleaned = v.clean_fields(CONTEST_FIELDS, fields)
    missing = {k: "is required" for k in ("name", "starts_on", "ends_on") if k not in cleaned}
    if missing:
        raise InvalidInput(
            "Please correct: " + "; ".join(f"{k} is required" for k in missing) + ".",
            details=missing,
        )
    if not all(1900 <= cleaned[k].year <= 2999 for k in ("starts_on", "ends_on")):
        raise InvalidInput("Please correct: contest dates must fall between 1900 and 2999.",
                           details={"starts_on": "must fall between 1900 and 2999"})  # fmt: skip
    if cleaned["ends_on"] < cleaned["starts_on"]:
        raise InvalidInput(
            "Please correct: ends_on must be on or after starts_on.",
            details={"ends_on": "must be on or after the start"},
        )
    return Contest.objects.create(
        **cleaned, created_by=actor if getattr(actor, "pk", None) else None
    )


# --- the sweep ---------------------------------------------------------------------------------------

CATCH_UP = dt.timedelta(days=7)
HISTORY = dt.timedelta(days=30)


def rewards_catch_up(*, now: dt.datetime | None = None) -> int:
    """Credit what an on-commit hook missed (a process died): recent completed activities, approvals, feedback."""
    from refdesk.activities.choices import ActivityStatus
    from refdesk.activities.models import Activity
    from refdesk.asks.models import Feedback, RequestCandidate

    now = now or timezone.now()
    since = now - CATCH_UP
    done = 0
    # Recent ones only: an import of last year's activities is history, not points owed today.
    missed = Activity.objects.filter(status=ActivityStatus.COMPLETED, updated_at__gte=since, occurred_at__lte=now,
                                     occurred_at__gte=now - HISTORY, thank_you__isnull=True).values_list("pk", flat=True)  # fmt: skip
    for activity_id in list(missed):
        reward_credit_for_activity(activity_id=activity_id)
        done += 1
    credited = set(
        LedgerEntry.objects.filter(
            source_key__startswith="sharing:", at__gte=since - CATCH_UP
        ).values_list("source_key", flat=True)
    )
    approved = RequestCandidate.objects.filter(approved_at__gte=since, reference__contact__account__owner__isnull=False).values_list(
        "pk", "request_id", "reference__contact__account_id"
    )  # fmt: skip
    for candidate_id, request_id, account_id in list(approved):
        if f"sharing:{request_id}:{account_id}" not in credited and reward_credit_sharing(
            candidate_id=candidate_id
        ):
            done += 1
    given = Feedback.objects.filter(given_at__gte=since, given_by__isnull=False).values_list(
        "pk", flat=True
    )
    credited = set(
        LedgerEntry.objects.filter(
            source_key__startswith="feedback:", at__gte=since - CATCH_UP
        ).values_list("source_key", flat=True)
    )
    for feedback_id in list(given):
        if f"feedback:{feedback_id}" not in credited and reward_credit_feedback(
            feedback_id=feedback_id
        ):
            done += 1
    return done


def rewards_sweep(*, now: dt.datetime | None = None) -> dict:
    """The rewards sweep: catch up on credits, expire lapsed points, send expiry notices and thank-you reminders."""
    now = now or timezone.now()
    return {
        "credited": rewards_catch_up(now=now),
        "expired": points_expire(now=now),
        "expiry_notices": expiry_notices_send(now=now),
        "thank_you_reminders": thank_you_reminders_send(now=now),
    }
