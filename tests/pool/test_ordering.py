"""The pool's orders and filters read the same on SQLite and PostgreSQL."""

import pytest

from refdesk.pool import selectors
from tests.factories import ContactFactory, ReferenceFactory

pytestmark = pytest.mark.django_db


def test_highest_nps_lists_references_without_a_score_last(program_manager):
    for name, nps in (("Ann", None), ("Bea", 7), ("Cal", 10), ("Dee", None), ("Eve", 10)):
        ReferenceFactory(contact=ContactFactory(name=name), nps=nps)
    qs = selectors.reference_list(user=program_manager, filters=selectors.ReferenceFilters(order="-nps"))
    assert [r.contact.name for r in qs] == ["Cal", "Eve", "Bea", "Ann", "Dee"]


def test_the_activity_filter_ignores_case(program_manager):
    ReferenceFactory(contact=ContactFactory(name="Wes"), activity_types=["webinar"])
    ReferenceFactory(contact=ContactFactory(name="Cas"), activity_types=["case_study"])
    qs = selectors.reference_list(user=program_manager, filters=selectors.ReferenceFilters(activity_type="Webinar"))
    assert [r.contact.name for r in qs] == ["Wes"]
