"""Reads of the activity log, fatigue, the content library, shares and events.

Matching reads `usage_counts`, `last_activity_dates`, `activity_dates_since`,
`activity_log_version`, `fatigue_exclusions` and `content_for_match`; pages, API and CLI the rest.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone

from refdesk.activities import fatigue
from refdesk.activities import permissions as perms
from refdesk.activities.choices import (
    PASSIVE_ACTIVITY_TYPES,
    ActivityStatus,
    ContentKind,
    EventStatus,
)
from refdesk.activities.models import (
    Activity,
    ContentAsset,
    ContentShare,
    EventInvite,
    FatigueRule,
    GroupEvent,
    ReferenceFatigue,
)
from refdesk.core import changes
from refdesk.core.errors import Forbidden, NotFound
from refdesk.pool.choices import ActivityType


def _counted():
    """Activities that used the person's time: not cancelled, not a logo or a quote."""
    return Activity.objects.exclude(status=ActivityStatus.CANCELLED).exclude(
        activity_type__in=PASSIVE_ACTIVITY_TYPES
    )


def _start_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=dt.UTC)


def usage_counts(*, since: dt.date, reference_ids=None) -> dict[int, int]:
    """reference id -> counted activities on or after `since` (scheduled future ones included)."""
    qs = _counted().filter(occurred_at__gte=_start_of(since))
    if reference_ids is not None:
        qs = qs.filter(reference_id__in=list(reference_ids))
    return dict(
        qs.values_list("reference_id").annotate(n=Count("pk")).values_list("reference_id", "n")
    )


def last_activity_dates(*, reference_ids=None) -> dict[int, dt.date]:
    """reference id -> date of their latest counted activity (a scheduled one may be in the future)."""
    qs = _counted()
    if reference_ids is not None:
        qs = qs.filter(reference_id__in=list(reference_ids))
    rows = (
        qs.values_list("reference_id")
        .annotate(last=Max("occurred_at"))
        .values_list("reference_id", "last")
    )
    return {ref_id: last.astimezone(dt.UTC).date() for ref_id, last in rows}


def activity_dates_since(*, since: dt.date, reference_ids=None) -> dict[int, tuple[dt.date, ...]]:
    """reference id -> dates (UTC, oldest first) of counted activities on or after `since`.

    What matching needs for caps over rolling windows, cool-down and fairness in one query.
    """
    qs = _counted().filter(occurred_at__gte=_start_of(since))
    if reference_ids is not None:
        qs = qs.filter(reference_id__in=list(reference_ids))
    result: dict[int, list[dt.date]] = defaultdict(list)
    for ref_id, occurred in qs.order_by("occurred_at").values_list("reference_id", "occurred_at"):
        result[ref_id].append(occurred.astimezone(dt.UTC).date())
    return {ref_id: tuple(dates) for ref_id, dates in result.items()}


def activity_reference_ids_changed_since(when: dt.datetime) -> set[int]:
    """References with an activity added or changed at or after `when` (the matcher's refresh)."""
    return set(
        Activity.objects.filter(updated_at__gte=when)
        .values_list("reference_id", flat=True)
        .distinct()
    )


def activity_log_version() -> tuple:
    """Changes whenever an activity is added, changed or removed (a cheap staleness check)."""
    return changes.stamps(Activity)[0]


# --- the activity log ------------------------------------------------------------------------


def _require_read(user) -> None:
    if user is not None and not perms.can_read(user):
        raise Forbidden("You need to log in to see activities.")


@dataclass
class ActivityFilters:
    """What the activity page, `GET /api/activities` and the CLI filter by."""

    activity_type: str = ""
    status: str = ""
    source: str = ""
    reference_id: int | None = None
    request_id: int | None = None
    q: str = ""
    since: dt.date | None = None
    until: dt.date | None = None


