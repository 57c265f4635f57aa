"""Pages and API: who may see and do what, fragments, and few queries on lists."""

import json

import pytest

from refdesk.rewards import services
from refdesk.rewards.models import Redemption

pytestmark = pytest.mark.django_db


@pytest.fixture
def waiting(program_manager, reference, earned, gift_card):
    earned()
    return services.reward_redeem(
        actor=program_manager, reference_id=reference.pk, item_id=gift_card.pk
    )


PM_PAGES = [
    "/rewards/rules/",
    "/rewards/catalogue/",
    "/rewards/refusals/",
    "/rewards/thank-yous/templates/",
]
EVERYONE_PAGES = [
    "/rewards/",
    "/rewards/leaderboard/",
    "/rewards/contests/",
    "/rewards/thank-yous/",
    "/rewards/redemptions/",
]


def test_every_page_opens_for_the_program_manager(client_for, program_manager, waiting, reference):
    client = client_for(program_manager)
    for url in PM_PAGES + EVERYONE_PAGES + [f"/rewards/references/{reference.pk}/"]:
        assert client.get(url).status_code == 200, url
    assert "Coffee gift card" in client.get("/rewards/redemptions/").content.decode()


def test_a_rep_sees_their_pages_but_not_the_program_managers(client_for, owner_rep, reference):
    client = client_for(owner_rep)
    for url in EVERYONE_PAGES:
        assert client.get(url).status_code == 200, url
    for url in PM_PAGES + [f"/rewards/references/{reference.pk}/"]:
        assert client.get(url).status_code == 403, url


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get("/rewards/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_the_program_manager_approves_from_the_queue(client_for, program_manager, waiting):
    response = client_for(program_manager).post(
        f"/rewards/redemptions/{waiting.pk}/approve/", {"next": "/rewards/redemptions/"}
    )
    assert response.status_code == 302 and Redemption.objects.get().status == "approved"


def test_a_rep_cannot_approve_a_redemption_page(client_for, owner_rep, waiting):
    assert (
        client_for(owner_rep).post(f"/rewards/redemptions/{waiting.pk}/approve/").status_code == 403
    )
    assert Redemption.objects.get().status == "requested"


def test_refusing_without_a_reason_says_so(client_for, program_manager, waiting):
    client = client_for(program_manager)
    response = client.post(
        f"/rewards/redemptions/{waiting.pk}/refuse/", {"reason": ""}, follow=True
    )
    assert "reason" in response.content.decode() and Redemption.objects.get().status == "requested"


def test_the_leaderboard_answers_htmx_with_the_fragment(client_for, owner_rep, reference):
    services.reward_credit_nomination(nominator=owner_rep, reference_id=reference.pk)
    client = client_for(owner_rep)
    full = client.get("/rewards/leaderboard/?period=year")
    part = client.get("/rewards/leaderboard/?period=year", HTTP_HX_REQUEST="true")
    assert b"<html" in full.content and b"<html" not in part.content and b"Olivia" in part.content


def test_the_pm_saves_rules_and_settings_from_the_page(client_for, program_manager):
    from refdesk.rewards.choices import DEFAULT_POINTS
    from refdesk.rewards.models import EarnRule

    client = client_for(program_manager)
    client.get("/rewards/rules/")
    data = {
        "form": "rules",
        **{f"points_{k}": v for k, v in DEFAULT_POINTS.items()},
        **{f"active_{k}": "on" for k in DEFAULT_POINTS},
    }
    data["points_speaking"] = "1200"
    assert client.post("/rewards/rules/", data).status_code == 302
    assert EarnRule.objects.get(key="speaking").points == 1200
    bad = client.post("/rewards/rules/", {"form": "settings", "expiry_months": "0", "expiry_notice_days": "30",
                                          "yearly_value_cap": "250", "currency": "USD", "thank_you_due_days": "2"})  # fmt: skip
    assert bad.status_code == 422 and "expiry_months" in bad.content.decode()


def test_the_pm_adds_a_catalogue_item_from_the_page(client_for, program_manager):
    client = client_for(program_manager)
    response = client.post("/rewards/catalogue/", {"name": "Training seat", "kind": "training", "points_cost": "800", "value": "120.00",
                                                   "countries": "US; Germany", "active": "on"})  # fmt: skip
    assert response.status_code == 302
    assert "Training seat" in client.get("/rewards/catalogue/").content.decode()


def test_the_redemption_queue_needs_few_queries(
    client_for,
    program_manager,
    make_reference,
    make_activity,
    gift_card,
    django_assert_max_num_queries,
):
    for n in range(5):
        ref = make_reference(name=f"Ref {n}")
        services.reward_credit_for_activity(
            activity_id=make_activity(ref, activity_type="case_study").pk
        )
        services.reward_redeem(actor=None, reference_id=ref.pk, item_id=gift_card.pk)
    client = client_for(program_manager)
    with django_assert_max_num_queries(10):
        assert client.get("/rewards/redemptions/").status_code == 200


# --- API -------------------------------------------------------------------------------------------


def test_the_api_needs_a_login(client):
    for url in [
        "/api/rewards/me",
        "/api/rewards/catalogue",
        "/api/rewards/leaderboard",
        "/api/rewards/redemptions",
    ]:
        assert client.get(url).status_code == 401, url


def test_a_rep_cannot_approve_through_the_api(client_for, owner_rep, waiting):
    response = client_for(owner_rep).post(f"/api/rewards/redemptions/{waiting.pk}/approve")
    assert response.status_code == 403 and "program manager" in response.json()["message"]


def test_the_pm_runs_a_redemption_through_the_api(
    client_for, program_manager, reference, earned, gift_card
):
    earned()
    client = client_for(program_manager)
    created = client.post("/api/rewards/redemptions", json.dumps({"item_id": gift_card.pk, "reference_id": reference.pk}),
                          content_type="application/json")  # fmt: skip
    assert created.status_code == 201 and created.json()["status"] == "requested"
    rid = created.json()["id"]
    refused = client.post(
        f"/api/rewards/redemptions/{rid}/refuse",
        json.dumps({"reason": "Budget"}),
        content_type="application/json",
    )
    assert refused.json()["status"] == "refused"
    summary = client.get(f"/api/rewards/references/{reference.pk}").json()
    assert summary["balance"] == 500 and [e["kind"] for e in summary["entries"]] == [
        "reverse",
        "redeem",
        "earn",
    ]
    assert client.get("/api/rewards/refusals").json()["items"][0]["code"] == "redemption_refused"


def test_an_overspend_through_the_api_is_a_409_with_the_reason(
    client_for, program_manager, reference, gift_card
):
    response = client_for(program_manager).post("/api/rewards/redemptions", json.dumps({"item_id": gift_card.pk, "reference_id": reference.pk}),
                                                content_type="application/json")  # fmt: skip
    assert response.status_code == 409 and "costs 300 points" in response.json()["message"]


def test_rules_settings_catalogue_and_contests_through_the_api(
    client_for, program_manager, owner_rep
):
    client = client_for(program_manager)
    assert (
        client.put(
            "/api/rewards/rules/case_study",
            json.dumps({"points": 650}),
            content_type="application/json",
        ).json()["points"]
        == 650
    )
    assert (
        client.patch(
            "/api/rewards/settings",
            json.dumps({"yearly_value_cap": "300.00"}),
            content_type="application/json",
        ).json()["yearly_value_cap"]
        == "300.00"
    )
    item = client.post("/api/rewards/catalogue", json.dumps({"name": "Donation", "kind": "donation", "points_cost": 100, "countries": ["DE"]}),
                       content_type="application/json")  # fmt: skip
    assert item.status_code == 201 and item.json()["countries"] == ["DE"]
    contest = client.post("/api/rewards/contests", json.dumps({"name": "Q4 push", "starts_on": "2026-10-01", "ends_on": "2026-12-31",
                                                               "prizes": ["Trophy"]}), content_type="application/json")  # fmt: skip
    assert contest.status_code == 201
    rep = client_for(owner_rep)
    assert rep.get(f"/api/rewards/contests/{contest.json()['id']}").json()["standings"] == []
    assert (
        rep.put(
            "/api/rewards/rules/case_study",
            json.dumps({"points": 1}),
            content_type="application/json",
        ).status_code
        == 403
    )
    assert rep.get("/api/rewards/leaderboard?period=quarter").json()["period"] == "quarter"
    assert rep.get("/api/rewards/leaderboard?period=week").status_code == 422


def test_thank_yous_through_the_api(client_for, owner_rep, reference, make_activity):
    services.reward_credit_for_activity(activity_id=make_activity(reference).pk)
    client = client_for(owner_rep)
    task = client.get("/api/rewards/thank-yous").json()["items"][0]
    done = client.post(f"/api/rewards/thank-yous/{task['id']}/done", json.dumps({"note": "Thanks, Ada!", "send": False}),
                       content_type="application/json")  # fmt: skip
    assert done.status_code == 200 and done.json()["status"] == "done"


# --- CLI -------------------------------------------------------------------------------------------


def test_the_cli_prints_a_balance_and_runs_the_sweep(reference, earned, owner_rep, capsys):
    from refdesk.cli import main

    earned()
    assert main(["rewards", "balance", "--email", "ADA@prairie.example"]) == 0
    out = capsys.readouterr().out
    assert "ada@prairie.example: 500 points" in out and "Case study" in out
    assert main(["rewards", "balance", "--email", owner_rep.email, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["balance"] == 0
    assert main(["rewards", "balance", "--email", "nobody@example.com"]) == 1
    assert "No user or reference" in capsys.readouterr().err
    assert main(["rewards", "sweep", "--json"]) == 0
    assert set(json.loads(capsys.readouterr().out)) == {
        "credited",
        "expired",
        "expiry_notices",
        "thank_you_reminders",
    }


def test_crediting_an_activity_by_hand_twice_is_a_409_with_the_reason(
    client_for, program_manager, owner_rep, reference, make_activity
):
    activity = make_activity(reference)
    client = client_for(program_manager)
    assert client.post(f"/api/rewards/activities/{activity.pk}/credit").status_code == 201
    again = client.post(f"/api/rewards/activities/{activity.pk}/credit")
    assert again.status_code == 409 and "credited already" in again.json()["message"]
    assert (
        client_for(owner_rep).post(f"/api/rewards/activities/{activity.pk}/credit").status_code
        == 403
    )


def test_the_pm_runs_contests_templates_and_thank_yous_from_the_pages(
    client_for, program_manager, owner_rep, reference, make_activity
):
    from refdesk.rewards.models import Contest, ThankYouTask, ThankYouTemplate

    client = client_for(program_manager)
    response = client.post("/rewards/contests/", {"name": "Q4 push", "starts_on": "2026-10-01", "ends_on": "2026-12-31",
                                                  "prizes": "Trophy\nMug"})  # fmt: skip
    assert response.status_code == 302 and Contest.objects.get().prizes == ["Trophy", "Mug"]
    assert (
        client.post(
            "/rewards/contests/",
            {"name": "Bad", "starts_on": "2026-12-01", "ends_on": "2026-01-01"},
        ).status_code
        == 422
    )
    assert client_for(owner_rep).post("/rewards/contests/", {"name": "Mine"}).status_code == 403
    client = client_for(program_manager)
    assert client.post("/rewards/thank-yous/templates/", {"name": "Warm", "subject": "Thanks {first_name}", "body": "Dear {name}",
                                                          "active": "on"}).status_code == 302  # fmt: skip
    template = ThankYouTemplate.objects.get()
    services.reward_credit_for_activity(activity_id=make_activity(reference).pk)
    task = ThankYouTask.objects.get()
    rep = client_for(owner_rep)
    assert "Ada Lovelace" in rep.get("/rewards/thank-yous/").content.decode()
    response = rep.post(
        f"/rewards/thank-yous/{task.pk}/done/",
        {"template_id": template.pk, "send": "1", "next": "/rewards/thank-yous/"},
    )
    assert response.status_code == 302 and ThankYouTask.objects.get().status == "done"
    assert "No thank-yous open" in rep.get("/rewards/thank-yous/").content.decode()
