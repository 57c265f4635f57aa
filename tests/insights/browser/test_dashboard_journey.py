"""An executive reads June's figures, follows a chart to the rows behind it, and picks another period."""

from playwright.sync_api import expect

from tests.browser.conftest import SCREENSHOTS


def test_an_executive_reads_the_dashboard_and_drills_down(login_as, program, screenshot):
    erin = login_as(program.executive)
    erin.goto("/")
    erin.get_by_role("link", name="Insights").click()
    erin.get_by_label("From").fill("2026-06-01")
    erin.get_by_label("To").fill("2026-06-30")
    erin.get_by_role("button", name="Show").click()
    expect(erin.get_by_role("heading", name="Influenced pipeline and revenue")).to_be_visible()
    expect(erin.locator("#acceptance .insight-warning")).to_contain_text("42.9 %")
    expect(erin.locator("svg.chart")).to_have_count(16)
    expect(erin.get_by_role("img", name="Usage concentration and fatigue")).to_be_visible()
    screenshot(erin, "insights-dashboard")
    for key in ("turnaround", "supply_industry", "usage"):
        erin.locator(f"#{key}").screenshot(path=str(SCREENSHOTS / f"insights-{key}.png"))
    erin.locator("#own_deals").get_by_role("link", name="Rows behind it").click()
    expect(
        erin.get_by_role("heading", name="References used only in their owner's deals")
    ).to_be_visible()
    expect(erin.locator("tbody tr")).to_have_count(2)
    screenshot(erin, "insights-rows")
    erin.get_by_role("link", name="← Insights").click()
    expect(erin.locator("#own_deals")).to_be_visible()
