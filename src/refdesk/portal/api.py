"""Portal API: the reference's own actions with the token from their emailed link (no staff login),
and the program manager's send / revoke. Thin doors onto portal services and selectors."""

from ninja import Router, Status

from refdesk.core import ratelimit
from refdesk.core.schemas import ERRORS, ErrorOut
from refdesk.portal import forms, selectors, services
from refdesk.portal.schemas import (
    PortalAccessOut,
    PortalAnswerIn,
    PortalAwayIn,
    PortalErasureIn,
    PortalErasureOut,
    PortalExportOut,
    PortalLinkRequestIn,
    PortalMessageOut,
    PortalOverviewOut,
    PortalPreferencesIn,
    PortalPreferencesOut,
    PortalRedeemIn,
    PortalRedemptionOut,
    PortalRequestOut,
)

router = Router(tags=["portal"])

LINK_ERRORS = {400: ErrorOut, 404: ErrorOut, 409: ErrorOut, 410: ErrorOut, 422: ErrorOut}
SENT = "If this address belongs to one of our references, a link is on its way."


def _request_out(c) -> dict:
    from refdesk.asks.presenters import respond_actions

    r = c.request
    return {
        "candidate_id": c.pk, "status": c.status, "request_status": r.status, "prospect": r.prospect,
        "industry": r.industry.title if r.industry_id else r.industry_text, "activity_type": r.activity_type,
        "needed_by": r.needed_by, "requester": r.requester.display_name, "scheduled_start": c.scheduled_start,
        "scheduled_end": c.scheduled_end, "allowed_actions": respond_actions(c),
    }  # fmt: skip


def _preferences_out(contact) -> dict:
    prefs = selectors.preferences(contact=contact)
    prefs["unavailable"] = [
        {"id": p.pk, "starts_on": p.starts_on, "ends_on": p.ends_on, "note": p.note}
        for p in prefs["unavailable"]
    ]
    prefs.pop("reference")
    return prefs


@router.post("/portal/link-requests", auth=None, response={202: PortalMessageOut, 400: ErrorOut, 422: ErrorOut, 429: ErrorOut},
             summary="Email me a portal link (the same answer whether or not the address is known)")  # fmt: skip
def portal_link_request(request, payload: PortalLinkRequestIn):
    services.portal_link_request(email=payload.email, ip=ratelimit.client_ip(request))
    return Status(202, {"message": SENT})


@router.get("/portal/{token}", auth=None, response={200: PortalOverviewOut, **LINK_ERRORS},
            summary="The reference's requests, calls, points and preferences, from their signed link")  # fmt: skip
def portal_overview(request, token: str):
    contact = selectors.contact_for_token(token)
    data = selectors.overview(contact=contact)
    return {
        "contact_id": contact.pk, "name": contact.name, "account": contact.account.name,
        "open_requests": [_request_out(c) for c in data["open_requests"]],
        "upcoming_calls": [_request_out(c) for c in data["upcoming_calls"]],
        "past_requests": [_request_out(c) for c in data["past_requests"]],
        "points_balance": selectors.rewards(contact=contact)["balance"],
        "preferences": _preferences_out(contact),
    }  # fmt: skip


@router.post("/portal/{token}/requests/{candidate_id}/answer", auth=None, response={200: PortalRequestOut, **LINK_ERRORS},
             summary="Accept, decline, propose times, confirm the call or give feedback on one of your requests")  # fmt: skip
def portal_answer(request, token: str, candidate_id: int, payload: PortalAnswerIn):
    contact = selectors.contact_for_token(token)
    zone = payload.time_zone or contact.time_zone or "UTC"
    slots = []
    for slot in payload.slots:
        start, end = forms.localize(slot.starts_at, zone), forms.localize(slot.ends_at, zone)
        slots.append((start, end))
    candidate = services.request_answer(
        contact=contact, candidate_id=candidate_id, action=payload.action, reason=payload.reason, time_zone=zone,
        slots=slots, rating=payload.rating, comment=payload.comment,
    )  # fmt: skip
    return _request_out(candidate)


