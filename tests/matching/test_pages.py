"""The "Find a reference" page and the matching rules page."""

import pytest

from tests.matching.test_match import reference

pytestmark = pytest.mark.django_db


def test_the_find_page_ranks_and_explains(client_for, other_rep):
    ranch = reference("Big Sky Cattle Ranch", industry="112111")
    reference("First Prairie Bank", industry="522110")
    response = client_for(other_rep).get(
        "/match/", {"industry": "cattle ranch", "activity_type": "reference_call"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Big Sky Cattle Ranch" in html and "First Prairie Bank" not in html
    assert f'id="candidate-{ranch.pk}"' in html
    assert "1121" in html and "free" in html and "excluded by the rules" in html
    assert "<html" in html


def test_htmx_gets_only_the_results(client_for, other_rep):
    reference("Big Sky Cattle Ranch", industry="112111")
    response = client_for(other_rep).get("/match/", {"industry": "1121"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200 and "Big Sky Cattle Ranch" in html and "<html" not in html


def test_a_bad_request_shows_the_error_on_the_form(client_for, other_rep):
    response = client_for(other_rep).get("/match/", {"industry": "bank", "country": "Atlantis"})
    assert response.status_code == 422
    assert "Atlantis" in response.content.decode()


def test_anonymous_visitors_are_sent_to_log_in(client):
    assert client.get("/match/").status_code == 302


def test_only_a_program_manager_edits_the_rules(client_for, other_rep, program_manager):
    assert client_for(other_rep).get("/match/settings/").status_code == 403
    client = client_for(program_manager)
    assert client.get("/match/settings/").status_code == 200
    form = {f"weight_{c}": 10 for c in ["industry", "products", "location", "time_zone", "language", "size", "topics",
                                         "competitor", "satisfaction", "fairness"]}  # fmt: skip
    form.update(
        nps_threshold=8,
        short_cap=2,
        short_window_days=30,
        long_cap=6,
        long_window_days=90,
        cooldown_days=7,
    )
    assert client.post("/match/settings/", form).status_code == 302
    assert client.get("/api/matching/settings").json()["weights"]["industry"] == 10
    form["weight_industry"] = 150
    response = client.post("/match/settings/", form)
    assert response.status_code == 422
