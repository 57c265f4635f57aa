"""Every write for referrals: leads and their stages, thank-yous, fees, targets, the ask plan, costs, passed referrals."""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from refdesk.core.errors import Conflict, Forbidden, IllegalTransition, InvalidInput, NotFound
from refdesk.growth.services import _money
from refdesk.matching.scoring import normalize_name
from refdesk.people.models import User
from refdesk.pool import validation as v
from refdesk.pool.models import Account, Contact
from refdesk.referrals import permissions as perms
from refdesk.referrals import rules
from refdesk.referrals.choices import (
    OPEN_STAGES,
    STAGE_ORDER,
    FeeKind,
    FeeStatus,
    LeadSource,
    LeadStage,
    Payee,
    PlanStatus,
    ThankYouOccasion,
)
from refdesk.referrals.models import (
    AskPlanItem,
    FeeRule,
    LeadEvent,
    PassedReferral,
    ReferralFee,
    ReferralLead,
    ReferralTarget,
    ReferralThankYou,
    SourceCost,
)

THANK_YOU_DAYS = 3  # a personal thank-you is due within three days of arrival and of close
DUPLICATE_WINDOW_DAYS = 365


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise Forbidden(message)


def _fail(errors: dict[str, str]) -> None:
    if errors:
        raise InvalidInput(
            "Please correct: " + "; ".join(f"{k} {m}" for k, m in errors.items()) + ".",
            details=errors,
        )


def _clean(spec: dict, data: dict) -> dict:
    return v.clean_fields(spec, data)


def money(value: Any) -> Decimal | None:
    return _money(value)


def percent(value: Any) -> Decimal | None:
    amount = _money(value)
    if amount is not None and amount > 100:
        raise ValueError("must be between 0 and 100")
    return amount


def _event(
    lead: ReferralLead, kind: str, text: str, *, actor=None, at: dt.datetime | None = None
) -> LeadEvent:
    return LeadEvent.objects.create(lead=lead, kind=kind, text=text[:500], actor=actor if getattr(actor, "pk", None) else None,
                                    at=at or timezone.now())  # fmt: skip


# --- leads ----------------------------------------------------------------------------------

LEAD_FIELDS = {
    "company": v.text(200, required=True),
    "contact_name": v.text(200),
    "contact_email": v.optional_email,
    "source": v.choice(LeadSource),
    "referrer_contact_id": v.record_id,
    "referrer_user_email": v.optional_email,
    "referrer_name": v.text(200),
    "referrer_email": v.optional_email,
    "surfaced_by_email": v.optional_email,
    "owner_email": v.optional_email,
    "expected_value": money,
    "products": v.free_list(20, 120),
    "notes": v.text(5000),
    "received_on": v.date,
}


def _user_by_email(email: str, field: str, errors: dict) -> User | None:
    if not email:
        return None
    user = User.objects.filter(email=email, is_active=True).first()
    if user is None:
        errors[field] = f"no active user has the email {email}"
    return user


def lead_duplicates(
    *,
    company: str,
    contact_email: str = "",
    exclude_id: int | None = None,
    today: dt.date | None = None,
):
    """Leads for the same company (names compared without case, punctuation or legal suffixes) or the same person, within a year."""
    today = today or timezone.now().date()
    key = normalize_name(company)
    qs = ReferralLead.objects.filter(
        received_on__gte=today - dt.timedelta(days=DUPLICATE_WINDOW_DAYS)
    )
    match = ReferralLead.objects.none()
    if key:
        match = qs.filter(company_key=key)
    if contact_email:
        match = match | qs.filter(contact_email=contact_email)
    if exclude_id:
        match = match.exclude(pk=exclude_id)
    return match.select_related("referrer_contact__account", "referrer_user")


