"""Reads for referrals shared by pages, API and CLI, already scoped to the caller."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from refdesk.core.errors import Forbidden, NotFound
from refdesk.pool.models import Account, Product
from refdesk.referrals import permissions as perms
from refdesk.referrals import rules
from refdesk.referrals.choices import FeeStatus, LeadSource, LeadStage, Payee, PlanStatus
from refdesk.referrals.models import (
    AskPlanItem,
    FeeRule,
    PassedReferral,
    ReferralFee,
    ReferralLead,
    ReferralTarget,
    ReferralThankYou,
    SourceCost,
)

ZERO = Decimal("0.00")


def _require_read(user) -> None:
    if not perms.can_read(user):
        raise Forbidden("You need to log in to see referrals.")


def _scope(user, qs: QuerySet[ReferralLead]) -> QuerySet[ReferralLead]:
    if perms.sees_all(user):
        return qs
    return qs.filter(
        Q(owner=user)
        | Q(created_by=user)
        | Q(surfaced_by=user)
        | Q(referrer_contact__account__owner=user)
    )


def lead_list(*, user, source: str = "", stage: str = "", q: str = "") -> QuerySet[ReferralLead]:
    """Leads the user may see: everything for program managers and executives; a rep's own otherwise."""
    _require_read(user)
    qs = _scope(
        user,
        ReferralLead.objects.select_related(
            "referrer_contact__account", "referrer_user", "owner", "surfaced_by"
        ),
    )
    if source:
        qs = qs.filter(source=source)
    if stage:
        qs = qs.filter(stage=stage)
    if q:
        qs = qs.filter(company__icontains=q.strip())
    return qs.order_by("-received_on", "-pk")


def lead_get(*, user, lead_id: int) -> ReferralLead:
    lead = (
        lead_list(user=user)
        .prefetch_related("events__actor", "fees", "thank_yous")
        .filter(pk=lead_id)
        .first()
    )
    if lead is None:
        raise NotFound(f"No referral lead #{lead_id}.")
    return lead


def lead_referrer_email(*, user, lead: ReferralLead, via: str) -> str:
    """The address the lead's referrer is kept informed at, as `user` may read it: a customer's
    email only for those who may see that contact's details (the view is audited), "" otherwise;
    a colleague's or a partner's as it was given."""
    if not lead.referrer_email or not lead.referrer_contact_id:
        return lead.referrer_email
    from refdesk.people.services import audit_contact_view
    from refdesk.pool.selectors import contact_details_visible

    if not contact_details_visible(user=user, contact=lead.referrer_contact):
        return ""
    audit_contact_view(user, [lead.referrer_contact_id], via=via)
    return lead.referrer_email


def source_report(
    *, user, start: dt.date | None = None, end: dt.date | None = None
) -> list[rules.SourceFigures]:
    """Leads, won, lost, closure rate, revenue, fees and fee cost per lead, for each source (leads received in the period)."""
    _require_read(user)
    qs = _scope(user, ReferralLead.objects.all())
    if start:
        qs = qs.filter(received_on__gte=start)
    if end:
        qs = qs.filter(received_on__lte=end)
    figures = {s: rules.SourceFigures(source=s) for s in LeadSource.values}
    rows = qs.values("source").annotate(
        leads=Count("pk"), won=Count("pk", filter=Q(stage=LeadStage.WON)), lost=Count("pk", filter=Q(stage=LeadStage.LOST)),
        revenue=Sum("amount", filter=Q(stage=LeadStage.WON)),
    )  # fmt: skip
    for row in rows:
        f = figures[row["source"]]
        f.leads, f.won, f.lost, f.revenue = (
            row["leads"],
            row["won"],
            row["lost"],
            rules.cents(row["revenue"] or ZERO),
        )
    for source, total in (
        ReferralFee.objects.filter(lead__in=qs)
        .values_list("lead__source")
        .annotate(t=Sum("amount"))
    ):
        # SQLite sums decimals with float digits ("111796.640000000"): money is kept to the cent.
        figures[source].fees = rules.cents(total or ZERO)
    return list(figures.values())


