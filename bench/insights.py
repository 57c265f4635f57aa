"""The whole insights dashboard at 1,000,000 activities: aggregated in the database against a naive Python aggregation.

    .venv/bin/python bench/insights.py [--scale 1.0] [--repeat 3] [--database-url URL] [--no-naive]

Builds a fresh database (SQLite by default) with, at scale 1, 1,000,000 activities, 200,000
requests (one candidate each), 100,000 CRM opportunities (60 % linked to a request), 50,000
references at 25,000 accounts, 200,000 ledger entries, 20,000 referral leads and 10,000
nominations, over the year before 23 Nov 2026, with rows inserted by COPY (PostgreSQL) or
executemany (SQLite). Then, each in its own process so the peak memory printed is one app
server's: `dashboard_compute` (what the page, API, CLI and monthly email call) for that year,
timed `--repeat` times; and the naive way, which loads the rows through the ORM and computes
the same headline figures in Python. Both sides' figures are compared. Nothing asserts.
"""

from __future__ import annotations

import argparse
import bisect
import datetime as dt
import json
import math
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

TODAY = dt.date(2026, 11, 23)
START = dt.datetime(2025, 11, 24, tzinfo=dt.UTC)
PERIOD = ("2025-11-24", "2026-11-23")
PRODUCTS = ["Ledger", "Payroll", "CRM", "Analytics", "Billing", "Procurement", "HR Core", "Field Service", "Inventory",
            "Commerce", "Security", "Data Hub"]  # fmt: skip
COUNTRIES = ["US"] * 8 + [
    "GB",
    "GB",
    "DE",
    "DE",
    "FR",
    "CA",
    "AU",
    "NL",
    "SE",
    "BR",
    "JP",
    "IN",
    "ES",
    "IT",
    "PL",
    "MX",
    "",
]
ACTIVITY_TYPES = ["reference_call"] * 6 + [
    "case_study",
    "webinar",
    "speaking",
    "media",
    "site_visit",
    "quote",
    "logo",
    "referral",
]
REQUEST_STATUSES = (["completed"] * 40 + ["closed"] * 15 + ["fulfilled"] * 5 + ["in_progress"] * 8 + ["candidates_proposed"] * 4
                    + ["submitted"] * 3 + ["expired"] * 10 + ["cancelled"] * 5 + ["withdrawn"] * 10)  # fmt: skip


