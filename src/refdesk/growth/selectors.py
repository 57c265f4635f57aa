"""Reads for growing the pool, shared by pages, API and CLI, already scoped to the caller."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from refdesk.core import changes
from refdesk.core.errors import Forbidden, NotFound
from refdesk.growth import permissions as perms
from refdesk.growth import rules
from refdesk.growth.choices import EscalationStatus, NominationStatus
from refdesk.growth.models import (
    Escalation,
    GiveBack,
    GrowthSettings,
    Nomination,
    OnboardingMilestone,
    ProfileConfirmation,
    SurveyResponse,
    Win,
    WishListEntry,
)
from refdesk.pool.choices import ReferenceStatus
from refdesk.pool.models import Account, Product, ReferenceProfile

# References in these statuses already count as "in the pool" for look-alikes and sharing.
IN_POOL = (
    ReferenceStatus.CANDIDATE,
    ReferenceStatus.INVITED,
    ReferenceStatus.ACTIVE,
    ReferenceStatus.PAUSED,
)


def _require_read(user) -> None:
    if not perms.can_read(user):
        raise Forbidden("You need to log in to see this.")


def growth_settings_get() -> GrowthSettings:
    """The program's growth rules (created with the defaults on first read)."""
    return changes.settings_row(GrowthSettings)


# --- nominations ----------------------------------------------------------------------------


def nomination_list(*, user, status: str = "") -> QuerySet[Nomination]:
    """Nominations the user may see: all for program managers and executives, a rep's own otherwise."""
    _require_read(user)
    qs = Nomination.objects.select_related(
        "contact__account", "nominator", "reference", "reviewed_by"
    )
    if perms.is_rep(user) and not perms.can_manage(user):
        qs = qs.filter(nominator=user)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-created_at", "-pk")


def nomination_get(*, user, nomination_id: int) -> Nomination:
    nomination = nomination_list(user=user).filter(pk=nomination_id).first()
    if nomination is None:
        raise NotFound(f"No nomination with id {nomination_id}.")
    return nomination


# --- readiness ------------------------------------------------------------------------------


def open_escalation_counts(account_ids) -> dict[int, int]:
    return dict(
        Escalation.objects.filter(account_id__in=list(account_ids), status=EscalationStatus.OPEN)
        .values_list("account_id")
        .annotate(n=Count("pk"))
        .values_list("account_id", "n")
    )


def readiness_for(
    references: list[ReferenceProfile], *, today: dt.date | None = None
) -> dict[int, rules.Readiness]:
    """Readiness of each reference (contact and account preloaded), in one query for escalations."""
    today = today or timezone.now().date()
    settings = growth_settings_get()
    open_counts = open_escalation_counts({r.contact.account_id for r in references})
    return {
        r.pk: rules.readiness_of(
            live_since=r.contact.account.live_since,
            nps=r.nps,
            open_escalations=open_counts.get(r.contact.account_id, 0),
            today=today,
            min_live_days=settings.min_live_days,
            min_nps=settings.min_nps,
        )  # fmt: skip
        for r in references
    }


def reference_readiness(
    reference: ReferenceProfile, *, today: dt.date | None = None
) -> rules.Readiness:
    return readiness_for([reference], today=today)[reference.pk]


def readiness_list(
    *,
    user,
    today: dt.date | None = None,
    ready: bool | None = None,
    status: str = ReferenceStatus.CANDIDATE,
) -> list[tuple[ReferenceProfile, rules.Readiness]]:
    """Candidates (by default) with whether they may be asked now and why; ready ones first."""
    _require_read(user)
    qs = ReferenceProfile.objects.select_related("contact__account__owner").filter(status=status)
    if perms.is_rep(user) and not perms.can_manage(user):
        qs = qs.filter(contact__account__owner=user)
    references = list(qs.order_by("sort_name", "pk")[:1000])
    found = readiness_for(references, today=today)
    rows = [(r, found[r.pk]) for r in references]
    if ready is not None:
        rows = [row for row in rows if row[1].ready == ready]
    return sorted(rows, key=lambda row: not row[1].ready)


def escalation_list(
    *, user, account_id: int | None = None, status: str = ""
) -> QuerySet[Escalation]:
    _require_read(user)
    qs = Escalation.objects.select_related("account", "opened_by")
    if account_id:
        qs = qs.filter(account_id=account_id)
    if status:
        qs = qs.filter(status=status)
    return qs


