"""Growth API: thin doors onto growth services and selectors."""

from typing import Annotated

from ninja import Field, Router, Status

from refdesk.core.errors import Forbidden
from refdesk.core.schemas import ERRORS
from refdesk.growth import permissions as perms
from refdesk.growth import selectors, services
from refdesk.growth.schemas import (
    BalanceOut,
    EscalationCloseIn,
    EscalationIn,
    EscalationOut,
    GiveBackIn,
    GiveBackOut,
    GrowthSettingsIn,
    GrowthSettingsOut,
    GrowthWinListOut,
    LookalikeOut,
    MilestoneIn,
    MilestoneOut,
    NominationIn,
    NominationOut,
    NominationReviewIn,
    ReadinessInviteIn,
    ReadinessOut,
    SurveyOut,
    WinIn,
    WinOut,
    WishIn,
    WishOut,
)
from refdesk.pool import selectors as pool_selectors

router = Router(tags=["growth"])


def nomination_out(n) -> dict:
    return {"id": n.pk, "contact_id": n.contact_id, "contact": n.contact.name, "account": n.contact.account.name,
            "nominator": n.nominator.email, "kind": n.kind, "reason": n.reason, "status": n.status, "stage": n.stage,
            "reference_id": n.reference_id, "decline_reason": n.decline_reason, "credited_points": n.credited_points}  # fmt: skip


@router.get(
    "/growth/nominations", response={200: list[NominationOut], **ERRORS}, summary="List nominations"
)
def list_nominations(request, status: str = ""):
    return [
        nomination_out(n) for n in selectors.nomination_list(user=request.user, status=status)[:500]
    ]


@router.post(
    "/growth/nominations", response={201: NominationOut, **ERRORS}, summary="Nominate a reference"
)
def create_nomination(request, payload: NominationIn):
    contact = (
        pool_selectors.contact_get(user=request.user, contact_id=payload.contact_id)
        if payload.contact_id
        else None
    )
    account = (
        pool_selectors.account_get(user=request.user, account_id=payload.account_id)
        if payload.account_id and not contact
        else None
    )
    n = services.nomination_submit(actor=request.user, contact=contact, account=account, name=payload.name, email=payload.email,
                                   title=payload.title, kind=payload.kind, reason=payload.reason)  # fmt: skip
    return Status(201, nomination_out(n))


@router.post(
    "/growth/nominations/{nomination_id}/review",
    response={200: NominationOut, **ERRORS},
    summary="Accept, decline, invite or activate a nominee",
)
def review_nomination(request, nomination_id: int, payload: NominationReviewIn):
    from refdesk.core.errors import InvalidInput

    n = selectors.nomination_get(user=request.user, nomination_id=nomination_id)
    actions = {
        "accept": lambda: services.nomination_accept(
            actor=request.user, nomination=n, note=payload.reason
        ),
        "decline": lambda: services.nomination_decline(
            actor=request.user, nomination=n, reason=payload.reason
        ),
        "invite": lambda: services.nomination_invite(
            actor=request.user, nomination=n, override_note=payload.reason
        ),
        "activate": lambda: services.nomination_activate(actor=request.user, nomination=n),
    }
    if payload.action not in actions:
        raise InvalidInput(
            "Unknown action.", details={"action": "use accept, decline, invite or activate"}
        )
    actions[payload.action]()
    return nomination_out(selectors.nomination_get(user=request.user, nomination_id=nomination_id))


@router.get(
    "/growth/readiness",
    response={200: list[ReadinessOut], **ERRORS},
    summary="Candidates and whether they may be asked, with why",
)
def list_readiness(request):
    return [{"reference_id": r.pk, "name": r.contact.name, "account": r.contact.account.name, **ready.as_dict()}
            for r, ready in selectors.readiness_list(user=request.user)]  # fmt: skip


@router.post(
    "/growth/references/{reference_id}/invite",
    response={200: ReadinessOut, **ERRORS},
    summary="Invite a candidate (refused if not ready, unless a PM overrides)",
)
def invite_reference(request, reference_id: int, payload: ReadinessInviteIn):
    reference = pool_selectors.reference_get(user=request.user, reference_id=reference_id)
    services.reference_invite(
        actor=request.user, reference=reference, override_note=payload.override_note
    )
    return {"reference_id": reference.pk, "name": reference.contact.name, "account": reference.contact.account.name,
            **selectors.reference_readiness(reference).as_dict()}  # fmt: skip


