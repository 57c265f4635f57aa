"""A year of reference requests in every state, driven through the real services, then backdated."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter

PROSPECT_WORDS = (
    "Northwind", "Bluewater", "Summit", "Prairie", "Harbor", "Ironwood", "Silverline", "Redrock", "Evergreen",
    "Lakeside", "Granite", "Copperfield", "Highland", "Riverbend", "Oakridge", "Sunset", "Frontier", "Cobalt",
)  # fmt: skip
PROSPECT_KINDS = ("Holdings", "Group", "Industries", "Partners", "Systems", "Foods", "Logistics", "Health", "Bank")
COMPETITORS = ("Acme Corp", "Globex", "Initech", "Umbrella Systems", "")
PLAN = (  # (target state, weight)
    ("candidates_proposed", 6), ("awaiting_approval", 6), ("invited", 6), ("fulfilled", 6), ("scheduled", 8),
    ("completed", 8), ("closed", 30), ("withdrawn", 6), ("cancelled", 4), ("expired", 6), ("declined", 6),
)  # fmt: skip
TYPES = (("reference_call", 70), ("case_study", 10), ("webinar", 6), ("media", 5), ("speaking", 5), ("site_visit", 4))


def _weighted(rng: random.Random, pairs):
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights=weights)[0]


def demo_requests(*, rng: random.Random, today: dt.date, users: dict | None = None, count: int = 150) -> Counter:
    """Grow `count` requests over the last year in every state; returns how many ended in each state."""
    from django.db.models import F

    from refdesk.activities.models import Activity
    from refdesk.asks import services
    from refdesk.asks.models import ReferenceRequest, RequestCandidate, RequestEvent, TimeSlot
    from refdesk.core.errors import RefdeskError
    from refdesk.people.models import User
    from refdesk.pool.models import Account

    people = list(User.objects.filter(role__in=["sales_rep", "requester"], is_active=True).order_by("pk"))
    pm = User.objects.filter(role="program_manager").order_by("pk").first()
    industries = [c for c in Account.objects.exclude(industry=None).values_list("industry_id", flat=True).distinct()[:200]]
    if not people or pm is None or not industries:
        return Counter()
    result: Counter = Counter()
    for n in range(count):
        target = _weighted(rng, PLAN)
        requester = rng.choice(people)
        try:
            request = services.request_submit(
                actor=requester,
                prospect=f"{rng.choice(PROSPECT_WORDS)} {rng.choice(PROSPECT_KINDS)} {n + 1}",
                industry=rng.choice(industries), country=rng.choice(["US", "US", "US", "CA", "GB", "DE"]),
                employees=rng.choice([80, 250, 600, 1500, 5000, 20000]), activity_type=_weighted(rng, TYPES),
                competitor=rng.choice(COMPETITORS), amount=str(rng.randrange(20, 900) * 1000),
                stage=rng.choice(["discovery", "evaluation", "proposal", "negotiation"]),
                references_needed=1, topics=rng.choice(["reporting", "onboarding", "migration", "integrations", ""]),
            )  # fmt: skip
            _drive(services, request, target, pm=pm, rng=rng)
        except RefdeskError:
            pass
        request.refresh_from_db()
        result[request.status] += 1
        _spread_steps(request, rng, F, ReferenceRequest, RequestCandidate, RequestEvent)
        # Requests still moving are recent; finished ones are spread over the year.
        recent = request.status in ("submitted", "candidates_proposed", "in_progress", "fulfilled")
        shift = dt.timedelta(days=rng.randint(0, 4) if recent else rng.randint(8, 360), hours=rng.randint(0, 20))
        if request.status == "expired":
            shift = max(shift, dt.timedelta(days=30))
        _backdate(request, shift, F, ReferenceRequest, RequestCandidate, RequestEvent, TimeSlot, Activity,
                  keep_future=request.status in ("fulfilled",))  # fmt: skip
    return result


def _drive(services, request, target: str, *, pm, rng: random.Random) -> None:
    """Take one request as far as `target` through the same services people use."""
    if target == "candidates_proposed":
        return
    if target == "withdrawn":
        services.request_withdraw(actor=request.requester, request=request, reason="The prospect chose to wait")
        return
    if target == "cancelled":
        services.request_cancel(actor=pm, request=request, reason="Duplicate of another request")
        return
    if target == "expired":
        from refdesk.asks.models import ReferenceRequest

        ReferenceRequest.objects.filter(pk=request.pk).update(needed_by=dt.date.today() - dt.timedelta(days=1))
        services.requests_expire_overdue()
        return
    candidate = request.candidates.order_by("rank").first()
    if candidate is None:
        return
    if candidate.status == "proposed":
        services.candidate_select(actor=pm, request=request, candidate_id=candidate.pk)
    candidate.refresh_from_db()
    if target == "awaiting_approval":
        return
    if candidate.status == "awaiting_approval":
        if target == "declined":
            services.approval_decline(actor=pm, request=request, candidate_id=candidate.pk, reason="Customer is in a renewal")
            return
        services.approval_grant(actor=pm, request=request, candidate_id=candidate.pk)
    candidate.refresh_from_db()
    if target == "invited":
        return
    if target == "declined":
        services.invitation_decline(candidate=candidate, reason="Too busy this quarter")
        return
    services.invitation_accept(candidate=candidate)
    if target == "fulfilled":
        return
    start = dt.datetime.now(dt.UTC).replace(minute=0, second=0, microsecond=0) + dt.timedelta(days=rng.randint(1, 10), hours=rng.randint(0, 8))
    services.call_schedule(actor=pm, request=request, candidate_id=candidate.pk, starts_at=start)
    if target == "scheduled":
        return
    if rng.random() < 0.1:
        services.call_missed(actor=pm, request=request, candidate_id=candidate.pk, reason="The prospect did not join")
        return
    services.call_complete(actor=request.requester, request=request, candidate_id=candidate.pk)
    if target == "closed":
        services.feedback_give(
            actor=request.requester, request=request, candidate_id=candidate.pk, side="requester",
            rating=rng.choice([5, 5, 4, 4, 4, 3, 2]), helped=rng.random() < 0.8, comment="",
        )  # fmt: skip


# Each step of a request, with the candidate and request fields and the events it wrote: in the
# demo, moved back in time by how long the later steps took, so turnaround and SLA figures look
# like a real program's (the services run them all within the same second).
_STEPS = (
    ("submitted", ["submitted_at", "candidates_proposed_at", "candidates_due_at"], [],
     ["request.submitted", "request.candidates_proposed"]),
    ("selected", ["in_progress_at"], ["selected_at", "approval_requested_at", "approval_due_at"],
     ["candidate.selected", "approval.requested"]),
    ("invited", ["acceptance_due_at"], ["approved_at", "invited_at"], ["approval.granted", "invitation.sent"]),
    ("accepted", ["fulfilled_at"], ["responded_at"],
     ["invitation.accepted", "request.fulfilled", "call.scheduled", "slots.proposed"]),
)  # fmt: skip


def _spread_steps(request, rng: random.Random, F, ReferenceRequest, RequestCandidate, RequestEvent) -> None:
    """Spread a driven request's steps over hours and days: people select, approve and answer later."""
    reached = RequestEvent.objects.filter(request=request).values_list("kind", flat=True)
    if "invitation.accepted" not in reached:
        return
    took = {  # how long after each step the next one came
        "submitted": dt.timedelta(hours=rng.uniform(0.5, 8)),
        "selected": dt.timedelta(hours=rng.uniform(0.5, 20)),
        "invited": dt.timedelta(hours=rng.uniform(1, 30)),
        "accepted": dt.timedelta(days=rng.uniform(2, 9)) if "call.completed" in reached else dt.timedelta(0),
    }
    back = dt.timedelta(0)
    for step, request_fields, candidate_fields, kinds in reversed(_STEPS):
        back += took[step]
        if not back:
            continue
        ReferenceRequest.objects.filter(pk=request.pk).update(**{f: F(f) - back for f in request_fields})
        RequestCandidate.objects.filter(request=request).update(**{f: F(f) - back for f in candidate_fields})
        RequestEvent.objects.filter(request=request, kind__in=kinds).update(at=F("at") - back)