def lead_create(*, actor, **fields: Any) -> ReferralLead:
    """Log a referral lead with its source and referrer; duplicates and self-referrals are refused, and a thank-you falls due."""
    _require(perms.can_log(actor), "Only salespeople and program managers log referrals.")
    cleaned = _clean(LEAD_FIELDS, fields)
    errors = {n: "is required" for n in ("company", "source") if not cleaned.get(n)}
    _fail(errors)
    source = cleaned["source"]
    referrer_contact = None
    if cleaned.get("referrer_contact_id"):
        referrer_contact = (
            Contact.objects.select_related("account")
            .filter(pk=cleaned["referrer_contact_id"])
            .first()
        )
        if referrer_contact is None:
            errors["referrer_contact_id"] = "is not a contact"
    referrer_user = _user_by_email(
        cleaned.get("referrer_user_email", ""), "referrer_user_email", errors
    )
    surfaced_by = _user_by_email(cleaned.get("surfaced_by_email", ""), "surfaced_by_email", errors)
    owner = _user_by_email(cleaned.get("owner_email", ""), "owner_email", errors)
    _fail(errors)
    if source == LeadSource.CUSTOMER and referrer_contact is None:
        errors["referrer_contact_id"] = (
            "is required for a customer referral (the customer contact who referred)"
        )
    if source == LeadSource.EMPLOYEE and referrer_user is None:
        errors["referrer_user_email"] = "is required for an employee referral"
    if source in (LeadSource.PARTNER, LeadSource.EVENT) and not cleaned.get("referrer_name"):
        errors["referrer_name"] = f"is required for a {source} referral (name the {source})"
    _fail(errors)
    if (
        referrer_contact is not None
        and not perms.can_manage(actor)
        and referrer_contact.account.owner_id != actor.pk
    ):
        raise Forbidden("You can log customer referrals only from the accounts you own.")
    company_key = normalize_name(cleaned["company"])
    # Self-referral: the referrer refers their own company or themselves.
    if (
        referrer_contact is not None
        and normalize_name(referrer_contact.account.name) == company_key
    ):
        raise InvalidInput(f"{referrer_contact.name} works at {referrer_contact.account.name}: a customer cannot refer itself.",
                           details={"company": "is the referrer's own company"})  # fmt: skip
    referrer_email = (
        cleaned.get("referrer_email")
        or (referrer_contact.email if referrer_contact else "")
        or (referrer_user.email if referrer_user else "")
    )
    if cleaned.get("contact_email") and cleaned["contact_email"] == referrer_email:
        raise InvalidInput("The referrer and the referred person are the same: a self-referral.",
                           details={"contact_email": "is the referrer's own email"})  # fmt: skip
    received_on = cleaned.get("received_on") or timezone.now().date()
    dupes = list(
        lead_duplicates(
            company=cleaned["company"],
            contact_email=cleaned.get("contact_email", ""),
            today=received_on,
        )[:1]
    )
    if dupes:
        d = dupes[0]
        raise Conflict(f"{cleaned['company']} was already referred as lead #{d.pk} ({d.company}, {d.get_source_display()}, "
                       f"referred by {d.referrer_label} on {d.received_on}).",
                       details={"company": f"duplicates lead #{d.pk} from {d.received_on}"})  # fmt: skip
    now = timezone.now()
    with transaction.atomic():
        lead = ReferralLead.objects.create(
            company=cleaned["company"], company_key=company_key, contact_name=cleaned.get("contact_name", ""),
            contact_email=cleaned.get("contact_email", ""), source=source, referrer_contact=referrer_contact,
            referrer_user=referrer_user, referrer_name=cleaned.get("referrer_name", ""), referrer_email=referrer_email,
            surfaced_by=surfaced_by or (actor if source != LeadSource.WEB and perms.is_rep(actor) else None),
            owner=owner or (actor if perms.is_rep(actor) else None), expected_value=cleaned.get("expected_value"),
            products=cleaned.get("products") or [], notes=cleaned.get("notes", ""), received_on=received_on,
            created_by=actor, created_at=now,
        )  # fmt: skip
        _event(
            lead,
            "arrived",
            f"Referral from {lead.referrer_label} ({lead.get_source_display()})",
            actor=actor,
            at=now,
        )
        _thank_you_open(lead, ThankYouOccasion.ARRIVAL, received_on)
        _inform_referrer(
            lead,
            f"Thank you for referring {lead.company}! We will keep you posted as things progress.",
            step="arrived",
        )
    return lead


