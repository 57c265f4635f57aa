"""Every write to the reference pool: accounts, contacts, reference profiles, statuses, grants."""

from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from refdesk.core.errors import Conflict, Forbidden, IllegalTransition, InvalidInput
from refdesk.people import permissions
from refdesk.people.services import user_get_or_create_owner
from refdesk.pool import validation as v
from refdesk.pool.choices import STATUS_TRANSITIONS, ReferenceStatus
from refdesk.pool.models import (
    Account,
    ConsentAction,
    ConsentRecord,
    ConsentSource,
    Contact,
    ContactAccessGrant,
    Product,
    ReferenceProfile,
    ReferenceStatusChange,
)
from refdesk.pool.selectors import naics_industry


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise Forbidden(message)


def products_get_or_create(names: Iterable[str]) -> list[Product]:
    """The catalogue's products with these names (matched case-insensitively), created if new."""
    result = []
    for name in names:
        product = Product.objects.filter(name__iexact=name).first()
        if product is None:
            try:
                with transaction.atomic():
                    product = Product.objects.create(name=name)
            except IntegrityError:
                product = Product.objects.get(name__iexact=name)
        result.append(product)
    return result


def _apply_account_fields(account: Account, cleaned: dict[str, Any]) -> list[str]:
    """Set cleaned fields on an account; returns the product names to set afterwards (or None)."""
    products = cleaned.pop("products", None)
    if "industry" in cleaned:
        code, written = cleaned.pop("industry")
        account.industry = naics_industry(code) if code else None  # from memory, no query
        account.industry_text = written
    if "owner_email" in cleaned:
        owner_email = cleaned.pop("owner_email")
        account.owner = user_get_or_create_owner(email=owner_email) if owner_email else None
    for name, value in cleaned.items():
        setattr(account, name, value)
    return products


def _check_account_unique(account: Account) -> None:
    if account.external_id:
        clash = Account.objects.filter(external_id=account.external_id).exclude(pk=account.pk).first()
        if clash:
            raise Conflict(
                f"CRM id {account.external_id!r} already belongs to account {clash.name!r}.",
                details={"external_id": "is already used by another account"},
            )


@transaction.atomic
def account_create(*, actor, **fields: Any) -> Account:
    """Add a customer account to the pool."""
    _require(actor is None or permissions.can_manage_pool(actor), "Only a program manager can add accounts.")
    cleaned = v.clean_fields(v.ACCOUNT_FIELDS, fields, required=("name",))
    account = Account()
    products = _apply_account_fields(account, cleaned)
    _check_account_unique(account)
    account.save()
    if products is not None:
        account.products.set(products_get_or_create(products))
    return account


@transaction.atomic
def account_update(*, actor, account: Account, **fields: Any) -> Account:
    """Change the fields given; the others stay as they are."""
    _require(actor is None or permissions.can_edit_account(actor, account), "You cannot edit this account.")
    if actor is not None and not permissions.can_manage_pool(actor):
        # An account owner keeps details up to date but cannot hand the account away or unblock it.
        for field in ("owner_email", "external_id"):
            if field in fields:
                raise Forbidden(f"Only a program manager can change {field}.")
    cleaned = v.clean_fields(v.ACCOUNT_FIELDS, fields)
    products = _apply_account_fields(account, cleaned)
    _check_account_unique(account)
    account.save()
    if products is not None:
        account.products.set(products_get_or_create(products))
    for reference in ReferenceProfile.objects.filter(contact__account=account).select_related("contact__account"):
        reference_refresh_search_text(reference=reference)
    return account


