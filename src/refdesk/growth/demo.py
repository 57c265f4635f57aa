"""The demo's pool growth: wish lists, nominations in every state, closed-won opportunities, survey
answers, onboarding milestones, escalations, give-backs and profile confirmations — written through
the real services (back-dated afterwards where the service stamps 'now')."""

from __future__ import annotations

import datetime as dt
import io
import random

FIRST = ["Avery", "Jordan", "Priyanka", "Mateo", "Ingrid", "Kwame", "Leila", "Tomasz", "Aiko", "Rafael", "Nadia", "Owen",
         "Sofia", "Dmitri", "Grace", "Hamid", "Elena", "Lucas", "Mei", "Tobias"]  # fmt: skip
LAST = ["Okafor", "Lindqvist", "Moreau", "Castillo", "Nakamura", "Brennan", "Haddad", "Kowalski", "Fischer", "Adeyemi",
        "Varga", "Sullivan", "Marchetti", "Kim", "Oyelaran", "Duarte", "Holm", "Reyes", "Stein", "Abara"]  # fmt: skip
TITLES = [
    "VP Finance",
    "Controller",
    "Head of Payroll",
    "Finance Director",
    "CFO",
    "HR Operations Lead",
    "Treasury Manager",
]

HAPPY_REASONS = [
    "Went live in record time and tells everyone about it; presented our results at their board.",
    "Their controller closed the books in four days instead of nine and keeps thanking the team.",
    "Gave us a 10 on the last NPS survey and offered to speak to peers in their industry.",
    "Replaced OldCo ERP with us last year; a great story for anyone doing the same migration.",
    "Runs payroll in six countries on us and loves the compliance updates.",
]
POCKET_REASONS = [
    "My go-to call for late-stage deals in manufacturing; never formally in the program.",
    "Has taken three calls for me off the books; should get the recognition and rewards.",
    "Trusted relationship: I keep them for the biggest deals, happy to share with the program now.",
]
DECLINE_REASONS = [
    "Their legal team does not allow public references this year.",
    "Open renewal negotiation: ask again after the contract is signed.",
    "Too new to the product: nominate again after go-live.",
]
WISH_NOTES = ["Household name in the region", "Would unlock the public sector deals", "Their CFO is a well-known speaker",
              "Biggest logo in the territory", "Peers keep asking about them", ""]  # fmt: skip
ESCALATIONS = [
    "Payroll run failed for one entity; P1 support case",
    "Unhappy with the renewal price increase",
    "Data migration behind schedule, executive sponsor involved",
    "Integration outage after the last release",
    "Invoice dispute on professional services",
    "Key admin left; adoption stalled",
]
MILESTONE_NOTES = {
    "kick_off": ["Kick-off with the finance team and the SI partner", "Kick-off call, project plan agreed"],
    "go_live": ["Went live on schedule", "Go-live after parallel run", "Phased go-live, first entities live"],
    "check_in": ["Quarterly check-in: happy, asked about Planning", "Health check: adoption at 85 %",
                 "Check-in with the new admin", "Executive sponsor check-in; open to being a reference"],
}  # fmt: skip
GIVEBACKS = [
    ("publicity", "Featured their team on our blog"),
    ("training", "Two seats in the advanced admin course"),
    ("introduction", "Introduced their CFO to a peer at a bank"),
    ("event", "VIP passes to the customer conference"),
    ("publicity", "Co-presented a webinar and promoted their brand"),
    ("other", "Early access to the mobile beta"),
]
WIN_COMPANIES = [
    ("Harborview Logistics", "484", "US", 1200, ["Ledger", "Expense"]),
    ("Alpenglow Hotels", "7211", "AT", 2600, ["Payroll", "Workforce Analytics"]),
    ("Northgate Components", "3344", "GB", 850, ["Ledger", "Procurement"]),
    ("Solmar Renewables", "2211", "ES", 430, ["Ledger", "Treasury"]),
    ("Riverbend Health Partners", "6221", "US", 5400, ["Payroll", "Mobile App"]),
    ("Kestrel Analytics", "5415", "CA", 210, ["Ledger", "Planning"]),
    ("Tidewater Foods", "3114", "US", 3100, ["Procurement", "Expense"]),
    ("Maple & Pine Retail", "4451", "CA", 1900, ["Payroll", "Expense"]),
]


