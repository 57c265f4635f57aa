"""Matching reads shared by the page, the API and the CLI: settings, the request, the ranked result."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone

from refdesk.core import changes, geo
from refdesk.core.errors import Forbidden, InvalidInput
from refdesk.matching import scoring
from refdesk.matching.engine import engine
from refdesk.matching.models import MatchingSettings
from refdesk.people import permissions
from refdesk.pool.choices import ActivityType
from refdesk.pool.industry import industry_resolve

MAX_LIMIT = 100
INDUSTRY_SUGGESTIONS = 5
INDUSTRY_TARGETS = 3
# Other resolver fits count only when nearly as good as the best one, scaled by how close.
INDUSTRY_MIN_SHARE = 0.75


def matching_settings_get() -> MatchingSettings:
    """The program's matching settings, created with the defaults on first read."""
    return changes.settings_row(MatchingSettings)


def rules_from(settings: MatchingSettings) -> scoring.Rules:
    """The plain rules the scorer reads, from the settings row."""
    return scoring.Rules(
        weights={c: getattr(settings, f"weight_{c}") for c in scoring.CRITERIA},
        nps_threshold=settings.nps_threshold,
        short_cap=settings.short_cap,
        short_window_days=settings.short_window_days,
        long_cap=settings.long_cap,
        long_window_days=settings.long_window_days,
        cooldown_days=settings.cooldown_days,
    )


def matching_settings_out(settings: MatchingSettings) -> dict:
    return {
        "weights": {c: getattr(settings, f"weight_{c}") for c in scoring.CRITERIA},
        **{
            name: getattr(settings, name)
            for name in (
                "nps_threshold",
                "short_cap",
                "short_window_days",
                "long_cap",
                "long_window_days",
                "cooldown_days",
            )
        },
        "updated_at": settings.updated_at,
    }


@dataclass
class MatchQuery:
    """A request for references as the doors receive it, before checking."""

    industry: str = ""
    products: list[str] = field(default_factory=list)
    country: str = ""
    employees: int | None = None
    activity_type: str = scoring.DEFAULT_ACTIVITY
    languages: list[str] = field(default_factory=list)
    competitor: str = ""
    prospect: str = ""
    prospect_competitors: list[str] = field(default_factory=list)
    topics: str = ""
    limit: int = 10


def _text(value, name: str, errors: dict, max_length: int = 200) -> str:
    value = (value or "").strip()
    if len(value) > max_length:
        errors[name] = f"is longer than {max_length} characters"
    return value


def match_spec_build(query: MatchQuery, *, today: dt.date) -> tuple[scoring.MatchSpec, list]:
    """Check a request and resolve its industry; bad input raises InvalidInput naming each field."""
    from refdesk.pool import validation

    errors: dict[str, str] = {}
    activity = (
        (query.activity_type or scoring.DEFAULT_ACTIVITY)
        .strip()
        .lower()
        .replace(" ", "_")
        .replace("-", "_")
    )
    if activity not in ActivityType.values:
        errors["activity_type"] = (
            f"{query.activity_type!r} is not an activity type (use one of {', '.join(ActivityType.values)})"
        )
    country = ""
    if (query.country or "").strip():
        country = geo.country_code(query.country) or ""
        if not country:
            errors["country"] = f"{query.country!r} is not a country (use an ISO code such as DE)"
    if query.employees is not None and (
        isinstance(query.employees, bool) or not 1 <= query.employees <= 10_000_000
    ):
        errors["employees"] = "must be between 1 and 10000000"
    if (
        isinstance(query.limit, bool)
        or not isinstance(query.limit, int)
        or not 1 <= query.limit <= MAX_LIMIT
    ):
        errors["limit"] = f"must be between 1 and {MAX_LIMIT}"
    try:
        languages = validation.languages(list(query.languages or []))
    except ValueError as exc:
        errors["languages"] = str(exc)
        languages = []
    products = [p.strip().lower() for p in query.products or [] if p and p.strip()]
    if len(products) > 20:
        errors["products"] = "has more than 20 items"
    competitors = [c.strip() for c in query.prospect_competitors or [] if c and c.strip()]
    if len(competitors) > 50:
        errors["prospect_competitors"] = "has more than 50 items"
    industry = _text(query.industry, "industry", errors)
    competitor = _text(query.competitor, "competitor", errors)
    prospect = _text(query.prospect, "prospect", errors)
    topics = _text(query.topics, "topics", errors, 1000)
    if errors:
        raise InvalidInput(
            "Please correct: " + "; ".join(f"{k} {v}" for k, v in errors.items()) + ".",
            details=errors,
        )
    matches = industry_resolve(industry, limit=INDUSTRY_SUGGESTIONS) if industry else []
    targets = ()
    if matches and matches[0].score > 0:
        top = matches[0].score
        targets = tuple(
            scoring.IndustryTarget(m.code, m.title, round(min(1.0, m.score / top), 3))
            for m in matches[:INDUSTRY_TARGETS]
            if m.score >= INDUSTRY_MIN_SHARE * top
        )
    spec = scoring.MatchSpec(
        today=today, industries=targets, products=tuple(dict.fromkeys(products)), country=country,
        employees=query.employees, activity_type=activity, languages=tuple(languages), competitor=competitor,
        prospect=prospect, prospect_competitors=tuple(competitors), topics=topics,
    )  # fmt: skip
    return spec, matches


