import datetime as dt

import pytest
from django.utils import timezone

from refdesk.core.errors import Conflict, Forbidden, IllegalTransition, InvalidInput
from refdesk.growth import rules, selectors, services
from refdesk.growth.models import Nomination
from refdesk.pool.choices import ReferenceStatus
from refdesk.pool.models import ReferenceProfile
from tests.factories import AccountFactory, ContactFactory, ReferenceFactory, UserFactory

TODAY = dt.date(2025, 6, 1)


def ready(days_live, nps, escalations=0):
    return rules.readiness_of(
        live_since=TODAY - dt.timedelta(days=days_live),
        nps=nps,
        open_escalations=escalations,
        today=TODAY,
        min_live_days=90,
        min_nps=9,
    )


@pytest.mark.parametrize("days, expected", [(89, False), (90, True), (91, True)])
def test_it_needs_ninety_days_live(days, expected):
    result = ready(days, 10)
    assert result.ready is expected
    if not expected:
        assert "live only 89 days (needs 90; ready on 2025-06-02)" in result.reasons_not


@pytest.mark.parametrize("nps, expected", [(8, False), (9, True), (10, True)])
def test_it_needs_an_nps_of_nine(nps, expected):
    result = ready(200, nps)
    assert result.ready is expected
    if not expected:
        assert result.reasons_not == ["latest NPS 8 is below 9"]


def test_it_is_not_ready_with_an_open_escalation_or_without_data():
    assert ready(200, 10, escalations=2).reasons_not == ["2 open escalations"]
    blank = rules.readiness_of(
        live_since=None, nps=None, open_escalations=0, today=TODAY, min_live_days=90, min_nps=9
    )
    assert blank.reasons_not == ["no go-live date recorded", "no NPS recorded"]


@pytest.fixture
def candidate(account):
    account.live_since = timezone.now().date() - dt.timedelta(days=120)
    account.save()
    return ReferenceFactory(
        contact=ContactFactory(account=account, email="dana@prairie.example"),
        status=ReferenceStatus.CANDIDATE,
        nps=9,
    )


def test_it_invites_a_ready_candidate(program_manager, candidate):
    services.reference_invite(actor=program_manager, reference=candidate)
    candidate.refresh_from_db()
    assert candidate.status == ReferenceStatus.INVITED
    assert candidate.status_changes.first().reason.startswith("ready: live 120 days")


def test_it_refuses_to_invite_someone_with_an_open_escalation_unless_a_pm_overrides(
    program_manager, owner_rep, candidate, account
):
    services.escalation_open(actor=owner_rep, account=account, summary="Outage in March")
    with pytest.raises(Conflict) as exc:
        services.reference_invite(actor=program_manager, reference=candidate)
    assert "1 open escalation" in exc.value.message
    assert exc.value.details["override_note"]
    assert ReferenceProfile.objects.get(pk=candidate.pk).status == ReferenceStatus.CANDIDATE
    services.reference_invite(
        actor=program_manager, reference=candidate, override_note="CEO asked personally"
    )
    change = candidate.status_changes.first()
    assert change.to_status == ReferenceStatus.INVITED
    assert "CEO asked personally" in change.reason and "1 open escalation" in change.reason


def test_it_invites_again_once_the_escalation_is_closed(
    program_manager, owner_rep, candidate, account
):
    escalation = services.escalation_open(actor=owner_rep, account=account, summary="Outage")
    services.escalation_close(actor=owner_rep, escalation=escalation)
    services.reference_invite(actor=program_manager, reference=candidate)
    assert ReferenceProfile.objects.get(pk=candidate.pk).status == ReferenceStatus.INVITED


def test_a_rep_cannot_invite_even_with_a_note(owner_rep, candidate):
    with pytest.raises(Forbidden):
        services.reference_invite(actor=owner_rep, reference=candidate, override_note="please")


def test_the_readiness_list_shows_ready_first_with_reasons(program_manager, candidate, account):
    late = ReferenceFactory(
        contact=ContactFactory(
            account=AccountFactory(live_since=timezone.now().date() - dt.timedelta(days=10))
        ),
        status=ReferenceStatus.CANDIDATE,
        nps=10,
    )
    rows = selectors.readiness_list(user=program_manager)
    assert [r.pk for r, _ in rows] == [candidate.pk, late.pk]
    assert rows[0][1].ready and not rows[1][1].ready
    assert "live only 10 days" in rows[1][1].reasons_not[0]


def test_thresholds_are_configurable(program_manager, candidate):
    services.growth_settings_update(actor=program_manager, min_live_days="150", min_nps=10)
    assert selectors.reference_readiness(candidate).reasons_not == [
        f"live only 120 days (needs 150; ready on {timezone.now().date() + dt.timedelta(days=30)})",
        "latest NPS 9 is below 10",
    ]
    with pytest.raises(InvalidInput) as exc:
        services.growth_settings_update(actor=program_manager, min_nps=11)
    assert exc.value.details == {"min_nps": "must be between 0 and 10"}


# --- nominations ----------------------------------------------------------------------------