def _thank_you_open(lead: ReferralLead, occasion: str, day: dt.date) -> None:
    if lead.source not in (LeadSource.CUSTOMER, LeadSource.PARTNER, LeadSource.EMPLOYEE):
        return  # nobody to thank for a web form or an event badge scan
    ReferralThankYou.objects.get_or_create(
        lead=lead, occasion=occasion, defaults={"due_on": day + dt.timedelta(days=THANK_YOU_DAYS)}
    )


_quiet: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "refdesk_referrals_quiet", default=False
)


@contextlib.contextmanager
def referrer_emails_muted():
    """Record referrer updates on the timeline without emailing anyone (demo history, bulk loads)."""
    token = _quiet.set(True)
    try:
        yield
    finally:
        _quiet.reset(token)


def _inform_referrer(lead: ReferralLead, text: str, *, step: str) -> None:
    """Keep the referrer informed: a timeline line and an email through the notify outbox (once per lead and step)."""
    if not lead.referrer_email:
        return
    name = (
        lead.referrer_contact.name
        if lead.referrer_contact_id
        else (lead.referrer_user.display_name if lead.referrer_user_id else lead.referrer_name)
    )
    # The timeline names the referrer, never their address: everyone who reads the lead reads
    # it, and a customer's email is shown only to those who may see that contact's details.
    _event(lead, "referrer_informed", f"Told {name or 'the referrer'}: {text}")
    if _quiet.get():
        return
    from refdesk.notify.services import email_prepare, enqueue
    from refdesk.notify.tasks import send_outbound_email

    role = "owner" if lead.source == LeadSource.EMPLOYEE else "reference"
    body = f"Hello {name or 'there'},\n\n{text}\n\nThank you for thinking of us.\n"
    email, created = email_prepare(key=f"referral:{lead.pk}:{step}", kind=f"referral_{step}"[:40], recipient_role=role,
                                   to=lead.referrer_email, subject=f"Your referral: {lead.company}"[:300], body_text=body, body_html="")  # fmt: skip
    if created:
        transaction.on_commit(lambda: enqueue(send_outbound_email, email.pk))


STAGE_MESSAGES = {
    LeadStage.CONTACTED: "we have been in touch with {company}.",
    LeadStage.QUALIFIED: "{company} looks like a good fit and we are working with them.",
    LeadStage.PROPOSAL: "we have sent {company} a proposal.",
    LeadStage.WON: "{company} became a customer. Thank you for the introduction!",
    LeadStage.LOST: "{company} decided not to go ahead this time. Thank you all the same!",
}


def lead_stage_set(*, actor, lead: ReferralLead, to_stage: str, amount: Any = None, lost_reason: str = "",
                   closed_on: Any = None) -> ReferralLead:  # fmt: skip
    """Move a lead forward (or to lost); won needs the amount, and creates the fees and the closing thank-you."""
    _require(perms.can_work(actor, lead), "Only the lead's owner or a program manager can move it.")
    cleaned = _clean({"to_stage": v.choice(LeadStage), "amount": money, "lost_reason": v.text(300), "closed_on": v.date},
                     {"to_stage": to_stage, "amount": amount, "lost_reason": lost_reason, "closed_on": closed_on})  # fmt: skip
    to_stage = cleaned["to_stage"]
    from_stage = lead.stage
    if from_stage not in OPEN_STAGES:
        raise IllegalTransition(f"The lead is already {lead.get_stage_display().lower()}.")
    if to_stage == from_stage or (
        to_stage in OPEN_STAGES and STAGE_ORDER.index(to_stage) < STAGE_ORDER.index(from_stage)
    ):
        raise IllegalTransition(f"A lead moves forward: from {from_stage} it can go to a later stage, won or lost.",
                                details={"to_stage": f"must come after {from_stage}"})  # fmt: skip
    updates: dict[str, Any] = {"stage": to_stage}
    if to_stage == LeadStage.WON:
        if cleaned.get("amount") is None:
            raise InvalidInput(
                "Please give the won amount.", details={"amount": "is required to close as won"}
            )
        updates["amount"] = cleaned["amount"]
    if to_stage == LeadStage.LOST:
        updates["lost_reason"] = cleaned.get("lost_reason", "")
    if to_stage in (LeadStage.WON, LeadStage.LOST):
        updates["closed_on"] = cleaned.get("closed_on") or timezone.now().date()
        if updates["closed_on"] < lead.received_on:
            raise InvalidInput(
                "The close date is before the lead arrived.",
                details={"closed_on": f"is before {lead.received_on}"},
            )
    with transaction.atomic():
        changed = ReferralLead.objects.filter(pk=lead.pk, stage=from_stage).update(
            **updates, updated_at=timezone.now()
        )
        if changed != 1:
            raise Conflict("The lead changed meanwhile; reload and try again.")
        for name, value in updates.items():
            setattr(lead, name, value)
        text = f"{from_stage} → {to_stage}"
        if to_stage == LeadStage.WON:
            text += f", {lead.amount}"
        elif to_stage == LeadStage.LOST and lead.lost_reason:
            text += f": {lead.lost_reason}"
        _event(lead, "stage", text, actor=actor)
        if to_stage == LeadStage.WON:
            fees_create(lead=lead)
        if to_stage in (LeadStage.WON, LeadStage.LOST):
            _thank_you_open(lead, ThankYouOccasion.CLOSE, lead.closed_on)
        _inform_referrer(
            lead,
            "An update on your referral: " + STAGE_MESSAGES[to_stage].format(company=lead.company),
            step=to_stage,
        )
    return lead