def _check_contact_unique(contact: Contact) -> None:
    # Emails are stored lower-cased by the cleaner, so an exact match uses the index.
    clash = Contact.objects.filter(email=contact.email.lower()).exclude(pk=contact.pk).select_related("account").first()
    if clash:
        raise Conflict(
            f"{contact.email} is already the email of {clash.name} at {clash.account.name}.",
            details={"email": "is already used by another contact"},
        )
    if contact.external_id:
        clash = Contact.objects.filter(external_id=contact.external_id).exclude(pk=contact.pk).first()
        if clash:
            raise Conflict(
                f"CRM id {contact.external_id!r} already belongs to {clash.name}.",
                details={"external_id": "is already used by another contact"},
            )


@transaction.atomic
def contact_create(*, actor, account: Account, **fields: Any) -> Contact:
    """Add a person at a customer account."""
    _require(actor is None or permissions.can_edit_account(actor, account), "You cannot add contacts to this account.")
    cleaned = v.clean_fields(v.CONTACT_FIELDS, fields, required=("name", "email"))
    contact = Contact(account=account, **cleaned)
    _check_contact_unique(contact)
    contact.save()
    return contact


@transaction.atomic
def contact_update(*, actor, contact: Contact, **fields: Any) -> Contact:
    """Change a contact's details."""
    _require(actor is None or permissions.can_edit_account(actor, contact.account), "You cannot edit this contact.")
    cleaned = v.clean_fields(v.CONTACT_FIELDS, fields)
    for name, value in cleaned.items():
        setattr(contact, name, value)
    _check_contact_unique(contact)
    contact.save()
    reference = ReferenceProfile.objects.filter(contact=contact).select_related("contact__account").first()
    if reference:
        reference_refresh_search_text(reference=reference)
    return contact


def reference_search_text(reference: ReferenceProfile) -> str:
    """The words the pool's text search looks in."""
    contact, account = reference.contact, reference.contact.account
    parts = [
        contact.name, contact.title, account.name, account.industry_text,
        account.industry.title if account.industry_id else "",
        *reference.topics, *reference.competitors_displaced, reference.notes,
    ]
    if account.pk:
        parts.extend(p.name for p in account.products.all())
    return " ".join(p for p in parts if p).lower()


def reference_derived_fields(reference: ReferenceProfile) -> dict[str, str]:
    """The copies a reference keeps of its contact and account: search words, sort keys, country and industry."""
    account = reference.contact.account
    return {
        "search_text": reference_search_text(reference),
        "sort_name": reference.contact.name.lower()[:200],
        "sort_account": account.name.lower()[:200],
        "country": account.country or "",
        "industry_code": account.industry_id or "",
    }


def reference_refresh_search_text(*, reference: ReferenceProfile) -> None:
    """Recompute the stored search words and sort keys after the reference, its contact or account changed."""
    derived = reference_derived_fields(reference)
    for name, value in derived.items():
        setattr(reference, name, value)
    ReferenceProfile.objects.filter(pk=reference.pk).update(**derived)


@transaction.atomic
def reference_create(*, actor, contact: Contact, status: str = ReferenceStatus.CANDIDATE, reason: str = "", **fields: Any) -> ReferenceProfile:
    """Make a contact a reference (a candidate unless a status is given)."""
    _require(actor is None or permissions.can_manage_pool(actor), "Only a program manager can add references.")
    if ReferenceProfile.objects.filter(contact=contact).exists():
        raise Conflict(f"{contact.name} is already a reference.")
    cleaned = v.clean_fields(v.REFERENCE_FIELDS, fields)
    try:
        status = v.REFERENCE_STATUS(status)
    except ValueError as exc:
        raise InvalidInput(f"Please correct: status {exc}.", details={"status": str(exc)}) from None
    now = timezone.now()
    reference = ReferenceProfile(contact=contact, status=status, status_changed_at=now, status_changed_by=actor, **cleaned)
    for name, value in reference_derived_fields(reference).items():
        setattr(reference, name, value)
    reference.save()
    ReferenceStatusChange.objects.create(
        reference=reference, from_status="", to_status=status, changed_at=now, changed_by=actor, reason=reason or "created"
    )
    consent_record(actor=actor, contact=contact, before=[], after=reference.activity_types)
    return reference


