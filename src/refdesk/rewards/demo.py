"""The demo's rewards: rules, a catalogue, points from the year's completed activities, salespeople's
points, redemptions in every state and a running contest — written through the real services."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

CATALOGUE = [
    # name, kind, points, value, stock, countries, description
    (
        "Coffee gift card",
        "gift_card",
        300,
        "25.00",
        None,
        "US;CA",
        "A $25 card for a coffee chain, by email.",
    ),
    (
        "Amazon gift card",
        "gift_card",
        600,
        "50.00",
        40,
        "US;GB;DE",
        "A $50 (or local equivalent) card, by email.",
    ),
    (
        "Donation to a charity of your choice",
        "donation",
        400,
        "40.00",
        None,
        "",
        "Made in your name; tell us which charity.",
    ),
    (
        "Tree planting in your name",
        "donation",
        150,
        "15.00",
        None,
        "",
        "Ten trees planted through a reforestation partner.",
    ),
    (
        "Handwritten thank-you from our CEO",
        "thank_you",
        0,
        "0.00",
        None,
        "",
        "For companies that accept no gifts.",
    ),
    (
        "Advanced admin training seat",
        "training",
        900,
        "0.00",
        12,
        "",
        "A seat in the two-day online course.",
    ),
    (
        "Customer conference pass",
        "event_pass",
        1500,
        "0.00",
        8,
        "",
        "A full pass to the annual customer conference.",
    ),
    (
        "Health check by a solution architect",
        "service",
        1200,
        "0.00",
        5,
        "",
        "Half a day reviewing your set-up.",
    ),
    (
        "10% off your next renewal add-on",
        "discount",
        2000,
        "0.00",
        None,
        "",
        "Applied to the next add-on you buy.",
    ),
]
TEMPLATES = [
    ("Warm thanks", "", "Thank you, {first_name}",
     "Dear {name},\n\nThank you for the {activity} on {date}. Customers like {account} are the best proof of what we do.\n\n{sender}"),
    ("Case study thanks", "case_study", "Your story is live — thank you, {first_name}",
     "Dear {name},\n\nThank you for sharing {account}'s story with us. It will help many teams like yours.\n\n{sender}"),
]  # fmt: skip
CONTEST_PRIZES = ["Dinner for two", "An extra day off", "Noise-cancelling headphones"]


def _moment(day: dt.date, rng: random.Random) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(rng.randint(8, 17), rng.randint(0, 59)), tzinfo=dt.UTC)


def demo_rewards(*, rng: random.Random, today: dt.date) -> dict:
    """Load the demo's rewards program; returns how much of each part was written."""
    from django.utils import timezone

    from refdesk.activities.choices import ActivityStatus
    from refdesk.activities.models import Activity
    from refdesk.asks.models import Feedback, RequestCandidate
    from refdesk.core.errors import RefdeskError
    from refdesk.people.models import User
    from refdesk.pool.models import ReferenceProfile
    from refdesk.rewards import services
    from refdesk.rewards.models import LedgerEntry, PointsHolder, Redemption, ThankYouTask

    pm = User.objects.filter(role="program_manager", is_active=True).order_by("pk").first()
    reps = list(User.objects.filter(role="sales_rep", is_active=True).order_by("pk"))
    now = timezone.now()
    summary: dict = {}

    services.earn_rules_ensure()
    services.reward_settings_get()
    items = [
        services.catalogue_item_create(actor=pm, name=name, kind=kind, points_cost=points, value=value, stock=stock,
                                       countries=countries, description=description)
        for name, kind, points, value, stock, countries, description in CATALOGUE
    ]  # fmt: skip
    for name, activity_type, subject, body in TEMPLATES:
        services.thank_you_template_save(
            actor=pm, name=name, activity_type=activity_type, subject=subject, body=body
        )
    summary["catalogue_items"] = len(items)

    # Points for every completed activity, on the day it happened; its thank-you opened then too.
    completed = list(
        Activity.objects.filter(status=ActivityStatus.COMPLETED, occurred_at__lte=now).order_by(
            "occurred_at", "pk"
        )
    )
    credited = 0
    for activity in completed:
        if services.reward_credit_for_activity(activity_id=activity.pk, at=activity.occurred_at):
            credited += 1
    summary["activities_credited"] = credited
    # Most thank-yous were sent on time; the last fortnight's are still open, a few overdue.
    for task in ThankYouTask.objects.filter(
        status="open", created_at__lt=now - dt.timedelta(days=14)
    ).select_related("reference"):
        if rng.random() < 0.92:
            ThankYouTask.objects.filter(pk=task.pk).update(
                status="done", done_at=task.created_at + dt.timedelta(hours=rng.randint(2, 40)), done_by=pm,
                note="Thanked by email.",
            )  # fmt: skip
    summary["thank_yous_open"] = ThankYouTask.objects.filter(status="open").count()

    # Salespeople: sharing their customers, feedback, nominations.
    shared = 0
    for candidate in RequestCandidate.objects.filter(approved_at__isnull=False).order_by(
        "approved_at", "pk"
    ):
        if services.reward_credit_sharing(
            candidate_id=candidate.pk, at=min(candidate.approved_at, now)
        ):
            shared += 1
    feedback = 0
    for item in Feedback.objects.filter(given_by__isnull=False).order_by("given_at", "pk"):
        if services.reward_credit_feedback(feedback_id=item.pk, at=min(item.given_at, now)):
            feedback += 1
    nominated = 0
    if reps:
        references = list(
            ReferenceProfile.objects.select_related("contact__account").order_by("pk")
        )
        for reference in rng.sample(references, min(len(references), 40)):
            owner = reference.contact.account.owner
            nominator = (
                owner
                if owner and owner.role == "sales_rep" and rng.random() < 0.8
                else rng.choice(reps)
            )
            day = today - dt.timedelta(days=rng.randint(0, 360))
            if services.reward_credit_nomination(
                nominator=nominator, reference_id=reference.pk, at=_moment(day, rng)
            ):
                nominated += 1
    summary.update(sharing_credits=shared, feedback_credits=feedback, nominations=nominated)

    # Redemptions in every state, by references who have the points.
    holders = list(
        PointsHolder.objects.filter(reference__isnull=False, balance__gte=150)
        .select_related("reference__contact__account")
        .order_by("pk")
    )
    rng.shuffle(holders)
    # Every state early in the list, so even a small demo shows each of them.
    plan = [
        "requested",
        "fulfilled",
        "approved",
        "refused",
        "fulfilled",
        "requested",
        "fulfilled",
        "approved",
    ] * 3
    states: dict[str, int] = {}
    for holder, state in zip(holders, plan, strict=False):
        account = holder.reference.contact.account
        choices = [i for i in items if i.points_cost <= holder.balance and i.points_cost
                   and services.item_allowed_for(i, gift_policy=account.gift_policy, country=account.country)[0]]  # fmt: skip
        if not choices:
            choices = [
                i
                for i in items
                if services.item_allowed_for(
                    i, gift_policy=account.gift_policy, country=account.country
                )[0]
            ]
        if not choices:
            continue
        try:
            redemption = services.reward_redeem(
                actor=pm, reference_id=holder.reference_id, item_id=rng.choice(choices).pk
            )
        except RefdeskError:
            continue
        asked = now - dt.timedelta(
            days=rng.randint(1, 5) if state == "requested" else rng.randint(8, 60),
            hours=rng.randint(0, 8),
        )
        Redemption.objects.filter(pk=redemption.pk).update(requested_at=asked)
        LedgerEntry.objects.filter(redemption=redemption).update(at=asked)
        if state in ("approved", "fulfilled"):
            services.redemption_approve(actor=pm, redemption_id=redemption.pk)
            Redemption.objects.filter(pk=redemption.pk).update(
                decided_at=asked + dt.timedelta(hours=rng.randint(2, 30))
            )
        if state == "fulfilled":
            services.redemption_fulfil(actor=pm, redemption_id=redemption.pk)
            Redemption.objects.filter(pk=redemption.pk).update(
                fulfilled_at=asked + dt.timedelta(days=rng.randint(2, 7))
            )
        if state == "refused":
            services.redemption_refuse(actor=pm, redemption_id=redemption.pk,
                                       reason=rng.choice(["The vendor no longer ships there", "Asked twice by mistake",
                                                          "Compliance asked us to hold gifts this quarter"]))  # fmt: skip
        states[state] = states.get(state, 0) + 1
    summary["redemptions"] = states

    # A contest running this quarter, and last quarter's.
    quarter_start = dt.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    quarter_end = (quarter_start + dt.timedelta(days=95)).replace(day=1) - dt.timedelta(days=1)
    services.contest_create(actor=pm, name=f"Share the love: Q{(today.month - 1) // 3 + 1} referral drive",
                            description="Points for every customer you share, nominate or give feedback on.",
                            starts_on=quarter_start, ends_on=quarter_end, prizes=CONTEST_PRIZES)  # fmt: skip
    previous_end = quarter_start - dt.timedelta(days=1)
    services.contest_create(actor=pm, name="EMEA nomination sprint", team="EMEA", starts_on=previous_end.replace(day=1),
                            ends_on=previous_end, prizes=["Team lunch"])  # fmt: skip
    summary["contests"] = 2
    summary["points_outstanding"] = sum(PointsHolder.objects.values_list("balance", flat=True))
    summary["value_cap"] = str(services.reward_settings_get().yearly_value_cap or Decimal("0"))
    return summary
