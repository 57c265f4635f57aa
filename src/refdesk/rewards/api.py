"""The rewards API: thin doors onto the rewards services and selectors."""

import datetime as dt
from typing import Annotated

from ninja import Field, Query, Router, Schema, Status

from refdesk.core.errors import Forbidden, NotFound
from refdesk.core.schemas import ERRORS, Limit, Offset, page
from refdesk.people.permissions import is_program_manager
from refdesk.rewards import presenters, selectors, services
from refdesk.rewards.models import RewardRefusal
from refdesk.rewards.schemas import (
    CatalogueItemIn,
    CatalogueItemOut,
    CatalogueItemPatch,
    ContestDetailOut,
    ContestIn,
    ContestOut,
    LeaderboardOut,
    LedgerEntryOut,
    RedemptionIn,
    RedemptionOut,
    RedemptionPage,
    RedemptionRefuseIn,
    RewardAdjustIn,
    RewardBalanceOut,
    RewardReferenceSummaryOut,
    RewardRefusalPage,
    RewardRuleIn,
    RewardRuleOut,
    RewardSettingsIn,
    RewardSettingsOut,
    RewardSweepOut,
    RewardTemplateIn,
    RewardTemplateOut,
    RewardThankYouDoneIn,
    RewardThankYouOut,
    RewardThankYouPage,
)

router = Router(tags=["rewards"])


def _pm(request) -> None:
    if not is_program_manager(request.user):
        raise Forbidden("Only a program manager can do this.")


def _balance(holder) -> dict:
    expiring, at = selectors.expiring_soon(holder)
    return {"holder_id": holder.pk if holder else None, "balance": selectors.balance_of(holder), "expiring": expiring,
            "expiring_at": at, "entries": list(selectors.ledger_list(holder=holder)[:200])}  # fmt: skip


# --- balances and the ledger ----------------------------------------------------------------------


@router.get(
    "/rewards/me",
    response={200: RewardBalanceOut, **ERRORS},
    summary="My points, with the latest ledger entries",
)
def my_points(request):
    mine = selectors.my_points(user=request.user)
    return _balance(mine.holder)


@router.get(
    "/rewards/holders/{holder_id}",
    response={200: RewardBalanceOut, **ERRORS},
    summary="A holder's points and ledger",
)
def holder_points(request, holder_id: int):
    return _balance(selectors.holder_get(user=request.user, holder_id=holder_id))


@router.get("/rewards/references/{reference_id}", response={200: RewardReferenceSummaryOut, **ERRORS},
            summary="A reference's balance, ledger, redemptions and the catalogue as they may use it")  # fmt: skip
def reference_summary(request, reference_id: int):
    _pm(request)
    s = selectors.reference_rewards_summary(reference_id)
    return {**s, "reference_id": reference_id, "holder_id": s["holder"].pk if s["holder"] else None,
            "redemptions": [presenters.redemption_out(r) for r in s["redemptions"]]}  # fmt: skip


@router.post(
    "/rewards/adjustments",
    response={201: LedgerEntryOut, **ERRORS},
    summary="Add or take away points by hand, with a reason",
)
def adjust(request, payload: RewardAdjustIn):
    return Status(201, services.points_adjust(actor=request.user, **payload.model_dump()))


@router.post("/rewards/activities/{activity_id}/credit", response={201: LedgerEntryOut, **ERRORS},
             summary="Credit a completed activity by hand (it is credited automatically on completion)")  # fmt: skip
def credit_activity(request, activity_id: int):
    entry = services.reward_credit_for_activity(activity_id=activity_id, actor=request.user)
    if entry is None:
        refusal = (
            RewardRefusal.objects.filter(activity_id=activity_id).order_by("-at", "-pk").first()
        )
        raise services.RewardRefused(
            refusal.reason if refusal else "No points for this activity.",
            code=refusal.code if refusal else "",
        )
    return Status(201, entry)


# --- rules and settings ------------------------------------------------------------------------------


@router.get(
    "/rewards/rules",
    response={200: list[RewardRuleOut], **ERRORS},
    summary="Points per activity type and sales action",
)
def list_rules(request):
    return [presenters.rule_out(r) for r in selectors.earn_rule_list(user=request.user)]


