"""The log by hand and by import, content with expiry and uses, private shares, group events, content first."""

import datetime as dt
import json

import pytest
from django.utils import timezone

from refdesk.activities import selectors, services
from refdesk.activities.importing import activity_import
from refdesk.activities.models import Activity, ContentShareView, ContentUse
from refdesk.core.errors import Forbidden, InvalidInput
from refdesk.matching.scoring import IndustryTarget, MatchSpec
from refdesk.people.choices import Role
from tests.factories import AccountFactory, ContactFactory, ReferenceFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def requester(db):
    return UserFactory(email="rita@vendor.example", role=Role.REQUESTER)


@pytest.fixture
def ranch_ref(owner_rep):
    from refdesk.pool.models import NaicsIndustry

    account = AccountFactory(
        name="Prairie Cattle Co", owner=owner_rep, industry=NaicsIndustry.objects.get(pk="112111")
    )
    return ReferenceFactory(contact=ContactFactory(account=account, name="Ada Rancher", email="ada@prairie.example"),
                            activity_types=["reference_call", "webinar", "media"])  # fmt: skip


def test_a_requester_logs_a_media_call_by_hand_and_an_executive_cannot(
    requester, executive, ranch_ref
):
    activity = services.activity_log(actor=requester, reference_id=ranch_ref.pk, activity_type="media",
                                     occurred_at="2026-11-20", opportunity_text="Trade press interview")  # fmt: skip
    assert (activity.source, activity.status, activity.entered_by) == (
        "manual",
        "completed",
        requester,
    )
    with pytest.raises(Forbidden):
        services.activity_log(
            actor=executive,
            reference_id=ranch_ref.pk,
            activity_type="media",
            occurred_at="2026-11-20",
        )
    with pytest.raises(InvalidInput) as err:
        services.activity_log(
            actor=requester, reference_id=999999, activity_type="dinner", occurred_at="someday"
        )
    assert set(err.value.details) == {"reference", "activity_type", "occurred_at"}


def _csv(tmp_path, text):
    path = tmp_path / "activities.csv"
    path.write_bytes(text.encode("cp1252"))
    return path


def test_the_import_writes_all_rows_or_none_with_line_numbers(tmp_path, ranch_ref):
    bad = _csv(tmp_path, "Email;Activity Type;Date;External ID\nada@prairie.example;media;2026-10-01;a1\n"
                         "nobody@x.example;media;2026-10-02;a2\nada@prairie.example;dinner;2026-13-01;a3\n")  # fmt: skip
    result = activity_import(actor=None, path_or_file=bad)
    assert [str(e) for e in result.errors] == [
        "line 3: email: nobody@x.example is not a reference in the pool",
        "line 4: activity_type: 'dinner' is not one of: "
        + ", ".join(
            [
                "reference_call",
                "case_study",
                "speaking",
                "media",
                "webinar",
                "site_visit",
                "quote",
                "logo",
                "referral",
            ]
        ),
        "line 4: date: '2026-13-01' is not a date (use YYYY-MM-DD or YYYY-MM-DDTHH:MM)",
    ]
    assert not Activity.objects.exists()
    good = _csv(
        tmp_path,
        "email,activity_type,date,external_id,opportunity\nada@prairie.example,media,2026-10-01,a1,Café deal\n",
    )
    assert (
        activity_import(actor=None, path_or_file=good, dry_run=True).created == 1
        and not Activity.objects.exists()
    )
    assert activity_import(actor=None, path_or_file=good).created == 1
    again = activity_import(actor=None, path_or_file=good)
    assert (again.created, again.unchanged) == (0, 1)
    assert Activity.objects.get().opportunity_text == "Café deal"


def test_content_flags_expiry_refuses_sharing_expired_assets_and_logs_uses(
    program_manager, requester, ranch_ref
):
    today = timezone.now().date()
    fresh = services.content_create(actor=program_manager, kind="case_study", title="Ranch goes digital", body="…",
                                    approved_on=today, approved_by="Ada", channels=["web"], contact_id=ranch_ref.contact_id,
                                    expires_on=today + dt.timedelta(days=10))  # fmt: skip
    stale = services.content_create(actor=program_manager, kind="quote", title="Old quote", body="Great",
                                    approved_on=today, expires_on=today - dt.timedelta(days=1))  # fmt: skip
    assert fresh.account_id == ranch_ref.contact.account_id
    assert fresh.industry_id == "112111"  # untagged: the customer's industry
    assert (
        selectors.expiry_state(fresh, today) == "expiring"
        and selectors.expiry_state(stale, today) == "expired"
    )
    assert set(selectors.content_expiring(today=today)) == {fresh, stale}
    assert list(
        selectors.content_list(user=requester, filters=selectors.ContentFilters(q="ranch digital"))
    ) == [fresh]
    with pytest.raises(InvalidInput) as err:
        services.share_create(actor=requester, asset_ids=[stale.pk], prospect="Mesa")
    assert "expired" in err.value.details["assets"]
    with pytest.raises(InvalidInput):
        services.content_use_log(actor=requester, asset=fresh, kind="used", channel="press")
    services.content_use_log(actor=requester, asset=fresh, kind="used", channel="web")
    with pytest.raises(Forbidden):
        services.content_create(actor=requester, kind="quote", title="x", body="y")


