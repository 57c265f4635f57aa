"""Every write for growing the pool: nominations, readiness-checked invitations, wishes, escalations,
freshness, survey and win imports, onboarding milestones, give-backs, and the growth settings."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings as django_settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from refdesk.core.errors import Conflict, Forbidden, IllegalTransition, InvalidInput, NotFound
from refdesk.growth import permissions as perms
from refdesk.growth import selectors, sheets
from refdesk.growth.choices import (
    EscalationStatus,
    GiveBackKind,
    MilestoneKind,
    NominationKind,
    NominationStatus,
    SurveyKind,
)
from refdesk.growth.models import (
    Escalation,
    GiveBack,
    GrowthSettings,
    Nomination,
    OnboardingMilestone,
    ProfileConfirmation,
    SurveyResponse,
    Win,
    WishListEntry,
)
from refdesk.pool import services as pool_services
from refdesk.pool import validation as v
from refdesk.pool.choices import ReferenceStatus
from refdesk.pool.models import Account, Contact, ReferenceProfile

FOLLOW_UP_DAYS = 14  # a new customer's onboarding follow-up falls due two weeks after the win


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise Forbidden(message)


def _clean(spec: dict, data: dict) -> dict:
    return v.clean_fields(spec, data)


def _required(cleaned: dict, *names: str) -> None:
    missing = {n: "is required" for n in names if cleaned.get(n) in (None, "", [])}
    if missing:
        raise InvalidInput(
            "Please correct: " + ", ".join(f"{n} is required" for n in missing) + ".",
            details=missing,
        )


# --- settings -------------------------------------------------------------------------------

SETTINGS_FIELDS = {
    "min_live_days": v.whole_number(0, 3650),
    "min_nps": v.whole_number(0, 10),
    "stale_after_days": v.whole_number(1, 3650),
    "sharing_rule": v.boolean,
    "sharing_min_percent": v.whole_number(0, 100),
    "giveback_gap": v.whole_number(1, 1000),
}


def growth_settings_update(*, actor, **fields: Any) -> GrowthSettings:
    """Change the readiness thresholds, freshness window, sharing rule or give-back gap."""
    _require(perms.can_manage(actor), "Only a program manager can change the growth rules.")
    cleaned = _clean(SETTINGS_FIELDS, fields)
    bad = {k: "is required" for k, val in cleaned.items() if val is None}
    if bad:
        raise InvalidInput(
            "Please correct: " + "; ".join(f"{k} is required" for k in bad) + ".", details=bad
        )
    settings = selectors.growth_settings_get()
    for name, value in cleaned.items():
        setattr(settings, name, value)
    settings.save()
    return settings


# --- nominations ----------------------------------------------------------------------------

NOMINATION_FIELDS = {
    "kind": v.choice(NominationKind, default=NominationKind.HAPPY_CUSTOMER),
    "reason": v.text(2000, required=True),
}


@transaction.atomic
def nomination_submit(
    *, actor, reason: str, kind: str = NominationKind.HAPPY_CUSTOMER, contact: Contact | None = None,
    account: Account | None = None, name: str = "", email: str = "", title: str = "",
) -> Nomination:  # fmt: skip
    """Nominate a customer contact (existing, or a new person at an account) as a reference, saying why."""
    if contact is None and account is None:
        raise InvalidInput("Choose the contact to nominate, or an account and the person's name and email.",
                           details={"contact": "is required"})  # fmt: skip
    target_account = contact.account if contact is not None else account
    _require(
        perms.can_nominate(actor, target_account),
        "You can nominate people only at the accounts you own.",
    )
    cleaned = _clean(NOMINATION_FIELDS, {"kind": kind, "reason": reason})
    if contact is None:
        person = _clean({"name": v.text(200, required=True), "email": v.email, "title": v.text(200)},
                        {"name": name, "email": email, "title": title})  # fmt: skip
        contact = Contact.objects.filter(email=person["email"]).select_related("account").first()
        if contact is not None and contact.account_id != account.pk:
            raise Conflict(f"{person['email']} is already {contact.name} at {contact.account.name}.",
                           details={"email": f"belongs to a contact at {contact.account.name}"})  # fmt: skip
        if contact is None:
            contact = pool_services.contact_create(actor=actor, account=account, **person)
    existing = ReferenceProfile.objects.filter(contact=contact).first()
    if existing is not None and existing.status not in (
        ReferenceStatus.DECLINED,
        ReferenceStatus.RETIRED,
    ):
        raise Conflict(f"{contact.name} is already a reference ({existing.status}).",
                       details={"contact": f"is already a reference ({existing.status})"})  # fmt: skip
    if Nomination.objects.filter(contact=contact, status=NominationStatus.SUBMITTED).exists():
        raise Conflict(f"{contact.name} is already nominated and awaiting review.",
                       details={"contact": "is already nominated"})  # fmt: skip
    return Nomination.objects.create(
        contact=contact, nominator=actor, created_at=timezone.now(), **cleaned
    )


def _credit_nominator(nomination: Nomination) -> None:
    """Points for the nominator through rewards (first nomination of a person only, never oneself)."""
    from refdesk.rewards.services import reward_credit_nomination

    nominator = nomination.nominator
    if (nominator.email or "").lower() == (nomination.contact.email or "").lower():
        nomination.credit_note = "Self-nomination: no points."
        return
    entry = reward_credit_nomination(nominator=nominator, reference_id=nomination.reference_id)
    if entry is not None:
        nomination.credited_points = entry.points
        nomination.credit_note = f"{entry.points} points to {nominator.display_name}."
    else:
        nomination.credit_note = (
            "No points: this person was credited before, or no earn rule applies."
        )


def _claim(nomination: Nomination, to_status: str, **fields: Any) -> None:
    changed = Nomination.objects.filter(pk=nomination.pk, status=NominationStatus.SUBMITTED).update(
        status=to_status, **fields
    )
    if changed != 1:
        raise Conflict("This nomination was reviewed meanwhile; reload and try again.")
    nomination.status = to_status
    for name, value in fields.items():
        setattr(nomination, name, value)


@transaction.atomic
def nomination_accept(*, actor, nomination: Nomination, note: str = "") -> Nomination:
    """Accept a nomination: the person becomes a candidate reference and the nominator is credited."""
    _require(perms.can_manage(actor), "Only a program manager reviews nominations.")
    if nomination.status != NominationStatus.SUBMITTED:
        raise IllegalTransition(
            f"This nomination was already {nomination.get_status_display().lower()}."
        )
    reason = f"nominated by {nomination.nominator.display_name}" + (f": {note}" if note else "")
    reference = ReferenceProfile.objects.filter(contact=nomination.contact).first()
    if reference is None:
        reference = pool_services.reference_create(
            actor=actor, contact=nomination.contact, reason=reason[:500]
        )
    elif reference.status in (ReferenceStatus.DECLINED, ReferenceStatus.RETIRED):
        pool_services.reference_status_change(
            actor=actor, reference=reference, to_status=ReferenceStatus.CANDIDATE, reason=reason
        )
    else:
        raise Conflict(f"{nomination.contact.name} is already a reference ({reference.status}).")
    _claim(
        nomination,
        NominationStatus.ACCEPTED,
        reference=reference,
        reviewed_at=timezone.now(),
        reviewed_by=actor,
    )
    _credit_nominator(nomination)
    Nomination.objects.filter(pk=nomination.pk).update(
        credited_points=nomination.credited_points, credit_note=nomination.credit_note
    )
    return nomination


@transaction.atomic
def nomination_decline(*, actor, nomination: Nomination, reason: str) -> Nomination:
    """Decline a nomination, or a nominee later in the process, with a reason the nominator sees."""
    _require(perms.can_manage(actor), "Only a program manager reviews nominations.")
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("Please give a reason for declining.", details={"reason": "is required"})
    if nomination.status == NominationStatus.SUBMITTED:
        _claim(
            nomination,
            NominationStatus.DECLINED,
            decline_reason=reason[:500],
            reviewed_at=timezone.now(),
            reviewed_by=actor,
        )
        return nomination
    if nomination.status == NominationStatus.ACCEPTED and nomination.reference_id:
        pool_services.reference_status_change(
            actor=actor,
            reference=nomination.reference,
            to_status=ReferenceStatus.DECLINED,
            reason=reason,
        )
        Nomination.objects.filter(pk=nomination.pk).update(decline_reason=reason[:500])
        nomination.decline_reason = reason[:500]
        return nomination
    raise IllegalTransition("This nomination was already declined.")


def nomination_invite(*, actor, nomination: Nomination, override_note: str = "") -> Nomination:
    """Invite an accepted nominee to become a reference, if they are ready (or a PM overrides)."""
    if nomination.status != NominationStatus.ACCEPTED or not nomination.reference_id:
        raise IllegalTransition("Accept the nomination before inviting the person.")
    reference_invite(actor=actor, reference=nomination.reference, override_note=override_note)
    return nomination


def nomination_activate(*, actor, nomination: Nomination) -> Nomination:
    """The invited nominee said yes: they become an active reference."""
    if nomination.status != NominationStatus.ACCEPTED or not nomination.reference_id:
        raise IllegalTransition("Accept and invite the nominee first.")
    pool_services.reference_status_change(actor=actor, reference=nomination.reference, to_status=ReferenceStatus.ACTIVE,
                                          reason="accepted the invitation")  # fmt: skip
    return nomination


# --- readiness ------------------------------------------------------------------------------


def reference_invite(
    *, actor, reference: ReferenceProfile, override_note: str = ""
) -> ReferenceProfile:
    """Invite a candidate to be a reference when ready; if not, refuse with the reasons unless a PM overrides with a note."""
    _require(perms.can_manage(actor), "Only a program manager can invite a reference.")
    readiness = selectors.reference_readiness(reference)
    override_note = (override_note or "").strip()
    if readiness.ready:
        reason = "ready: " + "; ".join(c.text for c in readiness.checks)
    elif override_note:
        reason = f"override by {actor.display_name}: {override_note} (not ready: {'; '.join(readiness.reasons_not)})"
    else:
        raise Conflict(
            f"{reference.contact.name} is not ready to be asked: {'; '.join(readiness.reasons_not)}. "
            "A program manager may invite anyway with a note saying why.",
            details={
                "readiness": "; ".join(readiness.reasons_not),
                "override_note": "is required to invite someone not ready",
            },
        )
    return pool_services.reference_status_change(
        actor=actor, reference=reference, to_status=ReferenceStatus.INVITED, reason=reason[:500]
    )


ESCALATION_FIELDS = {"summary": v.text(300, required=True), "opened_on": v.date}


def escalation_open(*, actor, account: Account, summary: str, opened_on: Any = None) -> Escalation:
    """Record an open escalation at an account: nobody there is asked until it is closed."""
    _require(
        perms.can_log_for(actor, account),
        "Only a program manager or the account owner can log escalations.",
    )
    cleaned = _clean(ESCALATION_FIELDS, {"summary": summary, "opened_on": opened_on})
    return Escalation.objects.create(account=account, summary=cleaned["summary"],
                                     opened_on=cleaned["opened_on"] or timezone.now().date(), opened_by=actor)  # fmt: skip


def escalation_close(*, actor, escalation: Escalation, closed_on: Any = None) -> Escalation:
    """Close an escalation."""
    _require(
        perms.can_log_for(actor, escalation.account),
        "Only a program manager or the account owner can close escalations.",
    )
    day = (
        _clean({"closed_on": v.date}, {"closed_on": closed_on})["closed_on"]
        or timezone.now().date()
    )
    if day < escalation.opened_on:
        raise InvalidInput(
            "An escalation cannot close before it opened.",
            details={"closed_on": f"is before {escalation.opened_on}"},
        )
    changed = Escalation.objects.filter(pk=escalation.pk, status=EscalationStatus.OPEN).update(
        status=EscalationStatus.CLOSED, closed_on=day
    )
    if changed != 1:
        raise IllegalTransition("This escalation is already closed.")
    escalation.status, escalation.closed_on = EscalationStatus.CLOSED, day
    return escalation


# --- wish list ------------------------------------------------------------------------------


def wish_add(*, actor, account: Account, note: str = "") -> WishListEntry:
    """Name an account you wish were a reference."""
    _require(perms.can_wish(actor), "Only salespeople and program managers keep wish lists.")
    note = _clean({"note": v.text(300)}, {"note": note})["note"]
    try:
        with transaction.atomic():
            return WishListEntry.objects.create(
                user=actor, account=account, note=note, created_at=timezone.now()
            )
    except IntegrityError:
        raise Conflict(
            f"{account.name} is already on your wish list.",
            details={"account": "is already on your wish list"},
        ) from None


def wish_remove(*, actor, wish: WishListEntry) -> None:
    """Take an account off a wish list."""
    _require(wish.user_id == actor.pk or perms.can_manage(actor), "This is not your wish.")
    wish.delete()


# --- freshness ------------------------------------------------------------------------------

_CONFIRM_SALT = "refdesk.growth.confirm"
CONFIRM_MAX_AGE = dt.timedelta(days=30)


def _confirmation(reference: ReferenceProfile) -> ProfileConfirmation:
    confirmation, _ = ProfileConfirmation.objects.get_or_create(reference=reference)
    return confirmation


def confirm_token(confirmation: ProfileConfirmation) -> str:
    return signing.TimestampSigner(salt=_CONFIRM_SALT).sign(
        f"{confirmation.reference_id}.{confirmation.nonce}"
    )


def confirmation_for_token(token: str) -> ProfileConfirmation:
    """The confirmation a link names, if the link is genuine, current and not expired."""
    try:
        value = signing.TimestampSigner(salt=_CONFIRM_SALT).unsign(token, max_age=CONFIRM_MAX_AGE)
    except signing.SignatureExpired:
        raise InvalidInput("This link has expired; ask the program team for a new one.") from None
    except signing.BadSignature:
        raise NotFound("This link is not valid.") from None
    ref_id, _, nonce = value.partition(".")
    confirmation = (
        ProfileConfirmation.objects.select_related("reference__contact__account")
        .filter(reference_id=ref_id)
        .first()
    )
    if confirmation is None or not nonce or confirmation.nonce != nonce:
        raise NotFound("This link was replaced by a newer one.")
    return confirmation


def freshness_confirm(
    *, reference: ReferenceProfile, actor=None, via: str = "portal"
) -> ProfileConfirmation:
    """The reference (through their link) or a PM confirms the profile is still right."""
    if actor is not None:
        _require(
            perms.can_log_for(actor, reference.contact.account), "You cannot confirm this profile."
        )
    confirmation = _confirmation(reference)
    confirmation.last_confirmed_at = timezone.now()
    confirmation.confirmed_by = actor.email if actor is not None else via
    confirmation.nonce = ""  # the link is used up
    confirmation.save(update_fields=["last_confirmed_at", "confirmed_by", "nonce"])
    return confirmation


def freshness_request(*, reference: ReferenceProfile, now: dt.datetime | None = None) -> str:
    """Ask a stale reference to re-confirm their details from a link; returns the link."""
    now = now or timezone.now()
    confirmation = _confirmation(reference)
    confirmation.nonce = secrets.token_urlsafe(12)
    confirmation.reconfirm_requested_at = now
    confirmation.save(update_fields=["nonce", "reconfirm_requested_at"])
    url = django_settings.SITE_URL.rstrip("/") + reverse(
        "growth:confirm", kwargs={"token": confirm_token(confirmation)}
    )
    contact = reference.contact
    _email(key=f"freshness:{reference.pk}:{confirmation.nonce}", kind="profile_reconfirm", to=contact.email,
           subject="Are your reference details still right?",
           text=f"Hello {contact.name},\n\nit has been a while since you checked the details we keep for our reference "
                f"program. Please look at them and confirm or correct them here:\n\n{url}\n\nThank you!")  # fmt: skip
    return url


def _email(*, key: str, kind: str, to: str, subject: str, text: str) -> None:
    """Write an email to a reference through the notify outbox; it is sent once the transaction commits."""
    if not to:
        return
    from refdesk.notify.services import email_prepare, enqueue
    from refdesk.notify.tasks import send_outbound_email

    email, created = email_prepare(key=key[:200], kind=kind, recipient_role="reference", to=to, subject=subject[:300],
                                   body_text=text, body_html="")  # fmt: skip
    if created:
        transaction.on_commit(lambda: enqueue(send_outbound_email, email.pk))


def freshness_sweep(*, today: dt.date | None = None) -> int:
    """Ask every stale reference not asked within the window to re-confirm (idempotent per window)."""
    today = today or timezone.now().date()
    days = selectors.growth_settings_get().stale_after_days
    since = dt.datetime.combine(today - dt.timedelta(days=days), dt.time.min, tzinfo=dt.UTC)
    ids = selectors.stale_reference_ids(today=today)
    asked = set(
        ProfileConfirmation.objects.filter(
            reference_id__in=ids, reconfirm_requested_at__gte=since
        ).values_list("reference_id", flat=True)
    )
    count = 0
    for reference in ReferenceProfile.objects.select_related("contact").filter(pk__in=ids - asked):
        with transaction.atomic():
            freshness_request(reference=reference)
        count += 1
    return count


# --- satisfaction and onboarding ------------------------------------------------------------


@dataclass
class SheetResult:
    """What an import did, or for a refused file or dry run, would do."""

    filename: str
    dry_run: bool
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[sheets.RowError] = field(default_factory=list)
    written: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    def as_dict(self) -> dict:
        return {"filename": self.filename, "dry_run": self.dry_run, "written": self.written, "rows": self.rows,
                "created": self.created, "updated": self.updated, "unchanged": self.unchanged,
                "errors": [e.as_dict() for e in self.errors]}  # fmt: skip

    def summary(self) -> str:
        head = f"{self.filename}: {self.rows} rows" + (
            " (dry run, nothing written)" if self.dry_run else ""
        )
        if self.errors:
            return head + f"\n{len({e.line for e in self.errors})} bad rows; nothing written."
        return (
            head + f"\n  {self.created} created, {self.updated} updated, {self.unchanged} unchanged"
        )


SURVEY_COLUMNS = {
    "email": "email", "contactemail": "email", "emailaddress": "email", "respondentemail": "email",
    "nps": "nps", "npsscore": "nps", "likelihoodtorecommend": "nps",
    "csat": "csat", "csatscore": "csat",
    "date": "date", "answeredon": "date", "responsedate": "date", "surveydate": "date", "submittedat": "date",
    "comment": "comment", "comments": "comment", "feedback": "comment",
}  # fmt: skip
SURVEY_CELLS = {
    "email": v.email,
    "nps": v.whole_number(0, 10),
    "csat": v.whole_number(1, 5),
    "date": v.date,
    "comment": v.text(5000),
}


def survey_import(
    *, actor, path_or_file, filename: str | None = None, dry_run: bool = False
) -> SheetResult:
    """Import NPS/CSAT survey answers (email, nps and/or csat, date); all or nothing, bad rows by line."""
    _require(perms.can_manage(actor), "Only a program manager can import survey results.")
    with sheets.open_sheet(path_or_file, filename) as sheet:
        result = SheetResult(filename=sheet.filename, dry_run=dry_run)
        planned = []
        seen: dict[tuple, int] = {}
        contacts = {}
        for line, cells in sheets.rows(sheet, columns=SURVEY_COLUMNS, required=("email", "date")):
            result.rows += 1
            errors = _cell_errors(line, cells, SURVEY_CELLS)
            if errors:
                result.errors += errors
                continue
            clean = {k: SURVEY_CELLS[k](val) for k, val in cells.items()}
            if clean.get("nps") is None and clean.get("csat") is None:
                result.errors.append(
                    sheets.RowError(line, "nps", "give an nps (0–10) or a csat (1–5) score")
                )
                continue
            if clean["date"] is None:
                result.errors.append(sheets.RowError(line, "date", "is required"))
                continue
            if clean["date"] > timezone.now().date():
                result.errors.append(
                    sheets.RowError(line, "date", f"{clean['date']} is in the future")
                )
                continue
            email = clean["email"]
            if email not in contacts:
                contacts[email] = Contact.objects.filter(email=email).first()
            if contacts[email] is None:
                result.errors.append(
                    sheets.RowError(line, "email", f"no contact has the email {email}")
                )
                continue
            for kind in (SurveyKind.NPS, SurveyKind.CSAT):
                if clean.get(kind) is None:
                    continue
                key = (email, kind, clean["date"])
                if key in seen:
                    result.errors.append(
                        sheets.RowError(line, kind, f"the same answer as line {seen[key]}")
                    )
                    continue
                seen[key] = line
                planned.append(
                    (contacts[email], kind, clean[kind], clean["date"], clean.get("comment") or "")
                )
    if result.errors or dry_run:
        return result
    with transaction.atomic():
        for contact, kind, score, day, comment in planned:
            response, created = SurveyResponse.objects.get_or_create(
                contact=contact, kind=kind, answered_on=day,
                defaults={"score": score, "comment": comment, "source": result.filename},
            )  # fmt: skip
            if created:
                result.created += 1
            elif (response.score, response.comment) != (score, comment):
                SurveyResponse.objects.filter(pk=response.pk).update(score=score, comment=comment)
                result.updated += 1
            else:
                result.unchanged += 1
            _update_latest_satisfaction(contact, kind)
        result.written = True
    return result


def _update_latest_satisfaction(contact: Contact, kind: str) -> None:
    """The reference profile carries the latest answer (readiness and matching read it from there)."""
    latest = (
        SurveyResponse.objects.filter(contact=contact, kind=kind)
        .order_by("-answered_on", "-pk")
        .first()
    )
    reference = ReferenceProfile.objects.filter(contact=contact).first()
    if latest is None or reference is None:
        return
    date_field = f"{kind}_date"
    if (
        getattr(reference, date_field) is None
        or getattr(reference, date_field) <= latest.answered_on
    ):
        ReferenceProfile.objects.filter(pk=reference.pk).update(
            **{kind: latest.score, date_field: latest.answered_on, "updated_at": timezone.now()}
        )


def _cell_errors(line: int, cells: dict, spec: dict) -> list[sheets.RowError]:
    errors = []
    for name, value in cells.items():
        if name in spec:
            try:
                spec[name](value)
            except ValueError as exc:
                errors.append(sheets.RowError(line, name, str(exc)))
    return errors


MILESTONE_FIELDS = {
    "kind": v.choice(MilestoneKind),
    "occurred_on": v.date,
    "note": v.text(500),
    "done": v.boolean,
}


@transaction.atomic
def milestone_log(
    *, actor, account: Account, kind: str, occurred_on: Any = None, note: str = "", done: Any = True
) -> OnboardingMilestone:
    """Log a kick-off, go-live or check-in at an account (a go-live also sets the account's go-live date if it has none)."""
    _require(
        perms.can_log_for(actor, account),
        "Only a program manager or the account owner can log milestones.",
    )
    cleaned = _clean(
        MILESTONE_FIELDS, {"kind": kind, "occurred_on": occurred_on, "note": note, "done": done}
    )
    _required(cleaned, "occurred_on")
    milestone = OnboardingMilestone.objects.create(account=account, logged_by=actor, **cleaned)
    if cleaned["kind"] == MilestoneKind.GO_LIVE and cleaned["done"] and account.live_since is None:
        Account.objects.filter(pk=account.pk, live_since__isnull=True).update(
            live_since=cleaned["occurred_on"]
        )
        account.live_since = cleaned["occurred_on"]
    return milestone


def milestone_complete(*, actor, milestone: OnboardingMilestone) -> OnboardingMilestone:
    """Mark a due follow-up as done."""
    _require(
        perms.can_log_for(actor, milestone.account),
        "Only a program manager or the account owner can do this.",
    )
    OnboardingMilestone.objects.filter(pk=milestone.pk).update(done=True)
    milestone.done = True
    return milestone


# --- wins become candidates -----------------------------------------------------------------

WIN_FIELDS = {
    "opportunity_id": v.text(100, required=True),
    "account": v.text(200, required=True),
    "account_external_id": v.text(100),
    "contact": v.text(200, required=True),
    "email": v.email,
    "title": v.text(200),
    "amount": lambda value: _money(value),
    "closed_on": v.date,
    "products": v.free_list(100, 120),
    "industry": v.industry,
    "country": v.country,
    "employees": v.whole_number(0, 10_000_000),
    "owner_email": v.optional_email,
}


def _money(value: Any) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    raw = str(value).strip().replace(",", "").replace("$", "").replace("€", "").replace("£", "")
    try:
        amount = Decimal(raw)
    except InvalidOperation:
        raise ValueError(f"{value!r} is not an amount") from None
    if not amount.is_finite() or amount < 0 or amount >= Decimal("1e12"):
        raise ValueError("must be an amount from 0 to 999,999,999,999.99")
    return amount.quantize(Decimal("0.01"))


def _win_check(cleaned: dict) -> dict[str, str]:
    """Problems a clean win can still have: missing pieces, a future close, a clash with the pool."""
    errors = {
        n: "is required"
        for n in ("opportunity_id", "account", "contact", "email", "closed_on")
        if not cleaned.get(n)
    }
    if cleaned.get("closed_on") and cleaned["closed_on"] > timezone.now().date():
        errors["closed_on"] = f"{cleaned['closed_on']} is in the future"
    if not errors:
        contact = Contact.objects.filter(email=cleaned["email"]).select_related("account").first()
        account = _win_account(cleaned, create=False)
        if contact and account and contact.account_id != account.pk:
            errors["email"] = f"belongs to {contact.name} at {contact.account.name}"
    return errors


def _win_account(cleaned: dict, *, create: bool, actor=None) -> Account | None:
    account = None
    if cleaned.get("account_external_id"):
        account = Account.objects.filter(external_id=cleaned["account_external_id"]).first()
    if account is None:
        account = Account.objects.filter(name__iexact=cleaned["account"]).order_by("pk").first()
    if account is None and create:
        fields = {
            "name": cleaned["account"],
            "external_id": cleaned.get("account_external_id") or "",
        }
        for name in ("country", "employees", "owner_email"):
            if cleaned.get(name):
                fields[name] = cleaned[name]
        if cleaned.get("industry") and cleaned["industry"][0]:
            fields["industry"] = cleaned["industry"][1] or cleaned["industry"][0]
        account = pool_services.account_create(actor=None, **fields)
    return account


def _win_write(*, actor, cleaned: dict) -> tuple[Win, bool]:
    """Create (or find, by opportunity id) the win, its account and contact, and the candidate reference."""
    existing = Win.objects.filter(external_id=cleaned["opportunity_id"]).first()
    if existing is not None:
        return existing, False
    actor = (
        actor if getattr(actor, "pk", None) else None
    )  # the command line's stand-in is never saved
    account = _win_account(cleaned, create=True, actor=actor)
    if cleaned.get("products"):
        pool_services.account_update(actor=None, account=account,
                                     products=sorted({*(p.name for p in account.products.all()), *cleaned["products"]}))  # fmt: skip
    contact = Contact.objects.filter(email=cleaned["email"]).first()
    if contact is None:
        contact = pool_services.contact_create(actor=None, account=account, name=cleaned["contact"], email=cleaned["email"],
                                               title=cleaned.get("title") or "")  # fmt: skip
    reference = ReferenceProfile.objects.filter(contact=contact).first()
    if reference is None:
        reference = pool_services.reference_create(
            actor=None, contact=contact, reason=f"closed-won {cleaned['opportunity_id']}"
        )
    win = Win.objects.create(external_id=cleaned["opportunity_id"], account=account, contact=contact, reference=reference,
                             amount=cleaned.get("amount"), closed_on=cleaned["closed_on"], products=cleaned.get("products") or [],
                             created_by=actor)  # fmt: skip
    OnboardingMilestone.objects.create(account=account, kind=MilestoneKind.FOLLOW_UP, done=False, logged_by=actor,
                                       occurred_on=cleaned["closed_on"] + dt.timedelta(days=FOLLOW_UP_DAYS),
                                       note=f"Onboarding follow-up for {contact.name} (win {win.external_id})")  # fmt: skip
    return win, True


def win_record(*, actor, **fields: Any) -> tuple[Win, bool]:
    """Record a closed-won opportunity: its champion becomes a candidate reference with an onboarding follow-up (idempotent by opportunity id)."""
    _require(
        perms.can_manage(actor), "Only a program manager (or the CRM's API token) can record wins."
    )
    cleaned = _clean(WIN_FIELDS, fields)
    errors = _win_check(cleaned)
    if errors:
        raise InvalidInput(
            "Please correct: " + "; ".join(f"{k} {m}" for k, m in errors.items()) + ".",
            details=errors,
        )
    with transaction.atomic():
        return _win_write(actor=actor, cleaned=cleaned)


WIN_COLUMNS = {
    "opportunityid": "opportunity_id", "opportunity": "opportunity_id", "oppid": "opportunity_id", "id": "opportunity_id",
    "account": "account", "accountname": "account", "company": "account", "customer": "account",
    "accountexternalid": "account_external_id", "accountid": "account_external_id",
    "contact": "contact", "contactname": "contact", "name": "contact", "champion": "contact",
    "email": "email", "contactemail": "email", "title": "title", "jobtitle": "title",
    "amount": "amount", "value": "amount", "closedon": "closed_on", "closedate": "closed_on", "closed": "closed_on",
    "products": "products", "industry": "industry", "country": "country", "employees": "employees",
    "owneremail": "owner_email", "owner": "owner_email",
}  # fmt: skip


def win_import(
    *, actor, path_or_file, filename: str | None = None, dry_run: bool = False
) -> SheetResult:
    """Import closed-won opportunities from a CRM export; all or nothing, bad rows by line; re-import changes nothing."""
    _require(perms.can_manage(actor), "Only a program manager can import wins.")
    with sheets.open_sheet(path_or_file, filename) as sheet:
        result = SheetResult(filename=sheet.filename, dry_run=dry_run)
        planned, seen = [], {}
        for line, cells in sheets.rows(
            sheet,
            columns=WIN_COLUMNS,
            required=("opportunity_id", "account", "contact", "email", "closed_on"),
        ):
            result.rows += 1
            errors = _cell_errors(line, cells, WIN_FIELDS)
            if errors:
                result.errors += errors
                continue
            cleaned = {k: WIN_FIELDS[k](val) for k, val in cells.items()}
            problems = _win_check(cleaned)
            if cleaned.get("opportunity_id") in seen:
                problems["opportunity_id"] = f"repeats line {seen[cleaned['opportunity_id']]}"
            seen.setdefault(cleaned.get("opportunity_id"), line)
            if problems:
                result.errors += [sheets.RowError(line, k, m) for k, m in problems.items()]
                continue
            if Win.objects.filter(external_id=cleaned["opportunity_id"]).exists():
                result.unchanged += 1
            else:
                planned.append(cleaned)
    if result.errors or dry_run:
        result.created = len(planned) if dry_run and not result.errors else 0
        return result
    with transaction.atomic():
        for cleaned in planned:
            _, created = _win_write(actor=actor, cleaned=cleaned)
            result.created += int(created)
        result.written = True
    return result


# --- give-backs -----------------------------------------------------------------------------

GIVEBACK_FIELDS = {
    "kind": v.choice(GiveBackKind),
    "occurred_on": v.date,
    "note": v.text(500),
    "value": lambda x: _money(x),
}


def giveback_log(*, actor, account: Account, kind: str, occurred_on: Any = None, note: str = "", value: Any = None,
                 contact: Contact | None = None, source_key: str = "") -> GiveBack:  # fmt: skip
    """Log something we did for a customer, beside what we asked of them (once per source key)."""
    if actor is not None:
        _require(
            perms.can_log_for(actor, account),
            "Only a program manager or the account owner can log give-backs.",
        )
    cleaned = _clean(
        GIVEBACK_FIELDS, {"kind": kind, "occurred_on": occurred_on, "note": note, "value": value}
    )
    cleaned["occurred_on"] = cleaned["occurred_on"] or timezone.now().date()
    if contact is not None and contact.account_id != account.pk:
        raise InvalidInput(
            f"{contact.name} does not work at {account.name}.",
            details={"contact": "is at another account"},
        )
    if source_key:
        found = GiveBack.objects.filter(source_key=source_key).first()
        if found:
            return found
    return GiveBack.objects.create(
        account=account, contact=contact, logged_by=actor, source_key=source_key[:100], **cleaned
    )
