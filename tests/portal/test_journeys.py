"""What a reference sees and does in the portal, through the same services as every other door."""

import datetime as dt
import json

import icalendar
import pytest
from django.utils import timezone

from refdesk.matching.engine import engine
from refdesk.matching.selectors import MatchQuery, match_find
from refdesk.people.models import AuditEntry
from refdesk.portal import links, services
from refdesk.portal.models import ErasureRequest
from tests.asks.helpers import fresh, later

pytestmark = pytest.mark.django_db


def _ids(activity_type="reference_call"):
    engine.reset()
    found = match_find(
        user=None, query=MatchQuery(industry="cattle ranch", activity_type=activity_type, limit=10)
    )
    return {c["reference_id"] for c in found["candidates"]}


def test_it_lists_the_open_request_and_accepts_it(open_portal, invited):
    client = open_portal(invited.reference)
    home = client.get("/portal/")
    assert "Big Sky Ranch" in home.content.decode()
    page = client.get(f"/portal/requests/{invited.pk}/")
    assert page.status_code == 200 and "Yes, I can help" in page.content.decode()
    response = client.post(f"/portal/requests/{invited.pk}/", {"action": "accept"})
    assert response.status_code == 302
    assert fresh(invited).status == "accepted"


def test_it_declines_with_a_reason(open_portal, invited):
    client = open_portal(invited.reference)
    client.post(
        f"/portal/requests/{invited.pk}/", {"action": "decline", "reason": "On leave that week"}
    )
    candidate = fresh(invited)
    assert candidate.status == "reference_declined" and candidate.reason == "On leave that week"


def test_it_proposes_times_in_the_persons_zone(open_portal, invited):
    client = open_portal(invited.reference)
    start = (
        (timezone.now() + dt.timedelta(days=3)).astimezone(dt.UTC).replace(second=0, microsecond=0)
    )
    client.post(
        f"/portal/requests/{invited.pk}/",
        {
            "action": "accept",
            "slot1": start.strftime("%Y-%m-%dT%H:%M"),
            "time_zone": "UTC",
            "duration_minutes": "45",
        },
    )
    candidate = fresh(invited)
    [slot] = candidate.slots.all()
    assert (
        candidate.status == "accepted"
        and slot.starts_at == start
        and slot.ends_at == start + dt.timedelta(minutes=45)
    )


def test_a_bad_answer_is_a_message_not_a_500(open_portal, invited):
    client = open_portal(invited.reference)
    response = client.post(
        f"/portal/requests/{invited.pk}/", {"action": "accept", "slot1": "yesterday"}
    )
    assert response.status_code == 422 and "not a date" in response.content.decode()


def test_an_upcoming_call_downloads_the_same_calendar_invite(open_portal, invited, requester):
    from refdesk.asks import services as asks

    asks.invitation_accept(candidate=invited)
    asks.call_schedule(
        actor=requester, request=fresh(invited.request), candidate_id=invited.pk, starts_at=later()
    )
    client = open_portal(invited.reference)
    assert f"/portal/calls/{invited.pk}/calendar.ics" in client.get("/portal/").content.decode()
    response = client.get(f"/portal/calls/{invited.pk}/calendar.ics")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    event = icalendar.Calendar.from_ical(response.content).walk("VEVENT")[0]
    assert str(event["UID"]).startswith(f"refdesk-call-{invited.pk}")
    assert event.decoded("dtstart") == fresh(invited).scheduled_start


def test_a_link_for_one_person_never_shows_another_persons_data(open_portal, invited, ranch_pool):
    asked = invited.reference
    other = next(r for r in ranch_pool.values() if r.pk != asked.pk)
    client = open_portal(other)
    for path in (f"/portal/requests/{invited.pk}/", f"/portal/calls/{invited.pk}/calendar.ics"):
        assert client.get(path).status_code == 404, path
    assert client.post(f"/portal/requests/{invited.pk}/", {"action": "decline"}).status_code == 404
    assert fresh(invited).status == "invited"
    home = client.get("/portal/").content.decode()
    assert "Big Sky Ranch" not in home and asked.contact.name not in home
    data = json.loads(client.get("/portal/data/export.json").content)
    assert data["contact"]["email"] == other.contact.email
    assert all(c["reference_id"] == other.pk for c in data["request_candidates"])
    # The API with the other person's token cannot answer the request either.
    token = links.token_for(services.access_for(other.contact))
    api = client.post(
        f"/api/portal/{token}/requests/{invited.pk}/answer",
        {"action": "decline"},
        content_type="application/json",
    )
    assert api.status_code == 404 and fresh(invited).status == "invited"


