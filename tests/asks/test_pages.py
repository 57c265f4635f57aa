"""Request pages: who may see what, fragments for htmx, field errors."""

from refdesk.asks import services
from tests.asks.helpers import first_candidate, fresh


def test_the_new_request_form_shows_field_errors(client_for, requester, ranch_pool):
    response = client_for(requester).post("/requests/new/", {"prospect": "", "industry": "zzqx qqzz", "activity_type": "reference_call",
                                                             "references_needed": "9", "requester_time_zone": "UTC"})  # fmt: skip
    text = response.content.decode()
    assert response.status_code == 422
    assert "Prospect company" in text and "no NAICS industry fits" in text and "between 1 and 5" in text


def test_filing_a_request_lands_on_it_with_candidates(client_for, requester, ranch_pool):
    response = client_for(requester).post("/requests/new/", {"prospect": "Big Sky", "industry": "cattle ranch", "activity_type": "reference_call",
                                                             "references_needed": "1", "requester_time_zone": "America/Chicago"})  # fmt: skip
    assert response.status_code == 302
    page = client_for(requester).get(response["Location"])
    assert "Ben Ranchero" in page.content.decode() or "Ada Lovelace" in page.content.decode()


def test_queues_answer_htmx_with_the_fragment_only(client_for, requester, program_manager, submit):
    submit()
    full = client_for(requester).get("/requests/")
    part = client_for(requester).get("/requests/?status=open", HTTP_HX_REQUEST="true")
    assert b"<html" in full.content and b"<html" not in part.content and b"Big Sky Ranch" in part.content
    assert client_for(program_manager).get("/requests/triage/?sla=due_soon", HTTP_HX_REQUEST="true").status_code == 200


def test_only_a_program_manager_opens_triage_and_settings(client_for, requester, program_manager):
    assert client_for(requester).get("/requests/triage/").status_code == 403
    assert client_for(requester).get("/requests/settings/").status_code == 403
    assert client_for(program_manager).get("/requests/settings/").status_code == 200


def test_the_owner_approves_inline_from_the_queue(client_for, submit, program_manager, owner_rep):
    request = submit()
    candidate = first_candidate(request)
    services.candidate_select(actor=program_manager, request=request, candidate_id=candidate.pk)
    client = client_for(owner_rep)
    assert candidate.reference.contact.name in client.get("/requests/approvals/").content.decode()
    response = client.post(f"/requests/{request.pk}/candidates/{candidate.pk}/decline/", {"reason": "", "next": "/requests/approvals/"})
    assert response["Location"] == "/requests/approvals/" and fresh(candidate).status == "awaiting_approval"
    client.post(f"/requests/{request.pk}/candidates/{candidate.pk}/approve/", {"next": "/requests/approvals/"})
    assert fresh(candidate).status == "invited"
    assert "Invitation sent" in client.get("/requests/approvals/").content.decode()


def test_an_outsider_cannot_act_on_a_request(client_for, submit, other_rep):
    request = submit()
    response = client_for(other_rep).post(f"/requests/{request.pk}/withdraw/")
    assert response.status_code == 404


def test_the_triage_list_needs_few_queries(client_for, program_manager, submit, django_assert_max_num_queries):
    for n in range(5):
        submit(prospect=f"Ranch {n}")
    client = client_for(program_manager)
    with django_assert_max_num_queries(12):
        client.get("/requests/triage/")
