"""The pool's results table is rendered once per query string and state of the pool, for every reader."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from refdesk.pool import services
from refdesk.pool.choices import ReferenceStatus
from tests.factories import ContactFactory, ReferenceFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _reference_reads(captured) -> int:
    return sum('FROM "pool_referenceprofile"' in q["sql"] and "MAX(" not in q["sql"] for q in captured.captured_queries)


def test_the_same_results_are_not_read_again_until_the_pool_changes(client):
    pm = UserFactory(role="program_manager")
    ReferenceFactory(contact=ContactFactory(name="Rita Rancher"), status=ReferenceStatus.ACTIVE)
    client.force_login(pm)
    first = client.get("/pool/?status=active").content.decode()
    with CaptureQueriesContext(connection) as captured:
        again = client.get("/pool/?status=active").content.decode()
    assert _reference_reads(captured) == 0
    assert "Rita Rancher" in first and "Rita Rancher" in again


def test_a_change_to_the_pool_shows_at_once(client):
    pm = UserFactory(role="program_manager")
    ref = ReferenceFactory(contact=ContactFactory(name="Rita Rancher"), status=ReferenceStatus.ACTIVE)
    client.force_login(pm)
    assert "Rita Rancher" in client.get("/pool/?status=active").content.decode()
    services.reference_status_change(actor=pm, reference=ref, to_status=ReferenceStatus.PAUSED, reason="busy")
    html = client.get("/pool/?status=active").content.decode()
    assert "Rita Rancher" not in html and "0 references" in html


def test_readers_with_other_roles_see_the_same_results(client):
    pm, rep = UserFactory(role="program_manager"), UserFactory(role="sales_rep")
    ReferenceFactory(contact=ContactFactory(name="Rita Rancher"), status=ReferenceStatus.ACTIVE)
    client.force_login(pm)
    client.get("/pool/")
    client.force_login(rep)
    html = client.get("/pool/").content.decode()
    assert "Rita Rancher" in html and rep.display_name in html  # the rest of the page is the rep's own


def test_htmx_gets_only_the_results(client):
    pm = UserFactory(role="program_manager")
    ReferenceFactory(contact=ContactFactory(name="Rita Rancher"), status=ReferenceStatus.ACTIVE)
    client.force_login(pm)
    fragment = client.get("/pool/?status=active", headers={"HX-Request": "true"}).content.decode()
    assert "Rita Rancher" in fragment and "<html" not in fragment and 'id="result-count"' in fragment


def test_the_filters_are_remembered_with_the_results_and_follow_the_products(client):
    """The filter form is part of what is remembered (no product list read per view), and a product
    added or renamed anywhere (the admin too) is offered at once."""
    from refdesk.pool.models import Product

    pm = UserFactory(role="program_manager")
    ReferenceFactory(contact=ContactFactory(name="Rita Rancher"), status=ReferenceStatus.ACTIVE)
    herd = Product.objects.create(name="Herd Tracker")
    client.force_login(pm)
    assert '<option value="Herd Tracker">' in client.get("/pool/?product=Nope").content.decode()
    with CaptureQueriesContext(connection) as captured:
        html = client.get("/pool/?product=Nope").content.decode()
    assert not [q for q in captured.captured_queries if q["sql"].startswith('SELECT "pool_product"')]
    assert 'id="id_product" aria-invalid="true"' in html  # the form's error is remembered with it
    herd.name = "Herd Tracker Pro"
    herd.save()
    Product.objects.create(name="Milk Meter")
    html = client.get("/pool/?product=Nope").content.decode()
    assert '<option value="Herd Tracker Pro">' in html and '<option value="Milk Meter">' in html
    assert '<option value="Herd Tracker">' not in html


def test_no_one_logged_out_gets_the_remembered_page(client):
    pm = UserFactory(role="program_manager")
    ReferenceFactory(contact=ContactFactory(name="Rita Rancher"), status=ReferenceStatus.ACTIVE)
    client.force_login(pm)
    assert "Rita Rancher" in client.get("/pool/").content.decode()
    client.logout()
    for headers in ({}, {"HX-Request": "true"}):
        response = client.get("/pool/", headers=headers)
        assert response.status_code == 302 and b"Rita Rancher" not in response.content


def test_a_filter_value_not_understood_is_dropped_alone_and_said(client):
    """A saved link whose product was renamed still filters by status, and says which filter it dropped."""
    pm = UserFactory(role="program_manager")
    ReferenceFactory(contact=ContactFactory(name="Rita Rancher"), status=ReferenceStatus.ACTIVE)
    ReferenceFactory(contact=ContactFactory(name="Pat Paused"), status=ReferenceStatus.PAUSED)
    client.force_login(pm)
    for headers in ({}, {"HX-Request": "true"}):
        html = client.get("/pool/?status=active&product=Nope", headers=headers).content.decode()
        assert "Rita Rancher" in html and "Pat Paused" not in html
        assert "Filter not applied — Product: Select a valid choice. Nope is not one of the available choices." in html
    assert "Filter not applied" not in client.get("/pool/?status=active").content.decode()
