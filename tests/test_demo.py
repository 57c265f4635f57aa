"""`refdesk demo`: a believable, deterministic program that real services could have written."""

from collections import Counter

import pytest
from django.utils import timezone

from refdesk.cli import main
from refdesk.core import geo
from refdesk.core.errors import Conflict
from refdesk.demo import DEMO_PASSWORD, demo_load
from refdesk.people.models import User
from refdesk.pool.choices import STATUS_TRANSITIONS, ReferenceStatus
from refdesk.pool.models import Account, Contact, ReferenceProfile, ReferenceStatusChange
from refdesk.pool.services import reference_search_text
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _snapshot() -> list[tuple]:
    """What must be the same for the same seed (dates move with today, so they are left out)."""
    return sorted(
        (
            r.contact.account.name,
            r.contact.account.industry_id,
            r.contact.account.country,
            r.contact.account.employees,
            r.contact.name,
            r.contact.email,
            r.status,
            tuple(r.topics),
            tuple(r.activity_types),
            r.nps,
            tuple(
                r.status_changes.order_by("changed_at", "pk").values_list("to_status", flat=True)
            ),
        )
        for r in ReferenceProfile.objects.select_related("contact__account")
    )


def _snapshot_of_a_load(seed: int) -> set:
    """Load the demo into the empty test database, snapshot it, and roll the load back."""
    from django.db import transaction

    with transaction.atomic():
        point = transaction.savepoint()
        demo_load(seed=seed, accounts=40, history=False)
        snapshot = _snapshot()
        transaction.savepoint_rollback(point)
    return snapshot


def test_the_same_seed_gives_the_same_program_and_another_seed_another():
    first = _snapshot_of_a_load(7)
    assert first
    assert _snapshot_of_a_load(7) == first
    assert {row[0] for row in _snapshot_of_a_load(8)} != {row[0] for row in first}


def test_a_small_demo_still_covers_every_status_country_and_many_industries():
    summary = demo_load(seed=1, accounts=40, history=False)
    assert summary.accounts == 40
    assert 40 <= summary.contacts <= 120 and summary.references == summary.contacts
    assert set(summary.statuses) == set(ReferenceStatus.values)
    assert len(summary.countries) >= 10
    assert len(summary.industries) >= 25
    assert max(summary.statuses, key=summary.statuses.get) == ReferenceStatus.ACTIVE


def test_every_status_history_follows_the_lifecycle_and_lies_in_the_past():
    demo_load(seed=2, accounts=30, history=False)
    now = timezone.now()
    for reference in ReferenceProfile.objects.prefetch_related("status_changes"):
        history = sorted(reference.status_changes.all(), key=lambda c: (c.changed_at, c.pk))
        assert (history[0].from_status, history[0].to_status) == ("", ReferenceStatus.CANDIDATE)
        for before, after in zip(history, history[1:], strict=False):
            assert after.from_status == before.to_status
            assert after.to_status in STATUS_TRANSITIONS[before.to_status]
            assert before.changed_at < after.changed_at
        assert history[-1].to_status == reference.status
        assert reference.status_changed_at == history[-1].changed_at
        assert history[-1].changed_at <= now and all(c.reason for c in history)
    assert ReferenceStatusChange.objects.count() > ReferenceProfile.objects.count()


def test_profiles_are_searchable_and_contacts_plausible():
    demo_load(seed=3, accounts=30, history=False)
    references = ReferenceProfile.objects.select_related("contact__account__industry")
    for reference in references:
        assert reference.search_text == reference_search_text(reference)
        contact, account = reference.contact, reference.contact.account
        domain = contact.email.split("@")[1]
        assert all(c.email.endswith("@" + domain) for c in account.contacts.all())
        assert geo.is_time_zone(contact.time_zone) and contact.languages
        assert reference.nps is None or 0 <= reference.nps <= 10
    emails = list(Contact.objects.values_list("email", flat=True))
    assert len(emails) == len({e.lower() for e in emails})
    per_account = Counter(Contact.objects.values_list("account_id", flat=True))
    assert set(per_account.values()) <= {1, 2, 3}
    assert all(a.owner and a.products.exists() and a.live_since for a in Account.objects.all())


def test_demo_users_can_log_in_and_existing_users_are_kept():
    UserFactory(
        email="pm@example.com", role="program_manager", is_staff=True
    )  # password stays theirs
    summary = demo_load(seed=4, accounts=5)
    assert "pm@example.com" in summary.users_existing
    roles = Counter(User.objects.values_list("role", flat=True))
    assert roles["sales_rep"] == 8 and roles["requester"] == 2 and roles["executive"] == 1
    assert User.objects.get(email="exec@example.com").check_password(DEMO_PASSWORD)
    assert not User.objects.get(email="pm@example.com").check_password(DEMO_PASSWORD)