def test_a_rep_nominates_a_happy_customer_and_the_pm_takes_them_to_active(
    program_manager, owner_rep, account
):
    account.live_since = timezone.now().date() - dt.timedelta(days=365)
    account.save()
    contact = ContactFactory(account=account)
    nomination = services.nomination_submit(
        actor=owner_rep, contact=contact, reason="Raved at the QBR"
    )
    assert nomination.stage == "submitted"
    services.nomination_accept(actor=program_manager, nomination=nomination)
    nomination = Nomination.objects.get(pk=nomination.pk)
    assert nomination.stage == ReferenceStatus.CANDIDATE
    assert nomination.credited_points > 0


def test_the_nominator_is_credited_on_the_leaderboard_balance(program_manager, owner_rep, account):
    from refdesk.rewards.models import LedgerEntry

    nomination = services.nomination_submit(
        actor=owner_rep, contact=ContactFactory(account=account), reason="Happy"
    )
    services.nomination_accept(actor=program_manager, nomination=nomination)
    assert LedgerEntry.objects.filter(holder__user=owner_rep, rule="nomination").count() == 1


def test_an_unready_nominee_is_refused_at_invitation_then_activated_after_override(
    program_manager, owner_rep, account
):
    contact = ContactFactory(account=account)
    nomination = services.nomination_submit(
        actor=owner_rep, contact=contact, reason="Pocket reference", kind="pocket_reference"
    )
    services.nomination_accept(actor=program_manager, nomination=nomination)
    with pytest.raises(Conflict) as exc:
        services.nomination_invite(actor=program_manager, nomination=nomination)
    assert "no go-live date recorded" in exc.value.message
    services.nomination_invite(
        actor=program_manager, nomination=nomination, override_note="Live in another division"
    )
    services.nomination_activate(actor=program_manager, nomination=nomination)
    assert Nomination.objects.get(pk=nomination.pk).stage == ReferenceStatus.ACTIVE


def test_a_pm_declines_with_a_reason_and_nothing_is_credited(program_manager, owner_rep, account):
    nomination = services.nomination_submit(
        actor=owner_rep, contact=ContactFactory(account=account), reason="Likes us"
    )
    with pytest.raises(InvalidInput):
        services.nomination_decline(actor=program_manager, nomination=nomination, reason=" ")
    services.nomination_decline(actor=program_manager, nomination=nomination, reason="Churn risk")
    nomination.refresh_from_db()
    assert (nomination.stage, nomination.decline_reason, nomination.credited_points) == (
        "declined",
        "Churn risk",
        0,
    )
    with pytest.raises(IllegalTransition):
        services.nomination_accept(actor=program_manager, nomination=nomination)


def test_a_nominee_declined_after_acceptance_shows_declined(program_manager, owner_rep, account):
    nomination = services.nomination_submit(
        actor=owner_rep, contact=ContactFactory(account=account), reason="Likes us"
    )
    services.nomination_accept(actor=program_manager, nomination=nomination)
    services.nomination_decline(
        actor=program_manager, nomination=nomination, reason="Said no thanks"
    )
    nomination = Nomination.objects.get(pk=nomination.pk)
    assert nomination.stage == ReferenceStatus.DECLINED
    assert nomination.reference.status_changes.first().reason == "Said no thanks"


def test_self_nomination_earns_nothing(program_manager, account):
    rep = UserFactory(email="champion@prairie.example")
    account.owner = rep
    account.save()
    me = ContactFactory(account=account, email="champion@prairie.example")
    nomination = services.nomination_submit(actor=rep, contact=me, reason="I love it")
    services.nomination_accept(actor=program_manager, nomination=nomination)
    nomination.refresh_from_db()
    assert nomination.credited_points == 0
    assert "Self-nomination" in nomination.credit_note


def test_a_rep_nominates_only_at_their_own_accounts_and_can_add_a_new_person(
    owner_rep, other_rep, account
):
    with pytest.raises(Forbidden):
        services.nomination_submit(
            actor=other_rep, account=account, name="Pat", email="pat@prairie.example", reason="x"
        )
    nomination = services.nomination_submit(
        actor=owner_rep,
        account=account,
        name="Pat",
        email="PAT@prairie.example",
        reason="Pocket ref",
    )
    assert (
        nomination.contact.email == "pat@prairie.example" and nomination.contact.account == account
    )


def test_it_refuses_a_second_open_nomination_or_an_existing_reference(owner_rep, account):
    contact = ContactFactory(account=account)
    services.nomination_submit(actor=owner_rep, contact=contact, reason="Happy")
    with pytest.raises(Conflict):
        services.nomination_submit(actor=owner_rep, contact=contact, reason="Again")
    existing = ReferenceFactory(contact=ContactFactory(account=account))
    with pytest.raises(Conflict) as exc:
        services.nomination_submit(actor=owner_rep, contact=existing.contact, reason="Happy")
    assert exc.value.details == {"contact": "is already a reference (active)"}


def test_a_nomination_needs_a_reason(owner_rep, account):
    with pytest.raises(InvalidInput) as exc:
        services.nomination_submit(
            actor=owner_rep, contact=ContactFactory(account=account), reason=""
        )
    assert exc.value.details == {"reason": "is required"}


def test_reps_see_only_their_own_nominations(
    owner_rep, other_rep, program_manager, executive, account
):
    services.nomination_submit(
        actor=owner_rep, contact=ContactFactory(account=account), reason="Happy"
    )
    assert selectors.nomination_list(user=other_rep).count() == 0
    assert selectors.nomination_list(user=owner_rep).count() == 1
    assert selectors.nomination_list(user=executive).count() == 1
