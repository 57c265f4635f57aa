"""Portal tests reuse the request fixtures (a ranch pool owned by Olivia, Rita the requester)."""

import pytest

from refdesk.portal import links, services
from tests.asks.conftest import _fresh_engine, ranch_pool, requester, submit, workflow  # noqa: F401,F811


@pytest.fixture
def ada(ranch_pool):  # noqa: F811
    """Ada Lovelace at Prairie Cattle Co, a reference."""
    return ranch_pool["ada"]


@pytest.fixture
def ben(ranch_pool):  # noqa: F811
    """Ben Ranchero at Mesa Beef Ranch, another reference."""
    return ranch_pool["ben"]


@pytest.fixture
def open_portal(client):
    """open_portal(reference, path="") follows a fresh link for that person; returns the client."""

    def open_(reference, path: str = ""):
        access = services.access_for(reference.contact)
        response = client.get(links.link_path(access, path))
        assert response.status_code == 302, response.content[:300]
        return client

    return open_


@pytest.fixture
def invited(submit, program_manager, owner_rep, workflow):  # noqa: F811
    """A request for a cattle ranch with its best candidate (Ada) invited."""
    from tests.asks.helpers import to_invited

    workflow(owner_approval=True)
    request = submit()
    return to_invited(request, program_manager, owner_rep)
