"""Referrals API: thin doors onto referral services and selectors."""

from ninja import Router, Status

from refdesk.core.schemas import ERRORS
from refdesk.referrals import selectors, services
from refdesk.referrals.schemas import (
    ReferralLeadIn,
    ReferralLeadOut,
    ReferralSourceOut,
    ReferralStageIn,
)

router = Router(tags=["referrals"])


def lead_out(lead) -> dict:
    return {"id": lead.pk, "company": lead.company, "source": lead.source, "referrer": lead.referrer_label, "stage": lead.stage,
            "received_on": lead.received_on, "closed_on": lead.closed_on, "expected_value": lead.expected_value, "amount": lead.amount}  # fmt: skip


@router.get("/referrals/leads", response={200: list[ReferralLeadOut], **ERRORS}, summary="List referral leads")
def list_leads(request, source: str = "", stage: str = ""):
    return [lead_out(lead) for lead in selectors.lead_list(user=request.user, source=source, stage=stage)[:500]]


@router.post("/referrals/leads", response={201: ReferralLeadOut, **ERRORS}, summary="Log a referral lead")
def create_lead(request, payload: ReferralLeadIn):
    fields = {k: val for k, val in payload.dict().items() if val not in (None, "")}
    return Status(201, lead_out(services.lead_create(actor=request.user, **fields)))


@router.post("/referrals/leads/{lead_id}/stage", response={200: ReferralLeadOut, **ERRORS}, summary="Move a lead to another stage")
def set_stage(request, lead_id: int, payload: ReferralStageIn):
    lead = selectors.lead_get(user=request.user, lead_id=lead_id)
    return lead_out(services.lead_stage_set(actor=request.user, lead=lead, **payload.dict()))


@router.get("/referrals/sources", response={200: list[ReferralSourceOut], **ERRORS}, summary="Leads, closure rate, revenue and cost per source")
def list_sources(request):
    return [f.as_dict() for f in selectors.source_report(user=request.user)]
