"""Shared set-up for request tests: a small pool of ranch references owned by Olivia."""

import pytest

from refdesk.asks import services
from refdesk.asks.choices import Fulfilment
from refdesk.matching.engine import engine
from refdesk.people.choices import Role
from refdesk.pool.models import NaicsIndustry
from tests.factories import AccountFactory, ContactFactory, ReferenceFactory, UserFactory


@pytest.fixture(autouse=True)
def _fresh_engine():
    """Each test starts from a process that has not yet read the pool."""
    engine.reset()
    yield
    engine.reset()


@pytest.fixture
def requester(db):
    """Rita from marketing asks for references."""
    return UserFactory(email="rita@vendor.example", first_name="Rita", last_name="Reyes", role=Role.REQUESTER)


@pytest.fixture
def ranch_pool(owner_rep):
    """Three ranch references at Olivia's customers, best first for a cattle-ranch prospect."""
    cattle = NaicsIndustry.objects.get(pk="112111")
    ranch = AccountFactory(name="Prairie Cattle Co", owner=owner_rep, industry=cattle, employees=400)
    mesa = AccountFactory(name="Mesa Beef Ranch", owner=owner_rep, industry=cattle, employees=350)
    farm = AccountFactory(name="Golden Grain Farms", owner=owner_rep, industry=NaicsIndustry.objects.get(pk="111150"))
    return {
        "ada": ReferenceFactory(contact=ContactFactory(account=ranch, name="Ada Lovelace", email="ada@prairie.example", phone="+1 555 0101")),
        "ben": ReferenceFactory(contact=ContactFactory(account=mesa, name="Ben Ranchero", email="ben@mesa.example")),
        "cy": ReferenceFactory(contact=ContactFactory(account=farm, name="Cy Grainger", email="cy@grain.example")),
    }


@pytest.fixture
def workflow(program_manager):
    """workflow(fulfilment=…, owner_approval=…, feedback_required=…) sets the program default."""

    def set_(fulfilment=Fulfilment.PROGRAM_MANAGER, owner_approval=True, feedback_required=False, activity_type=""):
        return services.workflow_policy_set(
            actor=program_manager, activity_type=activity_type, fulfilment=fulfilment,
            owner_approval=owner_approval, feedback_required=feedback_required,
        )

    return set_


@pytest.fixture
def submit(requester, ranch_pool):
    """submit(**fields) files a request for a cattle ranch as Rita."""

    def make(actor=None, **fields):
        data = {"prospect": "Big Sky Ranch", "industry": "cattle ranch", "country": "US", "employees": 300}
        data.update(fields)
        return services.request_submit(actor=actor or requester, **data)

    return make
