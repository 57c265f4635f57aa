"""Redeeming points: gift policy, countries, the yearly value cap, stock, approval and refusal."""

from decimal import Decimal

import pytest

from refdesk.core.errors import Forbidden, IllegalTransition, InvalidInput
from refdesk.rewards import selectors, services
from refdesk.rewards.models import CatalogueItem, RewardRefusal

pytestmark = pytest.mark.django_db


def _balance(reference):
    return selectors.reference_rewards_summary(reference.pk)["balance"]


def test_a_redemption_takes_the_points_and_waits_for_approval(
    program_manager, reference, earned, gift_card
):
    earned()
    redemption = services.reward_redeem(
        actor=program_manager, reference_id=reference.pk, item_id=gift_card.pk
    )
    assert redemption.status == "requested" and redemption.value == Decimal("25.00")
    assert _balance(reference) == 200
    gift_card.refresh_from_db()
    assert gift_card.stock == 9


def test_approved_then_fulfilled(program_manager, reference, earned, gift_card):
    earned()
    redemption = services.reward_redeem(
        actor=program_manager, reference_id=reference.pk, item_id=gift_card.pk
    )
    assert (
        services.redemption_approve(actor=program_manager, redemption_id=redemption.pk).status
        == "approved"
    )
    assert (
        services.redemption_fulfil(actor=program_manager, redemption_id=redemption.pk).status
        == "fulfilled"
    )
    with pytest.raises(IllegalTransition):
        services.redemption_refuse(
            actor=program_manager, redemption_id=redemption.pk, reason="changed my mind"
        )
    assert _balance(reference) == 200


def test_a_refused_redemption_returns_the_points_and_the_stock_with_a_logged_reason(
    program_manager, reference, earned, gift_card
):
    earned()
    redemption = services.reward_redeem(
        actor=program_manager, reference_id=reference.pk, item_id=gift_card.pk
    )
    with pytest.raises(InvalidInput):
        services.redemption_refuse(actor=program_manager, redemption_id=redemption.pk, reason="")
    refused = services.redemption_refuse(
        actor=program_manager, redemption_id=redemption.pk, reason="Vendor discontinued the card"
    )
    assert refused.status == "refused" and refused.refusal_reason == "Vendor discontinued the card"
    assert _balance(reference) == 500
    assert [e.kind for e in selectors.ledger_list(holder=refused.holder)] == [
        "reverse",
        "redeem",
        "earn",
    ]
    assert CatalogueItem.objects.get(pk=gift_card.pk).stock == 10
    assert RewardRefusal.objects.get(code="redemption_refused").redemption == refused
    with pytest.raises(IllegalTransition):
        services.redemption_approve(actor=program_manager, redemption_id=redemption.pk)


def test_a_rep_cannot_approve_or_refuse_a_redemption(
    program_manager, owner_rep, reference, earned, gift_card
):
    earned()
    redemption = services.reward_redeem(
        actor=program_manager, reference_id=reference.pk, item_id=gift_card.pk
    )
    with pytest.raises(Forbidden):
        services.redemption_approve(actor=owner_rep, redemption_id=redemption.pk)
    with pytest.raises(Forbidden):
        services.redemption_refuse(actor=owner_rep, redemption_id=redemption.pk, reason="mine")
    with pytest.raises(Forbidden):
        services.reward_redeem(actor=owner_rep, reference_id=reference.pk, item_id=gift_card.pk)


def test_it_refuses_to_overspend_and_logs_why(program_manager, reference, earned, gift_card):
    earned("reference_call")
    with pytest.raises(services.RewardRefused, match="costs 300 points; 100 available"):
        services.reward_redeem(actor=None, reference_id=reference.pk, item_id=gift_card.pk)
    assert _balance(reference) == 100
    assert RewardRefusal.objects.get(code="balance").item == gift_card
    assert CatalogueItem.objects.get(pk=gift_card.pk).stock == 10


def test_a_donation_only_customer_may_redeem_only_donations(
    program_manager, make_reference, make_activity, gift_card, donation, thank_you_item
):
    ref = make_reference(gift_policy="donation_only")
    services.reward_credit_for_activity(
        activity_id=make_activity(ref, activity_type="case_study").pk
    )
    with pytest.raises(services.RewardRefused, match="only a donation"):
        services.reward_redeem(actor=None, reference_id=ref.pk, item_id=gift_card.pk)
    with pytest.raises(services.RewardRefused):
        services.reward_redeem(actor=None, reference_id=ref.pk, item_id=thank_you_item.pk)
    assert (
        services.reward_redeem(actor=None, reference_id=ref.pk, item_id=donation.pk).item
        == donation
    )
    assert RewardRefusal.objects.filter(code="gift_policy").count() == 2
    allowed = {
        row["item"].name: row["allowed"]
        for row in selectors.reference_rewards_summary(ref.pk)["catalogue"]
    }
    assert allowed == {
        "Handwritten thank-you": False,
        "Donation to Code.org": True,
        "Coffee gift card": False,
    }


