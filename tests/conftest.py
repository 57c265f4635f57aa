"""Personas and shared fixtures. Network is blocked except 127.0.0.1."""

import os
import socket

import pytest

from refdesk.people.choices import Role
from tests.factories import AccountFactory, UserFactory

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}

_real_connect = socket.socket.connect


def _guarded_connect(self, address):
    host = address[0] if isinstance(address, tuple) else address
    if (
        isinstance(host, str)
        and host not in ("127.0.0.1", "localhost", "::1")
        and not host.startswith("/")
    ):
        raise RuntimeError(f"Tests may only reach 127.0.0.1, not {host!r}")
    return _real_connect(self, address)


@pytest.fixture(autouse=True, scope="session")
def _block_network():
    socket.socket.connect = _guarded_connect
    yield
    socket.socket.connect = _real_connect


PASSWORD = "correct-horse-battery"


@pytest.fixture
def program_manager(db):
    """Priya runs the reference program."""
    return UserFactory(
        email="priya@vendor.example", first_name="Priya", role=Role.PROGRAM_MANAGER, is_staff=True
    )


@pytest.fixture
def owner_rep(db):
    """Olivia is the sales rep who owns the customer accounts in the tests."""
    return UserFactory(email="olivia@vendor.example", first_name="Olivia", role=Role.SALES_REP)


@pytest.fixture
def other_rep(db):
    """Sam sells too, but owns none of the test accounts."""
    return UserFactory(email="sam@vendor.example", first_name="Sam", role=Role.SALES_REP)


@pytest.fixture
def executive(db):
    return UserFactory(email="erin@vendor.example", first_name="Erin", role=Role.EXECUTIVE)


@pytest.fixture
def account(owner_rep):
    return AccountFactory(name="Prairie Cattle Co", owner=owner_rep)


@pytest.fixture
def client_for(client):
    """A logged-in test client for a persona: client_for(program_manager)."""

    def login(user):
        client.force_login(user)
        return client

    return login


def _is_transactional(request) -> bool:
    marker = request.node.get_closest_marker("django_db")
    if marker and (
        marker.kwargs.get("transaction")
        or marker.kwargs.get("reset_sequences")
        or (marker.args and marker.args[0])
    ):
        return True
    return bool(
        {"transactional_db", "live_server", "django_db_reset_sequences"} & set(request.fixturenames)
    )


@pytest.fixture(autouse=True)
def _insights_cache_cleared():
    """Each test starts with nothing remembered from another test's data: dashboard snapshots and
    pieces, list counts, rendered pool results (`insights.selectors.cache_clear` forgets them all),
    and the matching index: a test's rollback removes rows without moving the change stamps the
    index is refreshed by, so another test's references would linger in it."""
    from refdesk.insights.selectors import cache_clear
    from refdesk.matching.engine import engine

    cache_clear()
    engine.reset()
    yield


@pytest.fixture(autouse=True)
def _naics_taxonomy(request):
    """Transactional tests (live server, browser) end with a flush that also empties the NAICS
    taxonomy the data migration `pool.0002_load_naics` loaded; put it back before such a test,
    so factories that need NaicsIndustry rows work there too. pytest-django runs transactional
    tests after all the others, so the others still see the migration's rows."""
    if not _is_transactional(request):
        yield
        return
    request.getfixturevalue("transactional_db")
    from refdesk.pool import naics
    from refdesk.pool.models import NaicsIndustry

    if not NaicsIndustry.objects.exists():
        NaicsIndustry.objects.bulk_create(
            [
                NaicsIndustry(code=code, title=title, parent_id=parent, level=level)
                for code, title, parent, level in naics.rows()
            ],
            batch_size=500,
        )
    yield


@pytest.fixture(autouse=True, scope="session")
def _fast_password_hashing():
    """PBKDF2 at production strength costs ~0.4 s per hash; every persona and every browser login
    pays it. The suite checks who may log in, not the hash's strength."""
    from django.test import override_settings

    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


from tests.notify.servers import smtp_server, webhook_receiver  # noqa: E402,F401  (real SMTP / HTTP receivers on 127.0.0.1)


@pytest.fixture(autouse=True, scope="session")
def _immediate_tasks():
    """Background tasks run where they are enqueued (django-tasks resets its backends on setting_changed)."""
    from django.test import override_settings

    with override_settings(
        TASKS={"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    ):
        yield
