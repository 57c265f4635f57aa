"""PostgreSQL cannot store NUL characters: they are dropped from input, never a server error."""

import pytest

from refdesk.pool import services
from refdesk.pool.selectors import ReferenceFilters, account_list, reference_list

pytestmark = pytest.mark.django_db


def test_nul_characters_are_dropped_from_what_is_stored(program_manager):
    account = services.account_create(actor=program_manager, name="Nul\x00 Ranch", blocked_reason="a\x00b", products=["Led\x00ger"])
    account.refresh_from_db()
    assert account.name == "Nul Ranch" and account.blocked_reason == "ab"
    assert [p.name for p in account.products.all()] == ["Ledger"]


def test_nul_characters_in_filters_find_nothing_rather_than_fail(program_manager):
    assert list(reference_list(user=program_manager, filters=ReferenceFilters(q="ranch\x00"))) == []
    assert list(account_list(user=program_manager, q="\x00")) == []
