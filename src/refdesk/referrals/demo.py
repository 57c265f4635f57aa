"""The demo's referral pipeline: a year of leads from every source through every stage, fee rules and
fees owed and paid, thank-yous, targets per quarter, the plan of whom to ask, lead costs of other
channels and referrals we passed to customers — written through the real services, then back-dated."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

PREFIX = ["Blue", "Granite", "Summit", "Cedar", "Lumen", "Atlas", "Harbor", "Nova", "Vertex", "Willow", "Iron", "Silver",
          "Crescent", "Pioneer", "Beacon", "Orchard", "Falcon", "Meridian", "Aurora", "Keystone", "Redwood", "Coastal"]  # fmt: skip
SUFFIX = ["Logistics", "Foods", "Health", "Capital", "Manufacturing", "Hotels", "Energy", "Software", "Retail", "Freight",
          "Dental Group", "Engineering", "Insurance", "Labs", "Brewing", "Builders", "Media", "Pharma", "Textiles"]  # fmt: skip
PEOPLE = ["Alex Morgan", "Sam Patel", "Chris Wong", "Taylor Brooks", "Jamie Rossi", "Robin Meyer", "Casey Nguyen",
          "Morgan Diaz", "Jesse Novak", "Riley Okoro", "Dana Larsen", "Kai Andersen"]  # fmt: skip
PARTNERS = [
    "Crowe Advisory (SI partner)",
    "Brightpath Consulting",
    "LedgerWorks Implementation",
    "Northstar Resellers",
]
EVENTS = [
    "Finance Leaders Summit",
    "CFO Forum Chicago",
    "Payroll Congress Berlin",
    "Customer conference booth",
]
WEB = ["Website 'refer a friend' form", "Partner directory listing"]
LOST_REASONS = ["Chose a cheaper local vendor", "Project postponed to next year", "Stayed with their ERP's module",
                "No budget after a reorganisation", "Went with PayPilot"]  # fmt: skip
PRODUCTS = ["Ledger", "Payroll", "Expense", "Planning", "Procurement", "Treasury"]
SOURCES = [("customer", 40), ("partner", 20), ("employee", 15), ("event", 15), ("web", 10)]
WIN_RATE = {"customer": 0.5, "partner": 0.4, "employee": 0.45, "event": 0.2, "web": 0.12}
COSTS = [("Paid search", "420.00", "Agency figures, last four quarters"), ("Trade shows", "780.00", "Booths and travel ÷ badge scans qualified"),
         ("Outbound SDR", "510.00", "Fully loaded SDR cost ÷ meetings booked"), ("Content syndication", "260.00", "")]  # fmt: skip
FEE_RULES = [
    {
        "name": "Customer referral: 5 % of first-year value",
        "source": "customer",
        "kind": "percent",
        "percent": "5",
        "employee_share_percent": "20",
    },
    {
        "name": "Partner referral: 10 %",
        "source": "partner",
        "kind": "percent",
        "percent": "10",
        "employee_share_percent": "10",
    },
    {
        "name": "Employee referral bonus",
        "source": "employee",
        "kind": "flat",
        "flat_amount": "1000",
        "employee_share_percent": "0",
    },
]
PLAN_NOTES = ["Just renewed for three years: good moment", "Loved the go-live; ask at the QBR", "Asked for a peer intro last call",
              "Partner has three prospects in manufacturing", "Wait until the escalation is closed", ""]  # fmt: skip
PASSED = ["Introduced them to a logistics firm looking for their freight services", "Passed a hiring partner their way",
          "Recommended them to a prospect that needs their consulting", "Sent a conference speaking slot their way"]  # fmt: skip


def _moment(day: dt.date, rng: random.Random) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(rng.randint(8, 17), rng.randint(0, 59)), tzinfo=dt.UTC)


def _weighted(rng: random.Random, pairs):
    total = sum(w for _, w in pairs)
    pick = rng.uniform(0, total)
    for value, weight in pairs:
        pick -= weight
        if pick <= 0:
            return value
    return pairs[-1][0]


def _quarter(day: dt.date) -> tuple[dt.date, dt.date]:
    start = dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    end = (start + dt.timedelta(days=95)).replace(day=1) - dt.timedelta(days=1)
    return start, end


def demo_referrals(*, rng: random.Random, today: dt.date, count: int = 100) -> dict:
    """Load the referral part of the demo; returns counts by kind."""
    from refdesk.core.errors import RefdeskError
    from refdesk.matching.scoring import normalize_name
    from refdesk.people.models import User
    from refdesk.pool.choices import ReferenceStatus
    from refdesk.pool.models import Account, ReferenceProfile
    from refdesk.referrals import services
    from refdesk.referrals.choices import OPEN_STAGES
    from refdesk.referrals.models import LeadEvent, ReferralFee, ReferralLead, ReferralThankYou

    pm = User.objects.filter(role="program_manager", is_active=True).order_by("pk").first()
    if pm is None:
        return {}
    staff = list(
        User.objects.filter(role__in=["sales_rep", "requester"], is_active=True).order_by("pk")
    )
    reps = [u for u in staff if u.role == "sales_rep"] or [pm]
    referrers = list(
        ReferenceProfile.objects.select_related("contact__account__owner")
        .filter(status__in=[ReferenceStatus.ACTIVE, ReferenceStatus.PAUSED], opted_out=False)
        .order_by("pk")
    )
    accounts = list(Account.objects.order_by("pk"))
    if not accounts:
        return {}
    summary: dict = {}

    for rule in FEE_RULES:
        services.fee_rule_create(actor=pm, **rule)
    for channel, cost, note in COSTS:
        services.source_cost_set(actor=pm, channel=channel, cost_per_lead=cost, note=note)

    taken = {normalize_name(a.name) for a in accounts}
    stages: dict[str, int] = {}
    with services.referrer_emails_muted():
        for n in range(count):
            # Every source early on, so even a small demo shows each of them.
            source = SOURCES[n][0] if n < len(SOURCES) else _weighted(rng, SOURCES)
            if source == "customer" and not referrers:
                source = "partner"
            company = ""
            for _attempt in range(20):
                company = f"{rng.choice(PREFIX)} {rng.choice(SUFFIX)}"
                if normalize_name(company) not in taken:
                    break
            key = normalize_name(company)
            if key in taken:
                continue
            taken.add(key)
            received = today - dt.timedelta(days=int(rng.triangular(0, 365, 120)))
            person = rng.choice(PEOPLE)
            fields = {
                "company": company, "source": source, "contact_name": person, "received_on": received,
                "contact_email": f"{person.split()[0].lower()}@{key.replace(' ', '')[:24] or 'prospect'}.example",
                "expected_value": Decimal(rng.randint(15, 250) * 1000), "products": rng.sample(PRODUCTS, rng.randint(1, 2)),
                "owner_email": rng.choice(reps).email,
            }  # fmt: skip
            if source == "customer":
                referrer = rng.choice(referrers)
                fields["referrer_contact_id"] = referrer.contact_id
                owner = referrer.contact.account.owner
                if owner is not None and owner.is_active and owner.role == "sales_rep":
                    fields["owner_email"] = owner.email
                if rng.random() < 0.5 and staff:
                    fields["surfaced_by_email"] = rng.choice(staff).email
            elif source == "employee":
                fields["referrer_user_email"] = rng.choice(staff or [pm]).email
            elif source == "partner":
                fields["referrer_name"] = rng.choice(PARTNERS)
                fields["referrer_email"] = (
                    "alliances@" + normalize_name(fields["referrer_name"]).split()[0] + ".example"
                )
                if rng.random() < 0.4 and staff:
                    fields["surfaced_by_email"] = rng.choice(staff).email
            elif source == "event":
                fields["referrer_name"] = rng.choice(EVENTS)
            else:
                fields["referrer_name"] = rng.choice(WEB)
            try:
                lead = services.lead_create(actor=pm, **fields)
            except RefdeskError:
                continue
            # How far it got: older leads have mostly closed; the last weeks' are still early.
            age = (today - received).days
            path = ["contacted", "qualified", "proposal"]
            reached = min(3, age // 20)
            closes = age > 45 and rng.random() < min(0.9, age / 200)
            day = received
            for stage in path[: rng.randint(max(0, reached - 1), reached)]:
                services.lead_stage_set(actor=pm, lead=lead, to_stage=stage)
            if closes:
                closed = min(
                    today, received + dt.timedelta(days=rng.randint(30, max(31, min(age, 160))))
                )
                if rng.random() < WIN_RATE[source]:
                    amount = (lead.expected_value * Decimal(str(rng.uniform(0.7, 1.25)))).quantize(
                        Decimal("0.01")
                    )
                    services.lead_stage_set(
                        actor=pm, lead=lead, to_stage="won", amount=amount, closed_on=closed
                    )
                else:
                    services.lead_stage_set(
                        actor=pm,
                        lead=lead,
                        to_stage="lost",
                        lost_reason=rng.choice(LOST_REASONS),
                        closed_on=closed,
                    )
                day = closed
            else:
                day = min(today, received + dt.timedelta(days=min(age, 10 * reached)))
            stages[str(lead.stage)] = stages.get(str(lead.stage), 0) + 1
            # Fees for deals closed more than a month ago have been paid.
            paid_on = (
                lead.closed_on + dt.timedelta(days=rng.randint(14, 30))
                if lead.stage == "won"
                else None
            )
            for fee in ReferralFee.objects.filter(lead=lead).select_related("lead"):
                if paid_on and paid_on < today - dt.timedelta(days=5) and rng.random() < 0.85:
                    services.fee_pay(actor=pm, fee=fee, paid_on=paid_on)
            LeadEvent.objects.filter(lead=lead, kind="fee_paid").update(
                at=_moment(paid_on or today, rng)
            )
            # Back-date the timeline between arrival and the last step.
            events = list(
                LeadEvent.objects.filter(lead=lead).exclude(kind="fee_paid").order_by("pk")
            )
            span = max(0, (day - received).days)
            for i, event in enumerate(events):
                offset = 0 if i < 2 else round(span * min(1, (i - 1) / max(1, len(events) - 2)))
                LeadEvent.objects.filter(pk=event.pk).update(
                    at=_moment(received + dt.timedelta(days=offset), rng)
                )
            ReferralLead.objects.filter(pk=lead.pk).update(created_at=_moment(received, rng))
            ReferralFee.objects.filter(lead=lead).update(created_at=_moment(day, rng))
            # Thank-yous were mostly sent on time; recent ones are still open.
            for thanks in ReferralThankYou.objects.filter(lead=lead):
                if thanks.due_on < today - dt.timedelta(days=5) and rng.random() < 0.9:
                    done = thanks.due_on - dt.timedelta(days=rng.randint(0, 2))
                    ReferralThankYou.objects.filter(pk=thanks.pk).update(done_at=_moment(done, rng), done_by=lead.owner or pm,
                                                                         note=rng.choice(["Called to say thanks", "Handwritten card", "Email from the CEO"]))  # fmt: skip
    summary["leads"] = stages
    summary["open_leads"] = ReferralLead.objects.filter(stage__in=OPEN_STAGES).count()
    summary["fees_owed"] = ReferralFee.objects.filter(status="owed").count()
    summary["fees_paid"] = ReferralFee.objects.filter(status="paid").count()

    # Targets: the last four quarters and this one, a little above what the pipeline delivered.
    start, _ = _quarter(today)
    quarters = []
    for _ in range(5):
        quarters.append(_quarter(start))
        start = _quarter(start - dt.timedelta(days=1))[0]
    for starts_on, ends_on in reversed(quarters):
        label = f"Q{(starts_on.month - 1) // 3 + 1} {starts_on.year}"
        services.target_set(actor=pm, label=label, starts_on=starts_on, ends_on=ends_on,
                            lead_count=max(3, round(count / 4 * rng.uniform(0.9, 1.2))),
                            value=Decimal(max(50, round(count * 12 * rng.uniform(0.8, 1.1)))) * 1000)  # fmt: skip
    summary["targets"] = len(quarters)

    # The plan of whom to ask: happy references, owned by their account's rep, plus partners.
    promoters = [
        r for r in referrers if (r.nps or 0) >= 9 and r.contact.account.owner_id
    ] or referrers
    statuses = ["planned", "planned", "asked", "referred", "declined", "done", "planned", "asked"]
    planned = 0
    for reference, status in zip(
        rng.sample(promoters, min(len(promoters), 14)), statuses * 2, strict=False
    ):
        owner = reference.contact.account.owner
        if owner is None or not owner.is_active:
            continue
        due = today + dt.timedelta(days=rng.randint(-30, 45))
        item = services.plan_add(actor=pm, contact_id=reference.contact_id, owner_email=owner.email, due_on=due,
                                 review_on=due + dt.timedelta(days=rng.choice([7, 14, 30])), note=rng.choice(PLAN_NOTES))  # fmt: skip
        if status != "planned":
            services.plan_update(actor=pm, item=item, status=status)
        planned += 1
    for partner in PARTNERS[:2]:
        due = today + dt.timedelta(days=rng.randint(5, 40))
        services.plan_add(actor=pm, partner_name=partner, owner_email=pm.email, due_on=due, review_on=due + dt.timedelta(days=14),
                          note="Quarterly partner review: ask for two introductions")  # fmt: skip
        planned += 1
    summary["plan"] = planned

    # Referrals we passed to customers (each is also a give-back to them).
    passed = 0
    for account in rng.sample(accounts, min(len(accounts), 8)):
        services.referral_pass(actor=pm, account=account, company=f"{rng.choice(PREFIX)} {rng.choice(SUFFIX)}", contact_name=rng.choice(PEOPLE),
                               passed_on=today - dt.timedelta(days=rng.randint(5, 340)), note=rng.choice(PASSED))  # fmt: skip
        passed += 1
    summary["passed"] = passed
    return summary
