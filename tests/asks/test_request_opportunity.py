"""Naming the CRM opportunity a request is for: one rule in `request_submit`, through the page, the API and the CLI."""

import datetime as dt
import json

import pytest

from refdesk.asks import services
from refdesk.asks.models import ReferenceRequest
from refdesk.cli import main
from refdesk.core.errors import InvalidInput
from refdesk.insights.models import Opportunity, RequestOpportunity

FORM = {"prospect": "Big Sky Ranch", "industry": "cattle ranch", "activity_type": "reference_call",
        "references_needed": "1", "requester_time_zone": "UTC"}  # fmt: skip


@pytest.fixture
def deals(requester, owner_rep):
    """Rita's open deal at Big Sky, her deal already won, and Olivia's open deal."""

    def make(crm_id, owner, stage="open", prospect="Big Sky Ranch"):
        closed = dt.date(2026, 3, 1) if stage != "open" else None
        return Opportunity.objects.create(crm_id=crm_id, prospect=prospect, owner=owner, stage=stage,
                                          created_on=dt.date(2026, 1, 5), closed_on=closed)  # fmt: skip

    return {
        "open": make("006-BIGSKY", requester),
        "won": make("006-WON", requester, stage="won", prospect="Done Deal Inc"),
        "olivias": make("006-OLIVIA", owner_rep, prospect="Olivia's Prospect"),
    }


def linked(request) -> Opportunity | None:
    link = RequestOpportunity.objects.filter(request=request).first()
    return link.opportunity if link else None


def test_a_request_names_its_opportunity_and_is_linked_in_the_same_step(submit, deals):
    request = submit(opportunity_crm_id=" 006-BIGSKY ")
    assert linked(request) == deals["open"]


def test_a_request_without_an_opportunity_is_linked_to_none(submit, deals):
    assert linked(submit()) is None and linked(submit(opportunity_crm_id="")) is None


def test_an_unknown_crm_id_is_refused_by_field_and_nothing_is_filed(submit, deals):
    with pytest.raises(InvalidInput) as refused:
        submit(opportunity_crm_id="006-NOPE")
    assert "006-NOPE" in refused.value.message and "opportunity" in refused.value.details
    assert not ReferenceRequest.objects.exists() and not RequestOpportunity.objects.exists()


def test_a_closed_opportunity_gets_no_new_request(submit, deals):
    with pytest.raises(InvalidInput) as refused:
        submit(opportunity_crm_id="006-WON")
    assert "already closed won" in refused.value.details["opportunity"]
    assert not ReferenceRequest.objects.exists()


def test_every_problem_is_reported_together(submit, deals):
    with pytest.raises(InvalidInput) as refused:
        submit(prospect="", opportunity_crm_id="006-NOPE")
    assert set(refused.value.details) == {"prospect", "opportunity"}


def test_a_program_manager_filing_for_someone_links_their_deal(
    program_manager, requester, ranch_pool, deals
):
    request = services.request_submit(actor=program_manager, requester=requester, prospect="Big Sky Ranch",
                                      industry="cattle ranch", opportunity_crm_id="006-OLIVIA")  # fmt: skip
    assert linked(request) == deals["olivias"]


# --- the page -----------------------------------------------------------------------------------


def test_the_form_offers_the_requesters_own_open_deals(client_for, requester, ranch_pool, deals):
    page = client_for(requester).get("/requests/new/").content.decode()
    assert 'list="opportunity-choices"' in page
    assert '<option value="006-BIGSKY">Big Sky Ranch</option>' in page
    assert "006-WON" not in page and "006-OLIVIA" not in page


def test_filing_with_a_crm_id_links_it_and_the_request_shows_it(
    client_for, requester, ranch_pool, deals
):
    client = client_for(requester)
    response = client.post("/requests/new/", FORM | {"opportunity": "006-BIGSKY"})
    assert response.status_code == 302
    request = ReferenceRequest.objects.get()
    assert linked(request) == deals["open"]
    page = client.get(response["Location"]).content.decode()
    assert '<dd id="request-opportunity">006-BIGSKY · Big Sky Ranch · Open</dd>' in page


def test_an_unknown_crm_id_is_a_form_error_and_no_request_is_filed(
    client_for, requester, ranch_pool, deals
):
    response = client_for(requester).post("/requests/new/", FORM | {"opportunity": "006-NOPE"})
    text = response.content.decode()
    assert response.status_code == 422
    assert (
        "CRM opportunity &#x27;006-NOPE&#x27; is not the CRM id of an opportunity we know" in text
    )
    assert 'value="006-NOPE"' in text  # what was typed is kept
    assert not ReferenceRequest.objects.exists()


def test_a_request_without_a_link_shows_no_opportunity(client_for, requester, submit):
    request = submit()
    assert (
        "request-opportunity"
        not in client_for(requester).get(f"/requests/{request.pk}/").content.decode()
    )


# --- the API and the CLI ------------------------------------------------------------------------


def _post(client, body):
    return client.post("/api/requests", json.dumps(body), content_type="application/json")


def test_the_api_links_the_named_opportunity(client_for, requester, ranch_pool, deals):
    response = _post(
        client_for(requester),
        {"prospect": "Big Sky Ranch", "industry": "cattle ranch", "opportunity": "006-BIGSKY"},
    )
    assert response.status_code == 201, response.json()
    assert response.json()["opportunity"] == {
        "crm_id": "006-BIGSKY",
        "prospect": "Big Sky Ranch",
        "stage": "open",
    }
    assert linked(ReferenceRequest.objects.get()) == deals["open"]
    detail = client_for(requester).get(f"/api/requests/{response.json()['id']}").json()
    assert detail["opportunity"]["crm_id"] == "006-BIGSKY"


def test_a_request_filed_for_no_opportunity_shows_none(client_for, requester, ranch_pool, deals):
    response = _post(client_for(requester), {"prospect": "Big Sky Ranch", "industry": "cattle ranch"})
    assert response.status_code == 201, response.json()
    assert response.json()["opportunity"] is None
    assert client_for(requester).get(f"/api/requests/{response.json()['id']}").json()["opportunity"] is None


def test_the_api_refuses_an_unknown_or_closed_opportunity_with_422(
    client_for, requester, ranch_pool, deals
):
    client = client_for(requester)
    for crm_id in ("006-NOPE", "006-WON"):
        response = _post(
            client, {"prospect": "Big Sky Ranch", "industry": "cattle ranch", "opportunity": crm_id}
        )
        assert response.status_code == 422
        assert crm_id in response.json()["details"]["opportunity"]
    too_long = _post(
        client, {"prospect": "Big Sky Ranch", "industry": "cattle ranch", "opportunity": "x" * 101}
    )
    assert too_long.status_code == 422
    assert not ReferenceRequest.objects.exists()


def test_the_cli_names_the_opportunity_too(requester, ranch_pool, deals, capsys):
    args = [
        "request",
        "create",
        "--requester",
        requester.email,
        "--prospect",
        "Big Sky",
        "--industry",
        "cattle ranch",
    ]
    assert main([*args, "--opportunity", "006-BIGSKY"]) == 0
    assert "for CRM opportunity 006-BIGSKY" in capsys.readouterr().out
    assert main([*args, "--opportunity", "006-NOPE"]) == 1
    assert "opportunity" in capsys.readouterr().err
    assert ReferenceRequest.objects.count() == 1