def escalation_get(*, user, escalation_id: int) -> Escalation:
    escalation = escalation_list(user=user).filter(pk=escalation_id).first()
    if escalation is None:
        raise NotFound(f"No escalation with id {escalation_id}.")
    return escalation


# --- wish list and look-alikes --------------------------------------------------------------


def wish_list(*, user, mine_only: bool = False) -> QuerySet[WishListEntry]:
    _require_read(user)
    qs = WishListEntry.objects.select_related("account__industry", "account__owner", "user")
    if mine_only or (perms.is_rep(user) and not perms.can_manage(user)):
        qs = qs.filter(user=user)
    return qs


def wish_get(*, user, wish_id: int) -> WishListEntry:
    wish = wish_list(user=user).filter(pk=wish_id).first()
    if wish is None:
        raise NotFound(f"No wish with id {wish_id}.")
    return wish


def _products_by_account(account_ids) -> dict[int, frozenset[str]]:
    through = Account.products.through
    names = dict(Product.objects.values_list("pk", "name"))
    result: dict[int, set[str]] = defaultdict(set)
    for account_id, product_id in through.objects.filter(
        account_id__in=list(account_ids)
    ).values_list("account_id", "product_id"):
        result[account_id].add(names[product_id].lower())
    return {k: frozenset(v) for k, v in result.items()}


def unfilled_requests(*, since: dt.date | None = None):
    """Request demand that went unfilled: expired or cancelled, or given fewer candidates than it needed."""
    from refdesk.asks.choices import RequestStatus
    from refdesk.asks.models import ReferenceRequest

    qs = ReferenceRequest.objects.annotate(n_candidates=Count("candidates"))
    if since:
        qs = qs.filter(submitted_at__date__gte=since)
    return qs.filter(
        Q(status__in=[RequestStatus.EXPIRED, RequestStatus.CANCELLED])
        | Q(n_candidates__lt=F("references_needed"))
    )


def wanted_profile(*, since: dt.date | None = None) -> tuple[rules.WantedProfile, dict]:
    """The profile sales want more of: wish-listed accounts plus unfilled requests (and how many of each)."""
    wished = list(
        Account.objects.filter(wishes__isnull=False)
        .distinct()
        .values_list("pk", "industry_id", "employees", "country")
    )
    products = _products_by_account([w[0] for w in wished])
    examples = [
        rules.Profile(
            industry=i, employees=e, country=c or "", products=products.get(pk, frozenset())
        )
        for pk, i, e, c in wished
    ]
    unfilled = list(
        unfilled_requests(since=since).values_list(
            "industry_id", "employees", "country", "products"
        )
    )
    examples += [
        rules.Profile(
            industry=i,
            employees=e,
            country=c or "",
            products=frozenset(str(p).lower() for p in (ps or [])),
        )
        for i, e, c, ps in unfilled
    ]
    return rules.WantedProfile.from_examples(examples), {
        "wished_accounts": len(wished),
        "unfilled_requests": len(unfilled),
    }


def lookalike_list(
    *, user, limit: int = 50, today: dt.date | None = None, since: dt.date | None = None
) -> dict:
    """Customers who are not yet references, ranked by fit to the wanted profile, with reasons and readiness."""
    _require_read(user)
    wanted, sources = wanted_profile(since=since)
    result = {"profile": wanted.as_dict(), "sources": sources, "candidates": []}
    if not wanted.examples:
        return result
    in_pool = Account.objects.filter(contacts__reference__status__in=IN_POOL).values("pk")
    wished = WishListEntry.objects.values("account_id")
    accounts = list(
        Account.objects.exclude(pk__in=in_pool).exclude(pk__in=wished).select_related("owner")
        .values_list("pk", "name", "industry_id", "employees", "country", "owner__email", "live_since")
    )  # fmt: skip
    products = _products_by_account([a[0] for a in accounts])
    scored = []
    for pk, name, industry, employees, country, owner, live_since in accounts:
        fit = rules.lookalike_fit(
            wanted, rules.Profile(industry, employees, country or "", products.get(pk, frozenset()))
        )
        if fit.score > 0:
            scored.append((fit.score, name.lower(), pk, name, owner, live_since, fit))
    scored.sort(key=lambda s: (-s[0], s[1], s[2]))
    top = scored[:limit]
    escalations = open_escalation_counts([s[2] for s in top])
    settings = growth_settings_get()
    today = today or timezone.now().date()
    # Readiness by account: the latest NPS answer from anyone there stands for the account here.
    latest_nps = dict(
        SurveyResponse.objects.filter(contact__account_id__in=[s[2] for s in top], kind="nps")
        .order_by("answered_on", "pk").values_list("contact__account_id", "score")
    )  # fmt: skip
    for score, _, pk, name, owner, live_since, fit in top:
        best_nps = latest_nps.get(pk)
        ready = rules.readiness_of(
            live_since=live_since, nps=best_nps, open_escalations=escalations.get(pk, 0), today=today,
            min_live_days=settings.min_live_days, min_nps=settings.min_nps,
        )  # fmt: skip
        result["candidates"].append(
            {
                "account_id": pk,
                "account": name,
                "owner": owner,
                "score": score,
                "reasons": [p.as_dict() for p in fit.parts],
                "readiness": ready.as_dict(),
            }
        )
    return result


