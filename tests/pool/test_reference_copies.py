"""A reference keeps copies of its account's country and industry, which the pool's filters read."""

import pytest

from refdesk.pool import selectors
from refdesk.pool.importing import pool_import
from refdesk.pool.models import ReferenceProfile
from refdesk.pool.services import account_update
from tests.factories import AccountFactory, ContactFactory, ReferenceFactory

pytestmark = pytest.mark.django_db

HEADER = "account,industry,country,contact,email,status,activities,external_id\n"


def _names(user, **filters) -> set[str]:
    qs = selectors.reference_list(user=user, filters=selectors.ReferenceFilters(**filters))
    return {r.contact.name for r in qs}


def test_a_new_reference_copies_its_accounts_country_and_industry(program_manager):
    account = AccountFactory(country="DE", industry_id="112111")
    ref = ReferenceFactory(contact=ContactFactory(account=account, name="Rita Rancher"))
    ref.refresh_from_db()
    assert (ref.country, ref.industry_code) == ("DE", "112111")


def test_moving_the_account_moves_its_references_in_the_filters(program_manager):
    account = AccountFactory(country="DE", industry_id="112111")
    ReferenceFactory(contact=ContactFactory(account=account, name="Rita Rancher"))
    assert _names(program_manager, country="DE") == {"Rita Rancher"}

    account_update(actor=program_manager, account=account, country="FR", industry="522110")

    assert _names(program_manager, country="DE") == set()
    assert _names(program_manager, country="FR", industry="52") == {"Rita Rancher"}


def test_an_import_that_changes_an_accounts_country_moves_its_references(program_manager, tmp_path):
    path = tmp_path / "pool.csv"
    path.write_text(HEADER + "Yak Ranch,112111,DE,Rita Rancher,rita@yak.example,active,reference_call,R1\n")
    assert pool_import(actor=program_manager, path_or_file=path).ok
    assert ReferenceProfile.objects.get().country == "DE"

    path.write_text(HEADER + "Yak Ranch,522110,AT,Rita Rancher,rita@yak.example,active,reference_call,R1\n")
    assert pool_import(actor=program_manager, path_or_file=path).ok

    ref = ReferenceProfile.objects.get()
    assert (ref.country, ref.industry_code) == ("AT", "522110")
    assert _names(program_manager, country="AT", industry="52") == {"Rita Rancher"}