def test_a_thank_you_only_customer_gets_a_thank_you_and_no_gift(
    make_reference, make_activity, gift_card, donation, thank_you_item
):
    ref = make_reference(gift_policy="thank_you_only")
    services.reward_credit_for_activity(
        activity_id=make_activity(ref, activity_type="case_study").pk
    )
    for item in (gift_card, donation):
        with pytest.raises(services.RewardRefused, match="only a thank-you"):
            services.reward_redeem(actor=None, reference_id=ref.pk, item_id=item.pk)
    redemption = services.reward_redeem(actor=None, reference_id=ref.pk, item_id=thank_you_item.pk)
    assert redemption.points == 0 and redemption.value == 0
    assert _balance(ref) == 500


def test_an_item_is_fulfilled_only_in_its_countries(make_reference, make_activity, gift_card):
    ref = make_reference(country="DE")
    services.reward_credit_for_activity(
        activity_id=make_activity(ref, activity_type="case_study").pk
    )
    with pytest.raises(services.RewardRefused, match="cannot be fulfilled in DE"):
        services.reward_redeem(actor=None, reference_id=ref.pk, item_id=gift_card.pk)
    assert RewardRefusal.objects.get().code == "country"


def test_the_yearly_value_cap_per_person_holds(program_manager, reference, earned, make_activity):
    services.reward_settings_update(actor=program_manager, yearly_value_cap="100.00")
    item = services.catalogue_item_create(
        actor=program_manager,
        name="Conference pass",
        kind="event_pass",
        points_cost=100,
        value="40.00",
    )
    for _ in range(3):
        earned("case_study")
    services.reward_redeem(actor=None, reference_id=reference.pk, item_id=item.pk)
    services.reward_redeem(actor=None, reference_id=reference.pk, item_id=item.pk)
    with pytest.raises(services.RewardRefused, match="yearly limit is 100.00"):
        services.reward_redeem(actor=None, reference_id=reference.pk, item_id=item.pk)
    assert RewardRefusal.objects.get().code == "yearly_cap"
    # A refused redemption no longer counts toward the cap.
    first = selectors.redemption_list(user=program_manager).last()
    services.redemption_refuse(
        actor=program_manager, redemption_id=first.pk, reason="out of budget"
    )
    assert (
        services.reward_redeem(actor=None, reference_id=reference.pk, item_id=item.pk).status
        == "requested"
    )


def test_the_last_item_in_stock_goes_once(program_manager, reference, earned):
    item = services.catalogue_item_create(
        actor=program_manager,
        name="Signed book",
        kind="gift_card",
        points_cost=100,
        value="10",
        stock=1,
    )
    earned()
    services.reward_redeem(actor=None, reference_id=reference.pk, item_id=item.pk)
    with pytest.raises(services.RewardRefused, match="out of stock"):
        services.reward_redeem(actor=None, reference_id=reference.pk, item_id=item.pk)
    assert CatalogueItem.objects.get(pk=item.pk).stock == 0 and _balance(reference) == 400


def test_an_item_taken_off_the_catalogue_cannot_be_redeemed(
    program_manager, reference, earned, gift_card
):
    earned()
    services.catalogue_item_update(actor=program_manager, item_id=gift_card.pk, active=False)
    with pytest.raises(services.RewardRefused, match="no longer offered"):
        services.reward_redeem(actor=None, reference_id=reference.pk, item_id=gift_card.pk)


def test_catalogue_fields_are_checked(program_manager):
    with pytest.raises(InvalidInput) as error:
        services.catalogue_item_create(
            actor=program_manager,
            name="",
            kind="yacht",
            points_cost=-1,
            value="lots",
            countries="Narnia",
        )
    assert set(error.value.details) == {"name", "kind", "points_cost", "value", "countries"}


def test_a_salesperson_redeems_their_own_points(program_manager, other_rep, reference, gift_card):
    services.reward_credit_nomination(nominator=other_rep, reference_id=reference.pk)
    holder = services.holder_for_user(other_rep.pk)
    services.points_adjust(
        actor=program_manager, holder_id=holder.pk, points=300, reason="Contest prize"
    )
    redemption = services.reward_redeem(actor=other_rep, item_id=gift_card.pk)
    assert redemption.holder == holder and selectors.my_points(user=other_rep).balance == 50
    assert list(selectors.redemption_list(user=other_rep)) == [redemption]
