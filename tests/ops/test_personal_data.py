"""Per-person export and erasure, and dated consent records."""

import datetime as dt
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from refdesk.activities.models import Activity
from refdesk.core.errors import Forbidden, InvalidInput
from refdesk.people.models import AuditEntry
from refdesk.pool import privacy, services
from refdesk.pool.models import ConsentRecord, ContactAccessGrant
from tests.factories import ContactFactory, ReferenceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def dana(account):
    contact = ContactFactory(
        account=account,
        name="Dana Diaz",
        email="dana@prairie.example",
        phone="+1 555 0199",
        title="CFO",
    )
    reference = ReferenceFactory(
        contact=contact,
        notes="Loves the reporting module",
        activity_types=["reference_call", "case_study"],
    )
    Activity.objects.create(
        reference=reference,
        activity_type="reference_call",
        status="completed",
        occurred_at=timezone.now() - dt.timedelta(days=3),
        notes="Great call with Acme",
    )
    return reference


def test_consent_is_recorded_with_dates_when_agreed_activities_change(program_manager, dana):
    given = set(
        ConsentRecord.objects.filter(contact=dana.contact, action="given").values_list(
            "activity_type", flat=True
        )
    )
    assert given == {"reference_call", "case_study"}
    services.reference_update(
        actor=program_manager, reference=dana, activity_types=["reference_call", "webinar"]
    )
    latest = ConsentRecord.objects.filter(contact=dana.contact).order_by("-pk")[:2]
    assert {(c.activity_type, c.action, c.source, c.recorded_by) for c in latest} == {
        ("webinar", "given", "staff", program_manager),
        ("case_study", "withdrawn", "staff", program_manager),
    }
    assert all(c.at is not None for c in latest)
    services.reference_update(actor=program_manager, reference=dana, topics=["onboarding"])
    assert ConsentRecord.objects.filter(contact=dana.contact).count() == 4  # no change, no record


def test_the_export_holds_everything_about_the_person(program_manager, dana):
    data = privacy.person_export(dana.contact_id, actor=program_manager, via="page")
    json.dumps(data)
    assert data["contact"]["email"] == "dana@prairie.example"
    assert data["reference"]["notes"] == "Loves the reporting module"
    assert [a["notes"] for a in data["activities"]] == ["Great call with Acme"]
    assert {c["activity_type"] for c in data["consents"]} == {"reference_call", "case_study"}
    assert data["status_history"]
    assert AuditEntry.objects.get().kind == "person_export"


def test_erasure_anonymises_but_keeps_the_counts(program_manager, owner_rep, dana):
    ContactAccessGrant.objects.create(
        user=owner_rep, contact=dana.contact, reason="r", granted_at=timezone.now()
    )
    privacy.person_erase(
        actor=program_manager, contact_id=dana.contact_id, reason="Their email of 2026-03-01"
    )
    dana.refresh_from_db()
    contact = dana.contact
    contact.refresh_from_db()
    assert contact.name == f"Erased person #{contact.pk}"
    assert contact.email == f"erased-{contact.pk}@invalid"
    assert (contact.phone, contact.title) == ("", "")
    assert (dana.status, dana.opted_out, dana.notes, dana.activity_types) == (
        "retired",
        True,
        "",
        [],
    )
    assert "dana" not in dana.search_text and "reporting" not in dana.search_text
    assert Activity.objects.filter(reference=dana).count() == 1
    assert Activity.objects.get(reference=dana).notes == ""
    assert not ContactAccessGrant.objects.filter(contact=contact, revoked_at__isnull=True).exists()
    withdrawn = ConsentRecord.objects.filter(contact=contact, action="withdrawn", source="erasure")
    assert set(withdrawn.values_list("activity_type", flat=True)) == {
        "reference_call",
        "case_study",
    }
    entry = AuditEntry.objects.get(kind="person_erase")
    assert entry.detail == "Their email of 2026-03-01" and entry.object_ids == [contact.pk]


def test_only_program_managers_export_or_erase(owner_rep, dana):
    with pytest.raises(Forbidden):
        privacy.person_export(dana.contact_id, actor=owner_rep)
    with pytest.raises(Forbidden):
        privacy.person_erase(actor=owner_rep, contact_id=dana.contact_id, reason="x")


