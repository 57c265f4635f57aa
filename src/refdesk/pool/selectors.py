"""Reads of the reference pool shared by pages, API and CLI, already scoped to the caller."""

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import reduce
from operator import or_
from typing import TypeVar

from django.db import connection
from django.db.models import F, Prefetch, Q, QuerySet

from refdesk.core import changes
from refdesk.core.errors import Forbidden, NotFound
from refdesk.people import permissions
from refdesk.pool import naics
from refdesk.pool.industry import industry_resolve
from refdesk.pool.models import (
    Account,
    Contact,
    ContactAccessGrant,
    NaicsIndustry,
    Product,
    ReferenceProfile,
)
from refdesk.pool.validation import without_nul

T = TypeVar("T")


@dataclass
class ReferenceFilters:
    """What the pool page, `GET /api/references` and the CLI can filter by."""

    q: str = ""
    industry: str = ""
    product: str = ""
    country: str = ""
    status: str = ""
    activity_type: str = ""
    account_id: int | None = None
    owner_id: int | None = None
    order: str = "name"
    errors: dict[str, str] = field(default_factory=dict)

    def __post_init__(self):
        # PostgreSQL refuses NUL characters even in a search parameter.
        for name in ("q", "industry", "product", "country", "status", "activity_type", "order"):
            setattr(self, name, without_nul(getattr(self, name) or ""))


ORDERINGS = {
    "name": ("sort_name", "pk"),
    "account": ("sort_account", "sort_name", "pk"),
    # PostgreSQL puts NULLs first in a descending order: references with no NPS come last here,
    # as on SQLite (migration 0011 gives PostgreSQL the index for this order).
    "-nps": (F("nps").desc(nulls_last=True), "sort_name", "pk"),
    "-updated": ("-updated_at", "pk"),
}


def require_browse(user) -> None:
    """Refuse (Forbidden) anyone who may not browse the pool; pages call it before using an answer
    remembered for every reader."""
    if not permissions.can_browse_pool(user):
        raise Forbidden("You need to log in to see the reference pool.")


def industry_filter(prefix_field: str, code: str) -> Q:
    """Everything in the NAICS subtree under `code` (a sector range covers its two-digit parts)."""
    return reduce(
        or_, (Q(**{f"{prefix_field}__startswith": p}) for p in naics.subtree_prefixes(code))
    )


def list_has(field_name: str, item: str) -> Q:
    """Rows whose JSON list `field_name` holds `item`.

    PostgreSQL answers JSON containment (`@>`) with real statistics, so the planner joins the
    other filters first; SQLite has no containment on JSON, and matching the quoted item in the
    list's text gives the same answer there.
    """
    if connection.vendor == "postgresql":
        return Q(**{f"{field_name}__contains": [item]})
    return Q(**{f"{field_name}__icontains": f'"{item}"'})


def industry_filter_code(value: str) -> str | None:
    """The NAICS code a filter means: a code as typed, else the best fit for the words."""
    value = (value or "").strip()
    if naics.is_code(value):
        return value
    matches = industry_resolve(value, limit=1)
    return matches[0].code if matches else None


def naics_industry(code: str) -> NaicsIndustry:
    """The taxonomy row of a NAICS code, from memory: the table is written once, by a migration,
    from the same `naics` data, and never changes."""
    if not naics.is_code(code):
        raise NotFound(f"No NAICS industry {code!r}.")
    industry = NaicsIndustry(code=code, title=naics.title(code), parent_id=naics.parent_of(code), level=naics.level_of(code))
    industry._state.adding, industry._state.db = False, "default"
    return industry


def reference_list(*, user, filters: ReferenceFilters | None = None) -> QuerySet[ReferenceProfile]:
    """References the user may browse, filtered and ordered, with what a list shows preloaded."""
    require_browse(user)
    filters = filters or ReferenceFilters()
    qs = ReferenceProfile.objects.select_related(
        "contact__account__industry", "contact__account__owner"
    )
    if filters.q:
        for word in filters.q.lower().split()[:8]:
            qs = qs.filter(search_text__contains=word)
    if filters.industry:
        code = industry_filter_code(filters.industry)
        qs = qs.filter(industry_filter("industry_code", code)) if code else qs.none()
    if filters.product:
        # Resolve the name first so the filter joins through the indexed product id.
        product_id = (
            Product.objects.filter(name__iexact=filters.product)
            .values_list("pk", flat=True)
            .first()
        )
        qs = qs.filter(contact__account__products=product_id) if product_id else qs.none()
    if filters.country:
        qs = qs.filter(country=filters.country.upper())
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.activity_type:
        qs = qs.filter(list_has("activity_types", filters.activity_type.strip().lower()))  # stored lower-case
    if filters.account_id:
        qs = qs.filter(contact__account_id=filters.account_id)
    if filters.owner_id:
        qs = qs.filter(contact__account__owner_id=filters.owner_id)
    return qs.order_by(*ORDERINGS.get(filters.order, ORDERINGS["name"]))


def reference_rows(references: QuerySet[ReferenceProfile]) -> QuerySet[ReferenceProfile]:
    """A `reference_list` page with only the columns the pool's results table shows (the
    reference's search words and notes, the account's owner and the rest stay in the database)."""
    return references.select_related(None).select_related("contact__account__industry").only(
        "status", "opted_out", "activity_types", "nps", "contact__name", "contact__title",
        "contact__account__name", "contact__account__country", "contact__account__industry__title",
    )  # fmt: skip


