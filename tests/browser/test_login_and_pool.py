"""A program manager and a sales rep use the pool in a real browser."""

import re

import pytest
from playwright.sync_api import expect

from refdesk.pool.choices import ReferenceStatus
from tests.browser.conftest import PHONE
from tests.factories import AccountFactory, ContactFactory, ReferenceFactory


@pytest.fixture
def pool(account):
    """Two references at two accounts, in different statuses."""
    ada = ReferenceFactory(
        contact=ContactFactory(account=account, name="Ada Lovelace", email="ada@prairie.example"),
        status=ReferenceStatus.ACTIVE,
    )
    other = AccountFactory(name="Harbor Freight Lines", country="CA")
    grace = ReferenceFactory(
        contact=ContactFactory(account=other, name="Grace Hopper", email="grace@harbor.example"),
        status=ReferenceStatus.PAUSED,
    )
    return {"ada": ada, "grace": grace}


def rows(page):
    return page.locator("#results tbody tr")


def test_login_lands_on_the_pool_which_lists_references(
    page, login_as, program_manager, pool, screenshot
):
    page.goto("/login/")
    expect(page.get_by_label("Email")).to_be_visible()
    screenshot(page, "login")

    page = login_as(program_manager)
    expect(page).to_have_url(re.compile(r"/pool/$"))
    expect(page.get_by_role("heading", name="Reference pool")).to_be_visible()
    table = page.locator("#results table")
    expect(table).to_contain_text("Ada Lovelace")
    expect(table).to_contain_text("Prairie Cattle Co")
    expect(table).to_contain_text("Grace Hopper")
    expect(table).to_contain_text("Harbor Freight Lines")
    screenshot(page, "pool")


def test_wrong_password_stays_on_the_login_page(page, program_manager):
    page.goto("/login/")
    page.get_by_label("Email").fill(program_manager.email)
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/login/"))
    expect(page.locator(".errorlist")).to_be_visible()


def test_filters_update_the_results_in_place(login_as, program_manager, pool):
    page = login_as(program_manager)
    expect(rows(page).filter(has_text="Grace Hopper")).to_have_count(1)
    page.evaluate("window.__marker = 1")  # gone if the page reloads

    page.get_by_role("searchbox").fill("lovelace")
    expect(page).to_have_url(re.compile(r"[?&]q=lovelace"))
    expect(rows(page).filter(has_text="Grace Hopper")).to_have_count(0)
    expect(rows(page).filter(has_text="Ada Lovelace")).to_have_count(1)

    page.get_by_role("searchbox").fill("")
    expect(rows(page).filter(has_text="Grace Hopper")).to_have_count(1)
    page.get_by_label("Status", exact=True).select_option("paused")
    expect(page).to_have_url(re.compile(r"[?&]status=paused"))
    expect(rows(page).filter(has_text="Ada Lovelace")).to_have_count(0)
    expect(rows(page).filter(has_text="Grace Hopper")).to_have_count(1)

    assert page.evaluate("window.__marker") == 1, "the page reloaded instead of updating in place"


def test_a_rep_who_does_not_own_the_account_sees_hidden_instead_of_the_email(
    login_as, other_rep, pool, screenshot
):
    ada = pool["ada"]
    page = login_as(other_rep)
    page.goto(f"/pool/references/{ada.pk}/")
    expect(page.get_by_role("heading", name="Ada Lovelace")).to_be_visible()
    expect(page.locator("#contact-email")).to_contain_text("hidden")
    assert "ada@prairie.example" not in page.content()
    screenshot(page, "reference-hidden-email")


def test_the_owner_and_the_program_manager_see_the_email(
    login_as, owner_rep, program_manager, pool, screenshot
):
    ada = pool["ada"]
    for user in (owner_rep, program_manager):
        page = login_as(user)
        page.goto(f"/pool/references/{ada.pk}/")
        expect(page.locator("#contact-email")).to_contain_text("ada@prairie.example")
    screenshot(page, "reference")


def test_the_pool_fits_a_phone(login_as, program_manager, pool, screenshot):
    page = login_as(program_manager, viewport=PHONE)
    expect(page.get_by_role("heading", name="Reference pool")).to_be_visible()
    expect(page.locator("#results")).to_contain_text("Ada Lovelace")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], (
        f"the pool page scrolls sideways at {PHONE['width']} px: {width} px wide"
    )
    screenshot(page, "pool-phone")

    page.goto(f"/pool/references/{pool['ada'].pk}/")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], (
        f"the reference page scrolls sideways at {PHONE['width']} px: {width} px wide"
    )
    screenshot(page, "reference-phone")


def test_logout(login_as, program_manager):
    page = login_as(program_manager)
    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(re.compile(r"/login/"))
    page.goto("/pool/")
    expect(page).to_have_url(re.compile(r"/login/"))
    expect(page.get_by_role("heading", name="Reference pool")).to_have_count(0)


def test_the_api_docs_render_from_our_own_static_files(login_as, program_manager, screenshot, live_server):
    """Swagger UI at /api/docs comes from ninja's static files, so the CSP lets it run: the
    operations are listed and the browser reports no blocked resource or script error."""
    from playwright.sync_api import expect

    page = login_as(program_manager)
    problems = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    outside = []
    page.on("request", lambda r: None if r.url.startswith((live_server.url, "data:")) else outside.append(r.url))
    page.goto("/api/docs")
    expect(page.locator(".swagger-ui .opblock").first).to_be_visible()
    expect(page.get_by_text("/api/match").first).to_be_visible()
    screenshot(page, "api-docs")
    assert outside == []
    assert problems == []