@router.put(
    "/rewards/rules/{key}",
    response={200: RewardRuleOut, **ERRORS},
    summary="Set the points of one rule",
)
def set_rule(request, key: str, payload: RewardRuleIn):
    return presenters.rule_out(
        services.earn_rule_set(actor=request.user, key=key, **payload.model_dump())
    )


@router.get(
    "/rewards/settings",
    response={200: RewardSettingsOut, **ERRORS},
    summary="Expiry, notice, yearly cap, thank-you deadline",
)
def get_settings(request):
    _pm(request)
    return services.reward_settings_get()


@router.patch(
    "/rewards/settings",
    response={200: RewardSettingsOut, **ERRORS},
    summary="Change reward settings",
)
def update_settings(request, payload: RewardSettingsIn):
    return services.reward_settings_update(
        actor=request.user, **payload.model_dump(exclude_none=True)
    )


# --- catalogue and redemptions ------------------------------------------------------------------------


@router.get(
    "/rewards/catalogue",
    response={200: list[CatalogueItemOut], **ERRORS},
    summary="The rewards catalogue",
)
def list_catalogue(request, include_inactive: bool = False):
    return list(selectors.catalogue_list(user=request.user, include_inactive=include_inactive))


@router.post(
    "/rewards/catalogue", response={201: CatalogueItemOut, **ERRORS}, summary="Add a catalogue item"
)
def create_item(request, payload: CatalogueItemIn):
    return Status(
        201,
        services.catalogue_item_create(actor=request.user, **payload.model_dump(exclude_none=True)),
    )


@router.patch(
    "/rewards/catalogue/{item_id}",
    response={200: CatalogueItemOut, **ERRORS},
    summary="Change a catalogue item",
)
def update_item(request, item_id: int, payload: CatalogueItemPatch):
    return services.catalogue_item_update(
        actor=request.user, item_id=item_id, **payload.model_dump(exclude_unset=True)
    )


class RedemptionQuery(Schema):
    status: Annotated[str, Field(max_length=20)] = ""


@router.get(
    "/rewards/redemptions",
    response={200: RedemptionPage, **ERRORS},
    summary="Redemptions (all for a program manager, else mine)",
)
def list_redemptions(
    request, filters: Query[RedemptionQuery], limit: Limit = 50, offset: Offset = 0
):
    result = page(
        selectors.redemption_list(user=request.user, status=filters.status),
        limit=limit,
        offset=offset,
    )
    result["items"] = [presenters.redemption_out(r) for r in result["items"]]
    return result


def _redemption(request, redemption_id: int) -> dict:
    found = selectors.redemption_list(user=request.user).filter(pk=redemption_id).first()
    if found is None:
        raise NotFound(f"No redemption #{redemption_id}.")
    return presenters.redemption_out(found)


@router.post("/rewards/redemptions", response={201: RedemptionOut, **ERRORS},
             summary="Redeem points: my own, or a reference's (program managers)")  # fmt: skip
def redeem(request, payload: RedemptionIn):
    created = services.reward_redeem(actor=request.user, **payload.model_dump())
    return Status(201, _redemption(request, created.pk))


@router.post(
    "/rewards/redemptions/{redemption_id}/approve",
    response={200: RedemptionOut, **ERRORS},
    summary="Approve a redemption",
)
def approve(request, redemption_id: int):
    services.redemption_approve(actor=request.user, redemption_id=redemption_id)
    return _redemption(request, redemption_id)


@router.post(
    "/rewards/redemptions/{redemption_id}/fulfil",
    response={200: RedemptionOut, **ERRORS},
    summary="Mark a redemption fulfilled",
)
def fulfil(request, redemption_id: int):
    services.redemption_fulfil(actor=request.user, redemption_id=redemption_id)
    return _redemption(request, redemption_id)


@router.post("/rewards/redemptions/{redemption_id}/refuse", response={200: RedemptionOut, **ERRORS},
             summary="Refuse a redemption; the points are returned")  # fmt: skip
def refuse(request, redemption_id: int, payload: RedemptionRefuseIn):
    services.redemption_refuse(
        actor=request.user, redemption_id=redemption_id, reason=payload.reason
    )
    return _redemption(request, redemption_id)


