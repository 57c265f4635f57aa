"""Growth API: thin doors onto growth services and selectors."""

from ninja import Router, Status

from refdesk.core.schemas import ERRORS
from refdesk.growth import selectors, services
from refdesk.growth.schemas import (
    GiveBackIn,
    LookalikeOut,
    NominationIn,
    NominationOut,
    NominationReviewIn,
    ReadinessInviteIn,
    ReadinessOut,
    WinIn,
    WinOut,
    WishIn,
)
from refdesk.pool import selectors as pool_selectors

router = Router(tags=["growth"])


def nomination_out(n) -> dict:
    return {"id": n.pk, "contact_id": n.contact_id, "contact": n.contact.name, "account": n.contact.account.name,
            "nominator": n.nominator.email, "kind": n.kind, "reason": n.reason, "status": n.status, "stage": n.stage,
            "reference_id": n.reference_id, "decline_reason": n.decline_reason, "credited_points": n.credited_points}  # fmt: skip


@router.get("/growth/nominations", response={200: list[NominationOut], **ERRORS}, summary="List nominations")
def list_nominations(request, status: str = ""):
    return [nomination_out(n) for n in selectors.nomination_list(user=request.user, status=status)[:500]]


@router.post("/growth/nominations", response={201: NominationOut, **ERRORS}, summary="Nominate a reference")
def create_nomination(request, payload: NominationIn):
    contact = pool_selectors.contact_get(user=request.user, contact_id=payload.contact_id) if payload.contact_id else None
    account = pool_selectors.account_get(user=request.user, account_id=payload.account_id) if payload.account_id and not contact else None
    n = services.nomination_submit(actor=request.user, contact=contact, account=account, name=payload.name, email=payload.email,
                                   title=payload.title, kind=payload.kind, reason=payload.reason)  # fmt: skip
    return Status(201, nomination_out(n))


@router.post("/growth/nominations/{nomination_id}/review", response={200: NominationOut, **ERRORS}, summary="Accept, decline, invite or activate a nominee")
def review_nomination(request, nomination_id: int, payload: NominationReviewIn):
    from refdesk.core.errors import InvalidInput

    n = selectors.nomination_get(user=request.user, nomination_id=nomination_id)
    actions = {
        "accept": lambda: services.nomination_accept(actor=request.user, nomination=n, note=payload.reason),
        "decline": lambda: services.nomination_decline(actor=request.user, nomination=n, reason=payload.reason),
        "invite": lambda: services.nomination_invite(actor=request.user, nomination=n, override_note=payload.reason),
        "activate": lambda: services.nomination_activate(actor=request.user, nomination=n),
    }
    if payload.action not in actions:
        raise InvalidInput("Unknown action.", details={"action": "use accept, decline, invite or activate"})
    actions[payload.action]()
    return nomination_out(selectors.nomination_get(user=request.user, nomination_id=nomination_id))


@router.get("/growth/readiness", response={200: list[ReadinessOut], **ERRORS}, summary="Candidates and whether they may be asked, with why")
def list_readiness(request):
    return [{"reference_id": r.pk, "name": r.contact.name, "account": r.contact.account.name, **ready.as_dict()}
            for r, ready in selectors.readiness_list(user=request.user)]  # fmt: skip


@router.post("/growth/references/{reference_id}/invite", response={200: ReadinessOut, **ERRORS}, summary="Invite a candidate (refused if not ready, unless a PM overrides)")
def invite_reference(request, reference_id: int, payload: ReadinessInviteIn):
    reference = pool_selectors.reference_get(user=request.user, reference_id=reference_id)
    services.reference_invite(actor=request.user, reference=reference, override_note=payload.override_note)
    return {"reference_id": reference.pk, "name": reference.contact.name, "account": reference.contact.account.name,
            **selectors.reference_readiness(reference).as_dict()}  # fmt: skip


@router.get("/growth/lookalikes", response={200: LookalikeOut, **ERRORS}, summary="Customers who fit the wanted profile, with reasons")
def list_lookalikes(request, limit: int = 50):
    return selectors.lookalike_list(user=request.user, limit=max(1, min(limit, 500)))


@router.post("/growth/wishes", response={201: dict, **ERRORS}, summary="Add an account to my wish list")
def add_wish(request, payload: WishIn):
    account = pool_selectors.account_get(user=request.user, account_id=payload.account_id)
    wish = services.wish_add(actor=request.user, account=account, note=payload.note)
    return Status(201, {"id": wish.pk, "account_id": account.pk})


@router.post("/growth/wins", response={200: WinOut, 201: WinOut, **ERRORS}, summary="Record a closed-won opportunity (its champion becomes a candidate)")
def create_win(request, payload: WinIn):
    fields = {k: val for k, val in payload.dict().items() if val not in (None, "", [])}
    fields["opportunity_id"] = payload.opportunity_id
    win, created = services.win_record(actor=request.user, **fields)
    out = {"id": win.pk, "opportunity_id": win.external_id, "account_id": win.account_id, "contact_id": win.contact_id,
           "reference_id": win.reference_id, "created": created}  # fmt: skip
    return Status(201 if created else 200, out)


@router.post("/growth/givebacks", response={201: dict, **ERRORS}, summary="Log a give-back to a customer")
def create_giveback(request, payload: GiveBackIn):
    account = pool_selectors.account_get(user=request.user, account_id=payload.account_id)
    g = services.giveback_log(actor=request.user, account=account, kind=payload.kind, occurred_on=payload.occurred_on,
                              note=payload.note, value=payload.value)  # fmt: skip
    return Status(201, {"id": g.pk})


@router.get("/growth/stale", response={200: list[int], **ERRORS}, summary="Ids of stale reference profiles")
def list_stale(request):
    return sorted(r.pk for r in selectors.stale_list(user=request.user))
