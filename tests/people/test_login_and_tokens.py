import pytest
from django.urls import reverse

from refdesk.core.errors import Conflict, InvalidInput
from refdesk.people.models import ApiToken
from refdesk.people.services import user_create, user_get_or_create_owner

pytestmark = pytest.mark.django_db


def test_it_logs_in_with_email_and_lands_on_the_pool(client, program_manager):
    response = client.post(reverse("people:login"), {"username": "PRIYA@vendor.example", "password": "correct-horse-battery"})
    assert response.status_code == 302
    assert response["Location"] == reverse("pool:reference-list")


def test_a_wrong_password_shows_a_message_not_a_crash(client, program_manager):
    response = client.post(reverse("people:login"), {"username": "priya@vendor.example", "password": "nope"})
    assert response.status_code == 200
    assert "correct email and password" in response.content.decode()


def test_an_owner_created_by_import_cannot_log_in_until_invited(client):
    user = user_get_or_create_owner(email="crm.only@vendor.example")
    assert not user.has_usable_password()
    response = client.post(reverse("people:login"), {"username": "crm.only@vendor.example", "password": ""})
    assert response.status_code == 200


def test_logout_is_a_post(client_for, program_manager):
    client = client_for(program_manager)
    assert client.post(reverse("people:logout")).status_code == 302
    assert client.get(reverse("pool:reference-list")).status_code == 302


def test_tokens_are_shown_once_and_stored_hashed(client_for, other_rep):
    client = client_for(other_rep)
    body = client.post(reverse("people:token-list"), {"name": "CRM sync"}).content.decode()
    token = ApiToken.objects.get(user=other_rep)
    assert "shown only once" in body
    assert token.key_hash not in body
    key = body.split('id="new-key" type="text" readonly value="')[1].split('"')[0]
    assert ApiToken.hash_key(key) == token.key_hash


def test_someone_elses_token_cannot_be_revoked(client_for, other_rep, program_manager):
    from refdesk.people.services import api_token_create

    token, _ = api_token_create(user=program_manager, name="pm")
    response = client_for(other_rep).post(reverse("people:token-revoke", args=[token.pk]), follow=True)
    assert "No such active token" in response.content.decode()
    token.refresh_from_db()
    assert token.revoked_at is None


def test_user_create_refuses_bad_role_and_duplicates(db):
    user_create(email="a@vendor.example", role="executive")
    with pytest.raises(Conflict):
        user_create(email="A@vendor.example")
    with pytest.raises(InvalidInput):
        user_create(email="b@vendor.example", role="wizard")


def test_only_program_managers_reach_the_admin(client_for, program_manager, other_rep):
    assert client_for(other_rep).get("/admin/").status_code == 302
    assert client_for(program_manager).get("/admin/pool/account/").status_code == 200


def test_a_session_is_honoured_until_it_expires(client_for, program_manager):
    import datetime as dt

    from django.contrib.sessions.models import Session
    from django.utils import timezone

    client = client_for(program_manager)
    assert client.get(reverse("pool:reference-list")).status_code == 200
    Session.objects.update(expire_date=timezone.now() - dt.timedelta(seconds=1))
    assert client.get(reverse("pool:reference-list")).status_code == 302
    client.cookies["sessionid"] = "not a key we ever gave"
    assert client.get(reverse("pool:reference-list")).status_code == 302


def test_users_by_id_gives_each_named_user_with_their_name_and_email(program_manager, other_rep):
    from refdesk.people.models import User
    from refdesk.people.selectors import users_by_id

    found = users_by_id({program_manager.pk, other_rep.pk, other_rep.pk + 1000})
    assert set(found) == {program_manager.pk, other_rep.pk}
    for user in (program_manager, other_rep):
        assert (found[user.pk].email, found[user.pk].display_name) == (user.email, user.display_name)
    assert found[other_rep.pk].role == User.objects.get(pk=other_rep.pk).role  # the rest loads when asked
    assert users_by_id([]) == {}