# --- fees -----------------------------------------------------------------------------------

FEE_RULE_FIELDS = {
    "name": v.text(100, required=True),
    "source": v.choice(LeadSource, default=""),
    "kind": v.choice(FeeKind),
    "percent": percent,
    "flat_amount": money,
    "employee_share_percent": percent,
    "active": v.boolean,
}


def fee_rule_create(*, actor, **fields: Any) -> FeeRule:
    """Set how much a won referral from a source earns: a percentage of the sale or a flat amount, with the employee's share."""
    _require(perms.can_manage(actor), "Only a program manager sets referral fees.")
    cleaned = _clean(FEE_RULE_FIELDS, fields)
    errors = {n: "is required" for n in ("name", "kind") if not cleaned.get(n)}
    if cleaned.get("kind") == FeeKind.PERCENT and cleaned.get("percent") is None:
        errors["percent"] = "is required for a percentage fee"
    if cleaned.get("kind") == FeeKind.FLAT and cleaned.get("flat_amount") is None:
        errors["flat_amount"] = "is required for a flat fee"
    _fail(errors)
    if cleaned.get("employee_share_percent") is None:
        cleaned["employee_share_percent"] = Decimal("0")
    cleaned.setdefault("active", True)
    return FeeRule.objects.create(**cleaned)


def fee_rule_set_active(*, actor, rule: FeeRule, active: bool) -> FeeRule:
    """Switch a fee rule on or off; fees already owed keep the rule they were made by."""
    _require(perms.can_manage(actor), "Only a program manager sets referral fees.")
    FeeRule.objects.filter(pk=rule.pk).update(active=bool(active))
    rule.active = bool(active)
    return rule


def fee_rule_for(source: str) -> FeeRule | None:
    """The active rule for a source; a source's own rule beats the any-source rule."""
    rules_ = list(
        FeeRule.objects.filter(active=True, source__in=[source, ""]).order_by("-source", "-pk")
    )
    return rules_[0] if rules_ else None


