"""The fatigue report's four lists, share expiry at its edge, uploads, and the remaining API doors."""

import datetime as dt
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from refdesk.activities import selectors, services
from refdesk.asks.models import ReferenceRequest, RequestCandidate
from refdesk.core.errors import NotFound
from refdesk.people.choices import Role
from tests.factories import ReferenceFactory, UserFactory

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 23)
NOON = dt.datetime(2026, 11, 23, 12, tzinfo=dt.UTC)


def log(reference, days_ago, kind="reference_call"):
    return services.activity_log(actor=None, reference_id=reference.pk, activity_type=kind,
                                 occurred_at=NOON - dt.timedelta(days=days_ago))  # fmt: skip


def declined(reference, requester, days_ago):
    request = ReferenceRequest.objects.create(
        requester=requester, prospect="Prospect", submitted_at=NOON - dt.timedelta(days=days_ago)
    )
    return RequestCandidate.objects.create(request=request, reference=reference, status="reference_declined",
                                           invited_at=NOON - dt.timedelta(days=days_ago),
                                           responded_at=NOON - dt.timedelta(days=days_ago))  # fmt: skip


def test_the_report_lists_capped_near_tired_and_never_asked_references(program_manager, owner_rep):
    capped, near, tired, never = (ReferenceFactory() for _ in range(4))
    log(capped, 20), log(capped, 16)
    log(near, 20)
    for n in (10, 40, 60):
        declined(tired, owner_rep, n)
    report = selectors.fatigue_report(user=program_manager, today=TODAY)
    assert [(r["reference"], r["activity_type"]) for r in report["capped"]] == [
        (capped, "reference_call")
    ]
    assert (near, "reference_call") in [
        (r["reference"], r["activity_type"]) for r in report["near"]
    ]
    assert [r["reference"] for r in report["need_break"]] == [tired]
    assert (
        never in report["never_asked"]
        and capped not in report["never_asked"]
        and tired not in report["never_asked"]
    )
    # 3 activities over 4 active references: the busiest one (10 %, at least one) took two of three.
    assert report["busiest_share"] == pytest.approx(2 / 3)


def test_a_share_link_works_until_the_moment_it_expires(program_manager, requester_user):
    asset = services.content_create(
        actor=program_manager, kind="testimonial", title="Works", body="Yes", approved_on=TODAY
    )
    share = services.share_create(
        actor=requester_user, asset_ids=[asset.pk], prospect="P", expires_in_days=1, now=NOON
    )
    assert (
        selectors.share_by_token(token=share.token, now=NOON + dt.timedelta(days=1, seconds=-1))
        == share
    )
    with pytest.raises(NotFound):
        selectors.share_by_token(token=share.token, now=NOON + dt.timedelta(days=1))


@pytest.fixture
def requester_user(db):
    return UserFactory(email="rita@vendor.example", role=Role.REQUESTER)


def test_an_uploaded_recording_is_stored_under_media_root_and_served_only_through_its_doors(
    client, client_for, settings, tmp_path, program_manager, requester_user
):
    settings.MEDIA_ROOT = tmp_path
    upload = SimpleUploadedFile("panel.mp4", b"\x00\x01video", content_type="video/mp4")
    asset = services.content_create(
        actor=program_manager, kind="recording", title="Panel", file=upload, approved_on=TODAY
    )
    assert asset.file.path.startswith(str(tmp_path))
    assert (
        client.get(f"/activities/content/{asset.pk}/file/").status_code == 302
    )  # to the login page
    share = services.share_create(actor=requester_user, asset_ids=[asset.pk], prospect="P")
    assert (
        b"".join(client.get(f"/activities/s/{share.token}/files/{asset.pk}/").streaming_content)
        == b"\x00\x01video"
    )
    assert (
        client_for(requester_user).get(f"/activities/content/{asset.pk}/file/").status_code == 200
    )


def test_the_log_page_reads_a_fixed_number_of_queries(
    client_for, program_manager, django_assert_max_num_queries
):
    for _ in range(5):
        log(ReferenceFactory(), 3, "media")
    client = client_for(program_manager)
    client.get("/activities/")
    with django_assert_max_num_queries(8):
        assert client.get("/activities/").status_code == 200


def test_the_api_imports_shares_and_runs_events(client_for, program_manager, requester_user):
    ref = ReferenceFactory(activity_types=["reference_call", "webinar"])
    pm = client_for(program_manager)
    csv = f"email,activity_type,date\n{ref.contact.email},media,2026-10-01\n{ref.contact.email},media,later\n".encode()
    bad = pm.post("/api/activities/import", {"file": SimpleUploadedFile("a.csv", csv)})
    assert bad.status_code == 422 and bad.json()["details"][0]["line"] == 3
    ok = pm.post(
        "/api/activities/import",
        {"file": SimpleUploadedFile("a.csv", csv.rsplit(b"\n", 2)[0] + b"\n")},
    )
    assert ok.status_code == 200 and ok.json()["created"] == 1
    start = (timezone.now() + dt.timedelta(days=2)).isoformat()
    event = pm.post("/api/events", json.dumps({"title": "Panel", "starts_at": start, "reference_ids": [ref.pk]}),
                    content_type="application/json").json()  # fmt: skip
    invited = pm.post(
        f"/api/events/{event['id']}/invites",
        json.dumps({"prospect": "Big Sky"}),
        content_type="application/json",
    )
    invite_id = invited.json()["invites"][0]["id"]
    done = pm.post(f"/api/events/{event['id']}/invites/{invite_id}/attendance", json.dumps({"attended": True}),
                   content_type="application/json")  # fmt: skip
    assert done.json()["influenced_opportunities"] == 1
    rec = pm.post(
        f"/api/events/{event['id']}/recording",
        json.dumps({"url": "https://v.example/p"}),
        content_type="application/json",
    )
    assert rec.status_code == 201 and rec.json()["kind"] == "recording"
    rita = client_for(requester_user)
    share = rita.post("/api/content-shares", json.dumps({"asset_ids": [rec.json()["id"]], "prospect": "Big Sky"}),
                      content_type="application/json")  # fmt: skip
    assert share.status_code == 201 and "/activities/s/" in share.json()["url"]
    assert (
        rita.post(
            "/api/content",
            json.dumps({"kind": "quote", "title": "x", "body": "y"}),
            content_type="application/json",
        ).status_code
        == 403
    )


def test_the_admin_lists_each_model(client_for, program_manager):
    client = client_for(program_manager)
    for name in (
        "activity",
        "fatiguerule",
        "referencefatigue",
        "contentasset",
        "groupevent",
        "contentshare",
    ):
        assert client.get(f"/admin/activities/{name}/").status_code == 200, name
