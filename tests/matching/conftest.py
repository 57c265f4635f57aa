import pytest

from refdesk.matching.engine import engine


@pytest.fixture(autouse=True)
def _fresh_engine():
    """Each test starts from a process that has not yet read the pool."""
    engine.reset()
    yield
    engine.reset()