def _setup(db: Path) -> None:
    os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{db}"
    os.environ.setdefault("REFDESK_VAR_DIR", str(db.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "refdesk.settings")
    import django

    django.setup()


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# --- building ------------------------------------------------------------------------------------


class Inserter:
    """Fast inserts of whole tables: COPY on PostgreSQL, executemany on SQLite; unnamed columns take their defaults."""

    def __init__(self):
        from django.db import connection

        self.connection = connection
        self.pg = connection.vendor == "postgresql"

    def ts(self, value: dt.datetime | None):
        if value is None or self.pg:
            return value
        return value.astimezone(dt.UTC).replace(tzinfo=None).isoformat(" ")

    def json(self, value):
        return json.dumps(value)

    def insert(self, model, columns: list[str], rows) -> int:
        from django.utils import timezone

        now = timezone.now()
        fields = [f for f in model._meta.concrete_fields if not f.primary_key]
        named = set(columns)
        extra_cols, extra_vals = [], []
        for f in fields:
            if f.attname in named:
                continue
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                value = now
            elif f.null and not f.has_default():
                value = None
            else:
                value = f.get_default()
            extra_cols.append(f.column)
            extra_vals.append(
                self.ts(value)
                if isinstance(value, dt.datetime)
                else (json.dumps(value) if isinstance(value, list | dict) else value)
            )
        col_names = [model._meta.get_field(c).column for c in columns] + extra_cols
        table = model._meta.db_table
        count = 0
        with self.connection.cursor() as cursor:
            if self.pg:
                with cursor.cursor.copy(
                    f"COPY {table} ({', '.join(col_names)}) FROM STDIN"
                ) as copy:
                    for row in rows:
                        copy.write_row((*row, *extra_vals))
                        count += 1
            else:
                sql = f"INSERT INTO {table} ({', '.join(col_names)}) VALUES ({', '.join(['%s'] * len(col_names))})"
                batch = []
                for row in rows:
                    batch.append((*row, *extra_vals))
                    if len(batch) >= 20_000:
                        cursor.executemany(sql, batch)
                        count += len(batch)
                        batch = []
                if batch:
                    cursor.executemany(sql, batch)
                    count += len(batch)
        return count

    def reset_sequences(self, models) -> None:
        if not self.pg:
            return
        from django.core.management.color import no_style

        with self.connection.cursor() as cursor:
            for sql in self.connection.ops.sequence_reset_sql(no_style(), models):
                cursor.execute(sql)


def generate(db: Path, scale: float, seed: int) -> dict:
    _setup(db)
    from django.core.management import call_command
    from django.db import transaction

    from refdesk.activities.models import Activity
    from refdesk.asks.models import ReferenceRequest, RequestCandidate
    from refdesk.growth.models import Nomination
    from refdesk.insights.models import Opportunity, RequestOpportunity
    from refdesk.people.models import User
    from refdesk.pool.models import Account, Contact, NaicsIndustry, Product, ReferenceProfile
    from refdesk.referrals.models import ReferralLead
    from refdesk.rewards.models import LedgerEntry, PointsHolder

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    rng = random.Random(seed)
    ins = Inserter()
    n_acc, n_ref = max(20, int(25_000 * scale)), max(40, int(50_000 * scale))
    n_req, n_act, n_opp = (
        max(100, int(200_000 * scale)),
        max(500, int(1_000_000 * scale)),
        max(50, int(100_000 * scale)),
    )
    n_led, n_lead, n_nom = (
        max(100, int(200_000 * scale)),
        max(20, int(20_000 * scale)),
        max(20, int(10_000 * scale)),
    )
    codes = list(NaicsIndustry.objects.filter(level=6).values_list("code", flat=True))
    codes = rng.sample(codes, 300)
    year = (dt.datetime(2026, 11, 24, tzinfo=dt.UTC) - START).total_seconds()

    def when() -> dt.datetime:
        return START + dt.timedelta(seconds=rng.random() * year)

    with transaction.atomic():
        reps = [User(email=f"rep{i}@vendor.example", role="sales_rep") for i in range(60)]
        others = [User(email=f"req{i}@vendor.example", role="requester") for i in range(20)]
        others += [User(email=f"exec{i}@vendor.example", role="executive") for i in range(5)]
        User.objects.bulk_create(reps + others)
        rep_ids = list(User.objects.filter(role="sales_rep").values_list("pk", flat=True))
        requester_ids = list(User.objects.exclude(role="executive").values_list("pk", flat=True))
        Product.objects.bulk_create([Product(name=p) for p in PRODUCTS])
        product_ids = list(Product.objects.values_list("pk", flat=True))
        ins.insert(Account, ["name", "industry_id", "country", "owner_id", "employees"],
                   ((f"Account {i}", rng.choice(codes), rng.choice(COUNTRIES), rng.choice(rep_ids) if rng.random() < 0.9 else None,
                     rng.randint(10, 100_000)) for i in range(n_acc)))  # fmt: skip
        ins.reset_sequences([Account])
        account_ids = list(Account.objects.values_list("pk", flat=True))
        through = Account.products.through
        pairs = {(a, p) for a in account_ids for p in rng.sample(product_ids, rng.randint(1, 3))}
        ins.insert(through, ["account_id", "product_id"], sorted(pairs))
        ins.insert(Contact, ["account_id", "name", "email", "languages"],
                   ((rng.choice(account_ids), f"Contact {i}", f"c{i}@customer.example", ins.json(["en"])) for i in range(n_ref)))  # fmt: skip
        ins.reset_sequences([Contact])
        contact_ids = list(Contact.objects.values_list("pk", flat=True))
        statuses = ["active"] * 75 + ["paused"] * 8 + ["candidate"] * 10 + ["retired"] * 7
        ins.insert(ReferenceProfile, ["contact_id", "status", "activity_types", "nps"],
                   ((c, rng.choice(statuses), ins.json(["reference_call", "case_study"]), rng.randint(6, 10)) for c in contact_ids))  # fmt: skip
        ins.reset_sequences([ReferenceProfile])
        ref_ids = list(ReferenceProfile.objects.values_list("pk", flat=True))
        # Use is concentrated: a Pareto-like weight per reference.
        weights = [rng.paretovariate(1.3) for _ in ref_ids]
        cum = list(_cumulative(weights))

        def busy_ref() -> int:
            return ref_ids[min(len(ref_ids) - 1, bisect.bisect(cum, rng.random() * cum[-1]))]

        req_rows = []
        for _ in range(n_req):
            sub = when()
            status = rng.choice(REQUEST_STATUSES)
            reached_candidates = status not in ("submitted",) and not (
                status in ("cancelled", "withdrawn", "expired") and rng.random() < 0.3
            )
            cand = sub + dt.timedelta(hours=rng.random() * 8) if reached_candidates else None
            fulfilled = (
                sub + dt.timedelta(hours=2 + rng.random() * 70)
                if status in ("completed", "closed", "fulfilled")
                else None
            )
            completed = (
                fulfilled + dt.timedelta(hours=24 + rng.random() * 400)
                if fulfilled and status in ("completed", "closed")
                else None
            )
            req_rows.append((
                rng.choice(requester_ids), f"Prospect {rng.randint(1, 50_000)}", rng.choice(codes) if rng.random() < 0.9 else None,
                rng.choice(COUNTRIES), ins.json(rng.sample(PRODUCTS, rng.randint(0, 2))), rng.choice(ACTIVITY_TYPES[:9]), status,
                ins.ts(sub), ins.ts(sub + dt.timedelta(hours=4)), ins.ts(sub + dt.timedelta(hours=24)), ins.ts(cand), ins.ts(fulfilled),
                ins.ts(completed), (sub + dt.timedelta(days=rng.randint(3, 30))).date(), ins.json({}),
            ))  # fmt: skip
        ins.insert(ReferenceRequest, ["requester_id", "prospect", "industry_id", "country", "products", "activity_type", "status",
                                      "submitted_at", "candidates_due_at", "acceptance_due_at", "candidates_proposed_at",
                                      "fulfilled_at", "completed_at", "needed_by", "workflow"], req_rows)  # fmt: skip
        del req_rows
        ins.reset_sequences([ReferenceRequest])
        requests = list(ReferenceRequest.objects.values_list("pk", "submitted_at"))
        cand_rows = []
        for rid, sub in requests:
            invited = sub + dt.timedelta(hours=5) if rng.random() < 0.7 else None
            status = rng.choice(["completed", "accepted", "reference_declined", "invited"]) if invited else rng.choice(
                ["proposed", "approved", "owner_declined", "cancelled"])  # fmt: skip
            responded = (
                invited + dt.timedelta(hours=rng.random() * 48)
                if invited and status != "invited"
                else None
            )
            asked = (
                sub + dt.timedelta(hours=4)
                if rng.random() < 0.5 or status == "owner_declined"
                else None
            )
            approved = (
                asked + dt.timedelta(hours=1) if asked and status != "owner_declined" else None
            )
            cand_rows.append(
                (
                    rid,
                    busy_ref(),
                    status,
                    ins.ts(invited),
                    ins.ts(responded),
                    ins.ts(asked),
                    ins.ts(approved),
                    ins.json([]),
                )
            )
        ins.insert(RequestCandidate, ["request_id", "reference_id", "status", "invited_at", "responded_at", "approval_requested_at",
                                      "approved_at", "explanation"], cand_rows)  # fmt: skip
        del cand_rows
        request_ids = [r for r, _ in requests]
        del requests
        act_status = ["completed"] * 85 + ["cancelled"] * 5 + ["scheduled"] * 10
        ins.insert(Activity, ["reference_id", "activity_type", "status", "occurred_at", "request_id", "source"],
                   ((busy_ref(), rng.choice(ACTIVITY_TYPES), rng.choice(act_status), ins.ts(when()),
                     rng.choice(request_ids) if rng.random() < 0.4 else None, "request") for _ in range(n_act)))  # fmt: skip
        opp_rows = []
        for i in range(n_opp):
            created = when().date()
            stage = rng.choice(["open"] * 4 + ["won"] * 3 + ["lost"] * 3)
            closed = (
                min(TODAY, created + dt.timedelta(days=rng.randint(5, 120)))
                if stage != "open"
                else None
            )
            opp_rows.append(
                (
                    f"006{i:09d}",
                    f"Prospect {i}",
                    rng.choice(rep_ids),
                    Decimal(rng.randint(5, 500) * 1000),
                    stage,
                    created,
                    closed,
                )
            )
        ins.insert(
            Opportunity,
            ["crm_id", "prospect", "owner_id", "amount", "stage", "created_on", "closed_on"],
            opp_rows,
        )
        del opp_rows
        ins.reset_sequences([Opportunity])
        opp_ids = list(Opportunity.objects.values_list("pk", flat=True))
        linked = rng.sample(request_ids, min(len(request_ids), int(len(opp_ids) * 0.6)))
        ins.insert(RequestOpportunity, ["request_id", "opportunity_id", "linked_at"],
                   ((r, o, ins.ts(START)) for r, o in zip(linked, rng.sample(opp_ids, len(linked)), strict=True)))  # fmt: skip
        holders = rng.sample(ref_ids, min(len(ref_ids), max(10, n_led // 40)))
        ins.insert(PointsHolder, ["reference_id", "balance"], ((h, 0) for h in holders))
        ins.reset_sequences([PointsHolder])
        holder_ids = list(PointsHolder.objects.values_list("pk", flat=True))
        balances = dict.fromkeys(holder_ids, 0)
        led_rows = []
        for at in sorted(when() for _ in range(n_led)):
            h = rng.choice(holder_ids)
            kind, points = (
                ("redeem", -50)
                if balances[h] >= 50 and rng.random() < 0.25
                else ("expire", -10)
                if balances[h] >= 10 and rng.random() < 0.05
                else ("earn", 100)
            )
            balances[h] += points
            led_rows.append((h, kind, points, balances[h], ins.ts(at), kind, ""))
        ins.insert(
            LedgerEntry,
            ["holder_id", "kind", "points", "balance_after", "at", "reason", "source_key"],
            led_rows,
        )
        del led_rows
        with ins.connection.cursor() as cursor:
            cursor.executemany(
                f"UPDATE {PointsHolder._meta.db_table} SET balance = %s WHERE id = %s",
                [(b, h) for h, b in balances.items()],
            )
        sources = ["customer", "partner", "employee", "event", "web"]
        lead_rows = []
        for i in range(n_lead):
            stage = rng.choice(["new", "contacted", "qualified", "won", "lost", "lost"])
            received = when()
            lead_rows.append((f"Lead {i}", f"lead {i}", rng.choice(sources), stage, Decimal(rng.randint(1, 100) * 1000) if stage == "won" else None,
                              received.date(), received.date() if stage in ("won", "lost") else None, ins.ts(received)))  # fmt: skip
        ins.insert(
            ReferralLead,
            [
                "company",
                "company_key",
                "source",
                "stage",
                "amount",
                "received_on",
                "closed_on",
                "created_at",
            ],
            lead_rows,
        )
        nominees = rng.sample(contact_ids, min(len(contact_ids), n_nom))
        ins.insert(Nomination, ["contact_id", "nominator_id", "status", "created_at", "kind"],
                   ((c, rng.choice(rep_ids), rng.choice(["submitted", "accepted", "declined"]), ins.ts(when()), "happy_customer") for c in nominees))  # fmt: skip
    with ins.connection.cursor() as cursor:
        # What autovacuum leaves on a live PostgreSQL (statistics and the visibility map that lets
        # index-only scans skip the table); SQLite gets its statistics.
        cursor.execute("VACUUM ANALYZE" if ins.pg else "ANALYZE")
    return {
        "seconds": time.perf_counter() - started,
        "activities": n_act,
        "requests": n_req,
        "opportunities": n_opp,
        "references": n_ref,
    }


def _cumulative(values):
    total = 0.0
    for v in values:
        total += v
        yield total


# --- ours ----------------------------------------------------------------------------------------


def _headline(figures: dict) -> dict:
    """The figures both sides compute, for the comparison."""
    t, s, f, a, u, i = (
        figures[k] for k in ("turnaround", "sla", "fulfilment", "acceptance", "usage", "influence")
    )
    return {
        "candidates_median_h": t["candidates_median_hours"], "candidates_p90_h": t["candidates_p90_hours"],
        "accepted_median_h": t["accepted_median_hours"], "accepted_p90_h": t["accepted_p90_hours"],
        "completed_median_h": t["completed_median_hours"], "completed_p90_h": t["completed_p90_hours"],
        "sla_acceptance_pct": s["acceptance_percent"], "fulfilment_pct": f["rate_percent"], "acceptance_pct": a["rate_percent"],
        "references_used": u["references"], "gini": u["gini"], "top10_share_pct": u["top10_share_percent"],
        "influenced_revenue": str(i["with_revenue"]), "win_rate_with_pct": i["with_win_rate_percent"],
        "win_rate_without_pct": i["without_win_rate_percent"], "points_outstanding": figures["points"]["outstanding"],
        "referral_leads": figures["referrals"]["leads"], "nominations": figures["nominations"]["nominations"],
    }  # fmt: skip


def run_ours(db: Path, repeat: int) -> dict:
    _setup(db)
    from django.utils import timezone

    from refdesk.insights import selectors

    period = selectors.period_parse(*PERIOD, today=TODAY)
    now = timezone.now()
    from django.conf import settings

    times, one_thread, per_figure = [], [], {}
    figures = None
    # Cold: nothing remembered from a previous run (the pieces kept until their tables change).
    for _ in range(repeat):
        selectors.cache_clear()
        started = time.perf_counter()
        figures = selectors.dashboard_compute(period, now=now)
        times.append(time.perf_counter() - started)
    for _ in range(repeat):
        selectors.cache_clear()
        started = time.perf_counter()
        selectors.dashboard_compute(period, now=now, threads=1)
        one_thread.append(time.perf_counter() - started)
    started = time.perf_counter()
    selectors.dashboard_compute(period, now=now)  # warm: supply and usage remembered, nothing changed
    warm = time.perf_counter() - started
    selectors.cache_clear()
    for key, fn in selectors.FIGURES.items():
        started = time.perf_counter()
        fn(period, now=now)
        per_figure[key] = round((time.perf_counter() - started) * 1000, 1)
    return {
        "seconds": times,
        "threads": settings.REFDESK_INSIGHTS_THREADS,
        "one_thread_seconds": one_thread,
        "warm_seconds": warm,
        "peak_mb": _peak_mb(),
        "per_figure_ms": per_figure,
        "headline": _headline({f.key: f.summary for f in figures}),
    }


# --- the naive way -------------------------------------------------------------------------------


def _hours(end, start):
    return (end - start).total_seconds() / 3600


def _median_p90(values):
    if not values:
        return None, None
    values = sorted(values)
    n = len(values)
    median = values[(n - 1) // 2] if n % 2 else (values[n // 2 - 1] + values[n // 2]) / 2
    return round(median, 1), round(values[math.ceil(0.9 * n) - 1], 1)


def _pct(a, b):
    return round(100.0 * a / b, 1) if b else None


def run_naive(db: Path) -> dict:
    """Load the rows through the ORM and compute the same headline figures in Python."""
    _setup(db)
    from collections import Counter, defaultdict

    from django.utils import timezone

    from refdesk.activities.models import Activity
    from refdesk.asks.models import ReferenceRequest, RequestCandidate
    from refdesk.growth.models import Nomination
    from refdesk.insights import selectors
    from refdesk.insights.models import Opportunity, RequestOpportunity
    from refdesk.pool.models import ReferenceProfile
    from refdesk.referrals.models import ReferralLead
    from refdesk.rewards.models import LedgerEntry

    period = selectors.period_parse(*PERIOD, today=TODAY)
    now = timezone.now()
    started = time.perf_counter()
    lo, hi = period.start_at, period.end_at
    reqs = [r for r in ReferenceRequest.objects.all() if lo <= r.submitted_at < hi]
    turn = {}
    for key, col in (
        ("candidates", "candidates_proposed_at"),
        ("accepted", "fulfilled_at"),
        ("completed", "completed_at"),
    ):
        turn[key] = _median_p90(
            [_hours(getattr(r, col), r.submitted_at) for r in reqs if getattr(r, col)]
        )
    acc_due = [
        r for r in reqs if r.acceptance_due_at and (r.fulfilled_at or r.acceptance_due_at < now)
    ]
    acc_met = [
        r
        for r in reqs
        if r.acceptance_due_at and r.fulfilled_at and r.fulfilled_at <= r.acceptance_due_at
    ]
    fulfilled = sum(1 for r in reqs if r.fulfilled_at)
    failed = sum(1 for r in reqs if not r.fulfilled_at and r.status in ("expired", "cancelled"))
    cands = [
        c
        for c in RequestCandidate.objects.select_related("request")
        if c.invited_at and lo <= c.invited_at < hi
    ]
    accepted = sum(1 for c in cands if c.responded_at and c.status != "reference_declined")
    declined = sum(1 for c in cands if c.status == "reference_declined")
    # Supply by industry sector, as the dashboard does it.
    supply = Counter(
        (r.contact.account.industry_id or "—")[:2]
        for r in ReferenceProfile.objects.select_related("contact__account")
        if r.status == "active" and not r.opted_out and not r.contact.account.matching_blocked
    )
    demand = Counter((r.industry_id or "—")[:2] for r in reqs)
    del supply, demand
    counts: dict[int, int] = defaultdict(int)
    activities = list(Activity.objects.all())
    for a in activities:
        if (
            a.status == "completed"
            and lo <= a.occurred_at < hi
            and a.activity_type not in ("logo", "quote")
        ):
            counts[a.reference_id] += 1
    for rid in ReferenceProfile.objects.filter(status="active").values_list("pk", flat=True):
        counts.setdefault(rid, 0)
    ordered = sorted(counts.items(), key=lambda kv: (kv[1], kv[0]))
    n, total = len(ordered), sum(v for _, v in ordered)
    weighted = sum(i * v for i, (_, v) in enumerate(ordered, start=1))
    top = sum(
        v for _, v in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[: math.ceil(n / 10)]
    )
    gini = round(2 * weighted / (n * total) - (n + 1) / n, 3) if n and total else None
    link = {lk.request_id: lk.opportunity_id for lk in RequestOpportunity.objects.all()}
    influenced = {
        link[a.request_id] for a in activities if a.status == "completed" and a.request_id in link
    }
    del activities
    won = {True: [0, Decimal(0)], False: [0, Decimal(0)]}
    lost = {True: 0, False: 0}
    for o in Opportunity.objects.all():
        closed_in = o.closed_on and period.start <= o.closed_on <= period.end
        flag = o.pk in influenced
        if o.stage == "won" and closed_in:
            won[flag][0] += 1
            won[flag][1] += o.amount or 0
        elif o.stage == "lost" and closed_in:
            lost[flag] += 1
    outstanding = sum(e.points for e in LedgerEntry.objects.all() if e.at < hi)
    leads = sum(
        1 for lead in ReferralLead.objects.all() if period.start <= lead.received_on <= period.end
    )
    noms = sum(1 for nom in Nomination.objects.all() if lo <= nom.created_at < hi)
    seconds = time.perf_counter() - started
    headline = {
        "candidates_median_h": turn["candidates"][0], "candidates_p90_h": turn["candidates"][1],
        "accepted_median_h": turn["accepted"][0], "accepted_p90_h": turn["accepted"][1],
        "completed_median_h": turn["completed"][0], "completed_p90_h": turn["completed"][1],
        "sla_acceptance_pct": _pct(len(acc_met), len(acc_due)), "fulfilment_pct": _pct(fulfilled, fulfilled + failed),
        "acceptance_pct": _pct(accepted, accepted + declined), "references_used": n, "gini": gini, "top10_share_pct": _pct(top, total),
        "influenced_revenue": str(won[True][1].quantize(Decimal("0.01"))), "win_rate_with_pct": _pct(won[True][0], won[True][0] + lost[True]),
        "win_rate_without_pct": _pct(won[False][0], won[False][0] + lost[False]), "points_outstanding": outstanding,
        "referral_leads": leads, "nominations": noms,
    }  # fmt: skip
    return {"seconds": [seconds], "peak_mb": _peak_mb(), "headline": headline}


# --- driver --------------------------------------------------------------------------------------


def _phase(args, phase: str, db: Path) -> dict:
    argv = [sys.executable, __file__, "--phase", phase, "--db", str(db), "--scale", str(args.scale), "--repeat", str(args.repeat),
            "--seed", str(args.seed)]  # fmt: skip
    out = subprocess.run(argv, capture_output=True, text=True, cwd=ROOT)
    if out.returncode:
        sys.exit(f"bench phase {phase} failed:\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--scale",
        type=float,
        default=1.0,
        help="1.0 = 1,000,000 activities, 200,000 requests, 100,000 opportunities",
    )
    parser.add_argument(
        "--repeat", type=int, default=3, help="dashboard runs (the first one is cold)"
    )
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--db", help="SQLite file (default: a fresh temporary one)")
    parser.add_argument(
        "--database-url",
        help="run on this database instead (e.g. PostgreSQL from scripts/with_postgres.py)",
    )
    parser.add_argument("--no-naive", action="store_true", help="skip the naive Python aggregation")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="measure a database built by an earlier run (--db FILE or --database-url) without rebuilding it",
    )
    parser.add_argument("--phase", choices=["generate", "ours", "naive"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        db = Path(args.db)
        fn = {"generate": lambda: generate(db, args.scale, args.seed), "ours": lambda: run_ours(db, args.repeat),
              "naive": lambda: run_naive(db)}[args.phase]  # fmt: skip
        print(json.dumps(fn(), default=str))
        return 0
    if args.database_url:
        os.environ["BENCH_DATABASE_URL"] = args.database_url
    with tempfile.TemporaryDirectory(prefix="refdesk-bench-") as tmp:
        db = Path(args.db) if args.db else Path(tmp) / "insights.sqlite3"
        where = args.database_url.split("@")[-1] if args.database_url else "a fresh SQLite database"
        if args.reuse and (args.database_url or db.exists()):
            print(f"Reusing {where} as it is.", flush=True)
        else:
            print(f"Building {where} at scale {args.scale}…", flush=True)
            gen = _phase(args, "generate", db)
            print(f"  {gen['activities']:,} activities, {gen['requests']:,} requests, {gen['opportunities']:,} opportunities, "
                  f"{gen['references']:,} references in {gen['seconds']:.0f} s", flush=True)  # fmt: skip
        ours = _phase(args, "ours", db)
        naive = None if args.no_naive else _phase(args, "naive", db)
    runs = ", ".join(f"{s:.2f}" for s in ours["seconds"])
    print(f"\nWhole dashboard (16 figures, one year): runs {runs} s; best {min(ours['seconds']):.2f} s, "
          f"median {statistics.median(ours['seconds']):.2f} s; peak memory {ours['peak_mb']:.0f} MB")  # fmt: skip
    print(f"  ({ours['threads']} threads, REFDESK_INSIGHTS_THREADS; one thread: "
          + ", ".join(f"{s:.2f}" for s in ours["one_thread_seconds"]) + " s; again with nothing changed: "
          + f"{ours['warm_seconds']:.2f} s)")  # fmt: skip
    print("Per figure alone (ms): " + ", ".join(f"{k} {v}" for k, v in ours["per_figure_ms"].items()))
    if naive:
        print(f"Naive Python aggregation: {naive['seconds'][0]:.2f} s; peak memory {naive['peak_mb']:.0f} MB "
              f"({naive['seconds'][0] / min(ours['seconds']):.0f}× slower than ours at its best)")  # fmt: skip
        print(f"\n{'figure':24}{'ours':>16}{'naive':>16}")
        same = True
        for key, value in ours["headline"].items():
            other = naive["headline"][key]
            mark = "" if value == other else "  ← differs"
            same &= value == other
            print(f"{key:24}{value!s:>16}{other!s:>16}{mark}")
        print("\nSame answers on both sides." if same else "\nThe two sides differ (see ←).")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
