"""The pool's list counts are remembered per process until the pool changes, and stay exact."""

import pytest
from django.db import transaction

from refdesk.pool import selectors, services
from refdesk.pool.choices import ReferenceStatus
from tests.factories import ReferenceFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _active(user):
    return selectors.reference_list(user=user, filters=selectors.ReferenceFilters(status="active"))


def test_a_repeated_count_reads_only_the_change_stamps(django_assert_num_queries):
    pm = UserFactory(role="program_manager")
    ReferenceFactory.create_batch(3, status=ReferenceStatus.ACTIVE)
    assert selectors.reference_count(_active(pm)) == 3
    with django_assert_num_queries(1):  # the stamps, no COUNT(*)
        assert selectors.reference_count(_active(pm)) == 3


def test_a_new_reference_is_counted_at_once():
    pm = UserFactory(role="program_manager")
    ReferenceFactory.create_batch(2, status=ReferenceStatus.ACTIVE)
    assert selectors.reference_count(_active(pm)) == 2
    ReferenceFactory(status=ReferenceStatus.ACTIVE)
    assert selectors.reference_count(_active(pm)) == 3


def test_a_status_change_is_counted_at_once():
    pm = UserFactory(role="program_manager")
    refs = ReferenceFactory.create_batch(2, status=ReferenceStatus.ACTIVE)
    assert selectors.reference_count(_active(pm)) == 2
    services.reference_status_change(actor=pm, reference=refs[0], to_status=ReferenceStatus.PAUSED, reason="busy")
    assert selectors.reference_count(_active(pm)) == 1


def test_each_filter_has_its_own_count():
    pm = UserFactory(role="program_manager")
    ReferenceFactory.create_batch(2, status=ReferenceStatus.ACTIVE)
    ReferenceFactory(status=ReferenceStatus.PAUSED)
    paused = selectors.reference_list(user=pm, filters=selectors.ReferenceFilters(status="paused"))
    assert (selectors.reference_count(_active(pm)), selectors.reference_count(paused)) == (2, 1)


def test_inside_a_transaction_nothing_is_remembered():
    pm = UserFactory(role="program_manager")
    ReferenceFactory(status=ReferenceStatus.ACTIVE)
    with transaction.atomic():
        ReferenceFactory(status=ReferenceStatus.ACTIVE)
        assert selectors.reference_count(_active(pm)) == 2
        transaction.set_rollback(True)
    assert selectors.reference_count(_active(pm)) == 1


def test_the_pool_page_and_the_api_show_the_exact_total(client):
    pm = UserFactory(role="program_manager")
    ReferenceFactory.create_batch(3, status=ReferenceStatus.ACTIVE)
    client.force_login(pm)
    assert client.get("/api/references?status=active").json()["count"] == 3
    ReferenceFactory(status=ReferenceStatus.ACTIVE)
    assert client.get("/api/references?status=active").json()["count"] == 4
    assert "4 references" in client.get("/pool/?status=active").content.decode()


def test_a_filter_that_can_match_nothing_counts_zero(client):
    pm = UserFactory(role="program_manager")
    ReferenceFactory(status=ReferenceStatus.ACTIVE)
    client.force_login(pm)
    # "No such product" resolves to no product id, so the list is `.none()` and has no SQL at all.
    response = client.get("/api/references?product=No%20such%20product")
    assert response.status_code == 200 and response.json()["count"] == 0