def test_the_full_size_pool_is_believable():
    summary = demo_load(seed=1, accounts=300, history=False)
    assert summary.accounts == 300 and 540 <= summary.contacts <= 660
    assert len(summary.countries) >= 10 and len(summary.industries) >= 25
    assert summary.countries["US"] == max(summary.countries.values())
    assert 0.5 <= summary.statuses["active"] / summary.references <= 0.6
    gift_policies = Counter(Account.objects.values_list("gift_policy", flat=True))
    assert (
        gift_policies["gifts_allowed"] > gift_policies["donation_only"] > 0
        and gift_policies["thank_you_only"] > 0
    )
    assert 0 < Account.objects.filter(matching_blocked=True).exclude(blocked_reason="").count() < 30
    assert 0 < ReferenceProfile.objects.filter(opted_out=True).count() < 40
    employees = list(Account.objects.values_list("employees", flat=True))
    assert min(employees) >= 20 and max(employees) <= 200_000 and max(employees) > 20_000


def test_loading_into_a_pool_with_accounts_is_refused():
    demo_load(seed=5, accounts=3)
    with pytest.raises(Conflict):
        demo_load(seed=5, accounts=3)


def test_cli_loads_then_if_empty_leaves_the_pool_alone(capsys):
    assert main(["demo", "--seed", "3", "--accounts", "30", "--pool-only"]) == 0
    out = capsys.readouterr().out
    assert "30 accounts" in out
    assert "Log in at http://127.0.0.1:8000/ as pm@example.com with password refdesk-demo" in out
    before = (
        Account.objects.count(),
        Contact.objects.count(),
        ReferenceStatusChange.objects.count(),
    )

    assert main(["demo", "--if-empty"]) == 0
    out = capsys.readouterr().out
    assert (
        "already loaded" in out and "pm@example.com" in out and len(out.strip().splitlines()) == 1
    )
    assert main(["demo", "--seed", "3", "--accounts", "30"]) == 1
    assert "empty pool" in capsys.readouterr().err
    assert (
        Account.objects.count(),
        Contact.objects.count(),
        ReferenceStatusChange.objects.count(),
    ) == before


def test_the_demo_grows_the_pool_and_runs_referrals():
    from refdesk.growth import selectors as growth_selectors
    from refdesk.growth.models import (
        Escalation,
        GiveBack,
        Nomination,
        OnboardingMilestone,
        SurveyResponse,
        Win,
        WishListEntry,
    )
    from refdesk.notify.models import OutboundEmail
    from refdesk.referrals.models import (
        AskPlanItem,
        FeeRule,
        PassedReferral,
        ReferralFee,
        ReferralLead,
        ReferralTarget,
        SourceCost,
    )

    summary = demo_load(seed=6, accounts=40)
    assert summary.growth and summary.referrals
    stages = Counter(n.stage for n in Nomination.objects.select_related("reference"))
    assert {"submitted", "candidate", "invited", "active", "declined"} <= set(stages)
    assert WishListEntry.objects.exists() and Win.objects.filter(reference__isnull=False).exists()
    assert SurveyResponse.objects.filter(kind="nps").exists() and SurveyResponse.objects.filter(kind="csat").exists()
    assert {"kick_off", "go_live", "check_in", "follow_up"} <= set(OnboardingMilestone.objects.values_list("kind", flat=True))
    assert set(Escalation.objects.values_list("status", flat=True)) == {"open", "closed"}
    assert GiveBack.objects.filter(kind="referral").count() == PassedReferral.objects.count() > 0
    assert growth_selectors.stale_reference_ids()
    sources = set(ReferralLead.objects.values_list("source", flat=True))
    assert sources == {"customer", "partner", "employee", "event", "web"}
    assert {"won", "lost"} <= set(ReferralLead.objects.values_list("stage", flat=True))
    assert set(ReferralFee.objects.values_list("status", flat=True)) <= {"owed", "paid"} and ReferralFee.objects.exists()
    assert FeeRule.objects.count() == 3 and SourceCost.objects.count() == 4
    assert ReferralTarget.objects.count() == 5 and AskPlanItem.objects.exclude(status="planned").exists()
    # A year of history is told on the timeline, never emailed to the referrers.
    assert not OutboundEmail.objects.filter(key__startswith="referral:").exists()
    assert ReferralLead.objects.order_by("received_on").first().received_on < timezone.now().date().replace(day=1)