def test_erasure_needs_a_reason(program_manager, dana):
    with pytest.raises(InvalidInput):
        privacy.person_erase(actor=program_manager, contact_id=dana.contact_id, reason=" ")


def test_the_pages(client_for, program_manager, dana):
    client = client_for(program_manager)
    detail = client.get(reverse("pool:reference-detail", args=[dana.pk])).content.decode()
    assert reverse("pool:person-export", args=[dana.contact_id]) in detail
    response = client.get(reverse("pool:person-export", args=[dana.contact_id]))
    assert (
        response["Content-Type"] == "application/json"
        and "attachment" in response["Content-Disposition"]
    )
    assert json.loads(response.content)["contact"]["name"] == "Dana Diaz"
    assert client.get(reverse("pool:person-erase", args=[dana.contact_id])).status_code == 200
    refused = client.post(reverse("pool:person-erase", args=[dana.contact_id]), {"reason": "asked"})
    assert refused.status_code == 422  # the confirmation box is required
    done = client.post(
        reverse("pool:person-erase", args=[dana.contact_id]), {"reason": "asked", "confirm": "on"}
    )
    assert done.status_code == 302
    dana.contact.refresh_from_db()
    assert dana.contact.name.startswith("Erased person")


def test_other_roles_do_not_see_the_links_or_pages(client_for, owner_rep, dana):
    client = client_for(owner_rep)
    detail = client.get(reverse("pool:reference-detail", args=[dana.pk])).content.decode()
    assert "Erase person" not in detail
    assert client.get(reverse("pool:person-export", args=[dana.contact_id])).status_code == 403
    assert (
        client.post(
            reverse("pool:person-erase", args=[dana.contact_id]), {"reason": "x", "confirm": "on"}
        ).status_code
        == 403
    )


def test_export_and_erasure_reach_nominations_surveys_and_the_referrals_the_person_made(
    program_manager, owner_rep, dana, django_capture_on_commit_callbacks
):
    """The growth and referral programs hold the person too: their nominations and survey answers,
    and the leads they referred (timeline, fee payee). Erasure keeps the figures, not the person."""
    from refdesk.growth.models import Nomination, SurveyResponse
    from refdesk.referrals import services as referrals
    from refdesk.referrals.models import LeadEvent, ReferralFee

    contact = dana.contact
    Nomination.objects.create(contact=contact, nominator=owner_rep, reason="Dana raved about us at the summit", created_at=timezone.now())
    SurveyResponse.objects.create(contact=contact, kind="nps", score=10, answered_on=dt.date(2026, 11, 2), comment="Dana here: love it")
    referrals.fee_rule_create(actor=program_manager, name="Flat", kind="flat", flat_amount="100")
    lead = referrals.lead_create(actor=owner_rep, company="Northwind Grain", source="customer", referrer_contact_id=contact.pk)
    referrals.lead_stage_set(actor=owner_rep, lead=lead, to_stage="won", amount="5000")

    data = privacy.person_export(contact.pk, actor=program_manager, via="page")
    assert [n["reason"] for n in data["nominations"]] == ["Dana raved about us at the summit"]
    assert [r["comment"] for r in data["survey_responses"]] == ["Dana here: love it"]
    [made] = data["referrals_made"]
    assert made["company"] == "Northwind Grain" and made["referrer_email"] == "dana@prairie.example"
    assert any("Dana Diaz" in e["text"] for e in made["timeline"])

    privacy.person_erase(actor=program_manager, contact_id=contact.pk, reason="Their request")
    erased = f"Erased person #{contact.pk}"
    lead.refresh_from_db()
    assert (lead.company, lead.stage, str(lead.amount), lead.referrer_email) == ("Northwind Grain", "won", "5000.00", "")
    texts = list(LeadEvent.objects.filter(lead=lead).values_list("text", flat=True))
    assert texts and not any("Dana" in t or "dana@" in t for t in texts)
    assert any(erased in t for t in texts)
    assert [f.payee_label for f in ReferralFee.objects.filter(lead=lead)] == [f"{erased} (Prairie Cattle Co)"]
    assert Nomination.objects.get(contact=contact).reason == "(erased at the person's request)"
    assert SurveyResponse.objects.get(contact=contact).comment == ""
    assert SurveyResponse.objects.get(contact=contact).score == 10
