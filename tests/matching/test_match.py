"""Matching against the database: the ranch-and-bank story, freshness, weights, availability."""

import datetime as dt

import pytest
from django.utils import timezone

from refdesk.activities.services import activity_record
from refdesk.core.errors import Forbidden, InvalidInput
from refdesk.matching import selectors, services
from refdesk.pool import services as pool_services
from refdesk.pool.models import NaicsIndustry
from tests.factories import AccountFactory, ContactFactory, ReferenceFactory

pytestmark = pytest.mark.django_db


def reference(name, *, industry="522110", country="US", products=(), **fields):
    account = AccountFactory(
        name=name,
        industry=NaicsIndustry.objects.get(pk=industry),
        country=country,
        products=list(products),
    )
    return ReferenceFactory(
        contact=ContactFactory(
            account=account, email=f"{name.split()[0].lower()}@customer.example"
        ),
        **fields,
    )


def find(user=None, **query):
    return selectors.match_find(user=user, query=selectors.MatchQuery(**query))


@pytest.fixture
def ranch_and_bank(db):
    bank = reference("First Prairie Bank", industry="522110", products=["Ledger"])
    ranch = reference(
        "Big Sky Cattle Ranch",
        industry="112111",
        country="BR",
        activity_types=["reference_call", "logo"],
    )
    return ranch, bank


def test_a_request_for_a_cattle_ranch_gets_the_ranch_first_and_the_bank_far_below(ranch_and_bank):
    ranch, bank = ranch_and_bank
    result = find(industry="cattle ranch")
    assert result["industry"][0]["code"].startswith("1121")
    ids = [c["reference_id"] for c in result["candidates"]]
    assert ids[0] == ranch.pk
    scores = {c["reference_id"]: c["score"] for c in result["candidates"]}
    assert bank.pk not in scores or scores[bank.pk] < scores[ranch.pk] / 2
    top = result["candidates"][0]
    assert top["reasons"][0]["criterion"] == "industry"
    assert round(sum(r["points"] for r in top["reasons"]), 1) == top["score"]


def test_the_ranch_stays_first_even_when_the_bank_matches_everything_else(ranch_and_bank):
    ranch, bank = ranch_and_bank
    result = find(
        industry="cattle ranch", products=["Ledger"], country="US", languages=["en"], employees=500
    )
    assert [c["reference_id"] for c in result["candidates"]] == [ranch.pk, bank.pk]


def test_a_change_to_the_pool_shows_in_the_next_match_without_a_restart(
    ranch_and_bank, program_manager
):
    ranch, bank = ranch_and_bank
    assert find(industry="1121")["candidates"][0]["reference_id"] == ranch.pk
    pool_services.reference_status_change(
        actor=program_manager, reference=ranch, to_status="paused", reason="holiday"
    )
    after = find(industry="1121")
    assert ranch.pk not in [c["reference_id"] for c in after["candidates"]]
    assert after["excluded_by_rule"] == {"status": 1}

    newcomer = reference("Open Range Beef", industry="112111")
    assert find(industry="1121")["candidates"][0]["reference_id"] == newcomer.pk

    pool_services.account_update(
        actor=program_manager, account=newcomer.contact.account, matching_blocked=True
    )
    assert newcomer.pk not in [c["reference_id"] for c in find(industry="1121")["candidates"]]


def test_a_deleted_reference_leaves_the_next_match(ranch_and_bank):
    ranch, bank = ranch_and_bank
    twin = reference("Lone Star Cattle", industry="112111")
    assert twin.pk in [c["reference_id"] for c in find(industry="1121")["candidates"]]
    twin.delete()  # the admin can; the index counts deletions rather than rows
    after = find(industry="1121")
    assert twin.pk not in [c["reference_id"] for c in after["candidates"]]
    assert after["pool_size"] == 2