# --- freshness ------------------------------------------------------------------------------


def _stale_q(today: dt.date, days: int) -> Q:
    cutoff = dt.datetime.combine(today - dt.timedelta(days=days), dt.time.min, tzinfo=dt.UTC)
    confirmed = Q(confirmation__last_confirmed_at__isnull=False)
    return (confirmed & Q(confirmation__last_confirmed_at__lt=cutoff)) | (
        ~confirmed & Q(created_at__lt=cutoff)
    )


STALE_STATUSES = (ReferenceStatus.ACTIVE, ReferenceStatus.PAUSED, ReferenceStatus.INVITED)


def stale_condition(today: dt.date | None = None) -> Q:
    """The condition on ReferenceProfile rows of a profile not confirmed (or created) within the
    freshness window, for filters and for annotations (matching reads it with its candidates)."""
    today = today or timezone.now().date()
    return Q(status__in=STALE_STATUSES) & _stale_q(today, growth_settings_get().stale_after_days)


def stale_condition_depends_on(today: dt.date | None = None) -> tuple:
    """What `stale_condition(today)` is built from (the day and the freshness window): part of the
    key of any query compiled or kept with that condition in it."""
    return (today or timezone.now().date(), growth_settings_get().stale_after_days)


def stale_reference_ids(*, today: dt.date | None = None, reference_ids=None) -> set[int]:
    """References whose profile was not confirmed (or created) within the freshness window: matching ranks them lower."""
    qs = ReferenceProfile.objects.all()
    if reference_ids is not None:
        qs = qs.filter(pk__in=list(reference_ids))
    return set(qs.filter(stale_condition(today)).values_list("pk", flat=True))


def last_confirmed(reference: ReferenceProfile) -> dt.datetime:
    try:
        confirmed = reference.confirmation.last_confirmed_at
    except ProfileConfirmation.DoesNotExist:
        confirmed = None
    return confirmed or reference.created_at


def stale_list(*, user, today: dt.date | None = None) -> QuerySet[ReferenceProfile]:
    _require_read(user)
    today = today or timezone.now().date()
    qs = ReferenceProfile.objects.select_related("contact__account__owner", "confirmation").filter(
        pk__in=stale_reference_ids(today=today)
    )
    if perms.is_rep(user) and not perms.can_manage(user):
        qs = qs.filter(contact__account__owner=user)
    return qs.order_by("sort_name", "pk")


# --- sharing rule ---------------------------------------------------------------------------


def sharing_status(user) -> dict:
    """Whether a rep shares their customers: owned accounts, how many have an active reference, restricted or not."""
    settings = growth_settings_get()
    owned = Account.objects.filter(owner=user)
    total = owned.count() if user and getattr(user, "pk", None) else 0
    shared = (
        owned.filter(matching_blocked=False, contacts__reference__status=ReferenceStatus.ACTIVE)
        .distinct()
        .count()
        if total
        else 0
    )
    percent = round(100 * shared / total) if total else 0
    restricted = bool(_sharing_rule_applies(user, settings) and total and percent < settings.sharing_min_percent)
    return {"enabled": settings.sharing_rule, "accounts": total, "shared": shared, "percent": percent,
            "min_percent": settings.sharing_min_percent, "restricted": restricted}  # fmt: skip