def test_history_lists_what_the_person_took_part_in(open_portal, ada):
    from refdesk.activities.models import Activity

    Activity.objects.create(
        reference=ada,
        activity_type="case_study",
        status="completed",
        occurred_at=timezone.now() - dt.timedelta(days=40),
    )
    page = open_portal(ada).get("/portal/history/")
    assert "Case study" in page.content.decode()


def test_points_and_redeeming(open_portal, ada, program_manager):
    from refdesk.rewards.models import CatalogueItem, ItemKind, Redemption
    from refdesk.rewards.services import holder_for_reference, points_adjust

    points_adjust(
        actor=program_manager,
        holder_id=holder_for_reference(ada.pk).pk,
        points=300,
        reason="Welcome",
    )
    item = CatalogueItem.objects.create(
        name="Training day", kind=ItemKind.values[0], points_cost=200, value=0
    )
    client = open_portal(ada)
    page = client.get("/portal/rewards/").content.decode()
    assert "300" in page and "Redeem Training day" in page
    client.post("/portal/rewards/redeem/", {"item_id": item.pk})
    assert Redemption.objects.get().holder.reference_id == ada.pk
    assert "100" in client.get("/portal/rewards/").content.decode()
    # Too expensive now: a message, no second redemption.
    client.post("/portal/rewards/redeem/", {"item_id": item.pk})
    assert Redemption.objects.count() == 1


def test_preferences_change_matching_at_once(open_portal, ada):
    assert ada.pk in _ids("case_study")
    client = open_portal(ada)
    response = client.post("/portal/preferences/", {
        "activity_types": ["reference_call"], "monthly_limit": "2", "preferred_channel": "phone",
        "languages": "de; en", "time_zone": "Europe/Berlin", "testimonial_channels": ["web"],
    })  # fmt: skip
    assert response.status_code == 302
    ada.refresh_from_db()
    ada.contact.refresh_from_db()
    assert ada.activity_types == ["reference_call"] and ada.testimonial_channels == ["web"]
    assert ada.contact.preferred_channel == "phone" and ada.contact.languages == ["de", "en"]
    assert ada.fatigue.monthly_limit == 2
    assert ada.pk not in _ids("case_study") and ada.pk in _ids("reference_call")
    assert ada.contact.consents.filter(
        activity_type="case_study", action="withdrawn", source="self_service"
    ).exists()
    # The page now speaks German.
    page = client.get("/portal/preferences/")
    assert page["Content-Language"] == "de" and "Ihre Einstellungen" in page.content.decode()
    assert '<html lang="de">' in page.content.decode()


def test_bad_preferences_are_shown_on_the_form(open_portal, ada):
    response = open_portal(ada).post(
        "/portal/preferences/", {"preferred_channel": "email", "time_zone": "Mars/Olympus"}
    )
    assert response.status_code == 422 and "time zone" in response.content.decode()


def test_dates_away_keep_the_matcher_from_asking(open_portal, ada):
    client = open_portal(ada)
    today = timezone.now().date()
    client.post(
        "/portal/preferences/away/",
        {"starts_on": today.isoformat(), "ends_on": (today + dt.timedelta(days=5)).isoformat()},
    )
    assert ada.unavailable_periods.count() == 1
    assert ada.pk not in _ids()
    # Counted as "away" among the rules that held references back, not as fatigue.
    engine.reset()
    found = match_find(
        user=None,
        query=MatchQuery(industry="cattle ranch", activity_type="reference_call", limit=10),
    )
    assert found["excluded_by_rule"].get("away") == 1 and "fatigue" not in found["excluded_by_rule"]
    period = ada.unavailable_periods.get()
    client.post(f"/portal/preferences/away/{period.pk}/remove/")
    assert ada.pk in _ids()


def test_stop_asking_me_takes_effect_at_once(open_portal, invited):
    reference = invited.reference
    assert reference.pk in _ids()
    client = open_portal(reference)
    client.post("/portal/stop/", {"action": "stop"})
    reference.refresh_from_db()
    assert reference.opted_out and fresh(invited).status == "reference_declined"
    assert reference.pk not in _ids()
    assert "We will not ask you" in client.get("/portal/stop/").content.decode()
    client.post("/portal/stop/", {"action": "resume"})
    assert reference.pk in _ids()