def test_a_recorded_call_puts_the_reference_in_cool_down_at_once(ranch_and_bank):
    ranch, _ = ranch_and_bank
    assert find(industry="1121")["candidates"][0]["reference_id"] == ranch.pk
    activity_record(
        actor=None, reference=ranch, activity_type="reference_call", occurred_at=timezone.now()
    )
    result = find(industry="1121")
    assert ranch.pk not in [c["reference_id"] for c in result["candidates"]]
    assert result["excluded_by_rule"] == {"cooldown": 1}
    logo = find(industry="1121", activity_type="logo")
    ranch_row = next(c for c in logo["candidates"] if c["reference_id"] == ranch.pk)
    assert ranch_row["availability"] == "resting"
    assert (
        ranch_row["available_from"] == (timezone.now().date() + dt.timedelta(days=14)).isoformat()
    )


def test_changing_the_weights_changes_the_order_of_the_next_match(program_manager):
    local_bank = reference("Hausbank Bayern", industry="522110", country="DE")
    far_ranch = reference("Outback Cattle", industry="112111", country="AU")
    before = find(industry="cattle ranch", country="DE")
    assert [c["reference_id"] for c in before["candidates"]][:2] == [far_ranch.pk, local_bank.pk]
    services.matching_settings_update(
        actor=program_manager, weights={"industry": 5, "location": 80}
    )
    after = find(industry="cattle ranch", country="DE")
    assert [c["reference_id"] for c in after["candidates"]][:2] == [local_bank.pk, far_ranch.pk]


def test_excluded_references_are_counted_by_rule_and_never_listed(program_manager):
    keep = reference("Keeper Farms", industry="112111")
    reference("Grumpy Ranch", industry="112111", nps=4)
    reference("Quiet Ranch", industry="112111", opted_out=True)
    reference("Logo Only Ranch", industry="112111", activity_types=["logo"])
    reference("Prospect Ranch LLC", industry="112111")
    reference("Rival Ranch", industry="112111")
    result = find(
        industry="1121",
        prospect="prospect ranch",
        competitor="",
        prospect_competitors=["Rival Ranch Inc."],
    )
    assert [c["reference_id"] for c in result["candidates"]] == [keep.pk]
    assert result["excluded_count"] == 5
    assert result["excluded_by_rule"] == {
        "activity": 1,
        "competitor": 1,
        "nps": 1,
        "opted_out": 1,
        "prospect": 1,
    }
    assert result["content"] == []


def test_bad_requests_name_every_bad_field():
    with pytest.raises(InvalidInput) as err:
        find(industry="bank", activity_type="dinner", country="Atlantis", limit=0, employees=0)
    assert set(err.value.details) == {"activity_type", "country", "limit", "employees"}


def test_a_sales_rep_sees_emails_only_of_their_own_customers(owner_rep, other_rep):
    mine = reference("Mine Ranch", industry="112111")
    mine.contact.account.owner = owner_rep
    mine.contact.account.save()
    assert find(owner_rep, industry="1121")["candidates"][0]["email"] == mine.contact.email
    assert find(other_rep, industry="1121")["candidates"][0]["email"] is None


def test_only_signed_in_people_can_match():
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(Forbidden):
        find(AnonymousUser(), industry="bank")


def test_only_a_program_manager_changes_the_weights_and_ranges_are_checked(
    program_manager, owner_rep
):
    with pytest.raises(Forbidden):
        services.matching_settings_update(actor=owner_rep, weights={"industry": 10})
    with pytest.raises(InvalidInput) as err:
        services.matching_settings_update(
            actor=program_manager, weights={"industry": 101, "luck": 5}, cooldown_days=-1
        )
    assert set(err.value.details) == {"weights.industry", "weights.luck", "cooldown_days"}
    settings = services.matching_settings_update(
        actor=program_manager, weights={"industry": 50}, nps_threshold=8
    )
    assert (settings.weight_industry, settings.nps_threshold) == (50, 8)
    assert selectors.matching_settings_get().weight_industry == 50
