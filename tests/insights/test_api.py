"""The insights API: one GET per figure, the whole dashboard, the rows, and opportunity upserts."""

import pytest

from refdesk.insights.models import Opportunity, RequestOpportunity

JUNE = "from=2026-06-01&to=2026-06-30"


def test_the_dashboard_endpoint_returns_every_figure(client_for, program):
    response = client_for(program.executive).get(f"/api/insights/dashboard?{JUNE}")
    assert response.status_code == 200
    body = response.json()
    assert body["period"] == {"start": "2026-06-01", "end": "2026-06-30"}
    assert len(body["figures"]) == 16


def test_each_figure_has_its_own_endpoint(client_for, program):
    body = client_for(program.pm).get(f"/api/insights/usage?{JUNE}").json()
    assert body["summary"]["gini"] == 0.45
    assert body["summary"]["top10_share_percent"] == 50.0
    influence = client_for(program.pm).get(f"/api/insights/influence?{JUNE}").json()
    assert influence["rows"][0][:2] == ["With a reference", 1]


@pytest.mark.parametrize(
    "query",
    [
        "from=2026-07-01&to=2026-06-01",
        "from=1900-01-01&to=2026-01-01",
        "to=3000-01-01",
        "from=not-a-date",
    ],
)
def test_a_bad_period_is_a_422_with_a_reason(client_for, program, query):
    response = client_for(program.pm).get(f"/api/insights/sla?{query}")
    assert response.status_code == 422
    assert response.json()["message"]


def test_the_rows_behind_a_figure_come_a_page_at_a_time(client_for, program):
    body = (
        client_for(program.pm).get(f"/api/insights/rows/turnaround?{JUNE}&limit=4&offset=4").json()
    )
    assert body["count"] == 6 and len(body["items"]) == 2
    assert client_for(program.pm).get(f"/api/insights/rows/nope?{JUNE}").status_code == 422


def test_salespeople_are_refused_by_the_api(client_for, program):
    assert client_for(program.olivia).get("/api/insights/dashboard").status_code == 403


def test_a_program_manager_upserts_an_opportunity_by_crm_id(client_for, program):
    client = client_for(program.pm)
    r1 = program.requests[0]
    payload = {"crm_id": "006-NEW", "prospect": "Acme", "amount": "1200.50", "stage": "open", "created_on": "2026-06-01",
               "owner_email": "olivia@vendor.example", "request_ids": [r1.pk]}  # fmt: skip
    first = client.post("/api/insights/opportunities", payload, content_type="application/json")
    assert first.status_code == 200, first.content
    assert first.json()["action"] == "created" and first.json()["opportunity"]["influenced"] is True
    assert RequestOpportunity.objects.get(request=r1).opportunity.crm_id == "006-NEW"
    again = client.post("/api/insights/opportunities", payload, content_type="application/json")
    assert again.json()["action"] == "unchanged"
    won = client.post(
        "/api/insights/opportunities",
        payload | {"stage": "won", "closed_on": "2026-06-20"},
        content_type="application/json",
    )
    assert won.json()["action"] == "updated"
    assert Opportunity.objects.get(crm_id="006-NEW").stage == "won"


def test_an_opportunity_closed_without_a_date_is_refused(client_for, program):
    response = client_for(program.pm).post("/api/insights/opportunities", {"crm_id": "X1", "prospect": "Acme", "stage": "won",
                                            "created_on": "2026-06-01"}, content_type="application/json")  # fmt: skip
    assert response.status_code == 422
    assert "closed_on" in response.json()["details"]


def test_only_program_managers_change_opportunities(client_for, program):
    response = client_for(program.executive).post("/api/insights/opportunities", {"crm_id": "X1", "prospect": "Acme",
                                                  "created_on": "2026-06-01"}, content_type="application/json")  # fmt: skip
    assert response.status_code == 403