def report_totals(figures: list[rules.SourceFigures]) -> rules.SourceFigures:
    total = rules.SourceFigures(source="all")
    for f in figures:
        total.leads += f.leads
        total.won += f.won
        total.lost += f.lost
        total.revenue += f.revenue
        total.fees += f.fees
    return total


def target_progress(*, user, today: dt.date | None = None) -> list[dict]:
    """Each target with leads received and value won in its period, and how far along it is (percent)."""
    _require_read(user)
    today = today or timezone.now().date()
    result = []
    for target in ReferralTarget.objects.all():
        period = ReferralLead.objects.filter(
            received_on__gte=target.starts_on, received_on__lte=target.ends_on
        )
        leads = period.count()
        won_value = (
            ReferralLead.objects.filter(
                stage=LeadStage.WON, closed_on__gte=target.starts_on, closed_on__lte=target.ends_on
            ).aggregate(v=Sum("amount"))["v"]
            or ZERO
        )
        pipeline = (
            period.filter(
                stage__in=[
                    LeadStage.NEW,
                    LeadStage.CONTACTED,
                    LeadStage.QUALIFIED,
                    LeadStage.PROPOSAL,
                ]
            ).aggregate(v=Sum("expected_value"))["v"]
            or ZERO
        )
        result.append({
            "target": target, "id": target.pk, "label": target.label, "starts_on": target.starts_on, "ends_on": target.ends_on,
            "lead_target": target.lead_count, "value_target": target.value, "leads": leads, "won_value": rules.cents(won_value),
            "open_pipeline": rules.cents(pipeline),
            "leads_percent": round(100 * leads / target.lead_count) if target.lead_count else None,
            "value_percent": int((won_value * 100 / target.value).to_integral_value()) if target.value else None,
            "current": target.starts_on <= today <= target.ends_on,
        })  # fmt: skip
    return result


def plan_list(*, user, status: str = "", today: dt.date | None = None) -> list[AskPlanItem]:
    _require_read(user)
    today = today or timezone.now().date()
    qs = AskPlanItem.objects.select_related("contact__account", "owner")
    if not perms.sees_all(user):
        qs = qs.filter(owner=user)
    if status:
        qs = qs.filter(status=status)
    items = list(qs)
    for item in items:
        item.overdue = item.status == PlanStatus.PLANNED and item.due_on < today
        item.review_due = bool(
            item.review_on and item.review_on <= today and item.status != PlanStatus.DONE
        )
    return items


def plan_get(*, user, item_id: int) -> AskPlanItem:
    _require_read(user)
    item = (
        AskPlanItem.objects.select_related("contact__account", "owner").filter(pk=item_id).first()
    )
    if item is None or not (perms.sees_all(user) or item.owner_id == user.pk):
        raise NotFound(f"No plan item #{item_id}.")
    return item


def fee_list(*, user, status: str = "") -> QuerySet[ReferralFee]:
    _require_read(user)
    qs = ReferralFee.objects.select_related("lead", "rule", "payee_user")
    if not perms.sees_all(user):
        qs = qs.filter(Q(payee_user=user) | Q(lead__in=_scope(user, ReferralLead.objects.all())))
    if status:
        qs = qs.filter(status=status)
    return qs


def fee_get(*, user, fee_id: int) -> ReferralFee:
    fee = fee_list(user=user).filter(pk=fee_id).first()
    if fee is None:
        raise NotFound(f"No fee #{fee_id}.")
    return fee


def fee_totals(*, user) -> dict:
    qs = fee_list(user=user)
    sums = {
        (status, payee): total
        for status, payee, total in qs.values_list("status", "payee")
        .annotate(t=Sum("amount"))
        .values_list("status", "payee", "t")
    }
    get = lambda s, p: rules.cents(sums.get((s, p)) or ZERO)  # noqa: E731
    return {
        "owed": get(FeeStatus.OWED, Payee.REFERRER) + get(FeeStatus.OWED, Payee.EMPLOYEE),
        "paid": get(FeeStatus.PAID, Payee.REFERRER) + get(FeeStatus.PAID, Payee.EMPLOYEE),
        "employee_owed": get(FeeStatus.OWED, Payee.EMPLOYEE), "employee_paid": get(FeeStatus.PAID, Payee.EMPLOYEE),
    }  # fmt: skip