def activity_list(*, user, filters: ActivityFilters | None = None) -> QuerySet[Activity]:
    """The log, newest first, with the reference, account and request preloaded."""
    _require_read(user)
    f = filters or ActivityFilters()
    qs = Activity.objects.select_related(
        "reference__contact__account", "request", "event", "entered_by"
    )
    if f.activity_type:
        qs = qs.filter(activity_type=f.activity_type)
    if f.status:
        qs = qs.filter(status=f.status)
    if f.source:
        qs = qs.filter(source=f.source)
    if f.reference_id:
        qs = qs.filter(reference_id=f.reference_id)
    if f.request_id:
        qs = qs.filter(request_id=f.request_id)
    if f.since:
        qs = qs.filter(occurred_at__gte=_start_of(f.since))
    if f.until and f.until < dt.date.max:
        qs = qs.filter(occurred_at__lt=_start_of(f.until + dt.timedelta(days=1)))
    for word in (f.q or "").lower().split()[:6]:
        qs = qs.filter(
            Q(reference__search_text__contains=word)
            | Q(opportunity_text__icontains=word)
            | Q(request_text__icontains=word)
            | Q(notes__icontains=word)
        )
    return qs


def activity_get(*, user, activity_id: int) -> Activity:
    found = activity_list(user=user).filter(pk=activity_id).first()
    if found is None:
        raise NotFound(f"No activity #{activity_id}.")
    return found


# --- fatigue ---------------------------------------------------------------------------------


def fatigue_rules() -> dict[str, fatigue.TypeRule]:
    """activity type -> the program's rule: the defaults, with the program manager's changes."""
    rules = dict(fatigue.DEFAULT_RULES)
    for row in FatigueRule.objects.all():
        rules[row.activity_type] = fatigue.TypeRule(
            row.short_cap,
            row.short_window_days,
            row.long_cap,
            row.long_window_days,
            row.cooldown_days,
        )
    return rules


def reference_limits(reference_ids=None) -> dict[int, fatigue.ReferenceLimits]:
    """reference id -> their own limit and override, for references that have one."""
    qs = ReferenceFatigue.objects.all()
    if reference_ids is not None:
        qs = qs.filter(reference_id__in=list(reference_ids))
    return {
        r.reference_id: fatigue.ReferenceLimits(
            r.monthly_limit, r.short_cap, r.long_cap, r.cooldown_days
        )
        for r in qs
    }


def counted_activities_since(
    *, since: dt.date, reference_ids=None
) -> dict[int, list[tuple[str, dt.date]]]:
    """reference id -> (type, UTC date) of counted activities on or after `since`, oldest first."""
    qs = _counted().filter(occurred_at__gte=_start_of(since))
    if reference_ids is not None:
        qs = qs.filter(reference_id__in=list(reference_ids))
    result: dict[int, list[tuple[str, dt.date]]] = defaultdict(list)
    for ref_id, kind, occurred in qs.order_by("occurred_at").values_list(
        "reference_id", "activity_type", "occurred_at"
    ):
        result[ref_id].append((kind, occurred.astimezone(dt.UTC).date()))
    return dict(result)


def _lookback(rules) -> int:
    return max(r.lookback_days for r in rules.values())


def fatigue_version() -> tuple:
    """Changes whenever the activity log, a rule or a reference's limit changes."""
    return changes.stamps(Activity, FatigueRule, ReferenceFatigue)


_cache_lock = threading.Lock()
_cache: dict[tuple, dict[int, fatigue.Block]] = {}


def fatigue_exclusions(
    *, activity_type: str, today: dt.date, reference_ids=None
) -> dict[int, fatigue.Block]:
    """reference id -> why they may not be asked for this type today (per-type caps, cool-down,
    their own monthly limit, overrides). What the matcher drops; answers are cached per
    (log version, day, type) for whole-pool calls."""
    key = None
    if reference_ids is None:
        key = (fatigue_version(), today, activity_type)
        with _cache_lock:
            found = _cache.get(key)
        if found is not None:
            return found
    rules = fatigue_rules()
    since = today - dt.timedelta(days=_lookback(rules))
    result = fatigue.blocked_references(
        counted_activities_since(since=since, reference_ids=reference_ids), activity_type=activity_type,
        rules=rules, limits=reference_limits(reference_ids), today=today,
    )  # fmt: skip
    if key is not None:
        with _cache_lock:
            if len(_cache) > 64:
                _cache.clear()
            _cache[key] = result
    return result


def reference_load(*, reference, today: dt.date) -> list[dict]:
    """Per activity type the reference agreed to: counts, caps and when they are free again."""
    rules = fatigue_rules()
    rows = counted_activities_since(
        since=today - dt.timedelta(days=_lookback(rules)), reference_ids=[reference.pk]
    )
    limits = reference_limits([reference.pk]).get(reference.pk, fatigue.NO_LIMITS)
    result = []
    for kind in reference.activity_types or []:
        if kind in PASSIVE_ACTIVITY_TYPES:
            continue
        load = fatigue.load_of(
            rows.get(reference.pk, ()),
            activity_type=kind,
            rule=rules[kind],
            limits=limits,
            today=today,
        )
        result.append({"activity_type": kind, "label": ActivityType(kind).label, "load": load})
    return result


