"""The growth and referral journeys use the browser harness of tests/browser (Chromium, live server, personas)."""

from pathlib import Path

import pytest

from tests.browser.conftest import (  # noqa: F401 - fixtures reused here
    _chromium_available,
    _timeouts,
    base_url,
    browser_context_args,
    browser_type_launch_args,
    login_as,
    screenshot,
)

HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config, items):
    for item in items:
        if HERE in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.browser)