def _sharing_rule_applies(user, settings=None) -> bool:
    """Whether the sharing rule is on and the user is a rep it can restrict (no counting yet)."""
    settings = settings or growth_settings_get()
    return bool(settings.sharing_rule and perms.is_rep(user) and not perms.can_manage(user))


def sharing_rule_allows(user, reference_ids) -> bool:
    """False when the sharing rule is on, the user keeps their customers out of the pool, and
    any of `reference_ids` belongs to an account they do not own."""
    if not _sharing_rule_applies(user) or not sharing_status(user)["restricted"]:
        return True
    ids = list(reference_ids)
    return (
        not ReferenceProfile.objects.filter(pk__in=ids)
        .exclude(contact__account__owner=user)
        .exists()
    )


# --- satisfaction, onboarding, wins ---------------------------------------------------------


def survey_list(*, user, account_id: int | None = None) -> QuerySet[SurveyResponse]:
    _require_read(user)
    qs = SurveyResponse.objects.select_related("contact__account")
    if account_id:
        qs = qs.filter(contact__account_id=account_id)
    return qs


def milestone_list(*, user, account_id: int | None = None) -> QuerySet[OnboardingMilestone]:
    _require_read(user)
    qs = OnboardingMilestone.objects.select_related("account", "logged_by")
    if account_id:
        qs = qs.filter(account_id=account_id)
    return qs


def milestone_get(*, user, milestone_id: int) -> OnboardingMilestone:
    milestone = milestone_list(user=user).filter(pk=milestone_id).first()
    if milestone is None:
        raise NotFound(f"No milestone with id {milestone_id}.")
    return milestone


def follow_ups_due(*, user) -> QuerySet[OnboardingMilestone]:
    """Onboarding follow-ups not yet done, oldest first."""
    return milestone_list(user=user).filter(done=False).order_by("occurred_on", "pk")


def win_list(*, user) -> QuerySet[Win]:
    _require_read(user)
    return Win.objects.select_related("account", "contact", "reference")


# --- give-backs -----------------------------------------------------------------------------


def giveback_list(*, user, account_id: int | None = None) -> QuerySet[GiveBack]:
    _require_read(user)
    qs = GiveBack.objects.select_related("account", "contact", "logged_by")
    if account_id:
        qs = qs.filter(account_id=account_id)
    return qs


def balance_list(*, user, flagged_only: bool = False) -> list[dict]:
    """Per account: what we asked of them (activities) beside what we gave; flagged when asks outrun gives."""
    _require_read(user)
    from refdesk.activities.selectors import usage_counts

    gap = growth_settings_get().giveback_gap
    ref_accounts = dict(ReferenceProfile.objects.values_list("pk", "contact__account_id"))
    asks: Counter = Counter()
    for ref_id, n in usage_counts(since=dt.date(2000, 1, 1), reference_ids=None).items():
        if ref_id in ref_accounts:
            asks[ref_accounts[ref_id]] += n
    gives = Counter(
        dict(
            GiveBack.objects.values_list("account_id")
            .annotate(n=Count("pk"))
            .values_list("account_id", "n")
        )
    )
    ids = set(asks) | set(gives)
    names = dict(Account.objects.filter(pk__in=ids).values_list("pk", "name"))
    rows = []
    for pk in ids:
        a, g = asks.get(pk, 0), gives.get(pk, 0)
        flagged = a - g >= gap
        if flagged_only and not flagged:
            continue
        rows.append(
            {
                "account_id": pk,
                "account": names.get(pk, ""),
                "asks": a,
                "gives": g,
                "balance": g - a,
                "flagged": flagged,
            }
        )
    rows.sort(key=lambda r: (r["balance"], r["account"].lower()))
    return rows


def nominations_by_account(account_id: int) -> QuerySet[Nomination]:
    return Nomination.objects.filter(
        contact__account_id=account_id, status=NominationStatus.SUBMITTED
    )


def sharing_rule_allowed_ids(user, reference_ids) -> set[int]:
    """The ids among `reference_ids` the user may be proposed under the sharing rule (all of them unless restricted)."""
    ids = set(reference_ids)
    if not ids or not _sharing_rule_applies(user) or not sharing_status(user)["restricted"]:
        return ids
    return set(
        ReferenceProfile.objects.filter(pk__in=ids, contact__account__owner=user).values_list(
            "pk", flat=True
        )
    )
