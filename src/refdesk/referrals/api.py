"""Referrals API: thin doors onto referral services and selectors."""

from typing import Annotated

from ninja import Field, Router, Status

from refdesk.core.errors import Forbidden
from refdesk.core.schemas import ERRORS
from refdesk.growth.models import GiveBack
from refdesk.pool import selectors as pool_selectors
from refdesk.referrals import permissions as perms
from refdesk.referrals import selectors, services
from refdesk.referrals.schemas import (
    ReferralCostIn,
    ReferralCostOut,
    ReferralCrossSellOut,
    ReferralFeeOut,
    ReferralFeePayIn,
    ReferralFeeRuleActiveIn,
    ReferralFeeRuleIn,
    ReferralFeeRuleOut,
    ReferralLeadDetailOut,
    ReferralLeadIn,
    ReferralLeadOut,
    ReferralPassIn,
    ReferralPassOut,
    ReferralPlanIn,
    ReferralPlanOut,
    ReferralPlanStatusIn,
    ReferralSourceOut,
    ReferralStageIn,
    ReferralTargetIn,
    ReferralTargetOut,
    ReferralThankYouDoneIn,
    ReferralThankYouOut,
)

router = Router(tags=["referrals"])


def lead_out(lead) -> dict:
    return {"id": lead.pk, "company": lead.company, "source": lead.source, "referrer": lead.referrer_label, "stage": lead.stage,
            "received_on": lead.received_on, "closed_on": lead.closed_on, "expected_value": lead.expected_value, "amount": lead.amount}  # fmt: skip


def fee_out(fee) -> dict:
    return {"id": fee.pk, "lead_id": fee.lead_id, "company": fee.lead.company, "payee": fee.payee, "payee_label": fee.payee_label,
            "amount": fee.amount, "status": fee.status, "paid_on": fee.paid_on, "rule": fee.rule.name if fee.rule_id else ""}  # fmt: skip


def thank_you_out(t) -> dict:
    return {"id": t.pk, "lead_id": t.lead_id, "company": t.lead.company, "referrer": t.lead.referrer_label, "occasion": t.occasion,
            "due_on": t.due_on, "done_at": t.done_at}  # fmt: skip


def plan_out(item) -> dict:
    return {"id": item.pk, "who": item.who, "contact_id": item.contact_id, "owner": item.owner.email, "due_on": item.due_on,
            "review_on": item.review_on, "status": item.status, "completed_on": item.completed_on, "note": item.note,
            "overdue": getattr(item, "overdue", False), "review_due": getattr(item, "review_due", False)}  # fmt: skip


def rule_out(r) -> dict:
    return {"id": r.pk, "name": r.name, "source": r.source, "kind": r.kind, "percent": r.percent, "flat_amount": r.flat_amount,
            "employee_share_percent": r.employee_share_percent, "active": r.active}  # fmt: skip


def target_out(row: dict) -> dict:
    return {k: val for k, val in row.items() if k != "target"}


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise Forbidden(message)


# --- leads ----------------------------------------------------------------------------------


@router.get(
    "/referrals/leads",
    response={200: list[ReferralLeadOut], **ERRORS},
    summary="List referral leads",
)
def list_leads(request, source: str = "", stage: str = ""):
    return [
        lead_out(lead)
        for lead in selectors.lead_list(user=request.user, source=source, stage=stage)[:500]
    ]


@router.post(
    "/referrals/leads", response={201: ReferralLeadOut, **ERRORS}, summary="Log a referral lead"
)
def create_lead(request, payload: ReferralLeadIn):
    fields = {k: val for k, val in payload.dict().items() if val not in (None, "")}
    return Status(201, lead_out(services.lead_create(actor=request.user, **fields)))