def _moment(day: dt.date, rng: random.Random) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(rng.randint(8, 17), rng.randint(0, 59)), tzinfo=dt.UTC)


def _domain(account) -> str:
    email = account.contacts.order_by("pk").values_list("email", flat=True).first() or ""
    return (
        email.split("@")[1]
        if "@" in email
        else f"{''.join(c for c in account.name.lower() if c.isalnum())[:20]}.example"
    )


def demo_growth(*, rng: random.Random, today: dt.date) -> dict:
    """Load the growth part of the demo; returns counts by kind."""
    from refdesk.core.errors import RefdeskError
    from refdesk.growth import selectors, services
    from refdesk.growth.models import (
        Escalation,
        GiveBack,
        Nomination,
        OnboardingMilestone,
        ProfileConfirmation,
    )
    from refdesk.people.models import User
    from refdesk.pool.choices import ReferenceStatus
    from refdesk.pool.models import Account, ReferenceProfile

    pm = User.objects.filter(role="program_manager", is_active=True).order_by("pk").first()
    if pm is None:
        return {}
    reps = list(User.objects.filter(role="sales_rep", is_active=True).order_by("pk"))
    accounts = list(Account.objects.select_related("owner").order_by("pk"))
    if not accounts:
        return {}
    summary: dict = {}
    services.growth_settings_update(
        actor=pm, min_live_days=90, min_nps=9, stale_after_days=182, sharing_rule=False
    )

    # Profile confirmations: most references confirmed within six months, some long ago (stale).
    confirmations = []
    for reference in ReferenceProfile.objects.filter(
        status__in=[ReferenceStatus.ACTIVE, ReferenceStatus.PAUSED, ReferenceStatus.INVITED]
    ).order_by("pk"):
        days = rng.randint(200, 420) if rng.random() < 0.12 else rng.randint(3, 170)
        confirmations.append(ProfileConfirmation(reference=reference, confirmed_by=rng.choice(["portal", "portal", pm.email]),
                                                 last_confirmed_at=_moment(today - dt.timedelta(days=days), rng)))  # fmt: skip
    ProfileConfirmation.objects.bulk_create(confirmations, ignore_conflicts=True)
    summary["stale"] = len(selectors.stale_reference_ids(today=today))

    # Survey answers: the NPS the pool already holds, as the survey tool sent it, plus an older one.
    rows = ["email,nps,csat,date,comment"]
    surveyed = (
        ReferenceProfile.objects.select_related("contact")
        .filter(nps__isnull=False, nps_date__isnull=False)
        .order_by("pk")
    )
    for reference in surveyed:
        when = min(reference.nps_date, today)
        csat = "" if rng.random() < 0.5 else str(max(1, min(5, round(reference.nps / 2))))
        rows.append(f"{reference.contact.email},{reference.nps},{csat},{when.isoformat()},")
        earlier = when - dt.timedelta(days=rng.randint(150, 220))
        rows.append(
            f"{reference.contact.email},{max(0, min(10, reference.nps + rng.choice([-2, -1, 0, 0, 1])))},,{earlier.isoformat()},"
        )
    result = services.survey_import(
        actor=pm, path_or_file=io.BytesIO("\n".join(rows).encode()), filename="nps-export.csv"
    )
    summary["survey_answers"] = result.created
    if result.errors:
        summary["survey_errors"] = [str(e) for e in result.errors[:5]]

    # Wish lists: each rep names accounts (theirs or a colleague's) they wish were references.
    not_in_pool = [a for a in accounts if not ReferenceProfile.objects.filter(
        contact__account=a, status__in=[ReferenceStatus.ACTIVE, ReferenceStatus.INVITED, ReferenceStatus.CANDIDATE]).exists()]  # fmt: skip
    wishable = not_in_pool + accounts
    wishes = 0
    for rep in reps:
        for account in rng.sample(wishable, min(len(wishable), rng.randint(2, 4))):
            try:
                services.wish_add(actor=rep, account=account, note=rng.choice(WISH_NOTES))
                wishes += 1
            except RefdeskError:
                pass
    summary["wishes"] = wishes

    # Nominations: new people at the reps' own accounts, taken through every state.
    plan = ["active", "submitted", "invited", "declined", "candidate", "submitted", "active", "override", "declined_later",
            "candidate", "submitted", "invited", "active", "submitted"]  # fmt: skip
    owned = [a for a in accounts if a.owner_id and a.owner.role == "sales_rep"]
    rng.shuffle(owned)
    states: dict[str, int] = {}
    used_emails: set[str] = set()
    for account, state in zip(owned, plan, strict=False):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        email = f"{first.lower()}.{last.lower()}@{_domain(account)}"
        if email in used_emails:
            continue
        used_emails.add(email)
        pocket = rng.random() < 0.3
        try:
            nomination = services.nomination_submit(
                actor=account.owner, account=account, name=f"{first} {last}", email=email, title=rng.choice(TITLES),
                kind="pocket_reference" if pocket else "happy_customer", reason=rng.choice(POCKET_REASONS if pocket else HAPPY_REASONS),
            )  # fmt: skip
            nominated_on = today - dt.timedelta(
                days=rng.randint(2, 9) if state == "submitted" else rng.randint(20, 300)
            )
            Nomination.objects.filter(pk=nomination.pk).update(
                created_at=_moment(nominated_on, rng)
            )
            if state == "declined":
                services.nomination_decline(
                    actor=pm, nomination=nomination, reason=rng.choice(DECLINE_REASONS)
                )
            elif state != "submitted":
                services.nomination_accept(actor=pm, nomination=nomination, note="Strong story")
                if state in ("invited", "active", "override", "declined_later"):
                    if state != "override":
                        # Their latest survey says they are a promoter, so they are ready.
                        csv = f"email,nps,date\n{email},{rng.choice([9, 10])},{(nominated_on - dt.timedelta(days=rng.randint(5, 40))).isoformat()}\n"
                        services.survey_import(
                            actor=pm,
                            path_or_file=io.BytesIO(csv.encode()),
                            filename="nps-export.csv",
                        )
                    note = (
                        ""
                        if state != "override"
                        else "Executive sponsor asked for them personally; NPS survey pending."
                    )
                    nomination.reference.refresh_from_db()
                    if (
                        not note
                        and not selectors.reference_readiness(
                            nomination.reference, today=today
                        ).ready
                    ):
                        note = "Went live recently but the sponsor vouches for them."
                    services.nomination_invite(actor=pm, nomination=nomination, override_note=note)
                    if state == "active":
                        services.nomination_activate(actor=pm, nomination=nomination)
                    if state == "declined_later":
                        services.nomination_decline(
                            actor=pm,
                            nomination=nomination,
                            reason="Said no to the invitation: too busy this year.",
                        )
                Nomination.objects.filter(pk=nomination.pk).update(
                    reviewed_at=_moment(nominated_on + dt.timedelta(days=rng.randint(1, 6)), rng)
                )
        except RefdeskError:
            continue
        states[state] = states.get(state, 0) + 1
    summary["nominations"] = states

    # Escalations: a few open (their references are not ready), more closed over the year.
    escalations = 0
    candidates_accounts = list(
        Account.objects.filter(contacts__reference__status=ReferenceStatus.CANDIDATE)
        .distinct()
        .order_by("pk")
    )
    open_at = rng.sample(candidates_accounts, min(len(candidates_accounts), 3)) + rng.sample(
        accounts, min(len(accounts), 2)
    )
    for account in open_at:
        services.escalation_open(actor=pm, account=account, summary=rng.choice(ESCALATIONS),
                                 opened_on=today - dt.timedelta(days=rng.randint(2, 40)))  # fmt: skip
        escalations += 1
    for account in rng.sample(accounts, min(len(accounts), 8)):
        opened = today - dt.timedelta(days=rng.randint(60, 350))
        e = services.escalation_open(
            actor=pm, account=account, summary=rng.choice(ESCALATIONS), opened_on=opened
        )
        services.escalation_close(
            actor=pm, escalation=e, closed_on=opened + dt.timedelta(days=rng.randint(3, 45))
        )
        escalations += 1
    summary["escalations"] = escalations
    summary["escalations_open"] = Escalation.objects.filter(status="open").count()

    # Onboarding: kick-off and go-live around each account's go-live date, then check-ins.
    milestones = 0
    for account in rng.sample(accounts, min(len(accounts), max(3, len(accounts) // 6))):
        live = account.live_since or today - dt.timedelta(days=200)
        steps = [("kick_off", live - dt.timedelta(days=rng.randint(45, 120))), ("go_live", live)]
        day = live + dt.timedelta(days=rng.randint(60, 100))
        while day <= today and len(steps) < 6:
            steps.append(("check_in", day))
            day += dt.timedelta(days=rng.randint(80, 120))
        for kind, when in steps:
            if when > today:
                continue
            services.milestone_log(
                actor=pm,
                account=account,
                kind=kind,
                occurred_on=when,
                note=rng.choice(MILESTONE_NOTES[kind]),
            )
            milestones += 1

    # Wins from the CRM: new customers whose champions become candidates with a follow-up due.
    wins = 0
    owner_emails = [r.email for r in reps] or [pm.email]
    for i, (name, naics, country, employees, products) in enumerate(
        WIN_COMPANIES[: max(2, min(len(WIN_COMPANIES), len(accounts) // 30))]
    ):
        if Account.objects.filter(name__iexact=name).exists():
            continue
        first, last = rng.choice(FIRST), rng.choice(LAST)
        closed = today - dt.timedelta(days=rng.randint(3, 150))
        domain = "".join(c for c in name.lower() if c.isalnum())[:18] + ".example"
        win, created = services.win_record(
            actor=pm, opportunity_id=f"OPP-{closed.year}-{4100 + i}", account=name, contact=f"{first} {last}",
            email=f"{first.lower()}.{last.lower()}@{domain}", title=rng.choice(TITLES), amount=f"{rng.randint(40, 400) * 1000}.00",
            closed_on=closed, products=products, industry=naics, country=country, employees=employees, owner_email=rng.choice(owner_emails),
        )  # fmt: skip
        wins += int(created)
        kick_off = closed + dt.timedelta(days=rng.randint(7, 20))
        if kick_off <= today:
            services.milestone_log(
                actor=pm,
                account=win.account,
                kind="kick_off",
                occurred_on=kick_off,
                note="Kick-off after signature",
            )
            milestones += 1
        if closed + dt.timedelta(days=14) < today - dt.timedelta(days=7):
            follow_up = OnboardingMilestone.objects.filter(
                account=win.account, kind="follow_up", done=False
            ).first()
            if follow_up is not None and rng.random() < 0.6:
                services.milestone_complete(actor=pm, milestone=follow_up)
        if closed + dt.timedelta(days=100) <= today:
            services.milestone_log(actor=pm, account=win.account, kind="go_live", occurred_on=closed + dt.timedelta(days=rng.randint(70, 95)),
                                   note="Went live")  # fmt: skip
            milestones += 1
    summary["wins"] = wins
    summary["milestones"] = milestones

    # Give-backs: what we did for the customers we ask most of.
    gives = 0
    for account in rng.sample(accounts, min(len(accounts), max(3, len(accounts) // 8))):
        for _ in range(rng.randint(1, 3)):
            kind, note = rng.choice(GIVEBACKS)
            services.giveback_log(actor=pm, account=account, kind=kind, note=note, occurred_on=today - dt.timedelta(days=rng.randint(1, 360)),
                                  value=None if kind != "training" else "1200.00")  # fmt: skip
            gives += 1
    summary["givebacks"] = GiveBack.objects.count()
    return summary
