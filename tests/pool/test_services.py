import pytest

from refdesk.core.errors import Conflict, Forbidden, IllegalTransition, InvalidInput
from refdesk.pool import services
from refdesk.pool.models import ReferenceStatusChange
from tests.factories import ContactFactory, ReferenceFactory

pytestmark = pytest.mark.django_db


def test_it_creates_an_account_from_free_text_industry_and_an_unknown_owner(program_manager):
    account = services.account_create(
        actor=program_manager, name="Big Sky Ranch", industry="1121", country="United States",
        employees="1,200", products="Ledger; Payroll", owner_email="New.Rep@Vendor.example",
    )
    assert account.industry_id == "1121"
    assert account.country == "US"
    assert account.employees == 1200
    assert sorted(p.name for p in account.products.all()) == ["Ledger", "Payroll"]
    assert account.owner.email == "new.rep@vendor.example"
    assert not account.owner.has_usable_password()


def test_it_lists_every_bad_field_at_once(program_manager):
    with pytest.raises(InvalidInput) as err:
        services.account_create(actor=program_manager, name="", country="Atlantis", employees="lots", industry="999999")
    assert set(err.value.details) == {"name", "country", "employees", "industry"}


def test_it_refuses_a_second_contact_with_the_same_email_in_another_case(account):
    ContactFactory(account=account, email="ann@prairie.example")
    with pytest.raises(Conflict):
        services.contact_create(actor=None, account=account, name="Ann Again", email="ANN@Prairie.example")


def test_a_sales_rep_cannot_add_accounts(other_rep):
    with pytest.raises(Forbidden):
        services.account_create(actor=other_rep, name="Nope")


def test_an_account_owner_can_edit_their_own_account_but_not_reassign_it(owner_rep, other_rep, account):
    services.account_update(actor=owner_rep, account=account, employees=900)
    assert account.employees == 900
    with pytest.raises(Forbidden):
        services.account_update(actor=owner_rep, account=account, owner_email=other_rep.email)
    with pytest.raises(Forbidden):
        services.account_update(actor=other_rep, account=account, employees=5)


def test_status_follows_the_lifecycle_and_records_who_and_why(program_manager, account):
    reference = ReferenceFactory(contact=ContactFactory(account=account), status="candidate")
    services.reference_status_change(actor=program_manager, reference=reference, to_status="invited", reason="happy at QBR")
    services.reference_status_change(actor=program_manager, reference=reference, to_status="active")
    reference.refresh_from_db()
    assert reference.status == "active"
    last = ReferenceStatusChange.objects.filter(reference=reference).first()
    assert (last.from_status, last.to_status, last.changed_by) == ("invited", "active", program_manager)
    assert ReferenceStatusChange.objects.filter(reference=reference, reason="happy at QBR").exists()


def test_it_refuses_an_illegal_status_change_with_the_allowed_ones(program_manager, account):
    reference = ReferenceFactory(contact=ContactFactory(account=account), status="candidate")
    with pytest.raises(IllegalTransition) as err:
        services.reference_status_change(actor=program_manager, reference=reference, to_status="paused")
    assert "declined, invited, retired" in err.value.message
    reference.refresh_from_db()
    assert reference.status == "candidate"


def test_a_stale_status_change_is_refused(program_manager, account):
    reference = ReferenceFactory(contact=ContactFactory(account=account), status="active")
    stale = type(reference).objects.get(pk=reference.pk)
    services.reference_status_change(actor=program_manager, reference=reference, to_status="paused")
    with pytest.raises(Conflict):
        services.reference_status_change(actor=program_manager, reference=stale, to_status="retired")


def test_search_words_follow_account_changes(program_manager, account):
    reference = ReferenceFactory(contact=ContactFactory(account=account))
    services.account_update(actor=program_manager, account=account, name="Longhorn Holdings", products="Ledger")
    reference.refresh_from_db()
    assert "longhorn holdings" in reference.search_text
    assert "ledger" in reference.search_text