NEED_BREAK_ASKS = 3  # asked this often in the last 90 days …
NEED_BREAK_DECLINES = 2  # … or declined this often lately


def fatigue_report(*, user, today: dt.date, limit: int = 50) -> dict:
    """The fatigue page: at or near the cap, needing a break, concentration, never asked."""
    _require_read(user)
    from refdesk.asks.choices import CandidateStatus
    from refdesk.asks.models import RequestCandidate
    from refdesk.pool.choices import ReferenceStatus
    from refdesk.pool.models import ReferenceProfile

    rules = fatigue_rules()
    since = today - dt.timedelta(days=_lookback(rules))
    active = ReferenceProfile.objects.filter(status=ReferenceStatus.ACTIVE, opted_out=False)
    activities = counted_activities_since(since=since)
    limits = reference_limits()
    ids = set(activities) | set(limits)
    profiles = {
        r.pk: r
        for r in ReferenceProfile.objects.filter(pk__in=ids).select_related("contact__account")
    }
    capped, near = [], []
    for ref_id in ids:
        reference = profiles.get(ref_id)
        if reference is None or reference.status != ReferenceStatus.ACTIVE:
            continue
        for kind in reference.activity_types or []:
            if kind in PASSIVE_ACTIVITY_TYPES:
                continue
            load = fatigue.load_of(activities.get(ref_id, ()), activity_type=kind, rule=rules[kind],
                                   limits=limits.get(ref_id, fatigue.NO_LIMITS), today=today)  # fmt: skip
            if load.blocked and any(b.rule in ("cap", "own_limit") for b in load.blocks):
                capped.append(
                    {
                        "reference": reference,
                        "activity_type": kind,
                        "label": ActivityType(kind).label,
                        "load": load,
                    }
                )
            elif load.near and (load.short_count or load.long_count or load.month_count):
                near.append(
                    {
                        "reference": reference,
                        "activity_type": kind,
                        "label": ActivityType(kind).label,
                        "load": load,
                    }
                )
    capped.sort(key=lambda r: (r["load"].free_from or today, r["reference"].sort_name))
    near.sort(key=lambda r: (-r["load"].long_count, r["reference"].sort_name))

    # Needs a break: asked often lately (counting every request they were put on), or declining more.
    recent = today - dt.timedelta(days=90)
    before = today - dt.timedelta(days=180)
    asked = dict(
        RequestCandidate.objects.filter(invited_at__gte=_start_of(recent))
        .values_list("reference_id")
        .annotate(n=Count("pk"))
        .values_list("reference_id", "n")
    )
    declines_now = dict(
        RequestCandidate.objects.filter(
            status=CandidateStatus.REFERENCE_DECLINED, responded_at__gte=_start_of(recent)
        )
        .values_list("reference_id")
        .annotate(n=Count("pk"))
        .values_list("reference_id", "n")
    )
    declines_before = dict(
        RequestCandidate.objects.filter(
            status=CandidateStatus.REFERENCE_DECLINED,
            responded_at__gte=_start_of(before),
            responded_at__lt=_start_of(recent),
        )
        .values_list("reference_id")
        .annotate(n=Count("pk"))
        .values_list("reference_id", "n")
    )
    used_90 = {
        ref_id: sum(1 for _, d in rows if d >= recent) for ref_id, rows in activities.items()
    }
    tired_ids = {
        ref_id for ref_id in set(asked) | set(declines_now) | set(used_90)
        if asked.get(ref_id, 0) + used_90.get(ref_id, 0) >= NEED_BREAK_ASKS + 1
        or (declines_now.get(ref_id, 0) >= NEED_BREAK_DECLINES and declines_now.get(ref_id, 0) > declines_before.get(ref_id, 0))
    }  # fmt: skip
    tired_refs = ReferenceProfile.objects.filter(
        pk__in=tired_ids, status=ReferenceStatus.ACTIVE
    ).select_related("contact__account")
    need_break = sorted(
        (
            {"reference": r, "asked": asked.get(r.pk, 0), "used": used_90.get(r.pk, 0),
             "declines": declines_now.get(r.pk, 0), "declines_before": declines_before.get(r.pk, 0)}
            for r in tired_refs
        ),
        key=lambda row: (-(row["declines"] * 2 + row["asked"] + row["used"]), row["reference"].sort_name),
    )  # fmt: skip

    # Concentration over the last year: every active reference counts, unused ones as zero.
    year = today - dt.timedelta(days=365)
    year_counts = dict(
        _counted()
        .filter(
            occurred_at__gte=_start_of(year),
            occurred_at__lt=_start_of(today + dt.timedelta(days=1)),
        )
        .values_list("reference_id")
        .annotate(n=Count("pk"))
        .values_list("reference_id", "n")
    )
    active_ids = set(active.values_list("pk", flat=True))
    counts = [year_counts.get(i, 0) for i in active_ids] + [
        n for i, n in year_counts.items() if i not in active_ids
    ]
    top_n = max(1, round(len(counts) * 0.10)) if counts else 0
    ever_used = set(
        Activity.objects.exclude(status=ActivityStatus.CANCELLED)
        .values_list("reference_id", flat=True)
        .distinct()
    )
    ever_asked = set(
        RequestCandidate.objects.exclude(status=CandidateStatus.PROPOSED)
        .values_list("reference_id", flat=True)
        .distinct()
    )
    never = (
        active.exclude(pk__in=ever_used | ever_asked)
        .select_related("contact__account")
        .order_by("sort_name", "pk")
    )
    return {
        "today": today,
        "capped": capped[:limit],
        "capped_count": len(capped),
        "near": near[:limit],
        "near_count": len(near),
        "need_break": need_break[:limit],
        "need_break_count": len(need_break),
        "busiest_share": fatigue.busiest_share(counts),
        "busiest_count": top_n,
        "references_counted": len(counts),
        "activities_in_year": sum(counts),
        "never_asked": list(never[:limit]),
        "never_asked_count": never.count(),
    }


