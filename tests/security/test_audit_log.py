"""Every showing of a contact's email/phone and every export is in the audit log a PM can read."""

import pytest
from django.urls import reverse

from refdesk.people.models import AuditEntry
from refdesk.people.services import api_token_create
from tests.factories import ContactFactory, ReferenceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def reference(account):
    return ReferenceFactory(
        contact=ContactFactory(account=account, name="Dana Diaz", email="dana@prairie.example")
    )


def test_a_program_manager_seeing_a_reference_page_is_recorded_with_ip(
    client_for, program_manager, reference
):
    client_for(program_manager).get(
        reverse("pool:reference-detail", args=[reference.pk]), REMOTE_ADDR="192.0.2.10"
    )
    entry = AuditEntry.objects.get()
    assert (entry.kind, entry.via, entry.actor, entry.object_ids, entry.ip) == (
        "contact_view",
        "page",
        program_manager,
        [reference.contact_id],
        "192.0.2.10",
    )


def test_nothing_is_recorded_when_the_details_stay_hidden(client_for, other_rep, reference):
    response = client_for(other_rep).get(reverse("pool:reference-detail", args=[reference.pk]))
    assert response.status_code == 200 and "dana@prairie.example" not in response.content.decode()
    assert not AuditEntry.objects.exists()


def test_the_account_owner_seeing_contacts_on_the_account_page_is_recorded(
    client_for, owner_rep, reference, account
):
    client_for(owner_rep).get(reverse("pool:account-detail", args=[account.pk]))
    assert AuditEntry.objects.get().object_ids == [reference.contact_id]


def test_api_contact_and_reference_reads_are_recorded(client, program_manager, reference):
    _, key = api_token_create(user=program_manager, name="t")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    assert client.get(f"/api/contacts/{reference.contact_id}", **auth).status_code == 200
    assert client.get(f"/api/references/{reference.pk}", **auth).status_code == 200
    assert client.get("/api/references", **auth).status_code == 200
    assert list(AuditEntry.objects.values_list("via", "kind")) == [("api", "contact_view")] * 3


def test_pool_exports_are_recorded_from_every_door(
    client_for, program_manager, reference, tmp_path
):
    from refdesk.cli import main

    client = client_for(program_manager)
    b"".join(client.get(reverse("pool:export")).streaming_content)
    b"".join(client.get("/api/exports/references.csv").streaming_content)
    assert main(["export", str(tmp_path / "out.csv")]) == 0
    rows = list(AuditEntry.objects.order_by("pk").values_list("kind", "via"))
    assert rows == [("pool_export", "page"), ("pool_export", "api"), ("pool_export", "cli")]
    assert AuditEntry.objects.get(via="cli").count == 1


def test_program_managers_read_and_filter_the_log(client_for, program_manager, reference, account):
    client = client_for(program_manager)
    client.get(reverse("pool:reference-detail", args=[reference.pk]))
    b"".join(client.get(reverse("pool:export")).streaming_content)
    page = client.get(reverse("people:audit-list"), {"kind": "pool_export"}).content.decode()
    assert "Pool exported" in page and "Contact details shown" not in page.split("<tbody>")[1]
    by_contact = client.get(
        reverse("people:audit-list"), {"contact_id": reference.contact_id}
    ).content.decode()
    assert f"contact {reference.contact_id}" in by_contact
    data = client.get("/api/audit", {"kind": "contact_view"}).json()
    assert data["count"] == 1 and data["items"][0]["object_ids"] == [reference.contact_id]


def test_the_log_is_linked_from_every_page_for_program_managers_only(client_for, program_manager, owner_rep):
    link = f'href="{reverse("people:audit-list")}"'
    assert link in client_for(program_manager).get(reverse("pool:reference-list")).content.decode()
    assert link not in client_for(owner_rep).get(reverse("pool:reference-list")).content.decode()


def test_nobody_else_reads_the_log(client_for, owner_rep):
    client = client_for(owner_rep)
    assert client.get(reverse("people:audit-list")).status_code == 403
    assert client.get("/api/audit").status_code == 403