@router.get(
    "/growth/lookalikes",
    response={200: LookalikeOut, **ERRORS},
    summary="Customers who fit the wanted profile, with reasons",
)
def list_lookalikes(request, limit: int = 50):
    return selectors.lookalike_list(user=request.user, limit=max(1, min(limit, 500)))


@router.post(
    "/growth/wishes", response={201: dict, **ERRORS}, summary="Add an account to my wish list"
)
def add_wish(request, payload: WishIn):
    if not perms.can_wish(request.user):
        raise Forbidden("Only salespeople and program managers keep wish lists.")
    account = pool_selectors.account_get(user=request.user, account_id=payload.account_id)
    wish = services.wish_add(actor=request.user, account=account, note=payload.note)
    return Status(201, {"id": wish.pk, "account_id": account.pk})


@router.post(
    "/growth/wins",
    response={200: WinOut, 201: WinOut, **ERRORS},
    summary="Record a closed-won opportunity (its champion becomes a candidate)",
)
def create_win(request, payload: WinIn):
    fields = {k: val for k, val in payload.dict().items() if val not in (None, "", [])}
    fields["opportunity_id"] = payload.opportunity_id
    win, created = services.win_record(actor=request.user, **fields)
    out = {"id": win.pk, "opportunity_id": win.external_id, "account_id": win.account_id, "contact_id": win.contact_id,
           "reference_id": win.reference_id, "created": created}  # fmt: skip
    return Status(201 if created else 200, out)


@router.post(
    "/growth/givebacks", response={201: dict, **ERRORS}, summary="Log a give-back to a customer"
)
def create_giveback(request, payload: GiveBackIn):
    account = pool_selectors.account_get(user=request.user, account_id=payload.account_id)
    g = services.giveback_log(actor=request.user, account=account, kind=payload.kind, occurred_on=payload.occurred_on,
                              note=payload.note, value=payload.value)  # fmt: skip
    return Status(201, {"id": g.pk})


@router.get(
    "/growth/stale", response={200: list[int], **ERRORS}, summary="Ids of stale reference profiles"
)
def list_stale(request):
    return sorted(r.pk for r in selectors.stale_list(user=request.user))


AccountId = Annotated[int, Field(ge=1, le=2**62)]


def _settings_out(settings) -> dict:
    return {name: getattr(settings, name) for name in GrowthSettingsOut.model_fields}


@router.get(
    "/growth/settings",
    response={200: GrowthSettingsOut, **ERRORS},
    summary="The growth rules: readiness, freshness, sharing rule",
)
def get_settings(request):
    if not perms.can_read(request.user):
        raise Forbidden("You need to log in to see this.")
    return _settings_out(selectors.growth_settings_get())


@router.post(
    "/growth/settings",
    response={200: GrowthSettingsOut, **ERRORS},
    summary="Change the growth rules (fields left out keep their value)",
)
def update_settings(request, payload: GrowthSettingsIn):
    fields = {k: val for k, val in payload.dict().items() if val is not None}
    return _settings_out(services.growth_settings_update(actor=request.user, **fields))


def _escalation_out(e) -> dict:
    return {"id": e.pk, "account_id": e.account_id, "account": e.account.name, "summary": e.summary, "status": e.status,
            "opened_on": e.opened_on, "closed_on": e.closed_on}  # fmt: skip


@router.get(
    "/growth/escalations",
    response={200: list[EscalationOut], **ERRORS},
    summary="Escalations (an open one means: do not ask now)",
)
def list_escalations(request, status: str = "", account_id: AccountId | None = None):
    return [
        _escalation_out(e)
        for e in selectors.escalation_list(
            user=request.user, account_id=account_id, status=status[:8]
        )[:500]
    ]


@router.post(
    "/growth/escalations",
    response={201: EscalationOut, **ERRORS},
    summary="Open an escalation at an account",
)
def open_escalation(request, payload: EscalationIn):
    account = pool_selectors.account_get(user=request.user, account_id=payload.account_id)
    e = services.escalation_open(
        actor=request.user, account=account, summary=payload.summary, opened_on=payload.opened_on
    )
    return Status(201, _escalation_out(e))


@router.post(
    "/growth/escalations/{escalation_id}/close",
    response={200: EscalationOut, **ERRORS},
    summary="Close an escalation",
)
def close_escalation(request, escalation_id: int, payload: EscalationCloseIn):
    e = selectors.escalation_get(user=request.user, escalation_id=escalation_id)
    return _escalation_out(
        services.escalation_close(actor=request.user, escalation=e, closed_on=payload.closed_on)
    )