# --- content library -------------------------------------------------------------------------

EXPIRY_WARNING_DAYS = 30


@dataclass
class ContentFilters:
    q: str = ""
    kind: str = ""
    channel: str = ""
    account_id: int | None = None
    industry: str = ""
    expiring: bool = False
    include_retired: bool = False


def content_list(
    *, user, filters: ContentFilters | None = None, today: dt.date | None = None
) -> QuerySet[ContentAsset]:
    """Assets the user may browse, searchable by words, kind, channel, account, industry, expiry."""
    _require_read(user)
    f = filters or ContentFilters()
    today = today or timezone.now().date()
    qs = ContentAsset.objects.select_related("account", "contact", "industry", "event").annotate(
        use_count=Count("uses")
    )
    if not f.include_retired:
        qs = qs.filter(retired_at__isnull=True)
    if f.kind:
        qs = qs.filter(kind=f.kind)
    if f.channel:
        qs = qs.filter(channels__icontains=f'"{f.channel}"')
    if f.account_id:
        qs = qs.filter(account_id=f.account_id)
    if f.industry:
        from refdesk.pool.selectors import industry_filter, industry_filter_code

        code = industry_filter_code(f.industry)
        qs = qs.filter(industry_filter("industry__code", code)) if code else qs.none()
    if f.expiring:
        qs = qs.filter(
            expires_on__isnull=False, expires_on__lte=today + dt.timedelta(days=EXPIRY_WARNING_DAYS)
        )
    for word in (f.q or "").lower().split()[:8]:
        qs = qs.filter(search_text__contains=word)
    return qs.order_by("-created_at", "-pk")


def content_get(*, user, asset_id: int) -> ContentAsset:
    found = (
        content_list(user=user, filters=ContentFilters(include_retired=True))
        .filter(pk=asset_id)
        .first()
    )
    if found is None:
        raise NotFound(f"No content #{asset_id}.")
    return found


def expiry_state(asset: ContentAsset, today: dt.date) -> str:
    """ "expired", "expiring" (within the warning days) or ""."""
    if not asset.expires_on:
        return ""
    if asset.expires_on < today:
        return "expired"
    if asset.expires_on <= today + dt.timedelta(days=EXPIRY_WARNING_DAYS):
        return "expiring"
    return ""