def fees_create(*, lead: ReferralLead) -> list[ReferralFee]:
    """Fees owed for a won lead by the rule for its source: the referrer's part and the employee's share."""
    rule = fee_rule_for(lead.source)
    if rule is None or lead.amount is None:
        return []
    split = rules.fee_for(kind=rule.kind, amount=lead.amount, percent=rule.percent, flat=rule.flat_amount,
                          employee_share_percent=rule.employee_share_percent)  # fmt: skip
    now, made = timezone.now(), []
    referrer_user = lead.referrer_user if lead.source == LeadSource.EMPLOYEE else None
    if split.referrer > 0:
        made.append(ReferralFee(lead=lead, rule=rule, payee=Payee.REFERRER, payee_label=lead.referrer_label, payee_user=referrer_user,
                                amount=split.referrer, created_at=now))  # fmt: skip
    if split.employee > 0 and lead.surfaced_by_id:
        made.append(ReferralFee(lead=lead, rule=rule, payee=Payee.EMPLOYEE, payee_label=lead.surfaced_by.display_name,
                                payee_user=lead.surfaced_by, amount=split.employee, created_at=now))  # fmt: skip
    elif split.employee > 0 and made:
        made[0].amount = split.total  # nobody surfaced it: the whole fee goes to the referrer
    for fee in made:
        if not ReferralFee.objects.filter(lead=lead, payee=fee.payee).exists():
            fee.save()
            _event(lead, "fee", f"Fee owed to {fee.payee_label}: {fee.amount} ({rule.name})")
    return made


def fee_pay(*, actor, fee: ReferralFee, paid_on: Any = None) -> ReferralFee:
    """Mark a referral fee as paid."""
    _require(perms.can_manage(actor), "Only a program manager records fee payments.")
    day = _clean({"paid_on": v.date}, {"paid_on": paid_on})["paid_on"] or timezone.now().date()
    changed = ReferralFee.objects.filter(pk=fee.pk, status=FeeStatus.OWED).update(
        status=FeeStatus.PAID, paid_on=day
    )
    if changed != 1:
        raise IllegalTransition("This fee is already paid.")
    fee.status, fee.paid_on = FeeStatus.PAID, day
    _event(
        fee.lead, "fee_paid", f"Fee of {fee.amount} paid to {fee.payee_label} on {day}", actor=actor
    )
    return fee


# --- thank-yous -----------------------------------------------------------------------------


def thank_you_done(*, actor, thank_you: ReferralThankYou, note: str = "") -> ReferralThankYou:
    """Record that the referrer was thanked."""
    _require(
        perms.can_work(actor, thank_you.lead),
        "Only the lead's owner or a program manager can do this.",
    )
    note = _clean({"note": v.text(300)}, {"note": note})["note"]
    now = timezone.now()
    changed = ReferralThankYou.objects.filter(pk=thank_you.pk, done_at__isnull=True).update(
        done_at=now, done_by=actor, note=note
    )
    if changed != 1:
        raise IllegalTransition("This thank-you was already recorded.")
    thank_you.done_at, thank_you.done_by, thank_you.note = now, actor, note
    _event(
        thank_you.lead,
        "thanked",
        f"Thanked {thank_you.lead.referrer_label} ({thank_you.get_occasion_display().lower()})",
        actor=actor,
    )
    return thank_you


# --- targets, plan, costs, passed referrals ---------------------------------------------------

TARGET_FIELDS = {"label": v.text(100, required=True), "starts_on": v.date, "ends_on": v.date,
                 "lead_count": v.whole_number(0, 1_000_000), "value": money}  # fmt: skip


def target_set(*, actor, **fields: Any) -> ReferralTarget:
    """Set a referral target for a period: how many leads and how much won value."""
    _require(perms.can_manage(actor), "Only a program manager sets referral targets.")
    cleaned = _clean(TARGET_FIELDS, fields)
    errors = {
        n: "is required" for n in TARGET_FIELDS if cleaned.get(n) is None or cleaned.get(n) == ""
    }
    if not errors and cleaned["ends_on"] < cleaned["starts_on"]:
        errors["ends_on"] = "is before the start"
    _fail(errors)
    return ReferralTarget.objects.create(**cleaned)


PLAN_FIELDS = {"contact_id": v.record_id, "partner_name": v.text(200), "owner_email": v.optional_email,
               "due_on": v.date, "review_on": v.date, "note": v.text(500)}  # fmt: skip