def test_a_private_link_opens_logs_views_and_stops_when_revoked(
    client, program_manager, requester, ranch_ref
):
    asset = services.content_create(actor=program_manager, kind="case_study", title="Ranch story", body="Herd tracking",
                                    approved_on=timezone.now().date())  # fmt: skip
    share = services.share_create(actor=requester, asset_ids=[asset.pk], prospect="Big Sky Beef")
    assert len(share.token) >= 40
    assert client.get(f"/activities/s/{share.token}x/").status_code == 404
    page = client.get(f"/activities/s/{share.token}/")
    assert page.status_code == 200 and b"Herd tracking" in page.content
    assert ContentShareView.objects.filter(share=share).count() == 1
    assert list(
        ContentUse.objects.filter(asset=asset).values_list("kind", flat=True).order_by("pk")
    ) == ["shared", "viewed"]
    client.force_login(requester)
    assert b"Opened" in client.get(f"/activities/shares/{share.pk}/").content
    assert b"Big Sky Beef</a> opened your content" in client.get("/activities/").content
    other = UserFactory(role=Role.SALES_REP)
    with pytest.raises(Forbidden):
        services.share_revoke(actor=other, share=share)
    services.share_revoke(actor=requester, share=share)
    client.logout()
    assert client.get(f"/activities/s/{share.token}/").status_code == 404


def test_an_event_counts_once_per_reference_for_fatigue_and_once_per_opportunity_for_influence(
    program_manager, requester, ranch_ref
):
    start = timezone.now() + dt.timedelta(days=3)
    event = services.event_create(actor=program_manager, title="Ranchers on digital herds", starts_at=start,
                                  reference_ids=[ranch_ref.pk], industry="112111", topics=["herd tracking"])  # fmt: skip
    a = services.event_invite(
        actor=requester, event=event, prospect="Big Sky Beef", opportunity_text="Q4 deal"
    )
    b = services.event_invite(actor=program_manager, event=event, prospect="Lone Star Cattle")
    c = services.event_invite(
        actor=program_manager, event=event, prospect="Big Sky Beef", opportunity_text="Q1 expansion"
    )
    for invite in (a, b, c):
        services.event_attendance_set(
            actor=program_manager, invite=invite, attended=invite is not b
        )
    services.event_hold(actor=program_manager, event=event)
    assert (
        Activity.objects.filter(reference=ranch_ref, event=event, status="completed").count() == 1
    )
    assert len(selectors.event_influence(event)) == 2
    recording = services.event_recording_attach(
        actor=program_manager, event=event, url="https://video.example/ranch"
    )
    assert (recording.kind, recording.industry_id, recording.event_id) == (
        "recording",
        "112111",
        event.pk,
    )


def test_content_first_offers_a_fitting_recording_and_an_upcoming_event_but_not_a_bank_story(
    program_manager, ranch_ref
):
    today = timezone.now().date()
    services.content_create(actor=program_manager, kind="recording", title="Webinar: ranch analytics", url="https://v.example/1",
                            industry="112111", topics=["herd tracking"], approved_on=today)  # fmt: skip
    services.content_create(actor=program_manager, kind="case_study", title="A bank's story", body="…", industry="522110",
                            approved_on=today)  # fmt: skip
    services.event_create(actor=program_manager, title="Live: cattle ranch Q&A", starts_at=timezone.now() + dt.timedelta(days=5),
                          reference_ids=[ranch_ref.pk], industry="1121")  # fmt: skip
    spec = MatchSpec(
        today=today,
        industries=(IndustryTarget("1121", "Cattle Ranching and Farming"),),
        topics="herd tracking",
    )
    offered = selectors.content_for_match(spec)
    assert [o["title"] for o in offered] == ["Webinar: ranch analytics", "Live: cattle ranch Q&A"]
    assert offered[0]["reasons"][0]["criterion"] == "industry"


def test_pages_answer_each_persona(client_for, program_manager, executive, requester, ranch_ref):
    services.activity_log(
        actor=program_manager,
        reference_id=ranch_ref.pk,
        activity_type="media",
        occurred_at="2026-11-01",
    )
    c = client_for(executive)
    for url in (
        "/activities/",
        "/activities/fatigue/",
        "/activities/content/",
        "/activities/events/",
        f"/activities/references/{ranch_ref.pk}/limits/",
    ):
        assert c.get(url).status_code == 200, url
    assert c.get("/activities/new/").status_code == 403
    assert c.get("/activities/import/").status_code == 403
    c = client_for(requester)
    refused = c.post("/activities/new/", {"reference_id": ranch_ref.pk, "activity_type": "media", "occurred_at": "nope",
                                          "status": "completed"})  # fmt: skip
    assert refused.status_code == 422 and b"is not a date" in refused.content
    fragment = c.get("/activities/?activity_type=media", HTTP_HX_REQUEST="true")
    assert b"<html" not in fragment.content and b"Media call" in fragment.content


