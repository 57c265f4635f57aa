"""Doors opened by a secret link are rate-limited: guessing tokens from one address soon gets 429
on every such door, and one working link can be POSTed only so often (each answer may send email).
The log-in's own limit is tested in tests/security/test_web_security.py."""

import datetime as dt

import pytest
from django.utils import timezone

from refdesk.asks.links import respond_path
from refdesk.asks.models import ReferenceRequest, RequestCandidate
from refdesk.core.models import RateLimitCounter
from tests.factories import ContactFactory, ReferenceFactory, UserFactory

pytestmark = pytest.mark.django_db

BAD_DOORS = ["/requests/respond/nope/", "/growth/confirm/nope/", "/activities/s/nope/",
             "/activities/s/nope/files/1/", "/api/respond/nope"]  # fmt: skip


@pytest.fixture(autouse=True)
def _small_limits(settings):
    settings.REFDESK_LINK_FAILURES_PER_IP = 3
    settings.REFDESK_LINK_POSTS_PER_LINK = 2


@pytest.fixture
def candidate(account, program_manager):
    requester = UserFactory(email="rita@vendor.example", role="requester")
    reference = ReferenceFactory(
        contact=ContactFactory(account=account, email="dana@prairie.example")
    )
    now = timezone.now()
    request = ReferenceRequest.objects.create(
        requester=requester, prospect="Acme Bank", activity_type="reference_call", submitted_at=now,
        status="in_progress", needed_by=(now + dt.timedelta(days=10)).date(),
        workflow={"fulfilment": "program_manager", "owner_approval": False, "sla": {}},
    )  # fmt: skip
    return RequestCandidate.objects.create(
        request=request, reference=reference, status="invited", invited_at=now
    )


@pytest.mark.parametrize("door", BAD_DOORS)
def test_an_address_guessing_links_is_refused_for_a_while(client, door):
    for _ in range(3):
        assert client.get(door).status_code in (400, 404)
    refused = client.get(door)
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert "Try again in" in refused.content.decode()


def test_the_limit_holds_across_doors_and_spares_other_addresses(client, candidate):
    for door in BAD_DOORS[:3]:
        client.get(door)
    # The same address now cannot use even a working link; another address can.
    assert client.get(respond_path(candidate)).status_code == 429
    assert client.get(respond_path(candidate), REMOTE_ADDR="10.0.0.9").status_code == 200


def test_a_working_link_is_not_counted_as_a_guess(client, candidate):
    for _ in range(5):
        assert client.get(respond_path(candidate)).status_code == 200
    assert not RateLimitCounter.objects.exists()


def test_a_working_link_can_be_posted_only_so_often(client, candidate):
    path = respond_path(candidate)
    for _ in range(2):
        assert client.post(path, {"action": "nonsense"}).status_code in (409, 422)
    assert client.post(path, {"action": "decline"}).status_code == 429
    candidate.refresh_from_db()
    assert candidate.status == "invited"
    # Reading the request is still possible.
    assert client.get(path).status_code == 200


def test_the_api_door_answers_429_as_json(client, candidate):
    token = respond_path(candidate).rstrip("/").rsplit("/", 1)[1]
    for _ in range(2):
        # Completing a call never scheduled is refused (409), but it counts.
        assert (
            client.post(
                f"/api/respond/{token}", {"action": "complete"}, content_type="application/json"
            ).status_code
            == 409
        )
    refused = client.post(
        f"/api/respond/{token}", {"action": "decline"}, content_type="application/json"
    )
    assert refused.status_code == 429
    assert "used too often" in refused.json()["message"]
