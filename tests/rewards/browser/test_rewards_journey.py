"""The program manager approves a redemption; a rep sees the leaderboard, on a phone too."""

from playwright.sync_api import expect

from refdesk.rewards import services
from refdesk.rewards.models import Redemption
from tests.browser.conftest import PHONE


def test_the_pm_approves_a_redemption_and_a_rep_sees_the_leaderboard(
    login_as, program_manager, owner_rep, other_rep, reference, earned, gift_card, screenshot
):
    earned()
    services.reward_redeem(
        actor=None,
        reference_id=reference.pk,
        item_id=gift_card.pk,
        note="Please send to her work email",
    )
    owner_rep.team, other_rep.team = "East", "West"
    owner_rep.save(update_fields=["team"])
    other_rep.save(update_fields=["team"])
    services.reward_credit_nomination(nominator=owner_rep, reference_id=reference.pk)

    priya = login_as(program_manager)
    priya.goto("/rewards/")
    priya.get_by_role("link", name="1 redemption to approve").click()
    row = priya.locator("tr", has_text="Ada Lovelace")
    expect(row).to_contain_text("Coffee gift card")
    screenshot(priya, "rewards-redemptions-to-approve")
    # Keyboard only: tab to the approve button and press Enter.
    approve = priya.get_by_role("button", name="Approve Coffee gift card for Ada Lovelace")
    approve.focus()
    priya.keyboard.press("Enter")
    expect(priya.locator(".messages")).to_contain_text("Redemption approved.")
    assert Redemption.objects.get().status == "approved"
    priya.goto("/rewards/redemptions/?status=approved")
    priya.get_by_role("button", name="Mark fulfilled").click()
    expect(priya.locator(".messages")).to_contain_text("Marked fulfilled.")
    assert Redemption.objects.get().status == "fulfilled"

    sam = login_as(other_rep, viewport=PHONE)
    sam.goto("/rewards/")
    sam.get_by_role("link", name="Leaderboard").first.click()
    expect(sam.locator("#standings")).to_contain_text("Olivia")
    sam.get_by_label("Period").select_option("year")
    expect(sam.locator("#period-label")).to_contain_text("-01-01 to ")
    expect(sam.locator("#standings")).to_contain_text("50")
    sam.get_by_label("Team").select_option("West")
    expect(sam.locator("#standings")).to_contain_text("No points earned")
    sam.get_by_label("Team").select_option("")
    expect(sam.locator("#standings")).to_contain_text("Olivia")
    screenshot(sam, "rewards-leaderboard-phone")
    width = sam.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the leaderboard scrolls sideways on a phone ({width}px)"
    sam.goto("/rewards/redemptions/")
    expect(sam.locator("#redemptions")).to_contain_text("No redemptions")


def test_the_program_managers_pages_read_on_a_phone(
    login_as, program_manager, reference, earned, gift_card, screenshot
):
    earned()
    services.thank_you_template_save(
        actor=program_manager, name="Warm thanks", subject="Thank you", body="Dear {name}"
    )
    priya = login_as(program_manager, viewport=PHONE)
    for url, name in [("/rewards/", "home"), ("/rewards/thank-yous/", "thank-yous"), ("/rewards/catalogue/", "catalogue"),
                      ("/rewards/rules/", "rules"), (f"/rewards/references/{reference.pk}/", "reference")]:  # fmt: skip
        priya.goto(url)
        screenshot(priya, f"rewards-{name}-phone")
        width = priya.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"{url} scrolls sideways on a phone ({width}px)"
