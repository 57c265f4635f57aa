"""Points lapse after the configured period, with notice beforehand; the sweep is idempotent."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from refdesk.rewards import selectors, services
from refdesk.rewards.models import ExpiryNotice, LedgerEntry

pytestmark = pytest.mark.django_db


def _at(months: float) -> dt.datetime:
    return timezone.now() + dt.timedelta(days=30.5 * months)


def test_points_expire_after_24_months_by_default_and_only_once(reference, earned):
    earned()
    holder = services.holder_for_reference(reference.pk)
    assert services.points_expire(now=_at(23)) == 0
    assert services.points_expire(now=_at(24.1)) == 1
    assert services.points_expire(now=_at(24.2)) == 0
    assert selectors.balance_of(holder) == 0
    entry = LedgerEntry.objects.get(kind="expire")
    assert entry.points == -500 and "24 months" in entry.reason


def test_spent_points_do_not_expire_and_the_oldest_go_first(
    program_manager, reference, earned, gift_card, make_activity
):
    earned()  # 500 now
    services.reward_redeem(
        actor=None, reference_id=reference.pk, item_id=gift_card.pk
    )  # spends 300
    later = make_activity(reference, activity_type="reference_call")
    services.reward_credit_for_activity(activity_id=later.pk, at=_at(12))  # 100 a year later
    holder = services.holder_for_reference(reference.pk)
    services.points_expire(now=_at(24.1))
    assert selectors.balance_of(holder) == 100  # the 200 left of the first 500 lapsed
    services.points_expire(now=_at(36.1))
    assert selectors.balance_of(holder) == 0


def test_the_expiry_period_is_configurable(program_manager, reference, earned):
    services.reward_settings_update(actor=program_manager, expiry_months=6)
    earned()
    assert services.points_expire(now=_at(6.2)) == 1


def test_people_are_told_before_their_points_expire_once(
    reference, earned, mailoutbox, django_capture_on_commit_callbacks
):
    earned()
    assert services.expiry_notices_send(now=_at(22)) == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert services.expiry_notices_send(now=_at(23.2)) == 1
    assert services.expiry_notices_send(now=_at(23.3)) == 0
    notice = ExpiryNotice.objects.get()
    assert notice.points == 500
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["ada@prairie.example"] and "500 of your points expire" in message.subject