@router.get(
    "/referrals/leads/{lead_id}",
    response={200: ReferralLeadDetailOut, **ERRORS},
    summary="A lead with its timeline, fees and thank-yous",
)
def get_lead(request, lead_id: int):
    lead = selectors.lead_get(user=request.user, lead_id=lead_id)
    return {**lead_out(lead), "contact_name": lead.contact_name, "contact_email": lead.contact_email, "referrer_email": selectors.lead_referrer_email(user=request.user, lead=lead, via="api"),
            "surfaced_by": lead.surfaced_by.email if lead.surfaced_by_id else "", "owner": lead.owner.email if lead.owner_id else "",
            "lost_reason": lead.lost_reason, "events": [{"kind": e.kind, "text": e.text, "at": e.at} for e in lead.events.all()],
            "fees": [fee_out(f) for f in lead.fees.all()], "thank_yous": [thank_you_out(t) for t in lead.thank_yous.all()]}  # fmt: skip


@router.post(
    "/referrals/leads/{lead_id}/stage",
    response={200: ReferralLeadOut, **ERRORS},
    summary="Move a lead to another stage",
)
def set_stage(request, lead_id: int, payload: ReferralStageIn):
    lead = selectors.lead_get(user=request.user, lead_id=lead_id)
    return lead_out(services.lead_stage_set(actor=request.user, lead=lead, **payload.dict()))


@router.get(
    "/referrals/sources",
    response={200: list[ReferralSourceOut], **ERRORS},
    summary="Leads, closure rate, revenue and cost per source",
)
def list_sources(request):
    return [f.as_dict() for f in selectors.source_report(user=request.user)]


@router.get(
    "/referrals/thank-yous",
    response={200: list[ReferralThankYouOut], **ERRORS},
    summary="Thank-yous owed to referrers",
)
def list_thank_yous(request, open_only: bool = True):
    return [
        thank_you_out(t)
        for t in selectors.thank_you_list(user=request.user, open_only=open_only)[:500]
    ]


@router.post(
    "/referrals/thank-yous/{thank_you_id}/done",
    response={200: ReferralThankYouOut, **ERRORS},
    summary="Record that a referrer was thanked",
)
def thank_you_done(request, thank_you_id: int, payload: ReferralThankYouDoneIn):
    task = selectors.thank_you_get(user=request.user, thank_you_id=thank_you_id)
    return thank_you_out(
        services.thank_you_done(actor=request.user, thank_you=task, note=payload.note)
    )


# --- targets and the ask plan ---------------------------------------------------------------


@router.get(
    "/referrals/targets",
    response={200: list[ReferralTargetOut], **ERRORS},
    summary="Referral targets per period with progress",
)
def list_targets(request):
    return [target_out(row) for row in selectors.target_progress(user=request.user)]


@router.post(
    "/referrals/targets",
    response={201: ReferralTargetOut, **ERRORS},
    summary="Set a referral target for a period",
)
def create_target(request, payload: ReferralTargetIn):
    target = services.target_set(actor=request.user, **payload.dict())
    (row,) = [r for r in selectors.target_progress(user=request.user) if r["id"] == target.pk]
    return Status(201, target_out(row))


@router.get(
    "/referrals/plan",
    response={200: list[ReferralPlanOut], **ERRORS},
    summary="Whom to ask for referrals",
)
def list_plan(request, status: str = ""):
    return [plan_out(item) for item in selectors.plan_list(user=request.user, status=status)[:500]]


@router.post(
    "/referrals/plan",
    response={201: ReferralPlanOut, **ERRORS},
    summary="Plan an ask: whom, who asks, due and review dates",
)
def create_plan_item(request, payload: ReferralPlanIn):
    fields = {k: val for k, val in payload.dict().items() if val not in (None, "")}
    item = services.plan_add(actor=request.user, **fields)
    return Status(201, plan_out(selectors.plan_get(user=request.user, item_id=item.pk)))


@router.post(
    "/referrals/plan/{item_id}",
    response={200: ReferralPlanOut, **ERRORS},
    summary="Record how an ask went",
)
def update_plan_item(request, item_id: int, payload: ReferralPlanStatusIn):
    item = selectors.plan_get(user=request.user, item_id=item_id)
    services.plan_update(actor=request.user, item=item, status=payload.status, note=payload.note)
    return plan_out(item)


# --- fees, costs ----------------------------------------------------------------------------


@router.get(
    "/referrals/fees",
    response={200: list[ReferralFeeOut], **ERRORS},
    summary="Referral fees owed and paid",
)
def list_fees(request, status: str = ""):
    return [fee_out(f) for f in selectors.fee_list(user=request.user, status=status)[:500]]


