"""A year of activities outside requests, a content library, shares and group events for the demo."""

from __future__ import annotations

import datetime as dt
import random

OUTSIDE_TYPES = (
    ("media", 30),
    ("speaking", 20),
    ("case_study", 12),
    ("site_visit", 10),
    ("quote", 14),
    ("logo", 8),
    ("referral", 6),
)
TOPICS = (
    "onboarding",
    "reporting",
    "migration",
    "security",
    "analytics",
    "automation",
    "compliance",
    "integration",
)
PROSPECTS = (
    "Northwind Foods",
    "Bluewater Bank",
    "Summit Health",
    "Ironwood Logistics",
    "Harbor Systems",
    "Granite Group",
)


def demo_activities(*, rng: random.Random, today: dt.date, count: int = 300) -> dict:
    """Grow activities done outside requests over the last year, assets, shares and events, through the services."""
    from django.db.models import Count

    from refdesk.activities import services
    from refdesk.activities.models import Activity, ContentShare, ContentShareView, ContentUse
    from refdesk.core.errors import RefdeskError
    from refdesk.people.models import User
    from refdesk.pool.models import ReferenceProfile

    pm = User.objects.filter(role="program_manager").order_by("pk").first()
    sharers = list(
        User.objects.filter(role__in=["sales_rep", "requester"], is_active=True).order_by("pk")[:20]
    ) or [pm]
    refs = list(
        ReferenceProfile.objects.filter(status="active")
        .select_related("contact__account")
        .order_by("pk")
    )
    summary = {
        "activities": 0,
        "assets": 0,
        "shares": 0,
        "share_views": 0,
        "events": 0,
        "limits": 0,
    }
    if not refs or pm is None:
        return summary
    # A few busy favourites take a large share, as in real programs; most references are rarely asked.
    favourites = refs[: max(3, len(refs) // 20)]
    now = dt.datetime.combine(today, dt.time(15), tzinfo=dt.UTC)
    types, weights = zip(*OUTSIDE_TYPES, strict=True)
    rows = []
    for _ in range(count):
        ref = rng.choice(favourites) if rng.random() < 0.4 else rng.choice(refs)
        kind = rng.choices(types, weights=weights)[0]
        when = now - dt.timedelta(days=rng.randint(1, 365), hours=rng.randint(0, 8))
        rows.append(Activity(reference=ref, activity_type=kind, status="completed", occurred_at=when, source="manual",
                             opportunity_text=rng.choice(PROSPECTS) if kind == "media" and rng.random() < 0.3 else "",
                             notes=f"Demo {kind.replace('_', ' ')}", entered_by=pm))  # fmt: skip
    Activity.objects.bulk_create(rows, batch_size=1000)
    summary["activities"] = len(rows)

    for ref in rng.sample(refs, min(len(refs), 12)):
        services.reference_fatigue_set(
            actor=pm,
            reference=ref,
            monthly_limit=rng.choice([1, 1, 2, 3]),
            note="Said so at kickoff",
        )
        summary["limits"] += 1

    assets = []
    for i, ref in enumerate(rng.sample(refs, min(len(refs), 40))):
        account = ref.contact.account
        kind = ("case_study", "testimonial", "quote", "recording", "logo")[i % 5]
        expires = today + dt.timedelta(days=rng.choice([-20, 10, 25, 120, 400, 700]))
        try:
            asset = services.content_create(
                actor=pm, kind=kind, title=f"{account.name}: {rng.choice(TOPICS)} {('story', 'in their words', 'quote', 'webinar', 'logo')[i % 5]}",
                body=f"How {account.name} improved {rng.choice(TOPICS)} with our products." if kind != "recording" else "",
                url=f"https://video.example.com/demo/{i}" if kind == "recording" else "",
                channels=rng.sample(["web", "sales_deck", "press", "social"], rng.randint(1, 3)),
                expires_on=expires, approved_by=ref.contact.name, approved_on=today - dt.timedelta(days=rng.randint(30, 300)),
                approval_note="Signed release on file", contact_id=ref.contact_id,
                industry=account.industry_id or "", products=list(account.products.values_list("name", flat=True)[:3]),
                topics=rng.sample(TOPICS, 2),
            )  # fmt: skip
        except RefdeskError:
            continue
        assets.append(asset)
    summary["assets"] = len(assets)

    shareable = [a for a in assets if not services.shareable(a, today)]
    for _ in range(min(25, len(shareable))):
        picked = rng.sample(shareable, min(len(shareable), rng.randint(1, 3)))
        when = now - dt.timedelta(days=rng.randint(1, 120))
        share = services.share_create(actor=rng.choice(sharers), asset_ids=[a.pk for a in picked],
                                      prospect=rng.choice(PROSPECTS), now=when)  # fmt: skip
        summary["shares"] += 1
        for _ in range(rng.choice([0, 1, 1, 2, 3])):
            services.share_open(share=share, now=when + dt.timedelta(hours=rng.randint(1, 72)))
            summary["share_views"] += 1

    speakers = [r for r in refs if "webinar" in (r.activity_types or [])] or refs
    for i in range(8):
        start = now + dt.timedelta(days=rng.randint(-330, 45), hours=rng.randint(0, 4))
        chosen = rng.sample(speakers, min(len(speakers), rng.randint(1, 2)))
        industry = chosen[0].contact.account.industry_id or ""
        for r in chosen:
            if "webinar" not in (r.activity_types or []):
                r.activity_types = [*(r.activity_types or []), "webinar"]
                r.save(update_fields=["activity_types"])
        try:
            event = services.event_create(actor=pm, title=f"Customer panel: {rng.choice(TOPICS)} ({i + 1})", starts_at=start,
                                          reference_ids=[r.pk for r in chosen], industry=industry,
                                          topics=rng.sample(TOPICS, 2), description="A webinar with Q&A.")  # fmt: skip
        except RefdeskError:
            continue
        summary["events"] += 1
        for prospect in rng.sample(PROSPECTS, 3):
            invite = services.event_invite(
                actor=pm, event=event, prospect=prospect, opportunity_text="Demo opportunity"
            )
            if start < now:
                services.event_attendance_set(actor=pm, invite=invite, attended=rng.random() < 0.7)
        if start < now:
            services.event_hold(actor=pm, event=event)
            services.event_recording_attach(
                actor=pm, event=event, url=f"https://video.example.com/events/{event.pk}"
            )
            summary["assets"] += 1
    summary["uses"] = ContentUse.objects.count()
    summary["views"] = ContentShareView.objects.count()
    summary["shares_opened"] = (
        ContentShare.objects.annotate(n=Count("views")).filter(n__gt=0).count()
    )
    return summary
