"""The pool's API router: thin doors onto pool services and selectors."""

from django.core.exceptions import ObjectDoesNotExist
from ninja import Query, Router, Schema, Status

from refdesk.core.schemas import ERRORS, Limit, Offset, page
from refdesk.people.selectors import users_by_id
from refdesk.people.services import audit_contact_view
from refdesk.pool import selectors, services
from refdesk.pool.schemas import (
    AccountIn,
    AccountOut,
    AccountPage,
    AccountPatch,
    ContactIn,
    ContactOut,
    ContactPage,
    ContactPatch,
    ReferenceDetailOut,
    ReferenceIn,
    ReferencePage,
    ReferencePatch,
    StatusChangeIn,
)

router = Router(tags=["pool"])


def account_out(account, products: list[str] | None = None) -> dict:
    """An account as the API returns it; `products` (sorted names) when the caller read them already."""
    owner = account.owner
    return {
        "id": account.pk,
        "name": account.name,
        "external_id": account.external_id,
        "industry": {"code": account.industry.code, "title": account.industry.title} if account.industry_id else None,
        "industry_text": account.industry_text,
        "country": account.country,
        "employees": account.employees,
        "products": products if products is not None else sorted(p.name for p in account.products.all()),
        "live_since": account.live_since,
        "owner": owner_out(owner) if owner else None,
        "gift_policy": account.gift_policy,
        "matching_blocked": account.matching_blocked,
        "blocked_reason": account.blocked_reason,
    }


def owner_out(owner) -> dict:
    return {"id": owner.pk, "email": owner.email, "name": owner.display_name}


def contact_out(contact, *, visible: bool) -> dict:
    try:
        reference_id = contact.reference.pk
    except ObjectDoesNotExist:
        reference_id = None
    data = {
        "id": contact.pk,
        "account_id": contact.account_id,
        "account": contact.account.name,
        "name": contact.name,
        "email": contact.email,
        "phone": contact.phone,
        "details_hidden": False,
        "title": contact.title,
        "languages": contact.languages,
        "time_zone": contact.time_zone,
        "external_id": contact.external_id,
        "reference_id": reference_id,
    }
    return data if visible else contact_details_hidden(data)


def contact_details_hidden(data: dict) -> dict:
    """A copy of a contact as `contact_out` gives it, without the email and phone a reader may not see."""
    return {**data, "email": None, "phone": None, "details_hidden": True}


def reference_out(reference, *, visible: bool, history: bool = False, products: list[str] | None = None) -> dict:
    """A reference with its contact and account; `products` as for account_out."""
    data = {
        "id": reference.pk,
        "status": reference.status,
        "status_changed_at": reference.status_changed_at,
        "contact": contact_out(reference.contact, visible=visible),
        "account": account_out(reference.contact.account, products),
        **{
            name: getattr(reference, name)
            for name in (
                "activity_types", "topics", "competitors_displaced", "testimonial_channels", "testimonial_expires",
                "nps", "nps_date", "csat", "csat_date", "opted_out", "notes",
            )
        },
    }
    if history:
        data["status_history"] = [
            {
                "from_status": change.from_status,
                "to_status": change.to_status,
                "changed_at": change.changed_at,
                "changed_by": change.changed_by.email if change.changed_by else None,
                "reason": change.reason,
            }
            for change in reference.status_changes.all()
        ]
    return data


class ReferenceQuery(Schema):
    q: str = ""
    industry: str = ""
    product: str = ""
    country: str = ""
    status: str = ""
    activity_type: str = ""
    account_id: int | None = None
    owner_id: int | None = None
    order: str = "name"


# --- accounts -------------------------------------------------------------------------


@router.get("/accounts", response={200: AccountPage, **ERRORS}, summary="List accounts")
def list_accounts(request, q: str = "", industry: str = "", country: str = "", limit: Limit = 50, offset: Offset = 0):
    qs = selectors.account_list(user=request.user, q=q, industry=industry, country=country)
    result = page(qs, limit=limit, offset=offset)
    result["items"] = [account_out(a) for a in result["items"]]
    return result


@router.get("/accounts/{account_id}", response={200: AccountOut, **ERRORS}, summary="Get an account")
def get_account(request, account_id: int):
    return account_out(selectors.account_get(user=request.user, account_id=account_id))


@router.post("/accounts", response={201: AccountOut, **ERRORS}, summary="Create an account")
def create_account(request, payload: AccountIn):
    account = services.account_create(actor=request.user, **payload.model_dump())
    return Status(201, account_out(selectors.account_get(user=request.user, account_id=account.pk)))


@router.patch("/accounts/{account_id}", response={200: AccountOut, **ERRORS}, summary="Update an account")
def update_account(request, account_id: int, payload: AccountPatch):
    account = selectors.account_get(user=request.user, account_id=account_id)
    services.account_update(actor=request.user, account=account, **payload.model_dump(exclude_unset=True))
    return account_out(selectors.account_get(user=request.user, account_id=account.pk))


# --- contacts -------------------------------------------------------------------------


def _contacts_out(user, contacts) -> list[dict]:
    visible = selectors.contact_ids_visible(user=user, contacts=contacts)
    audit_contact_view(user, visible, "api")
    return [contact_out(c, visible=c.pk in visible) for c in contacts]