def test_the_api_lists_creates_and_reports_field_errors(
    client_for, program_manager, executive, ranch_ref
):
    c = client_for(program_manager)
    made = c.post("/api/activities", json.dumps({"reference_id": ranch_ref.pk, "activity_type": "speaking",
                                                 "occurred_at": "2026-11-02"}), content_type="application/json")  # fmt: skip
    assert made.status_code == 201 and made.json()["source"] == "manual"
    bad = c.post("/api/activities", json.dumps({"reference_id": ranch_ref.pk, "activity_type": "x", "occurred_at": "2026-11-02"}),
                 content_type="application/json")  # fmt: skip
    assert bad.status_code == 422 and "activity_type" in bad.json()["details"]
    assert c.get("/api/activities?activity_type=speaking").json()["count"] == 1
    assert c.get("/api/fatigue").status_code == 200
    put = c.put(
        "/api/fatigue/rules/media", json.dumps({"short_cap": 1}), content_type="application/json"
    )
    assert put.json()["short_cap"] == 1
    e = client_for(executive)
    assert (
        e.put(
            "/api/fatigue/rules/media",
            json.dumps({"short_cap": 3}),
            content_type="application/json",
        ).status_code
        == 403
    )


def test_the_cli_imports_all_or_nothing_and_lists(tmp_path, capsys, ranch_ref):
    from refdesk.cli import main

    bad = _csv(
        tmp_path,
        "email,activity_type,date\nada@prairie.example,media,2026-10-01\nada@prairie.example,media,soon\n",
    )
    assert main(["activity", "import", str(bad)]) == 1
    assert "line 3: date" in capsys.readouterr().err
    good = _csv(tmp_path, "email,activity_type,date\nada@prairie.example,media,2026-10-01\n")
    assert (
        main(["activity", "import", str(good), "--dry-run"]) == 0 and not Activity.objects.exists()
    )
    assert main(["activity", "import", str(good)]) == 0
    capsys.readouterr()
    assert main(["activity", "list", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["email"] == "ada@prairie.example"


def test_the_demo_grows_activities_assets_shares_and_events(program_manager, requester, ranch_ref):
    import random

    from refdesk.activities.demo import demo_activities

    for _ in range(5):
        ReferenceFactory(activity_types=["reference_call", "webinar"])
    summary = demo_activities(rng=random.Random(5), today=timezone.now().date(), count=40)
    assert summary["activities"] == 40 and summary["events"] >= 1 and summary["assets"] >= 3
    assert (
        selectors.fatigue_report(user=program_manager, today=timezone.now().date())[
            "activities_in_year"
        ]
        > 0
    )


def test_an_activity_recorded_for_a_request_links_the_request_candidate_and_opportunity(
    requester, ranch_ref
):
    from refdesk.asks.models import ReferenceRequest, RequestCandidate

    request = ReferenceRequest.objects.create(
        requester=requester, prospect="Big Sky Beef", submitted_at=timezone.now()
    )
    candidate = RequestCandidate.objects.create(request=request, reference=ranch_ref)
    activity = services.activity_record(
        actor=None, reference=ranch_ref, activity_type="reference_call", occurred_at=timezone.now(),
        request=request, candidate=candidate,
    )  # fmt: skip
    assert (activity.request, activity.candidate, activity.opportunity_text) == (
        request,
        candidate,
        "Big Sky Beef",
    )
    found = selectors.activity_list(
        user=requester, filters=selectors.ActivityFilters(request_id=request.pk)
    )
    assert list(found) == [activity]
    with pytest.raises(InvalidInput) as err:
        services.activity_log(actor=UserFactory(role=Role.SALES_REP), reference_id=ranch_ref.pk,
                              activity_type="reference_call", occurred_at="2026-11-01", request_id=request.pk)  # fmt: skip
    assert "not one of your requests" in err.value.details["request"]


def test_shares_are_listed_newest_first_with_their_view_counts(client, program_manager, requester):
    asset = services.content_create(actor=program_manager, kind="case_study", title="Ranch story", body="Herd tracking",
                                    approved_on=timezone.now().date())  # fmt: skip
    now = timezone.now()
    older = services.share_create(actor=requester, asset_ids=[asset.pk], prospect="Older", now=now - dt.timedelta(days=2))
    newer = services.share_create(actor=requester, asset_ids=[asset.pk], prospect="Newer", now=now)
    client.get(f"/activities/s/{older.token}/")
    listed = list(selectors.share_list(user=requester))
    assert [s.pk for s in listed] == [newer.pk, older.pk]
    assert [s.view_count for s in listed] == [0, 1]
    assert selectors.share_list(user=requester).ordered
