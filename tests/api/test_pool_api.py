import pytest

from refdesk.people.services import api_token_create, api_token_revoke
from refdesk.pool.services import contact_access_grant
from tests.factories import AccountFactory, ContactFactory, ReferenceFactory

pytestmark = pytest.mark.django_db


def bearer(user):
    _, key = api_token_create(user=user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def test_anonymous_gets_a_401_with_a_reason(client):
    response = client.get("/api/references")
    assert response.status_code == 401
    assert "Authentication required" in response.json()["message"]


def test_a_revoked_token_no_longer_works(client, program_manager):
    token, key = api_token_create(user=program_manager, name="crm")
    assert client.get("/api/accounts", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 200
    api_token_revoke(user=program_manager, token_id=token.pk)
    assert client.get("/api/accounts", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 401


def test_a_deactivated_users_token_and_session_stop_working_at_once(client_for, program_manager):
    from django.test import Client

    _, key = api_token_create(user=program_manager, name="crm")
    client, session = Client(), client_for(program_manager)
    assert client.get("/api/accounts", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 200
    assert session.get("/api/accounts").status_code == 200
    program_manager.is_active = False
    program_manager.save()
    assert client.get("/api/accounts", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 401
    assert session.get("/api/accounts").status_code == 401


def test_the_token_holder_is_the_user_the_orm_reads(program_manager):
    from refdesk.people.models import ApiToken, User
    from refdesk.people.selectors import active_token_holder, active_user

    token, key = api_token_create(user=program_manager, name="crm")
    token_id, last_used_at, user = active_token_holder(key_hash=ApiToken.hash_key(key))
    expected = User.objects.get(pk=program_manager.pk)
    assert (token_id, last_used_at) == (token.pk, None)
    for found in (user, active_user(program_manager.pk)):
        assert found == expected and not found._state.adding
        assert {f.attname: getattr(found, f.attname) for f in User._meta.concrete_fields} == {
            f.attname: getattr(expected, f.attname) for f in User._meta.concrete_fields
        }
    assert active_token_holder(key_hash=ApiToken.hash_key(key + "x")) is None
    assert active_user(program_manager.pk + 1000) is None


def test_create_account_contact_and_reference_then_read_them_back(client, program_manager):
    auth = bearer(program_manager)
    account = client.post(
        "/api/accounts",
        {"name": "Big Sky Ranch", "industry": "112111", "country": "us", "employees": 40, "products": ["Ledger"]},
        content_type="application/json", **auth,
    )
    assert account.status_code == 201, account.json()
    assert account.json()["industry"]["code"] == "112111"
    contact = client.post(
        "/api/contacts",
        {"account_id": account.json()["id"], "name": "Rita", "email": "Rita@BigSky.example", "languages": ["English"]},
        content_type="application/json", **auth,
    )
    assert contact.status_code == 201, contact.json()
    assert contact.json()["email"] == "rita@bigsky.example"
    assert contact.json()["languages"] == ["en"]
    reference = client.post(
        "/api/references",
        {"contact_id": contact.json()["id"], "status": "active", "activity_types": ["reference_call"], "nps": 9},
        content_type="application/json", **auth,
    )
    assert reference.status_code == 201, reference.json()
    listed = client.get("/api/references", {"industry": "11", "activity_type": "reference_call"}, **auth).json()
    assert listed["count"] == 1
    assert listed["items"][0]["contact"]["name"] == "Rita"


def test_bad_input_is_a_422_naming_each_field(client, program_manager):
    response = client.post(
        "/api/accounts", {"name": "X", "country": "Atlantis", "industry": "999999"}, content_type="application/json", **bearer(program_manager)
    )
    assert response.status_code == 422
    assert set(response.json()["details"]) == {"country", "industry"}


def test_schema_errors_are_422_json(client, program_manager):
    response = client.post("/api/accounts", {"employees": "many"}, content_type="application/json", **bearer(program_manager))
    assert response.status_code == 422
    assert "name" in response.json()["details"]


def test_a_rep_cannot_create_accounts_and_sees_no_email_of_others_customers(client, other_rep, account):
    ReferenceFactory(contact=ContactFactory(account=account, email="hidden@ranch.example"))
    auth = bearer(other_rep)
    assert client.post("/api/accounts", {"name": "Nope"}, content_type="application/json", **auth).status_code == 403
    item = client.get("/api/references", **auth).json()["items"][0]
    assert item["contact"]["email"] is None
    assert item["contact"]["details_hidden"] is True


def test_the_remembered_references_list_is_still_each_readers_own(client, program_manager, other_rep, owner_rep, account):
    """The list is remembered per process for every reader alike: who may see which email, a
    grant given since, the owner's current name and a change to the pool still show."""
    contact = ContactFactory(account=account, email="rita@ranch.example")
    ReferenceFactory(contact=contact, status="active")
    pm, rep, owner = bearer(program_manager), bearer(other_rep), bearer(owner_rep)

    def first(auth):
        return client.get("/api/references", {"status": "active"}, **auth).json()["items"][0]

    assert first(pm)["contact"]["email"] == "rita@ranch.example"
    assert first(owner)["contact"]["email"] == "rita@ranch.example"
    hidden = first(rep)["contact"]
    assert (hidden["email"], hidden["phone"], hidden["details_hidden"]) == (None, None, True)
    assert first(pm)["contact"]["details_hidden"] is False  # the remembered page was not changed

    contact_access_grant(actor=program_manager, user=other_rep, contact=contact, reason="approved request")
    assert first(rep)["contact"]["email"] == "rita@ranch.example"

    owner_rep.first_name, owner_rep.last_name = "Olive", "Renamed"
    owner_rep.save()
    assert first(pm)["account"]["owner"]["name"] == "Olive Renamed"

    contact.name = "Rita Renamed"
    contact.save()
    assert first(pm)["contact"]["name"] == "Rita Renamed"


def test_illegal_status_change_is_a_409_and_a_legal_one_is_recorded(client, program_manager, account):
    reference = ReferenceFactory(contact=ContactFactory(account=account), status="candidate")
    auth = bearer(program_manager)
    bad = client.post(f"/api/references/{reference.pk}/status", {"status": "active"}, content_type="application/json", **auth)
    assert bad.status_code == 409
    assert "cannot go from candidate to active" in bad.json()["message"]
    good = client.post(f"/api/references/{reference.pk}/status", {"status": "invited", "reason": "QBR"}, content_type="application/json", **auth)
    assert good.status_code == 200
    assert good.json()["status_history"][0]["reason"] == "QBR"


def test_patch_changes_only_what_is_sent(client, program_manager):
    account = AccountFactory(name="Keep Me", employees=100, country="US")
    response = client.patch(f"/api/accounts/{account.pk}", {"employees": 250}, content_type="application/json", **bearer(program_manager))
    assert response.status_code == 200
    assert (response.json()["name"], response.json()["employees"], response.json()["country"]) == ("Keep Me", 250, "US")


def test_unknown_ids_are_404_json(client, program_manager):
    response = client.get("/api/references/424242", **bearer(program_manager))
    assert response.status_code == 404
    assert "424242" in response.json()["message"]


def test_pagination_bounds(client, program_manager, account):
    for _ in range(3):
        ReferenceFactory(contact=ContactFactory(account=account))
    auth = bearer(program_manager)
    page = client.get("/api/references", {"limit": 2, "offset": 2}, **auth).json()
    assert page["count"] == 3 and len(page["items"]) == 1
    assert client.get("/api/references", {"limit": 0}, **auth).status_code == 422


def test_openapi_and_health(client):
    assert client.get("/api/openapi.json").json()["info"]["title"] == "Refdesk API"
    assert client.get("/healthz").json()["status"] == "ok"