@router.get("/portal/{token}/preferences", auth=None, response={200: PortalPreferencesOut, **LINK_ERRORS},
            summary="Your preferences")  # fmt: skip
def portal_preferences_get(request, token: str):
    return _preferences_out(selectors.contact_for_token(token))


@router.put("/portal/{token}/preferences", auth=None, response={200: PortalPreferencesOut, **LINK_ERRORS},
            summary="Change your preferences (fields left out stay as they are); matching follows at once")  # fmt: skip
def portal_preferences_put(request, token: str, payload: PortalPreferencesIn):
    contact = selectors.contact_for_token(token)
    fields = payload.dict(exclude_none=True, exclude={"clear_monthly_limit"})
    if payload.clear_monthly_limit:
        fields["monthly_limit"] = None
    services.preferences_update(contact=contact, **fields)
    contact.refresh_from_db()
    return _preferences_out(selectors.contact_for_token(token))


@router.post("/portal/{token}/away", auth=None, response={201: PortalPreferencesOut, **LINK_ERRORS},
             summary="Add dates you are away")  # fmt: skip
def portal_away_add(request, token: str, payload: PortalAwayIn):
    contact = selectors.contact_for_token(token)
    services.unavailable_add(
        contact=contact, starts_on=payload.starts_on, ends_on=payload.ends_on, note=payload.note
    )
    return Status(201, _preferences_out(contact))


@router.post("/portal/{token}/stop", auth=None, response={200: PortalPreferencesOut, **LINK_ERRORS},
             summary="Stop asking me: opted out at once, open invitations declined")  # fmt: skip
def portal_stop(request, token: str):
    contact = selectors.contact_for_token(token)
    services.stop_asking(contact=contact)
    return _preferences_out(selectors.contact_for_token(token))


@router.post("/portal/{token}/redemptions", auth=None, response={201: PortalRedemptionOut, **LINK_ERRORS},
             summary="Redeem your points on a catalogue item")  # fmt: skip
def portal_redeem(request, token: str, payload: PortalRedeemIn):
    contact = selectors.contact_for_token(token)
    r = services.redeem(contact=contact, item_id=payload.item_id, note=payload.note)
    return Status(201, {"id": r.pk, "item": r.item.name, "points": r.points, "status": r.status})


@router.get("/portal/{token}/export", auth=None, response={200: PortalExportOut, **LINK_ERRORS},
            summary="Everything Refdesk holds about you, as JSON (recorded in the audit log)")  # fmt: skip
def portal_export(request, token: str):
    return services.data_export(contact=selectors.contact_for_token(token))


@router.post("/portal/{token}/erasure", auth=None, response={202: PortalErasureOut, **LINK_ERRORS},
             summary="Ask to be erased: asking stops at once, the program team carries it out")  # fmt: skip
def portal_erasure(request, token: str, payload: PortalErasureIn):
    found = services.erasure_request(contact=selectors.contact_for_token(token), note=payload.note)
    return Status(202, {"status": found.status, "requested_at": found.requested_at})


def _access_out(reference_id: int, access) -> dict:
    return {
        "reference_id": reference_id,
        "last_sent_at": access.last_sent_at if access else None,
        "last_opened_at": access.last_opened_at if access else None,
        "revoked_at": access.revoked_at if access else None,
    }


@router.post("/references/{reference_id}/portal-link", response={200: PortalAccessOut, **ERRORS},
             summary="Email a reference their portal link (program managers)")  # fmt: skip
def portal_link_send(request, reference_id: int):
    state = selectors.access_state(user=request.user, reference_id=reference_id)
    access = services.portal_link_send(actor=request.user, contact=state["contact"])
    access.refresh_from_db()
    return _access_out(reference_id, access)


@router.post("/references/{reference_id}/portal-revoke", response={200: PortalAccessOut, **ERRORS},
             summary="End every portal link and session of a reference at once (program managers)")  # fmt: skip
def portal_links_revoke(request, reference_id: int):
    state = selectors.access_state(user=request.user, reference_id=reference_id)
    access = services.portal_links_revoke(actor=request.user, contact=state["contact"])
    return _access_out(reference_id, access)