def content_expiring(*, today: dt.date) -> QuerySet[ContentAsset]:
    """Live assets that expire within the warning days (or already did): flag them for renewal."""
    return ContentAsset.objects.filter(
        retired_at__isnull=True,
        expires_on__isnull=False,
        expires_on__lte=today + dt.timedelta(days=EXPIRY_WARNING_DAYS),
    ).order_by("expires_on")


def content_uses(asset: ContentAsset):
    return asset.uses.select_related("used_by", "share").order_by("-used_at", "-pk")


# --- shares ----------------------------------------------------------------------------------


def share_list(*, user) -> QuerySet[ContentShare]:
    """The user's own shares (a program manager sees every share), newest first."""
    if user is None or not perms.can_share(user):
        raise Forbidden("Only program managers, sales and requesters share content.")
    qs = ContentShare.objects.select_related("created_by", "request").annotate(
        view_count=Count("views")
    )
    if not perms.can_manage(user):
        qs = qs.filter(created_by=user)
    # Said again: a query that counts (GROUP BY) leaves out the model's default order.
    return qs.order_by("-created_at", "-pk")


def shares_opened_recently(
    *, user, now: dt.datetime | None = None, days: int = 7
) -> QuerySet[ContentShare]:
    """The user's shares a prospect opened lately: how the requester is told a link was opened."""
    now = now or timezone.now()
    if user is None or not perms.can_share(user):
        return ContentShare.objects.none()
    return (
        ContentShare.objects.filter(
            created_by=user, first_opened_at__gte=now - dt.timedelta(days=days)
        )
        .annotate(view_count=Count("views"))
        .order_by("-first_opened_at")
    )


def share_get(*, user, share_id: int) -> ContentShare:
    found = ContentShare.objects.select_related("created_by", "request").filter(pk=share_id).first()
    if found is None:
        raise NotFound(f"No share #{share_id}.")
    if not perms.can_see_share(user, found):
        raise Forbidden("Only whoever shared it, or a program manager, sees this share.")
    return found


def share_by_token(*, token: str, now: dt.datetime | None = None) -> ContentShare:
    """The share behind a private link, if it is still open; anything else is the same NotFound."""
    now = now or timezone.now()
    found = (
        ContentShare.objects.filter(token=token or "-").first()
        if token and len(token) <= 64
        else None
    )
    if found is None or found.revoked_at or found.expires_at <= now:
        raise NotFound("This link is not available: it may have expired or been withdrawn.")
    return found


# --- events ----------------------------------------------------------------------------------


def event_list(
    *, user, upcoming: bool | None = None, now: dt.datetime | None = None
) -> QuerySet[GroupEvent]:
    _require_read(user)
    now = now or timezone.now()
    qs = GroupEvent.objects.prefetch_related("references__contact__account").annotate(
        invite_count=Count("invites", distinct=True)
    )
    if upcoming is True:
        qs = qs.filter(starts_at__gte=now, status=EventStatus.SCHEDULED).order_by("starts_at")
    elif upcoming is False:
        qs = qs.filter(starts_at__lt=now)
    return qs


def event_get(*, user, event_id: int) -> GroupEvent:
    found = event_list(user=user).filter(pk=event_id).first()
    if found is None:
        raise NotFound(f"No event #{event_id}.")
    return found


def event_invites(event: GroupEvent) -> QuerySet[EventInvite]:
    return event.invites.select_related("request", "invited_by")


def event_influence(event: GroupEvent) -> list[dict]:
    """The opportunities the event influenced: once per opportunity that attended (many per event)."""
    seen: dict[tuple, dict] = {}
    for invite in event_invites(event).filter(attended=True):
        key = (
            ("request", invite.request_id)
            if invite.request_id
            else ("deal", invite.prospect.lower(), invite.opportunity_text.lower())
        )
        seen.setdefault(key, {"prospect": invite.prospect, "request_id": invite.request_id,
                              "opportunity": invite.opportunity_text})  # fmt: skip
    return list(seen.values())


# --- content first: what matching offers before people ---------------------------------------

OFFERED_KINDS = (ContentKind.CASE_STUDY, ContentKind.RECORDING, ContentKind.TESTIMONIAL)
CONTENT_LIMIT = 5


