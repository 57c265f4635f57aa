"""The requests API through every state, and illegal steps refused with 409 and a reason."""

import datetime as dt
import json

import pytest

from refdesk.asks import links
from refdesk.asks.models import ReferenceRequest, RequestCandidate


@pytest.fixture
def api(client_for):
    def call(user, method, path, body=None):
        client = client_for(user)
        if method == "get":
            return client.get(f"/api{path}")
        return client.post(f"/api{path}", json.dumps(body or {}), content_type="application/json")

    return call


def test_it_drives_a_request_through_every_state(api, requester, program_manager, owner_rep, ranch_pool, client):
    created = api(requester, "post", "/requests", {
        "prospect": "Big Sky Ranch", "industry": "cattle ranch", "country": "US", "employees": 300,
        "products": ["Herd Tracker"], "amount": "250000.00", "stage": "evaluation", "competitor": "Acme Ag",
        "references_needed": 1, "needed_by": (dt.date.today() + dt.timedelta(days=14)).isoformat(),
    })  # fmt: skip
    assert created.status_code == 201, created.json()
    data = created.json()
    rid, cid = data["id"], data["candidates"][0]["id"]
    assert data["status"] == "candidates_proposed" and data["sla"]["state"] in ("due_soon", "on_time")
    assert data["candidates"][0]["reasons"] and data["candidates"][0]["email"] is None

    r = api(program_manager, "post", f"/requests/{rid}/candidates/{cid}/select")
    assert r.status_code == 200 and r.json()["candidates"][0]["status"] == "awaiting_approval"
    r = api(owner_rep, "post", f"/requests/{rid}/candidates/{cid}/approve", {"reason": "go ahead"})
    assert r.json()["candidates"][0]["status"] == "invited"

    token = links.token_for(RequestCandidate.objects.get(pk=cid))
    view = client.get(f"/api/respond/{token}")
    assert view.status_code == 200 and "amount" not in view.json()
    start = (dt.datetime.now(dt.UTC) + dt.timedelta(days=2)).replace(microsecond=0)
    r = client.post(f"/api/respond/{token}", json.dumps({
        "action": "accept", "time_zone": "Europe/Berlin",
        "slots": [{"starts_at": start.isoformat(), "ends_at": (start + dt.timedelta(minutes=30)).isoformat()}],
    }), content_type="application/json")  # fmt: skip
    assert r.status_code == 200 and r.json()["status"] == "accepted"

    detail = api(requester, "get", f"/requests/{rid}").json()
    assert detail["status"] == "fulfilled" and detail["candidates"][0]["email"] == "ben@mesa.example" or detail["candidates"][0]["email"]
    slot_id = detail["candidates"][0]["slots"][0]["id"]
    r = api(requester, "post", f"/requests/{rid}/candidates/{cid}/schedule", {"slot_id": slot_id})
    assert r.json()["candidates"][0]["status"] == "scheduled"
    r = api(requester, "post", f"/requests/{rid}/candidates/{cid}/schedule",
            {"starts_at": (start + dt.timedelta(days=1)).isoformat(), "duration_minutes": 60, "reason": "moved"})  # fmt: skip
    assert r.status_code == 200 and r.json()["timeline"][-1]["kind"] == "call.rescheduled"
    r = api(requester, "post", f"/requests/{rid}/candidates/{cid}/complete")
    assert r.json()["status"] == "completed"
    r = client.post(f"/api/respond/{token}", json.dumps({"action": "feedback", "rating": 5, "could_speak_to_subject": True}),
                    content_type="application/json")  # fmt: skip
    assert r.status_code == 200
    r = api(requester, "post", f"/requests/{rid}/candidates/{cid}/feedback", {"rating": 4, "helped": True, "comment": "Great"})
    data = r.json()
    assert data["status"] == "closed"
    timeline = data["timeline"]
    assert all(set(e) >= {"kind", "from_status", "to_status", "actor", "at", "reason"} for e in timeline)
    assert [e["kind"] for e in timeline][-3:] == ["feedback.given", "feedback.given", "request.closed"]
    name = data["candidates"][0]["name"]
    assert {e["reference"] for e in timeline if e["candidate_id"] == cid} == {name}
    assert {e["reference"] for e in timeline if e["candidate_id"] is None} == {None}


def test_illegal_steps_answer_409_with_the_reason_and_allowed_steps(api, requester, program_manager, owner_rep, ranch_pool):
    rid = api(requester, "post", "/requests", {"prospect": "X Ranch", "industry": "112111"}).json()["id"]
    cid = ReferenceRequest.objects.get(pk=rid).candidates.order_by("rank").first().pk
    assert api(owner_rep, "post", f"/requests/{rid}/candidates/{cid}/approve").status_code == 404  # not theirs to see yet
    r = api(program_manager, "post", f"/requests/{rid}/candidates/{cid}/approve")
    assert r.status_code == 409
    assert r.json()["details"]["allowed"] == ["select"]
    r = api(requester, "post", f"/requests/{rid}/candidates/{cid}/complete")
    assert r.status_code == 409 and "Cannot complete" in r.json()["message"]
    assert api(requester, "post", f"/requests/{rid}/close").status_code == 409
    assert api(requester, "post", f"/requests/{rid}/candidates/{cid}/select").status_code == 403
    assert api(requester, "post", f"/requests/{rid}/withdraw", {"reason": "lost"}).json()["status"] == "withdrawn"
    r = api(program_manager, "post", f"/requests/{rid}/cancel", {"reason": "dup"})
    assert r.status_code == 409 and "withdrawn" in r.json()["message"]