def plan_add(*, actor, **fields: Any) -> AskPlanItem:
    """Put someone on the plan of whom to ask for a referral, with an owner, a due date and a review date."""
    _require(perms.can_log(actor), "Only salespeople and program managers plan referral asks.")
    cleaned = _clean(PLAN_FIELDS, fields)
    errors: dict[str, str] = {}
    contact = None
    if cleaned.get("contact_id"):
        contact = Contact.objects.select_related("account").filter(pk=cleaned["contact_id"]).first()
        if contact is None:
            errors["contact_id"] = "is not a contact"
    elif not cleaned.get("partner_name"):
        errors["contact_id"] = "choose a customer contact or name a partner"
    if not cleaned.get("due_on"):
        errors["due_on"] = "is required"
    owner = (
        _user_by_email(cleaned.get("owner_email", ""), "owner_email", errors)
        if cleaned.get("owner_email")
        else actor
    )
    if (
        cleaned.get("due_on")
        and cleaned.get("review_on")
        and cleaned["review_on"] < cleaned["due_on"]
    ):
        errors["review_on"] = "is before the due date"
    _fail(errors)
    if owner != actor and not perms.can_manage(actor):
        raise Forbidden("Only a program manager can plan asks for someone else.")
    return AskPlanItem.objects.create(contact=contact, partner_name=cleaned.get("partner_name", ""), owner=owner,
                                      due_on=cleaned["due_on"], review_on=cleaned.get("review_on"), note=cleaned.get("note", ""))  # fmt: skip


def plan_update(*, actor, item: AskPlanItem, status: str, note: str | None = None) -> AskPlanItem:
    """Record how an ask went; a finished status stamps the completion date."""
    _require(
        perms.can_manage(actor) or item.owner_id == actor.pk,
        "Only the owner of this ask or a program manager can update it.",
    )
    cleaned = _clean(
        {"status": v.choice(PlanStatus), "note": v.text(500)},
        {"status": status, "note": note or item.note},
    )
    item.status, item.note = cleaned["status"], cleaned["note"]
    item.completed_on = timezone.now().date() if item.status != PlanStatus.PLANNED else None
    item.save(update_fields=["status", "note", "completed_on"])
    return item


def source_cost_set(*, actor, channel: str, cost_per_lead: Any, note: str = "") -> SourceCost:
    """Enter what a lead costs from a channel (paid search, trade shows…) to compare with referrals."""
    _require(perms.can_manage(actor), "Only a program manager enters lead costs.")
    cleaned = _clean({"channel": v.text(100, required=True), "cost_per_lead": money, "note": v.text(300)},
                     {"channel": channel, "cost_per_lead": cost_per_lead, "note": note})  # fmt: skip
    if cleaned["cost_per_lead"] is None:
        _fail({"cost_per_lead": "is required"})
    cost, _ = SourceCost.objects.update_or_create(
        channel=cleaned["channel"],
        defaults={"cost_per_lead": cleaned["cost_per_lead"], "note": cleaned["note"]},
    )
    return cost


def referral_pass(
    *,
    actor,
    account: Account,
    company: str,
    contact_name: str = "",
    passed_on: Any = None,
    note: str = "",
) -> PassedReferral:
    """Record a referral we passed to a customer; it also counts as a give-back to them."""
    from refdesk.growth.services import giveback_log

    _require(
        perms.can_manage(actor) or account.owner_id == actor.pk,
        "Only a program manager or the account owner can do this.",
    )
    cleaned = _clean({"company": v.text(200, required=True), "contact_name": v.text(200), "passed_on": v.date, "note": v.text(500)},
                     {"company": company, "contact_name": contact_name, "passed_on": passed_on, "note": note})  # fmt: skip
    cleaned["passed_on"] = cleaned["passed_on"] or timezone.now().date()
    with transaction.atomic():
        passed = PassedReferral.objects.create(account=account, passed_by=actor, **cleaned)
        giveback_log(actor=None, account=account, kind="referral", occurred_on=cleaned["passed_on"],
                     note=f"Referral passed: {cleaned['company']}", source_key=f"passed-referral:{passed.pk}")  # fmt: skip
    return passed


def lead_get_any(lead_id: int) -> ReferralLead:
    lead = ReferralLead.objects.filter(pk=lead_id).first()
    if lead is None:
        raise NotFound(f"No referral lead #{lead_id}.")
    return lead
