"""What the request workflow tells the matcher: held references are out, busy ones are marked."""

import pytest

from refdesk.asks import services
from refdesk.matching.selectors import MatchQuery, match_find
from tests.asks.helpers import first_candidate, fresh, to_completed

pytestmark = pytest.mark.django_db


def ranch_match():
    return match_find(user=None, query=MatchQuery(industry="cattle ranch", country="US", limit=10))


def test_a_reference_on_an_open_request_is_shown_as_busy(submit, program_manager, ranch_pool):
    request = submit()
    candidate = first_candidate(request)
    services.candidate_select(actor=program_manager, request=request, candidate_id=candidate.pk)
    found = {c["reference_id"]: c for c in ranch_match()["candidates"]}
    assert found[candidate.reference_id]["availability"] == "on_open_request"
    others = [c for rid, c in found.items() if rid != candidate.reference_id]
    assert others and all(c["availability"] == "free" for c in others)


def test_a_poorly_rated_reference_leaves_the_matches_until_released(submit, program_manager, owner_rep, requester, ranch_pool):
    request = submit()
    candidate = to_completed(request, program_manager, owner_rep, requester)
    assert "held" not in ranch_match()["excluded_by_rule"]
    services.feedback_give(actor=requester, request=fresh(request), candidate_id=candidate.pk, side="requester",
                           rating=1, comment="could not answer", could_speak_to_subject=False)  # fmt: skip
    result = ranch_match()
    assert candidate.reference_id not in {c["reference_id"] for c in result["candidates"]}
    assert result["excluded_by_rule"].get("held") == 1
    hold = candidate.reference.matching_holds.get(released_at__isnull=True)
    services.hold_release(actor=program_manager, hold=hold, note="reviewed")
    # Released: only the usual cool-down after their call still applies.
    assert "held" not in ranch_match()["excluded_by_rule"]