def _fit(spec, *, industry: str | None, products, topics) -> list[dict]:
    """Why an asset or event answers the request: industry, products, topics (scored like matching)."""
    from refdesk.matching import scoring

    reasons = []
    if industry and spec.industries:
        points, label = scoring.industry_part(spec.industries, industry, 40.0)
        if (
            points >= 40 * 0.45
        ):  # same subsector or closer: a bank's case study never answers a ranch
            reasons.append({"criterion": "industry", "matched": label, "points": points})
    wanted = {p.lower() for p in spec.products}
    common = [p for p in products or [] if p.lower() in wanted]
    if common:
        reasons.append(
            {
                "criterion": "products",
                "matched": ", ".join(common),
                "points": round(12.0 * len(common) / len(wanted), 1),
            }
        )
    words = scoring.topic_words(spec.topics)
    if words:
        hit = [t for t in topics or [] if scoring.topic_words(t) & words]
        if hit:
            reasons.append({"criterion": "topics", "matched": ", ".join(hit), "points": 6.0})
    return reasons


# The newest offered assets matching reads (and the first of them it checks for a need), and the
# upcoming group events it reads.
CONTENT_READ, CONTENT_CHECKED, EVENTS_READ = 2000, 500, 200


def content_for_match(spec) -> list[dict]:
    """Approved, unexpired case studies, recordings and testimonials, and upcoming group events,
    that answer the request, best first: offered before a one-to-one call.

    Each item is {"kind", "title", "url", "reasons": [{criterion, matched, points}]}.
    """
    if not (spec.industries or spec.products or spec.topics):
        return []
    assets, events = _offered(spec.today)
    codes = [t.code for t in spec.industries]
    if codes:
        # Candidates by subsector (three digits) first, and when products or topics are asked
        # for, any asset: _fit decides.
        prefixes = tuple({c[:3] for c in codes if len(c) >= 3} or {c[:2] for c in codes})
        if not (spec.products or spec.topics):
            assets = [a for a in assets if a["industry"] and a["industry"].startswith(prefixes)]
    items = []
    for asset in assets[:CONTENT_CHECKED]:
        reasons = _fit(spec, industry=asset["industry"], products=asset["products"], topics=asset["topics"])
        if reasons:
            bonus = 1 if asset["kind"] == ContentKind.RECORDING else 0
            items.append({"kind": asset["kind"], "title": asset["title"], "url": asset["url"],
                          "reasons": reasons, "_score": sum(r["points"] for r in reasons) + bonus})  # fmt: skip
    for event in events:
        reasons = _fit(spec, industry=event["industry"], products=event["products"], topics=event["topics"])
        if reasons:
            reasons.append({"criterion": "event", "matched": event["when"], "points": 0.0})
            items.append({"kind": "event", "title": event["title"], "url": event["url"],
                          "reasons": reasons, "_score": sum(r["points"] for r in reasons) + 2})  # fmt: skip
    items.sort(key=lambda i: -i["_score"])
    return [{k: v for k, v in item.items() if k != "_score"} for item in items[:CONTENT_LIMIT]]


def _offered(today: dt.date) -> tuple[list[dict], list[dict]]:
    """The content and the group events that can be offered on `today`, newest assets first and
    soonest events first: read once per process and day until content or events change, as
    plain dicts that every match reads and none changes."""

    def read():
        from django.urls import reverse

        assets = ContentAsset.objects.filter(
            kind__in=OFFERED_KINDS, retired_at__isnull=True, approved_on__isnull=False
        ).filter(Q(expires_on__isnull=True) | Q(expires_on__gte=today))
        upcoming = GroupEvent.objects.filter(status=EventStatus.SCHEDULED, starts_at__gte=_start_of(today))
        return (
            [
                {"kind": a.kind, "title": a.title, "url": reverse("activities:content-detail", args=[a.pk]),
                 "industry": a.industry_id, "products": a.products, "topics": a.topics}
                for a in assets.order_by("-created_at", "-pk")[:CONTENT_READ]
            ],
            [
                {"title": e.title, "url": reverse("activities:event-detail", args=[e.pk]),
                 "when": f"{e.get_format_display()} on {e.starts_at:%Y-%m-%d %H:%M} UTC",
                 "industry": e.industry_id, "products": e.products, "topics": e.topics}
                for e in upcoming.order_by("starts_at", "pk")[:EVENTS_READ]
            ],
        )  # fmt: skip

    return changes.remembered(("offered content", today), (ContentAsset, GroupEvent), read)