def _backdate(request, shift, F, ReferenceRequest, RequestCandidate, RequestEvent, TimeSlot, Activity, *, keep_future=False):
    fields = ["submitted_at", "candidates_proposed_at", "in_progress_at", "fulfilled_at", "completed_at", "closed_at",
              "ended_at", "candidates_due_at", "acceptance_due_at", "next_due_at"]  # fmt: skip
    ReferenceRequest.objects.filter(pk=request.pk).update(**{f: F(f) - shift for f in fields})
    if request.needed_by:
        ReferenceRequest.objects.filter(pk=request.pk).update(needed_by=request.needed_by - dt.timedelta(days=shift.days))
    cand_fields = ["selected_at", "approval_requested_at", "approval_due_at", "approved_at", "invited_at", "responded_at",
                   "completed_at", "ended_at"]  # fmt: skip
    if not keep_future and request.status in ("completed", "closed", "withdrawn", "cancelled", "expired"):
        cand_fields += ["scheduled_start", "scheduled_end"]
        TimeSlot.objects.filter(candidate__request=request).update(starts_at=F("starts_at") - shift, ends_at=F("ends_at") - shift)
        activity_ids = [a for a in RequestCandidate.objects.filter(request=request).values_list("activity_id", flat=True) if a]
        Activity.objects.filter(pk__in=activity_ids).update(occurred_at=F("occurred_at") - shift, updated_at=dt.datetime.now(dt.UTC))
    RequestCandidate.objects.filter(request=request).update(**{f: F(f) - shift for f in cand_fields})
    RequestEvent.objects.filter(request=request).update(at=F("at") - shift)