def _milestone_out(m) -> dict:
    return {"id": m.pk, "account_id": m.account_id, "account": m.account.name, "kind": m.kind, "occurred_on": m.occurred_on,
            "note": m.note, "done": m.done}  # fmt: skip


@router.get(
    "/growth/milestones",
    response={200: list[MilestoneOut], **ERRORS},
    summary="Onboarding milestones and check-ins",
)
def list_milestones(request, account_id: AccountId | None = None, due_only: bool = False):
    qs = (
        selectors.follow_ups_due(user=request.user)
        if due_only
        else selectors.milestone_list(user=request.user)
    )
    if account_id:
        qs = qs.filter(account_id=account_id)
    return [_milestone_out(m) for m in qs[:500]]


@router.post(
    "/growth/milestones",
    response={201: MilestoneOut, **ERRORS},
    summary="Log a kick-off, go-live, check-in or follow-up",
)
def log_milestone(request, payload: MilestoneIn):
    account = pool_selectors.account_get(user=request.user, account_id=payload.account_id)
    m = services.milestone_log(actor=request.user, account=account, kind=payload.kind, occurred_on=payload.occurred_on,
                               note=payload.note, done=payload.done)  # fmt: skip
    return Status(201, _milestone_out(m))


@router.post(
    "/growth/milestones/{milestone_id}/done",
    response={200: MilestoneOut, **ERRORS},
    summary="Mark a follow-up done",
)
def milestone_done(request, milestone_id: int):
    m = selectors.milestone_get(user=request.user, milestone_id=milestone_id)
    return _milestone_out(services.milestone_complete(actor=request.user, milestone=m))


@router.get(
    "/growth/surveys",
    response={200: list[SurveyOut], **ERRORS},
    summary="NPS and CSAT answers, newest first",
)
def list_surveys(request, account_id: AccountId | None = None):
    return [{"id": r.pk, "contact_id": r.contact_id, "contact": r.contact.name, "account": r.contact.account.name, "kind": r.kind,
             "score": r.score, "answered_on": r.answered_on, "comment": r.comment}
            for r in selectors.survey_list(user=request.user, account_id=account_id)[:500]]  # fmt: skip


@router.get(
    "/growth/wins",
    response={200: list[GrowthWinListOut], **ERRORS},
    summary="Closed-won opportunities recorded",
)
def list_wins(request):
    return [{"id": w.pk, "opportunity_id": w.external_id, "account_id": w.account_id, "account": w.account.name, "contact_id": w.contact_id,
             "contact": w.contact.name, "reference_id": w.reference_id, "amount": w.amount, "closed_on": w.closed_on}
            for w in selectors.win_list(user=request.user)[:500]]  # fmt: skip


@router.get(
    "/growth/wishes",
    response={200: list[WishOut], **ERRORS},
    summary="Accounts sales wish were references",
)
def list_wishes(request):
    return [{"id": w.pk, "account_id": w.account_id, "account": w.account.name, "user": w.user.email, "note": w.note}
            for w in selectors.wish_list(user=request.user)[:500]]  # fmt: skip


@router.post(
    "/growth/wishes/{wish_id}/remove",
    response={200: dict, **ERRORS},
    summary="Take an account off a wish list",
)
def remove_wish(request, wish_id: int):
    wish = selectors.wish_get(user=request.user, wish_id=wish_id)
    services.wish_remove(actor=request.user, wish=wish)
    return {"removed": wish_id}


@router.get(
    "/growth/givebacks",
    response={200: list[GiveBackOut], **ERRORS},
    summary="Give-backs logged, newest first",
)
def list_givebacks(request, account_id: AccountId | None = None):
    return [{"id": g.pk, "account_id": g.account_id, "account": g.account.name, "kind": g.kind, "occurred_on": g.occurred_on,
             "note": g.note, "value": g.value} for g in selectors.giveback_list(user=request.user, account_id=account_id)[:500]]  # fmt: skip


@router.get(
    "/growth/balances",
    response={200: list[BalanceOut], **ERRORS},
    summary="Asks beside give-backs per customer, flagged when out of balance",
)
def list_balances(request, flagged_only: bool = False):
    return selectors.balance_list(user=request.user, flagged_only=flagged_only)