def content_for_request(spec: scoring.MatchSpec) -> list[dict]:
    """Case studies, recordings and upcoming group events that answer the need, offered before people.

    Each item is {"kind", "title", "url", "reasons": [{criterion, matched, points}]}.
    """
    from refdesk.activities.selectors import content_for_match

    return content_for_match(spec)


@dataclass(frozen=True)
class Picked:
    """A reference the engine picked, with what a candidate shows and what decides the rest."""

    reference_id: int
    stale: bool  # its profile may be out of date
    busy: bool  # already on an open request
    contact_id: int
    name: str
    email: str
    account_id: int
    account: str
    owner_id: int | None


def _references_for(reference_ids: list[int], *, today: dt.date) -> dict[int, Picked]:
    """The picked references with their contact and account, each marked `stale` when its profile
    may be out of date and `busy` when it is on an open request (the caller has checked the user
    may browse the pool). One query answers both the engine's question (who is busy) and the
    selector's (names, emails, staleness); Django compiles it once per day, freshness window and
    number of ids."""
    from django.db.models import BooleanField, ExpressionWrapper, OuterRef

    from refdesk.asks.selectors import on_open_request
    from refdesk.core.compiled import compiled_rows
    from refdesk.growth.selectors import stale_condition, stale_condition_depends_on
    from refdesk.pool.models import ReferenceProfile

    def build(ids):
        qs = ReferenceProfile.objects.annotate(
            stale=ExpressionWrapper(stale_condition(today), output_field=BooleanField()),
            busy=on_open_request(OuterRef("pk")),
        )
        return qs.filter(pk__in=ids).order_by().values_list(
            "pk", "stale", "busy", "contact_id", "contact__name", "contact__email",
            "contact__account_id", "contact__account__name", "contact__account__owner_id",
        )  # fmt: skip

    key = ("matching: picked references", stale_condition_depends_on(today))
    rows = compiled_rows(key, build, ids=list(reference_ids))
    return {
        row[0]: Picked(row[0], bool(row[1]), bool(row[2]), *row[3:]) for row in rows
    }


def match_find(*, user, query: MatchQuery, today: dt.date | None = None, via: str = "page") -> dict:
    """Ranked, explained, available references for a request; content first.

    `user` None is the command line (the operator sees every email); anyone else must be allowed
    to browse the pool and sees emails only where the pool lets them.
    """
    if user is not None and not permissions.can_browse_pool(user):
        raise Forbidden("You need to log in to find references.")
    today = today or timezone.now().date()
    spec, matches = match_spec_build(query, today=today)
    rules = rules_from(matching_settings_get())
    # Per-type caps, cool-downs and each reference's own limit live with the activity log.
    from refdesk.activities.selectors import fatigue_exclusions

    blocked = fatigue_exclusions(activity_type=spec.activity_type, today=today)
    # References who said in their portal that they are away today are not asked either.
    from refdesk.portal.selectors import unavailable_reference_ids

    away = unavailable_reference_ids(day=today)
    picked: dict[int, Picked] = {}

    def busy_among(reference_ids: list[int]) -> set[int]:
        picked.update(_references_for(reference_ids, today=today))
        return {pk for pk, r in picked.items() if r.busy}

    result = engine.search(spec, rules=rules, limit=query.limit, blocked=blocked, away=away, busy_lookup=busy_among)
    references = {
        r.candidate.reference_id: picked[r.candidate.reference_id]
        for r in result.ranked
        if r.candidate.reference_id in picked
    }
    # A profile nobody has confirmed for months may be out of date: listed after the fresh ones.
    stale = {pk for pk, r in references.items() if r.stale}
    ranked = sorted(result.ranked, key=lambda r: r.candidate.reference_id in stale)
    owners = {r.contact_id: r.owner_id for r in references.values()}
    if user is None:
        visible = set(owners)
    else:
        from refdesk.pool import selectors as pool_selectors

        visible = pool_selectors.contact_ids_visible_owned(user=user, owners=owners)
    candidates = []
    for scored in ranked:
        found = references.get(scored.candidate.reference_id)
        if found is None:  # removed since the index was read
            continue
        candidates.append(
            {
                "reference_id": scored.candidate.reference_id,
                "contact_id": found.contact_id,
                "name": found.name,
                "email": found.email if found.contact_id in visible else None,
                "account": found.account,
                "account_id": found.account_id,
                "score": scored.score,
                "reasons": [p.as_dict() for p in scored.parts],
                "availability": scored.availability,
                "available_from": scored.available_from.isoformat()
                if scored.available_from
                else None,
                "stale": scored.candidate.reference_id in stale,
            }
        )
    if user is not None:
        from refdesk.people.services import audit_contact_view

        audit_contact_view(user, [c["contact_id"] for c in candidates if c["email"]], via)
    return {
        "industry": [{"code": m.code, "title": m.title, "score": m.score} for m in matches],
        "content": content_for_request(spec),
        "candidates": candidates,
        "excluded_count": result.excluded_count,
        "excluded_by_rule": result.excluded_by_rule,
        "pool_size": result.pool_size,
        "activity_type": spec.activity_type,
    }