def fee_rule_list(*, user=None) -> QuerySet[FeeRule]:
    if user is not None:
        _require_read(user)
    return FeeRule.objects.all()


def thank_you_list(*, user, open_only: bool = True) -> QuerySet[ReferralThankYou]:
    _require_read(user)
    qs = ReferralThankYou.objects.select_related(
        "lead__referrer_contact__account", "lead__referrer_user", "done_by"
    ).filter(lead__in=_scope(user, ReferralLead.objects.all()))
    if open_only:
        qs = qs.filter(done_at__isnull=True)
    return qs


def thank_you_get(*, user, thank_you_id: int) -> ReferralThankYou:
    found = thank_you_list(user=user, open_only=False).filter(pk=thank_you_id).first()
    if found is None:
        raise NotFound(f"No thank-you #{thank_you_id}.")
    return found


def cost_comparison(*, user) -> list[dict]:
    """Cost per lead (and per won deal where known): each referral source's fees beside the costs entered for other channels."""
    _require_read(user)
    rows = [
        {"channel": f"Referral: {LeadSource(f.source).label}", "cost_per_lead": f.cost_per_lead, "cost_per_won": f.cost_per_won,
         "leads": f.leads, "won": f.won, "kind": "referral (fees ÷ leads)", "note": "", "entered": False}
        for f in source_report(user=user) if f.leads
    ]  # fmt: skip
    rows += [{"channel": c.channel, "cost_per_lead": c.cost_per_lead, "cost_per_won": None, "leads": None, "won": None,
              "kind": "entered", "note": c.note, "entered": True} for c in SourceCost.objects.all()]  # fmt: skip
    return sorted(
        rows, key=lambda r: (r["cost_per_lead"] is None, r["cost_per_lead"] or ZERO, r["channel"])
    )


def source_cost_list(*, user) -> QuerySet[SourceCost]:
    _require_read(user)
    return SourceCost.objects.all()


def passed_list(*, user, account_id: int | None = None) -> QuerySet[PassedReferral]:
    """Referrals we passed to customers (prospects of theirs we introduced)."""
    _require_read(user)
    qs = PassedReferral.objects.select_related("account", "passed_by")
    if account_id:
        qs = qs.filter(account_id=account_id)
    return qs


def target_get(*, user, target_id: int) -> ReferralTarget:
    _require_read(user)
    target = ReferralTarget.objects.filter(pk=target_id).first()
    if target is None:
        raise NotFound(f"No referral target #{target_id}.")
    return target


def fee_rule_get(*, user, rule_id: int) -> FeeRule:
    _require_read(user)
    rule = FeeRule.objects.filter(pk=rule_id).first()
    if rule is None:
        raise NotFound(f"No fee rule #{rule_id}.")
    return rule


def cross_sell(
    *, user, owner_id: int | None = None, product: str = "", limit: int = 200
) -> list[dict]:
    """Per customer account, the products they do not own yet (the full range they could refer or buy)."""
    _require_read(user)
    products = dict(Product.objects.values_list("pk", "name"))
    accounts = Account.objects.select_related("owner").order_by("name", "pk")
    if owner_id:
        accounts = accounts.filter(owner_id=owner_id)
    if product:
        wanted = Product.objects.filter(name__iexact=product).values_list("pk", flat=True).first()
        accounts = accounts.exclude(products=wanted) if wanted else accounts.none()
    accounts = list(accounts[:limit])
    owned: dict[int, set[int]] = defaultdict(set)
    for account_id, product_id in Account.products.through.objects.filter(
        account_id__in=[a.pk for a in accounts]
    ).values_list("account_id", "product_id"):
        owned[account_id].add(product_id)
    rows = []
    for account in accounts:
        missing = sorted(name for pk, name in products.items() if pk not in owned[account.pk])
        if missing:
            rows.append({"account_id": account.pk, "account": account.name, "owner": account.owner.display_name if account.owner else "",
                         "owns": sorted(products[p] for p in owned[account.pk]), "missing": missing})  # fmt: skip
    return rows
