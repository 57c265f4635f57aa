"""Rewards fixtures: a reference at an account Olivia owns, activities, a small catalogue."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from refdesk.activities.choices import ActivityStatus
from refdesk.activities.models import Activity
from refdesk.rewards import services
from tests.factories import AccountFactory, ContactFactory, ReferenceFactory

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def _immediate_tasks(settings):
    settings.TASKS = IMMEDIATE


@pytest.fixture
def reference(account):
    """Ada, a happy customer at Prairie Cattle Co (owned by Olivia, gifts allowed, in the US)."""
    return ReferenceFactory(
        contact=ContactFactory(account=account, name="Ada Lovelace", email="ada@prairie.example")
    )


@pytest.fixture
def make_reference(owner_rep):
    def make(*, gift_policy="gifts_allowed", country="US", name="Ben Ranchero", email=None):
        acct = AccountFactory(owner=owner_rep, gift_policy=gift_policy, country=country)
        contact = ContactFactory(account=acct, name=name, **({"email": email} if email else {}))
        return ReferenceFactory(contact=contact)

    return make


@pytest.fixture
def make_activity():
    def make(
        reference, *, activity_type="reference_call", status=ActivityStatus.COMPLETED, days_ago=1
    ):
        return Activity.objects.create(
            reference=reference, activity_type=activity_type, status=status,
            occurred_at=timezone.now() - dt.timedelta(days=days_ago),
        )  # fmt: skip

    return make


@pytest.fixture
def earned(reference, make_activity):
    """Give Ada points by crediting completed activities: earned(500) with a case study."""

    def earn(kind="case_study"):
        return services.reward_credit_for_activity(
            activity_id=make_activity(reference, activity_type=kind).pk
        )

    return earn


@pytest.fixture
def gift_card(program_manager):
    return services.catalogue_item_create(actor=program_manager, name="Coffee gift card", kind="gift_card", points_cost=300,
                                          value="25.00", stock=10, countries="US;CA")  # fmt: skip


@pytest.fixture
def donation(program_manager):
    return services.catalogue_item_create(actor=program_manager, name="Donation to Code.org", kind="donation", points_cost=200,
                                          value=Decimal("20.00"))  # fmt: skip


@pytest.fixture
def thank_you_item(program_manager):
    return services.catalogue_item_create(
        actor=program_manager, name="Handwritten thank-you", kind="thank_you", points_cost=0
    )
