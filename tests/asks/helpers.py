"""Steps tests take again and again, through the services."""

import datetime as dt

from django.utils import timezone

from refdesk.asks import services
from refdesk.asks.models import ReferenceRequest, RequestCandidate


def fresh(obj):
    obj.refresh_from_db()
    return obj


def first_candidate(request) -> RequestCandidate:
    return request.candidates.order_by("rank").first()


def later(hours=48, minutes=0):
    return (timezone.now() + dt.timedelta(hours=hours, minutes=minutes)).replace(microsecond=0)


def to_invited(request, pm, owner) -> RequestCandidate:
    """Select the best candidate as the program manager and approve as the owner."""
    candidate = first_candidate(request)
    services.candidate_select(actor=pm, request=request, candidate_id=candidate.pk)
    candidate = fresh(candidate)
    if candidate.status == "awaiting_approval":
        services.approval_grant(actor=owner, request=request, candidate_id=candidate.pk)
    return fresh(candidate)


def to_scheduled(request, pm, owner, requester) -> RequestCandidate:
    candidate = to_invited(request, pm, owner)
    services.invitation_accept(candidate=candidate)
    services.call_schedule(actor=requester, request=fresh(request), candidate_id=candidate.pk, starts_at=later())
    return fresh(candidate)


def to_completed(request, pm, owner, requester) -> RequestCandidate:
    candidate = to_scheduled(request, pm, owner, requester)
    services.call_complete(actor=requester, request=fresh(request), candidate_id=candidate.pk)
    return fresh(candidate)


def statuses(request: ReferenceRequest) -> list[str]:
    return list(request.candidates.order_by("rank").values_list("status", flat=True))
