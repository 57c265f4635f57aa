"""POST /api/match and /api/matching/settings: permissions, validation, shape."""

import pytest

from tests.matching.test_match import reference

pytestmark = pytest.mark.django_db


def test_anonymous_callers_get_401(client):
    assert (
        client.post("/api/match", {"industry": "bank"}, content_type="application/json").status_code
        == 401
    )
    assert client.get("/api/matching/settings").status_code == 401


def test_it_ranks_references_for_a_signed_in_user(client_for, other_rep):
    ranch = reference("Big Sky Cattle Ranch", industry="112111")
    reference("First Prairie Bank", industry="522110")
    response = client_for(other_rep).post(
        "/api/match", {"industry": "cattle ranch", "limit": 5}, content_type="application/json"
    )
    assert response.status_code == 200
    data = response.json()
    assert data["candidates"][0]["reference_id"] == ranch.pk
    assert data["candidates"][0]["email"] is None  # not their customer
    assert data["content"] == [] and isinstance(data["excluded_count"], int)


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"industry": "bank", "limit": 0}, "limit"),
        ({"industry": "bank", "limit": 101}, "limit"),
        ({"industry": "bank", "limit": "5"}, "limit"),
        ({"industry": "bank", "employees": -3}, "employees"),
        ({"industry": "bank", "activity_type": "dinner"}, "activity_type"),
        ({"industry": "bank", "country": "Atlantis"}, "country"),
        ({"industry": 7}, "industry"),
        ({"industry": "bank", "colour": "blue"}, "colour"),
    ],
)
def test_bad_input_is_a_422_naming_the_field(client_for, program_manager, payload, field):
    response = client_for(program_manager).post(
        "/api/match", payload, content_type="application/json"
    )
    assert response.status_code == 422
    assert field in response.json()["details"]


def test_a_program_manager_changes_the_weights(client_for, program_manager):
    client = client_for(program_manager)
    response = client.put(
        "/api/matching/settings",
        {"weights": {"industry": 55}, "cooldown_days": 21},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json()["weights"]["industry"] == 55 and response.json()["cooldown_days"] == 21
    assert client.get("/api/matching/settings").json()["weights"]["industry"] == 55


def test_a_sales_rep_may_read_but_not_change_the_weights(client_for, other_rep):
    client = client_for(other_rep)
    assert client.get("/api/matching/settings").status_code == 200
    response = client.put(
        "/api/matching/settings", {"weights": {"industry": 1}}, content_type="application/json"
    )
    assert response.status_code == 403


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"weights": {"industry": 101}}, "weights.industry"),
        ({"weights": {"industry": -1}}, "weights.industry"),
        ({"weights": {"luck": 3}}, "weights.luck"),
        ({"nps_threshold": 11}, "nps_threshold"),
        ({"short_window_days": 200, "long_window_days": 100}, "short_window_days"),
    ],
)
def test_out_of_range_settings_are_a_422(client_for, program_manager, payload, field):
    response = client_for(program_manager).put(
        "/api/matching/settings", payload, content_type="application/json"
    )
    assert response.status_code == 422
    assert field in response.json()["details"]