@transaction.atomic
def reference_update(*, actor, reference: ReferenceProfile, consent_source: str = "", **fields: Any) -> ReferenceProfile:
    """Change what a reference agreed to, can speak to, and their satisfaction."""
    _require(
        actor is None or permissions.can_edit_account(actor, reference.contact.account), "You cannot edit this reference."
    )
    if "status" in fields:
        raise InvalidInput("Change the status with its own step, which records who and why.", details={"status": "use the status change"})
    cleaned = v.clean_fields(v.REFERENCE_FIELDS, fields)
    agreed_before = list(reference.activity_types)
    for name, value in cleaned.items():
        setattr(reference, name, value)
    for name, value in reference_derived_fields(reference).items():
        setattr(reference, name, value)
    reference.save()
    consent_record(
        actor=actor, contact=reference.contact, before=agreed_before, after=reference.activity_types, source=consent_source
    )
    return reference


def reference_status_change(*, actor, reference: ReferenceProfile, to_status: str, reason: str = "") -> ReferenceProfile:
    """Move a reference to another status if the step is allowed; recorded with who and why."""
    _require(actor is None or permissions.can_manage_pool(actor), "Only a program manager can change a reference's status.")
    if to_status not in ReferenceStatus.values:
        raise InvalidInput(f"{to_status!r} is not a status.", details={"status": f"use one of {', '.join(ReferenceStatus.values)}"})
    from_status = reference.status
    allowed = STATUS_TRANSITIONS[from_status]
    if to_status not in allowed:
        names = ", ".join(sorted(allowed))
        raise IllegalTransition(
            f"A reference cannot go from {from_status} to {to_status}; from {from_status} it can go to: {names}.",
            details={"status": f"allowed from {from_status}: {names}"},
        )
    now = timezone.now()
    with transaction.atomic():
        # Claim the change only if nobody moved the reference meanwhile.
        changed = ReferenceProfile.objects.filter(pk=reference.pk, status=from_status).update(
            status=to_status, status_changed_at=now, status_changed_by=actor, updated_at=now
        )
        if changed != 1:
            raise Conflict("The reference's status changed meanwhile; reload and try again.")
        ReferenceStatusChange.objects.create(
            reference=reference, from_status=from_status, to_status=to_status, changed_at=now,
            changed_by=actor, reason=(reason or "")[:500],
        )
    reference.status, reference.status_changed_at, reference.status_changed_by = to_status, now, actor
    return reference


def contact_access_grant(*, actor, user, contact: Contact, reason: str) -> ContactAccessGrant:
    """Let a user see a contact's email and phone (the request workflow calls this on approval)."""
    _require(actor is None or permissions.can_manage_pool(actor), "Only a program manager can grant access.")
    return ContactAccessGrant.objects.create(
        user=user, contact=contact, reason=reason[:300], granted_at=timezone.now(), granted_by=actor
    )


def consent_record(
    *, actor, contact: Contact, before: Iterable[str], after: Iterable[str], source: str = "", note: str = "", at=None
) -> list[ConsentRecord]:
    """Record consent given or withdrawn, with its date, for each activity type that changed."""
    before, after = set(before or []), set(after or [])
    source = source or (ConsentSource.STAFF if getattr(actor, "is_authenticated", False) else ConsentSource.SYSTEM)
    if source not in ConsentSource.values:
        raise InvalidInput(f"Unknown consent source {source!r}.")
    at = at or timezone.now()
    user = actor if getattr(actor, "is_authenticated", False) else None
    rows = [
        ConsentRecord(contact=contact, activity_type=t, action=action, at=at, source=source, recorded_by=user, note=note[:300])
        for action, types in ((ConsentAction.GIVEN, after - before), (ConsentAction.WITHDRAWN, before - after))
        for t in sorted(types)
    ]
    return ConsentRecord.objects.bulk_create(rows) if rows else []