def test_bad_input_answers_422_by_field(api, requester, ranch_pool):
    r = api(requester, "post", "/requests", {"prospect": "X", "industry": "zzqx qqzz", "references_needed": 6})
    assert r.status_code == 422
    r = api(requester, "post", "/requests", {"prospect": "X", "industry": "zzqx qqzz", "country": "Atlantis"})
    assert r.status_code == 422 and set(r.json()["details"]) == {"industry", "country"}


def test_list_filters_and_paginates(api, requester, program_manager, ranch_pool):
    for n in range(3):
        api(requester, "post", "/requests", {"prospect": f"Ranch {n}", "industry": "cattle ranch"})
    page = api(requester, "get", "/requests?limit=2&mine=true").json()
    assert page["count"] == 3 and len(page["items"]) == 2
    assert api(program_manager, "get", "/requests?status=withdrawn").json()["count"] == 0
    assert api(program_manager, "get", "/requests?q=Ranch%201").json()["count"] == 1


def test_a_tampered_token_answers_400_and_an_unknown_action_422(client, ranch_pool):
    assert client.get("/api/respond/abc").status_code == 400
    r = client.post("/api/respond/abc", json.dumps({"action": "dance"}), content_type="application/json")
    assert r.status_code == 422


def test_policies_through_the_api(api, program_manager, owner_rep, requester):
    r = api(program_manager, "get", "/request-sla")
    assert r.json()["acceptance_within_hours"] == 24 and r.json()["approval_within_hours"] == 8
    from django.test import Client

    client = Client()
    client.force_login(program_manager)
    r = client.put("/api/request-sla", json.dumps({"approval_within_hours": 4}), content_type="application/json")
    assert r.json()["approval_within_hours"] == 4
    r = client.put("/api/request-workflows", json.dumps({"fulfilment": "self_service", "owner_approval": False,
                                                          "feedback_required": True}), content_type="application/json")  # fmt: skip
    assert r.status_code == 200
    client.force_login(requester)
    r = client.put("/api/request-sla", json.dumps({"approval_within_hours": 1}), content_type="application/json")
    assert r.status_code == 403
    client.force_login(owner_rep)
    r = client.put("/api/me/approval-policy", json.dumps({"mode": "always"}), content_type="application/json")
    assert r.json()["mode"] == "always"


@pytest.mark.parametrize("filer", ["requester", "program_manager"])
def test_the_answer_to_filing_is_what_reading_the_request_shows_without_reading_it_back(
    api, requester, program_manager, ranch_pool, filer
):
    """The 201 is built from the rows just written (the request is not selected again), and says
    exactly what a GET of the request then says, for the requester and for a PM filing for them."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    who = {"requester": requester, "program_manager": program_manager}[filer]
    body = {"prospect": "Big Sky Ranch", "industry": "cattle ranch", "country": "US", "employees": 300,
            "products": ["Herd Tracker"], "amount": "250000", "topics": "herd health",
            "needed_by": (dt.date.today() + dt.timedelta(days=14)).isoformat()}  # fmt: skip
    if filer == "program_manager":
        body["requester_email"] = requester.email
    with CaptureQueriesContext(connection) as queries:
        created = api(who, "post", "/requests", body)
    assert created.status_code == 201, created.json()
    read_back = [q["sql"] for q in queries if q["sql"].startswith('SELECT "asks_referencerequest"."id"')]
    assert read_back == []
    # Matched before it is written: one INSERT of the request in its final state, one of its two
    # events, no UPDATE after, and the industry's title from memory.
    touched = [
        q["sql"].split(" (")[0].split(" SET")[0]
        for q in queries
        if "asks_referencerequest\" SET" in q["sql"] or "INTO \"asks_r" in q["sql"] or "naicsindustry" in q["sql"]
    ]
    assert touched == ['INSERT INTO "asks_referencerequest"', 'INSERT INTO "asks_requestcandidate"',
                       'INSERT INTO "asks_requestevent"'], touched  # fmt: skip
    filed = created.json()
    assert len(filed["candidates"]) >= 1 and [e["kind"] for e in filed["timeline"]] == [
        "request.submitted", "request.candidates_proposed"
    ]
    assert api(who, "get", f"/requests/{filed['id']}").json() == filed


def test_a_preloaded_relation_is_read_without_a_query(requester, django_assert_num_queries):
    from refdesk.asks.models import RequestEvent
    from refdesk.core.preload import is_preloaded, preload

    request = ReferenceRequest.objects.create(requester=requester, prospect="Acme", submitted_at=dt.datetime.now(dt.UTC))
    event = RequestEvent(request=request, kind="request.submitted", at=request.submitted_at)
    assert not is_preloaded(request, "events")
    preload(request, "events", [event])
    assert is_preloaded(request, "events")
    with django_assert_num_queries(0):
        assert list(request.events.all()) == [event]
