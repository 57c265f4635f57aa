import pytest
from django.urls import reverse

from refdesk.pool.models import Account
from refdesk.pool.services import account_update
from tests.factories import AccountFactory, ContactFactory, ReferenceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def ranch_reference(account):
    return ReferenceFactory(contact=ContactFactory(account=account, name="Rita Rancher", email="rita@ranch.example"))


def test_the_pool_needs_a_login(client):
    response = client.get(reverse("pool:reference-list"))
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_it_lists_and_filters_the_pool(client_for, program_manager, ranch_reference):
    bank = AccountFactory(name="First Prairie Bank", country="DE")
    ReferenceFactory(contact=ContactFactory(account=bank, name="Bob Banker"), status="paused")
    client = client_for(program_manager)
    page = client.get(reverse("pool:reference-list")).content.decode()
    assert "Rita Rancher" in page and "Bob Banker" in page
    only_paused = client.get(reverse("pool:reference-list"), {"status": "paused"}).content.decode()
    assert "Bob Banker" in only_paused and "Rita Rancher" not in only_paused
    by_country = client.get(reverse("pool:reference-list"), {"country": "DE"}).content.decode()
    assert "Bob Banker" in by_country and "Rita Rancher" not in by_country
    by_text = client.get(reverse("pool:reference-list"), {"q": "ranch"}).content.decode()
    assert "Rita Rancher" in by_text and "Bob Banker" not in by_text


def test_industry_filter_takes_the_whole_naics_subtree(client_for, program_manager, ranch_reference):
    account_update(actor=program_manager, account=ranch_reference.contact.account, industry="112111")
    bank = AccountFactory(name="Savings Bank", industry_id="522110")
    ReferenceFactory(contact=ContactFactory(account=bank, name="Bob Banker"))
    client = client_for(program_manager)
    agriculture = client.get(reverse("pool:reference-list"), {"industry": "11"}).content.decode()
    assert "Rita Rancher" in agriculture and "Bob Banker" not in agriculture
    finance = client.get(reverse("pool:reference-list"), {"industry": "52"}).content.decode()
    assert "Bob Banker" in finance and "Rita Rancher" not in finance


def test_htmx_gets_only_the_results_fragment(client_for, program_manager, ranch_reference):
    response = client_for(program_manager).get(reverse("pool:reference-list"), HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "reference-table" in body
    assert "<html" not in body


def test_the_pool_page_query_count_does_not_grow_with_rows(client_for, program_manager, account, django_assert_max_num_queries):
    for _ in range(15):
        ReferenceFactory(contact=ContactFactory(account=account))
    client = client_for(program_manager)
    with django_assert_max_num_queries(8):
        client.get(reverse("pool:reference-list"))


def test_a_rep_sees_the_profile_but_not_the_email_of_someone_elses_customer(client_for, other_rep, ranch_reference):
    body = client_for(other_rep).get(reverse("pool:reference-detail", args=[ranch_reference.pk])).content.decode()
    assert "Rita Rancher" in body
    assert "rita@ranch.example" not in body
    assert "hidden until a request of yours" in body


def test_the_account_owner_sees_their_customers_email(client_for, owner_rep, ranch_reference):
    body = client_for(owner_rep).get(reverse("pool:reference-detail", args=[ranch_reference.pk])).content.decode()
    assert "rita@ranch.example" in body


def test_an_approved_grant_reveals_the_email(client_for, program_manager, other_rep, ranch_reference):
    from refdesk.pool.services import contact_access_grant

    contact_access_grant(actor=program_manager, user=other_rep, contact=ranch_reference.contact, reason="request approved")
    body = client_for(other_rep).get(reverse("pool:reference-detail", args=[ranch_reference.pk])).content.decode()
    assert "rita@ranch.example" in body


def test_account_form_shows_field_errors_and_keeps_the_input(client_for, program_manager):
    response = client_for(program_manager).post(
        reverse("pool:account-create"), {"name": "Acme Cattle", "country": "", "employees": "many", "industry": "999999", "gift_policy": "gifts_allowed"}
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert "is not a whole number" in body
    assert "is not a NAICS 2022 code" in body
    assert 'value="Acme Cattle"' in body
    assert not Account.objects.filter(name="Acme Cattle").exists()


def test_a_missing_name_is_reported_with_the_other_problems_at_the_first_try(client_for, program_manager, account):
    """The account and contact forms show every problem at once, not the name first and the rest on the next try."""
    client = client_for(program_manager)
    body = client.post(reverse("pool:account-create"), {"name": "", "employees": "many", "gift_policy": "gifts_allowed"}).content.decode()
    assert "is required" in body and "is not a whole number" in body
    body = client.post(reverse("pool:contact-create", args=[account.pk]), {"name": "", "email": "", "time_zone": "Mars/Olympus"}).content.decode()
    assert body.count("is required") == 2 and "time zone" in body.lower()


def test_a_program_manager_adds_an_account_with_free_text_industry(client_for, program_manager):
    response = client_for(program_manager).post(
        reverse("pool:account-create"), {"name": "Acme Cattle", "industry": "1121", "country": "US", "gift_policy": "gifts_allowed"}
    )
    account = Account.objects.get(name="Acme Cattle")
    assert response.status_code == 302
    assert account.industry_id == "1121"


def test_a_rep_cannot_open_the_new_account_form(client_for, other_rep):
    assert client_for(other_rep).get(reverse("pool:account-create")).status_code == 403


def test_status_change_from_the_page_refuses_an_illegal_step(client_for, program_manager, ranch_reference):
    client = client_for(program_manager)
    response = client.post(reverse("pool:reference-status", args=[ranch_reference.pk]), {"status": "invited"}, follow=True)
    assert "cannot go from active to invited" in response.content.decode()
    response = client.post(reverse("pool:reference-status", args=[ranch_reference.pk]), {"status": "paused", "reason": "busy quarter"}, follow=True)
    ranch_reference.refresh_from_db()
    assert ranch_reference.status == "paused"


def test_reference_edit_saves_lists(client_for, program_manager, ranch_reference):
    client = client_for(program_manager)
    response = client.post(
        reverse("pool:reference-edit", args=[ranch_reference.pk]),
        {"activity_types": ["webinar", "reference_call"], "topics": "herd tracking; payroll", "nps": "10"},
    )
    assert response.status_code == 302
    ranch_reference.refresh_from_db()
    assert ranch_reference.activity_types == ["webinar", "reference_call"]
    assert ranch_reference.topics == ["herd tracking", "payroll"]
    assert ranch_reference.nps == 10


def test_a_missing_reference_is_a_404(client_for, program_manager):
    assert client_for(program_manager).get(reverse("pool:reference-detail", args=[999999])).status_code == 404