@router.get(
    "/rewards/refusals",
    response={200: RewardRefusalPage, **ERRORS},
    summary="Every refused credit and redemption, with its reason",
)
def list_refusals(
    request, code: Annotated[str, Field(max_length=30)] = "", limit: Limit = 50, offset: Offset = 0
):
    return page(selectors.refusal_list(user=request.user, code=code), limit=limit, offset=offset)


# --- thank-yous ---------------------------------------------------------------------------------------


@router.get(
    "/rewards/thank-yous",
    response={200: RewardThankYouPage, **ERRORS},
    summary="Open thank-yous (overdue=true: only overdue)",
)
def list_thank_yous(request, overdue: bool = False, limit: Limit = 50, offset: Offset = 0):
    result = page(
        selectors.thank_you_list(user=request.user, overdue=overdue), limit=limit, offset=offset
    )
    result["items"] = [presenters.thank_you_out(t) for t in result["items"]]
    return result


@router.post("/rewards/thank-yous/{task_id}/done", response={200: RewardThankYouOut, **ERRORS},
             summary="Send the thank-you (template or note), or record it as given another way")  # fmt: skip
def thank_you_done(request, task_id: int, payload: RewardThankYouDoneIn):
    task = services.thank_you_complete(actor=request.user, task_id=task_id, **payload.model_dump())
    return presenters.thank_you_out(
        selectors.thank_you_list(user=request.user, status="").get(pk=task.pk)
    )


@router.get(
    "/rewards/thank-you-templates",
    response={200: list[RewardTemplateOut], **ERRORS},
    summary="Thank-you note templates",
)
def list_templates(request):
    return list(selectors.thank_you_template_list(user=request.user))


@router.post(
    "/rewards/thank-you-templates",
    response={201: RewardTemplateOut, **ERRORS},
    summary="Add a thank-you template",
)
def create_template(request, payload: RewardTemplateIn):
    return Status(201, services.thank_you_template_save(actor=request.user, **payload.model_dump()))


@router.put(
    "/rewards/thank-you-templates/{template_id}",
    response={200: RewardTemplateOut, **ERRORS},
    summary="Edit a thank-you template",
)
def update_template(request, template_id: int, payload: RewardTemplateIn):
    return services.thank_you_template_save(
        actor=request.user, template_id=template_id, **payload.model_dump()
    )


# --- leaderboards and contests ------------------------------------------------------------------------


class LeaderboardQuery(Schema):
    period: Annotated[str, Field(max_length=10)] = "month"
    on: dt.date | None = None
    team: Annotated[str, Field(max_length=100)] = ""


@router.get(
    "/rewards/leaderboard",
    response={200: LeaderboardOut, **ERRORS},
    summary="Salespeople ranked by points in a month, quarter or year",
)
def leaderboard(request, filters: Query[LeaderboardQuery]):
    board = selectors.leaderboard(user=request.user, **filters.model_dump())
    return {**board, "rows": [presenters.standing_out(s) for s in board["rows"]]}


@router.get("/rewards/contests", response={200: list[ContestOut], **ERRORS}, summary="Contests")
def list_contests(request):
    return list(selectors.contest_list(user=request.user))


@router.post("/rewards/contests", response={201: ContestOut, **ERRORS}, summary="Start a contest")
def create_contest(request, payload: ContestIn):
    return Status(201, services.contest_create(actor=request.user, **payload.model_dump()))


@router.get(
    "/rewards/contests/{contest_id}",
    response={200: ContestDetailOut, **ERRORS},
    summary="A contest and its standings",
)
def get_contest(request, contest_id: int):
    contest = selectors.contest_get(user=request.user, contest_id=contest_id)
    return {
        **ContestOut.from_orm(contest).model_dump(),
        "standings": [presenters.standing_out(s) for s in selectors.contest_standings(contest)],
    }


@router.post(
    "/rewards/sweep",
    response={200: RewardSweepOut, **ERRORS},
    summary="Run the rewards sweep now (program managers)",
)
def sweep(request):
    _pm(request)
    return services.rewards_sweep()