@router.post(
    "/referrals/fees/{fee_id}/pay",
    response={200: ReferralFeeOut, **ERRORS},
    summary="Mark a referral fee paid",
)
def pay_fee(request, fee_id: int, payload: ReferralFeePayIn):
    _require(perms.can_manage(request.user), "Only a program manager records fee payments.")
    fee = selectors.fee_get(user=request.user, fee_id=fee_id)
    return fee_out(services.fee_pay(actor=request.user, fee=fee, paid_on=payload.paid_on))


@router.get(
    "/referrals/fee-rules",
    response={200: list[ReferralFeeRuleOut], **ERRORS},
    summary="Referral fee rules",
)
def list_fee_rules(request):
    return [rule_out(r) for r in selectors.fee_rule_list(user=request.user)]


@router.post(
    "/referrals/fee-rules",
    response={201: ReferralFeeRuleOut, **ERRORS},
    summary="Add a fee rule (percentage or flat, employee's share)",
)
def create_fee_rule(request, payload: ReferralFeeRuleIn):
    fields = {k: val for k, val in payload.dict().items() if val is not None}
    return Status(201, rule_out(services.fee_rule_create(actor=request.user, **fields)))


@router.post(
    "/referrals/fee-rules/{rule_id}/active",
    response={200: ReferralFeeRuleOut, **ERRORS},
    summary="Switch a fee rule on or off",
)
def set_fee_rule_active(request, rule_id: int, payload: ReferralFeeRuleActiveIn):
    _require(perms.can_manage(request.user), "Only a program manager sets referral fees.")
    rule = selectors.fee_rule_get(user=request.user, rule_id=rule_id)
    return rule_out(
        services.fee_rule_set_active(actor=request.user, rule=rule, active=payload.active)
    )


@router.get(
    "/referrals/costs",
    response={200: list[ReferralCostOut], **ERRORS},
    summary="Cost per lead and per won deal, referral sources beside other channels",
)
def list_costs(request):
    return selectors.cost_comparison(user=request.user)


@router.post(
    "/referrals/costs",
    response={200: ReferralCostOut, **ERRORS},
    summary="Enter a channel's cost per lead",
)
def set_cost(request, payload: ReferralCostIn):
    cost = services.source_cost_set(actor=request.user, **payload.dict())
    return {
        "channel": cost.channel,
        "cost_per_lead": cost.cost_per_lead,
        "cost_per_won": None,
        "leads": None,
        "kind": "entered",
        "note": cost.note,
    }


# --- passed referrals, cross-sell -----------------------------------------------------------


def pass_out(p) -> dict:
    giveback = (
        GiveBack.objects.filter(source_key=f"passed-referral:{p.pk}")
        .values_list("pk", flat=True)
        .first()
    )
    return {"id": p.pk, "account_id": p.account_id, "account": p.account.name, "company": p.company, "contact_name": p.contact_name,
            "passed_on": p.passed_on, "note": p.note, "giveback_id": giveback}  # fmt: skip


@router.get(
    "/referrals/passed",
    response={200: list[ReferralPassOut], **ERRORS},
    summary="Referrals we passed to customers",
)
def list_passed(request, account_id: Annotated[int, Field(ge=1, le=2**62)] | None = None):
    return [
        pass_out(p) for p in selectors.passed_list(user=request.user, account_id=account_id)[:500]
    ]


@router.post(
    "/referrals/passed",
    response={201: ReferralPassOut, **ERRORS},
    summary="Record a referral we passed to a customer (also a give-back)",
)
def create_passed(request, payload: ReferralPassIn):
    account = pool_selectors.account_get(user=request.user, account_id=payload.account_id)
    data = payload.dict()
    data.pop("account_id")
    return Status(
        201, pass_out(services.referral_pass(actor=request.user, account=account, **data))
    )


@router.get(
    "/referrals/cross-sell",
    response={200: list[ReferralCrossSellOut], **ERRORS},
    summary="Products each customer does not own yet",
)
def list_cross_sell(request, product: str = "", limit: int = 200):
    return selectors.cross_sell(
        user=request.user, product=product[:120], limit=max(1, min(limit, 500))
    )
