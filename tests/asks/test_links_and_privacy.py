"""Signed links for the reference, and who sees a reference's email and phone."""

import datetime as dt
from unittest import mock

from django.core import signing

from refdesk.asks import links, services
from tests.asks.helpers import first_candidate, fresh, to_invited


def test_the_link_opens_the_request_in_plain_words_without_the_deal_amount(client, submit, program_manager, owner_rep):
    request = submit(amount="250000", topics="herd tracking")
    candidate = to_invited(request, program_manager, owner_rep)
    page = client.get(links.respond_path(candidate))
    text = page.content.decode()
    assert page.status_code == 200
    assert "Big Sky Ranch" in text and "Cattle Ranching" in text and "herd tracking" in text
    assert "250000" not in text and "250,000" not in text


def test_respond_url_is_absolute_for_emails(submit, program_manager, owner_rep, settings):
    settings.SITE_URL = "https://refdesk.example.com"
    candidate = to_invited(submit(), program_manager, owner_rep)
    assert links.respond_url(candidate).startswith("https://refdesk.example.com/requests/respond/")


def test_a_tampered_link_is_refused_with_a_friendly_400(client, submit, program_manager, owner_rep):
    candidate = to_invited(submit(), program_manager, owner_rep)
    token = links.token_for(candidate)
    response = client.get(f"/requests/respond/{token[:-3]}abc/")
    assert response.status_code == 400
    assert "not valid" in response.content.decode()
    assert client.get("/requests/respond/garbage/").status_code == 400


def test_an_expired_link_is_refused_with_410(client, submit, program_manager, owner_rep):
    candidate = to_invited(submit(), program_manager, owner_rep)
    with mock.patch("django.core.signing.time.time", return_value=(dt.datetime.now() - dt.timedelta(days=15)).timestamp()):
        token = links.token_for(candidate)
    response = client.get(f"/requests/respond/{token}/")
    assert response.status_code == 410
    assert "expired" in response.content.decode()


def test_a_link_still_works_on_day_thirteen(client, submit, program_manager, owner_rep):
    candidate = to_invited(submit(), program_manager, owner_rep)
    with mock.patch("django.core.signing.time.time", return_value=(dt.datetime.now() - dt.timedelta(days=13)).timestamp()):
        token = links.token_for(candidate)
    assert client.get(f"/requests/respond/{token}/").status_code == 200


def test_revoking_makes_earlier_links_stop_working(client, submit, program_manager, owner_rep):
    request = submit()
    candidate = to_invited(request, program_manager, owner_rep)
    old = links.respond_path(candidate)
    services.candidate_link_revoke(actor=program_manager, request=request, candidate_id=candidate.pk)
    assert client.get(old).status_code == 410
    assert client.get(links.respond_path(fresh(candidate))).status_code == 200


def test_a_link_signed_for_another_purpose_is_refused(client, submit, program_manager, owner_rep):
    candidate = to_invited(submit(), program_manager, owner_rep)
    forged = signing.TimestampSigner(salt="something-else").sign(f"{candidate.pk}.{candidate.link_nonce}")
    assert client.get(f"/requests/respond/{forged}/").status_code == 400


def test_the_reference_accepts_and_declines_through_the_page(client, submit, program_manager, owner_rep):
    request = submit(references_needed=2)
    first = to_invited(request, program_manager, owner_rep)
    response = client.post(links.respond_path(first), {"action": "accept"})
    assert response.status_code == 302 and fresh(first).status == "accepted"
    second = request.candidates.order_by("rank")[1]
    services.candidate_select(actor=program_manager, request=request, candidate_id=second.pk)
    services.approval_grant(actor=owner_rep, request=request, candidate_id=second.pk)
    client.post(links.respond_path(second), {"action": "decline", "reason": "On leave"})
    assert fresh(second).status == "reference_declined" and fresh(second).reason == "On leave"
    again = client.post(links.respond_path(second), {"action": "accept"})
    assert again.status_code == 409


def test_the_reference_proposes_times_in_their_zone(client, submit, program_manager, owner_rep):
    candidate = to_invited(submit(), program_manager, owner_rep)
    day = (dt.date.today() + dt.timedelta(days=3)).isoformat()
    client.post(links.respond_path(candidate), {"action": "propose", "slot1": f"{day}T10:00", "slot2": f"{day}T15:00",
                                                "time_zone": "Europe/Berlin", "duration_minutes": "30"})  # fmt: skip
    slots = list(fresh(candidate).slots.order_by("starts_at"))
    assert fresh(candidate).status == "accepted"
    assert [s.starts_at.astimezone(dt.UTC).hour for s in slots] in ([9, 14], [8, 13])  # CET or CEST
    assert slots[0].time_zone == "Europe/Berlin"


def test_the_requester_sees_contact_details_only_after_approval_and_acceptance(client_for, submit, requester, program_manager, owner_rep):
    request = submit()
    candidate = first_candidate(request)
    email = candidate.reference.contact.email
    client = client_for(requester)

    def shown():
        data = client.get(f"/api/requests/{request.pk}").json()
        row = next(c for c in data["candidates"] if c["id"] == candidate.pk)
        page = client.get(f"/requests/{request.pk}/").content.decode()
        return row["email"], email in page

    assert shown() == (None, False)
    services.candidate_select(actor=program_manager, request=request, candidate_id=candidate.pk)
    services.approval_grant(actor=owner_rep, request=request, candidate_id=candidate.pk)
    assert shown() == (None, False)  # approved, not yet accepted
    services.invitation_accept(candidate=fresh(candidate))
    assert shown() == (email, True)


def test_another_rep_cannot_see_someone_elses_request(client_for, submit, other_rep):
    request = submit()
    assert client_for(other_rep).get(f"/api/requests/{request.pk}").status_code == 404
    assert client_for(other_rep).get(f"/requests/{request.pk}/").status_code == 404