def test_the_person_downloads_their_data_and_it_is_audited(open_portal, ada):
    response = open_portal(ada).get("/portal/data/export.json")
    data = json.loads(response.content)
    assert data["contact"]["email"] == "ada@prairie.example" and "portal" in data
    assert AuditEntry.objects.filter(
        kind="person_export", object_ids_text__contains=f",{ada.contact.pk},"
    ).exists()


def test_asking_for_erasure_stops_asking_and_the_pm_carries_it_out(
    open_portal, ada, client_for, program_manager
):
    client = open_portal(ada)
    assert (
        client.post("/portal/data/", {"note": "Leaving the company"}).status_code == 422
    )  # not confirmed
    client.post("/portal/data/", {"note": "Leaving the company", "confirm": "on"})
    erasure = ErasureRequest.objects.get()
    ada.refresh_from_db()
    assert erasure.status == "open" and ada.opted_out
    assert "with the programme team" in client.get("/portal/data/").content.decode()
    pm = client_for(program_manager)
    assert "Erase Ada Lovelace now" in pm.get("/portal/manage/erasures/").content.decode()
    pm.post(f"/portal/manage/erasures/{erasure.pk}/carry-out/")
    erasure.refresh_from_db()
    ada.contact.refresh_from_db()
    assert erasure.status == "done" and ada.contact.email.endswith("@invalid")
    assert AuditEntry.objects.filter(kind="person_erase").exists()
    assert client.get("/portal/").status_code == 302  # the session ended with the erasure


def test_the_api_does_the_same_with_the_link_token(client, invited):
    token = links.token_for(services.access_for(invited.reference.contact))
    overview = client.get(f"/api/portal/{token}").json()
    assert [r["candidate_id"] for r in overview["open_requests"]] == [invited.pk]
    answer = client.post(
        f"/api/portal/{token}/requests/{invited.pk}/answer",
        {"action": "accept"},
        content_type="application/json",
    )
    assert answer.status_code == 200 and answer.json()["status"] == "accepted"
    prefs = client.put(
        f"/api/portal/{token}/preferences",
        {"activity_types": ["webinar"], "monthly_limit": 3},
        content_type="application/json",
    )
    assert (
        prefs.status_code == 200
        and prefs.json()["activity_types"] == ["webinar"]
        and prefs.json()["monthly_limit"] == 3
    )
    bad = client.put(
        f"/api/portal/{token}/preferences",
        {"activity_types": ["juggling"]},
        content_type="application/json",
    )
    assert bad.status_code == 422
    assert client.post(f"/api/portal/{token}/stop").json()["opted_out"] is True
    assert (
        client.get(f"/api/portal/{token}/export").json()["contact"]["id"]
        == invited.reference.contact_id
    )
    assert (
        client.post(f"/api/portal/{token}/erasure", {}, content_type="application/json").status_code
        == 202
    )
    assert (
        client.post(
            "/api/portal/link-requests", {"email": "who@x.example"}, content_type="application/json"
        ).status_code
        == 202
    )


def test_reference_emails_carry_a_portal_link_to_the_right_page(invited, smtp_server, settings):
    from refdesk.asks.models import RequestEvent
    from refdesk.notify.dispatch import dispatch_event
    from refdesk.notify.models import OutboundEmail

    dispatch_event(RequestEvent.objects.get(candidate=invited, kind="invitation.sent").pk)
    email = OutboundEmail.objects.filter(
        to=invited.reference.contact.email, kind="invitation"
    ).first()
    assert email is not None and "/portal/t/" in email.body_text
    path = email.body_text.split("/portal/t/")[1].split()[0]
    _contact_id, _nonce, landing = links.read_token(path.rstrip("/"))
    assert landing == f"/portal/requests/{invited.pk}/"


def test_the_cli_prints_and_revokes_links(ada, capsys):
    from refdesk.cli import main

    assert main(["portal", "link", "ada@prairie.example"]) == 0
    assert "/portal/t/" in capsys.readouterr().out
    assert main(["portal", "revoke", "ada@prairie.example"]) == 0
    assert main(["portal", "link", "nobody@x.example"]) == 1