@router.get("/contacts", response={200: ContactPage, **ERRORS}, summary="List contacts")
def list_contacts(request, account_id: int | None = None, q: str = "", limit: Limit = 50, offset: Offset = 0):
    qs = selectors.contact_list(user=request.user, account_id=account_id, q=q).select_related("reference")
    result = page(qs, limit=limit, offset=offset)
    result["items"] = _contacts_out(request.user, result["items"])
    return result


@router.get("/contacts/{contact_id}", response={200: ContactOut, **ERRORS}, summary="Get a contact")
def get_contact(request, contact_id: int):
    contact = selectors.contact_get(user=request.user, contact_id=contact_id)
    return _contacts_out(request.user, [contact])[0]


@router.post("/contacts", response={201: ContactOut, **ERRORS}, summary="Create a contact")
def create_contact(request, payload: ContactIn):
    data = payload.model_dump()
    account = selectors.account_get(user=request.user, account_id=data.pop("account_id"))
    contact = services.contact_create(actor=request.user, account=account, **data)
    return Status(201, _contacts_out(request.user, [selectors.contact_get(user=request.user, contact_id=contact.pk)])[0])


@router.patch("/contacts/{contact_id}", response={200: ContactOut, **ERRORS}, summary="Update a contact")
def update_contact(request, contact_id: int, payload: ContactPatch):
    contact = selectors.contact_get(user=request.user, contact_id=contact_id)
    services.contact_update(actor=request.user, contact=contact, **payload.model_dump(exclude_unset=True))
    return _contacts_out(request.user, [selectors.contact_get(user=request.user, contact_id=contact_id)])[0]


# --- references -----------------------------------------------------------------------


def _reference_detail(user, reference_id: int) -> dict:
    reference = selectors.reference_get(user=user, reference_id=reference_id)
    visible = selectors.contact_details_visible(user=user, contact=reference.contact)
    if visible:
        audit_contact_view(user, [reference.contact], "api")
    return reference_out(reference, visible=visible, history=True)


@router.get("/references", response={200: ReferencePage, **ERRORS}, summary="List references")
def list_references(request, filters: Query[ReferenceQuery], limit: Limit = 50, offset: Offset = 0):
    qs = selectors.reference_list(user=request.user, filters=selectors.ReferenceFilters(**filters.model_dump()))

    def every_detail() -> dict:
        result = page(qs, limit=limit, offset=offset, count=lambda: selectors.reference_count(qs))
        products = selectors.product_names_by_account({r.contact.account_id for r in result["items"]})
        result["items"] = [
            reference_out(r, visible=True, products=products.get(r.contact.account_id, [])) for r in result["items"]
        ]
        return result

    # The same page for every reader until the pool changes; each reader's own view of it only
    # differs in whose email and phone are hidden.
    key = ("api references", tuple(sorted(filters.model_dump().items())), limit, offset)
    result = selectors.pool_remembered(key, every_detail)
    owner_ids = {item["contact"]["id"]: (item["account"]["owner"] or {}).get("id") for item in result["items"]}
    visible = selectors.contact_ids_visible_owned(user=request.user, owners=owner_ids)
    audit_contact_view(request.user, visible, "api")
    owners = users_by_id(set(owner_ids.values()) - {None})
    return {**result, "items": [_as_read_by(item, visible, owners) for item in result["items"]]}


def _as_read_by(item: dict, visible: set[int], owners: dict) -> dict:
    """A remembered item of the references list as one reader gets it: the contact's email and
    phone only if `visible`, the account's owner as they are now (not part of the pool's stamps)."""
    contact, account = item["contact"], item["account"]
    owner = owners.get(account["owner"]["id"]) if account["owner"] else None
    return {
        **item,
        "contact": contact if contact["id"] in visible else contact_details_hidden(contact),
        "account": {**account, "owner": owner_out(owner) if owner else None},
    }


@router.get("/references/{reference_id}", response={200: ReferenceDetailOut, **ERRORS}, summary="Get a reference")
def get_reference(request, reference_id: int):
    return _reference_detail(request.user, reference_id)


@router.post("/references", response={201: ReferenceDetailOut, **ERRORS}, summary="Make a contact a reference")
def create_reference(request, payload: ReferenceIn):
    data = payload.model_dump()
    contact = selectors.contact_get(user=request.user, contact_id=data.pop("contact_id"))
    reference = services.reference_create(actor=request.user, contact=contact, **data)
    return Status(201, _reference_detail(request.user, reference.pk))


@router.patch("/references/{reference_id}", response={200: ReferenceDetailOut, **ERRORS}, summary="Update a reference")
def update_reference(request, reference_id: int, payload: ReferencePatch):
    reference = selectors.reference_get(user=request.user, reference_id=reference_id)
    services.reference_update(actor=request.user, reference=reference, **payload.model_dump(exclude_unset=True))
    return _reference_detail(request.user, reference_id)


@router.post(
    "/references/{reference_id}/status", response={200: ReferenceDetailOut, **ERRORS}, summary="Change a reference's status"
)
def change_reference_status(request, reference_id: int, payload: StatusChangeIn):
    reference = selectors.reference_get(user=request.user, reference_id=reference_id)
    services.reference_status_change(actor=request.user, reference=reference, to_status=payload.status, reason=payload.reason)
    return _reference_detail(request.user, reference_id)
