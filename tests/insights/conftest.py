"""A small program, built row by row, whose every figure for June 2026 is worked out by hand in the tests.

References: A (account X, owner Olivia), B (Y, owner Paul), C (Z, owner Olivia), D (W, no owner) are
active; E (V) is paused. Requests R1–R6 are submitted in June, R7 in May. `NOW` is 30 June, noon.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest

from refdesk.activities.models import Activity
from refdesk.asks.models import ReferenceRequest, RequestCandidate
from refdesk.growth.models import Nomination
from refdesk.insights.models import Opportunity, RequestOpportunity
from refdesk.insights.selectors import Period
from refdesk.people.choices import Role
from refdesk.pool.models import NaicsIndustry
from refdesk.referrals.models import ReferralLead
from refdesk.rewards.models import LedgerEntry, PointsHolder
from tests.factories import AccountFactory, ContactFactory, ReferenceFactory, UserFactory
from tests.notify.servers import smtp_server  # noqa: F401  (fixture)

UTC = dt.UTC
NOW = dt.datetime(2026, 6, 30, 12, 0, tzinfo=UTC)
JUNE = Period(dt.date(2026, 6, 1), dt.date(2026, 6, 30))


def at(month: int, day: int, hour: int = 0) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, tzinfo=UTC)


def hours(n: float) -> dt.timedelta:
    return dt.timedelta(hours=n)


@pytest.fixture(autouse=True)
def _immediate_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def _reference(account, status="active"):
    return ReferenceFactory(contact=ContactFactory(account=account), status=status)


def _request(requester, submitted, *, status, industry=None, country="", products=(), activity_type="reference_call",
             candidates=None, fulfilled=None, completed=None, needed_by=None) -> ReferenceRequest:  # fmt: skip
    return ReferenceRequest.objects.create(
        requester=requester, prospect=f"Prospect {submitted:%m-%d}", industry_id=industry, country=country, products=list(products),
        activity_type=activity_type, status=status, submitted_at=submitted, candidates_due_at=submitted + hours(4),
        acceptance_due_at=submitted + hours(24), candidates_proposed_at=submitted + hours(candidates) if candidates is not None else None,
        fulfilled_at=submitted + hours(fulfilled) if fulfilled is not None else None,
        completed_at=submitted + hours(completed) if completed is not None else None, needed_by=needed_by,
    )  # fmt: skip


def _candidate(
    request, reference, status, *, invited=False, responded=False, approval=False, approved=False
):
    base = request.submitted_at + hours(3)
    return RequestCandidate.objects.create(
        request=request, reference=reference, status=status, invited_at=base if invited else None,
        responded_at=base + hours(1) if responded else None, approval_requested_at=base if approval else None,
        approved_at=base + hours(1) if approved else None,
    )  # fmt: skip


def _activity(reference, when, *, kind="reference_call", status="completed", request=None):
    return Activity.objects.create(
        reference=reference, activity_type=kind, status=status, occurred_at=when, request=request
    )


def _opportunity(crm_id, stage, amount, *, created=dt.date(2026, 4, 1), closed=None, request=None):
    opportunity = Opportunity.objects.create(crm_id=crm_id, prospect=f"Prospect {crm_id}", stage=stage, amount=Decimal(amount),
                                             created_on=created, closed_on=closed)  # fmt: skip
    if request is not None:
        RequestOpportunity.objects.create(request=request, opportunity=opportunity, linked_at=NOW)
    return opportunity


def _lead(source, stage, received, amount=None):
    return ReferralLead.objects.create(company=f"Lead {source} {stage} {received}", company_key=f"{source}{stage}{received}", source=source,
                                       stage=stage, received_on=received, amount=Decimal(amount) if amount else None,
                                       closed_on=received if stage in ("won", "lost") else None, created_at=NOW)  # fmt: skip


def _entry(holder, kind, points, when):
    holder.balance += points
    holder.save(update_fields=["balance"])
    return LedgerEntry.objects.create(
        holder=holder, kind=kind, points=points, balance_after=holder.balance, at=when, reason=kind
    )


@pytest.fixture
def program(db, program_manager, executive):
    for code, title, level in (
        ("52", "Finance and Insurance", 2),
        ("11", "Agriculture, Forestry, Fishing and Hunting", 2),
    ):
        NaicsIndustry.objects.get_or_create(code=code, defaults={"title": title, "level": level})
    olivia = UserFactory(email="olivia@vendor.example", first_name="Olivia", role=Role.SALES_REP)
    paul = UserFactory(email="paul@vendor.example", first_name="Paul", role=Role.SALES_REP)
    rita = UserFactory(email="rita@vendor.example", first_name="Rita", role=Role.REQUESTER)
    x = AccountFactory(
        name="Xylo Bank",
        owner=olivia,
        industry=NaicsIndustry.objects.get(pk="522110"),
        country="US",
        products=["Ledger"],
    )
    y = AccountFactory(
        name="Yak Ranch",
        owner=paul,
        industry=NaicsIndustry.objects.get(pk="112111"),
        country="DE",
        products=["Ledger", "Payroll"],
    )
    z = AccountFactory(
        name="Zed Credit",
        owner=olivia,
        industry=NaicsIndustry.objects.get(pk="522110"),
        country="GB",
        products=["Payroll"],
    )
    w = AccountFactory(
        name="Web Works", owner=None, industry=NaicsIndustry.objects.get(pk="541511"), country="US"
    )
    v = AccountFactory(
        name="Vale Savings",
        owner=paul,
        industry=NaicsIndustry.objects.get(pk="522110"),
        country="US",
    )
    a, b, c, d = _reference(x), _reference(y), _reference(z), _reference(w)
    e = _reference(v, status="paused")

    r1 = _request(
        olivia,
        at(6, 1),
        status="completed",
        industry="522110",
        country="US",
        products=["Ledger"],
        candidates=2,
        fulfilled=10,
        completed=50,
    )
    r2 = _request(rita, at(6, 2), status="closed", industry="522110", country="US", products=["Ledger", "Payroll"], activity_type="case_study",
                  candidates=4, fulfilled=30, completed=100)  # fmt: skip
    r3 = _request(olivia, at(6, 3), status="fulfilled", industry="112111", country="DE", products=["Analytics"], candidates=6, fulfilled=20,
                  needed_by=dt.date(2026, 7, 2))  # fmt: skip
    r4 = _request(
        rita,
        at(6, 4),
        status="expired",
        industry="522110",
        country="FR",
        products=["Ledger"],
        candidates=8,
        needed_by=dt.date(2026, 6, 29),
    )
    r5 = _request(rita, at(6, 5), status="cancelled")
    r6 = _request(
        olivia,
        at(6, 6),
        status="withdrawn",
        industry="541511",
        country="US",
        products=["Ledger"],
        candidates=1,
        needed_by=dt.date(2026, 7, 1),
    )
    r7 = _request(
        olivia,
        at(5, 15),
        status="in_progress",
        industry="112111",
        country="DE",
        candidates=1,
        fulfilled=2,
        needed_by=dt.date(2026, 7, 1),
    )

    # Invitations (June): accepted C1 C2 C3; declined C4 C5 C7 C8; C6 unanswered.
    _candidate(r1, a, "completed", invited=True, responded=True, approval=True, approved=True)  # C1
    _candidate(r2, b, "completed", invited=True, responded=True)  # C2
    _candidate(r3, a, "accepted", invited=True, responded=True, approval=True, approved=True)  # C3
    _candidate(r4, c, "reference_declined", invited=True, responded=True)  # C4
    _candidate(r4, d, "reference_declined", invited=True, responded=True)  # C5
    _candidate(r3, c, "invited", invited=True)  # C6
    _candidate(r4, b, "reference_declined", invited=True, responded=True)  # C7
    _candidate(r6, d, "reference_declined", invited=True, responded=True)  # C8
    # Owner approvals (June): X asked 3 declined 1; Y asked 2 declined 2; Z asked 1 declined 0.
    _candidate(r5, a, "owner_declined", approval=True)  # C9
    _candidate(r5, b, "owner_declined", approval=True)  # C10
    _candidate(r6, b, "owner_declined", approval=True)  # C11
    _candidate(r1, c, "approved", approval=True, approved=True)  # C12

    # Activities. Counted in June: A 4, B 2, C 1, D 0, E 1.
    _activity(a, at(6, 10), request=r1)
    _activity(a, at(6, 11), request=r3)
    _activity(a, at(6, 12))
    _activity(a, at(6, 13))
    _activity(a, at(6, 14), kind="logo")  # passive: not counted
    _activity(a, at(6, 15), status="cancelled")
    _activity(a, at(5, 20), request=r7)  # May
    _activity(b, at(6, 16), kind="case_study", request=r2)
    _activity(b, at(6, 17))
    _activity(c, at(6, 18), request=r6)
    _activity(d, at(6, 19), status="cancelled", request=r4)
    _activity(e, at(6, 20))

    # Opportunities: with a reference O1 won 1000, O4 lost, O5 open 700 (O7 won in May);
    # without O2 won 500, O3 and O9 lost, O6 open 400 (O8 opened after June).
    _opportunity("O1", "won", "1000", closed=dt.date(2026, 6, 10), request=r1)
    _opportunity("O2", "won", "500", closed=dt.date(2026, 6, 15))
    _opportunity("O3", "lost", "300", closed=dt.date(2026, 6, 20), request=r4)
    _opportunity("O4", "lost", "200", closed=dt.date(2026, 6, 5), request=r2)
    _opportunity("O5", "open", "700", created=dt.date(2026, 5, 1), request=r3)
    _opportunity("O6", "open", "400", created=dt.date(2026, 6, 1))
    _opportunity("O7", "won", "9999", closed=dt.date(2026, 5, 20), request=r7)
    _opportunity("O8", "open", "100", created=dt.date(2026, 7, 5))
    _opportunity("O9", "lost", "50", closed=dt.date(2026, 6, 25))

    june = dt.date(2026, 6, 10)
    _lead("customer", "won", june, "100")
    _lead("customer", "won", dt.date(2026, 6, 11), "250")
    _lead("customer", "lost", dt.date(2026, 6, 12))
    _lead("partner", "new", june)
    _lead("web", "lost", june)
    _lead("customer", "won", dt.date(2026, 5, 10), "999")

    ha, ho = PointsHolder.objects.create(reference=a), PointsHolder.objects.create(user=olivia)
    _entry(ha, "earn", 100, at(5, 20))
    _entry(ha, "earn", 200, at(6, 10))
    _entry(ha, "redeem", -150, at(6, 12))
    _entry(ha, "expire", -50, at(6, 20))
    _entry(ha, "earn", 30, at(7, 2))
    _entry(ho, "earn", 50, at(6, 5))
    _entry(ho, "adjust", 10, at(6, 6))

    def nominate(nominator, status, when):
        return Nomination.objects.create(
            contact=ContactFactory(account=x), nominator=nominator, status=status, created_at=when
        )

    nominate(olivia, "accepted", at(6, 8))
    nominate(olivia, "declined", at(6, 9))
    nominate(olivia, "submitted", at(6, 10))
    nominate(paul, "submitted", at(6, 25))
    nominate(paul, "submitted", at(5, 16))

    return SimpleNamespace(pm=program_manager, executive=executive, olivia=olivia, paul=paul, rita=rita, refs=(a, b, c, d, e),
                           requests=(r1, r2, r3, r4, r5, r6, r7), accounts=(x, y, z, w, v))  # fmt: skip
