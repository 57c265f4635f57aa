"""Browser tests: a real Chromium, driven by Playwright, against pytest-django's live server.

Everything in tests/browser gets the `browser` marker (`pytest -m "not browser"` leaves them out).
Chromium is the Debian package at /usr/bin/chromium (`make system-deps`); Playwright's own
browser download does not work on these machines. Without it the tests skip locally and fail
in CI, where nothing may skip.
"""

import os
import re
from pathlib import Path

import pytest

from tests.conftest import IN_CI, PASSWORD

# The sync Playwright API runs an event loop in the test thread; the ORM calls the tests make
# beside it would otherwise raise SynchronousOnlyOperation. tests/conftest.py sets this too.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path(os.environ.get("REFDESK_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
HERE = Path(__file__).resolve().parent
ARTIFACTS = HERE.parent.parent / "test-artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
PHONE = {"width": 390, "height": 844}


def pytest_collection_modifyitems(config, items):
    for item in items:
        if HERE in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.browser)


def _require_chromium() -> None:
    if CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK):
        return
    message = (
        f"Chromium is missing at {CHROMIUM}: run `make system-deps` (apt-get install chromium)"
    )
    if IN_CI:
        pytest.fail(f"{message}. Browser tests may not skip in CI (CI=true).", pytrace=False)
    pytest.skip(message)


@pytest.fixture(autouse=True)
def _chromium_available():
    _require_chromium()


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    _require_chromium()
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def base_url(live_server):
    """Relative URLs in page.goto() go to the live server."""
    return live_server.url


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "en-US", "timezone_id": "UTC"}


@pytest.fixture(autouse=True)
def _timeouts(request):
    """Fail fast: a local server answers in milliseconds, not the default 30 s."""
    if "page" in request.fixturenames or "logged_in_page" in request.fixturenames:
        from playwright.sync_api import expect

        expect.set_options(timeout=5_000)
    yield


@pytest.fixture
def login_as(new_context, live_server):
    """Log a persona in through the real login form, each in its own browser context.

    login_as(user) returns the page, already on the page the login lands on.
    login_as(user, viewport={"width": 390, "height": 844}) for a phone.
    """
    from playwright.sync_api import expect

    def login(user, *, password: str = PASSWORD, viewport: dict | None = None):
        context = new_context(viewport=viewport) if viewport else new_context()
        context.set_default_timeout(10_000)
        page = context.new_page()
        page.goto("/login/")
        page.get_by_label("Email").fill(user.email)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Log in").click()
        expect(page).not_to_have_url(re.compile(r"/login/"))
        return page

    return login


@pytest.fixture
def logged_in_page(login_as):
    """Same as login_as: logged_in_page(program_manager) -> a logged-in Playwright page."""
    return login_as


@pytest.fixture
def screenshot():
    """screenshot(page, "pool") saves test-artifacts/screenshots/pool.png (the whole page)."""

    def take(page, name: str, *, full_page: bool = True) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{re.sub(r'[^A-Za-z0-9_.-]+', '-', name)}.png"
        page.screenshot(path=str(path), full_page=full_page)
        return path

    return take


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call" and report.failed and HERE in Path(str(item.path)).resolve().parents:
        # Keep a picture of every open page of a failed browser test.
        context_fixture = item.funcargs.get("new_context") if hasattr(item, "funcargs") else None
        pages = []
        if "page" in getattr(item, "funcargs", {}):
            pages.append(item.funcargs["page"])
        if context_fixture is not None:
            browser = item.funcargs.get("browser")
            if browser is not None:
                pages += [p for ctx in browser.contexts for p in ctx.pages]
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        for index, page in enumerate(dict.fromkeys(pages)):
            try:
                page.screenshot(
                    path=str(SCREENSHOTS / f"FAILED-{item.name}-{index}.png"), full_page=True
                )
            except Exception:  # noqa: BLE001 - a picture is best effort; the failure is the report
                pass
    return report
