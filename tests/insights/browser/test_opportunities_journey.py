"""The program manager opens Opportunities from the dashboard, uploads the CRM's CSV, fixes a bad row and sees the counts."""

import os
from pathlib import Path

from playwright.sync_api import expect

from refdesk.insights.models import Opportunity

SHOTS = Path(os.environ.get("REFDESK_SHOTS", "/tmp/shots"))
HEADER = "crm_id,name,prospect,owner_email,amount,stage,created_on,closed_on\n"


def test_a_program_manager_uploads_the_crm_export(login_as, program, screenshot, tmp_path):
    bad = tmp_path / "crm-bad.csv"
    bad.write_text(HEADER + "006-A,Big deal,Acme Bank,olivia@vendor.example,12000,open,2026-05-01,\n"
                            "006-B,,Globex,,500,won,2026-04-01,\n", encoding="utf-8")  # fmt: skip
    good = tmp_path / "crm.csv"
    good.write_text(HEADER + "006-A,Big deal,Acme Bank,olivia@vendor.example,12000,open,2026-05-01,\n"
                             "006-B,,Globex,,500,won,2026-04-01,2026-06-01\n", encoding="utf-8")  # fmt: skip

    priya = login_as(program.pm)
    priya.goto("/insights/")
    priya.get_by_role("link", name="CRM opportunities").click()
    expect(priya.get_by_role("heading", name="Opportunities", exact=True)).to_be_visible()

    priya.get_by_label("Spreadsheet").set_input_files(str(bad))
    priya.get_by_role("button", name="Upload").click()
    errors = priya.locator("#import-errors tbody tr")
    expect(errors).to_have_count(1)
    expect(errors.first).to_contain_text("3")
    expect(errors.first).to_contain_text("is required for a won or lost opportunity")
    assert not Opportunity.objects.filter(crm_id__startswith="006-").exists()

    priya.get_by_label("Spreadsheet").set_input_files(str(good))
    priya.get_by_role("button", name="Upload").click()
    expect(priya.get_by_role("heading", name="Imported crm.csv")).to_be_visible()
    expect(priya.locator("#result-created")).to_have_text("2")
    expect(priya.locator("#opportunities")).to_contain_text("Acme Bank")
    SHOTS.mkdir(parents=True, exist_ok=True)
    priya.screenshot(path=str(SHOTS / "opportunities.png"), full_page=True)
    screenshot(priya, "insights-opportunities")

    priya.get_by_label("Stage").select_option("won")
    priya.get_by_role("button", name="Show").click()
    expect(priya.locator("#opportunities")).to_contain_text("Globex")
    expect(priya.locator("#opportunities")).not_to_contain_text("Acme Bank")