POOL_TABLES = (ReferenceProfile, Contact, Account, Product)


def reference_count(references: QuerySet[ReferenceProfile]) -> int:
    """How many references a `reference_list` queryset holds, remembered until the pool changes."""
    return changes.count_remembered(references, *POOL_TABLES)


def pool_remembered(key: tuple, compute: Callable[[], T]) -> T:
    """`compute()`, remembered until the pool changes, shared by this server's processes (for what
    every reader sees alike)."""
    return changes.remembered(("pool", *key), POOL_TABLES, compute, shared=True)


def reference_get(*, user, reference_id: int) -> ReferenceProfile:
    """One reference the user may see, with its account, products and history."""
    require_browse(user)
    reference = (
        ReferenceProfile.objects.select_related(
            "contact__account__industry", "contact__account__owner", "status_changed_by"
        )
        .prefetch_related("contact__account__products", "status_changes__changed_by")
        .filter(pk=reference_id)
        .first()
    )
    if reference is None:
        raise NotFound(f"No reference with id {reference_id}.")
    return reference


def account_list(
    *, user, q: str = "", industry: str = "", country: str = "", owner_id: int | None = None
) -> QuerySet[Account]:
    """Accounts the user may browse."""
    require_browse(user)
    qs = Account.objects.select_related("industry", "owner").prefetch_related("products")
    q, industry, country = (without_nul(v) for v in (q, industry, country))
    if q:
        qs = qs.filter(name__icontains=q.strip())
    if industry:
        code = industry_filter_code(industry)
        qs = qs.filter(industry_filter("industry__code", code)) if code else qs.none()
    if country:
        qs = qs.filter(country=country.upper())
    if owner_id:
        qs = qs.filter(owner_id=owner_id)
    return qs.order_by("name", "pk")


def account_get(*, user, account_id: int) -> Account:
    """One account with its products and contacts (and their references)."""
    require_browse(user)
    account = (
        Account.objects.select_related("industry", "owner")
        .prefetch_related(
            "products", Prefetch("contacts", queryset=Contact.objects.select_related("reference"))
        )
        .filter(pk=account_id)
        .first()
    )
    if account is None:
        raise NotFound(f"No account with id {account_id}.")
    return account


def contact_list(*, user, account_id: int | None = None, q: str = "") -> QuerySet[Contact]:
    require_browse(user)
    qs = Contact.objects.select_related("account")
    q = without_nul(q)
    if account_id:
        qs = qs.filter(account_id=account_id)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(email__icontains=q))
    return qs.order_by("name", "pk")


def contact_get(*, user, contact_id: int) -> Contact:
    require_browse(user)
    contact = Contact.objects.select_related("account").filter(pk=contact_id).first()
    if contact is None:
        raise NotFound(f"No contact with id {contact_id}.")
    return contact


def product_list() -> QuerySet[Product]:
    return Product.objects.order_by("name")


def product_names_by_account(account_ids) -> dict[int, list[str]]:
    """{account id: its product names, sorted} in one query, for lists of many accounts."""
    names: dict[int, list[str]] = {}
    rows = Account.products.through.objects.filter(account_id__in=list(account_ids))
    for account_id, name in rows.values_list("account_id", "product__name"):
        names.setdefault(account_id, []).append(name)
    # Sorted in Python, as account_out sorts them: a database collation may order case differently.
    return {account_id: sorted(found) for account_id, found in names.items()}


def contact_details_visible(*, user, contact: Contact) -> bool:
    """May the user see this person's email and phone?

    Program managers and the account's owner always; anyone else only once a request of theirs
    for that person has been approved (the approval writes a ContactAccessGrant).
    """
    if not (user and user.is_authenticated):
        return False
    if permissions.is_program_manager(user):
        return True
    if contact.account.owner_id and contact.account.owner_id == user.pk:
        return True
    return ContactAccessGrant.objects.filter(
        user=user, contact=contact, revoked_at__isnull=True
    ).exists()


def contact_ids_visible(*, user, contacts: list[Contact]) -> set[int]:
    """The ids among `contacts` whose email and phone the user may see, in one query."""
    return contact_ids_visible_owned(user=user, owners={c.pk: c.account.owner_id for c in contacts})


def contact_ids_visible_owned(*, user, owners: dict[int, int | None]) -> set[int]:
    """The contact ids among `owners` ({contact id: its account owner's id}) whose email and phone
    the user may see: all for a program manager, their own accounts' for an owner, and those a
    grant opened (one query)."""
    if not (user and user.is_authenticated):
        return set()
    if permissions.is_program_manager(user):
        return set(owners)
    visible = {contact_id for contact_id, owner_id in owners.items() if owner_id and owner_id == user.pk}
    rest = [contact_id for contact_id in owners if contact_id not in visible]
    if rest:
        from refdesk.core.compiled import compiled_rows

        def build(user_id, contact_ids):
            return ContactAccessGrant.objects.filter(
                user_id=user_id, contact_id__in=contact_ids, revoked_at__isnull=True
            ).values_list("contact_id")

        # Asked on every match and page of references a salesperson reads: compiled once.
        rows = compiled_rows(("pool: contacts granted",), build, user_id=user.pk, contact_ids=rest)
        visible |= {contact_id for (contact_id,) in rows}
    return visible
