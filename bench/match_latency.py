"""Match latency at N references: our matcher against the naive way, side by side.

    .venv/bin/python bench/match_latency.py [--n 100000] [--requests 200] [--naive-requests 10]

Builds a fresh SQLite database of N references with realistic distributions (industries
concentrated in a few sectors, many US/European accounts, a long tail of countries, sizes on a
log scale, a year of activities used unevenly), then runs the same varied requests through
`match_find` (what the page, API and CLI call) and through the naive way (load every profile
through the ORM and score each in Python). Each side runs in its own process so the peak memory
printed is that of one app-server process. Nothing here asserts; it prints figures.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

PRODUCTS = ["Ledger", "Payroll", "CRM", "Analytics", "Billing", "Procurement", "HR Core", "Field Service",
            "Inventory", "Commerce", "Security", "Data Hub"]  # fmt: skip
PRODUCT_WEIGHTS = [30, 18, 16, 12, 10, 8, 7, 5, 5, 4, 3, 2]
COUNTRIES = {"US": 38, "GB": 8, "DE": 8, "FR": 5, "CA": 4, "AU": 3, "NL": 3, "SE": 2, "CH": 2, "AT": 2, "ES": 2,
             "IT": 2, "BR": 3, "MX": 2, "JP": 2, "IN": 3, "SG": 1, "IE": 1, "DK": 1, "NO": 1, "FI": 1, "PL": 2,
             "ZA": 1, "AE": 1, "NZ": 1, "AR": 1, "CL": 1, "BE": 1, "PT": 1, "KR": 1}  # fmt: skip
LANGUAGES = {"US": "en", "GB": "en", "CA": "en", "AU": "en", "IE": "en", "NZ": "en", "SG": "en", "IN": "en",
             "ZA": "en", "DE": "de", "AT": "de", "CH": "de", "FR": "fr", "BE": "fr", "NL": "nl", "SE": "sv",
             "DK": "da", "NO": "no", "FI": "fi", "ES": "es", "MX": "es", "AR": "es", "CL": "es", "IT": "it",
             "BR": "pt", "PT": "pt", "JP": "ja", "KR": "ko", "PL": "pl", "AE": "ar"}  # fmt: skip
SECTOR_WEIGHTS = {"52": 20, "54": 16, "51": 14, "31": 6, "32": 5, "33": 8, "62": 8, "44": 4, "45": 2, "42": 4,
                  "48": 3, "49": 1, "61": 3, "92": 2, "53": 3, "72": 2, "23": 2, "22": 1, "21": 1, "11": 2,
                  "56": 2, "71": 1, "81": 1, "55": 1}  # fmt: skip
TOPICS = ["onboarding", "implementation in 90 days", "SOX compliance", "reporting dashboards", "payroll migration",
          "multi-entity consolidation", "global rollout", "data migration", "security review", "ERP integration",
          "change management", "cost savings", "mobile field teams", "customer self-service", "AI forecasting",
          "procurement automation", "GDPR", "audit trail", "scaling support", "single sign-on",
          "inventory accuracy", "month-end close", "omnichannel retail", "clinical workflows", "grant management",
          "fleet tracking", "franchise operations", "student information", "claims processing", "KYC"]  # fmt: skip
RIVALS = ["Oracle", "SAP", "Workday", "Salesforce", "Microsoft Dynamics", "Infor", "Sage", "NetSuite", "Zoho",
          "HubSpot"]  # fmt: skip
ACTIVITY_SHARES = {"reference_call": 0.85, "case_study": 0.4, "webinar": 0.25, "speaking": 0.12, "media": 0.1,
                   "site_visit": 0.08, "quote": 0.5, "logo": 0.6, "referral": 0.2}  # fmt: skip
STATUS_WEIGHTS = {
    "active": 70,
    "paused": 8,
    "candidate": 10,
    "invited": 5,
    "retired": 5,
    "declined": 2,
}
INDUSTRY_PHRASES = ["cattle ranch", "regional bank", "credit union", "software", "hospital", "insurance", "trucking",
                    "restaurant", "law firm", "accounting", "school", "university", "hotel", "construction",
                    "electric utility", "grocery", "retail store", "pharmaceutical", "auto parts", "airline",
                    "real estate", "consulting", "telecommunications", "oil and gas", "dairy farm", "brewery",
                    "bakery", "logistics", "warehouse", "dentist", "5221", "522110", "541511", "3361", "62",
                    "investment bank", "payment processing", "clothing store", "semiconductor", "steel mill"]  # fmt: skip


def _setup(db: Path) -> None:
    # --database-url (e.g. PostgreSQL) wins; else the SQLite file `db`.
    os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{db}"
    os.environ.setdefault("REFDESK_VAR_DIR", str(db.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "refdesk.settings")
    import django

    django.setup()


def _pick(rng: random.Random, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def generate(db: Path, n: int, seed: int) -> dict:
    """A fresh database with n references."""
    _setup(db)
    import datetime as dt

    from django.core.management import call_command
    from django.db import transaction

    from refdesk.activities.models import Activity
    from refdesk.core import geo
    from refdesk.people.models import User
    from refdesk.pool import naics
    from refdesk.pool.models import Account, Contact, NaicsIndustry, Product, ReferenceProfile

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    rng = random.Random(seed)
    codes6 = [c for c in NaicsIndustry.objects.filter(level=6).values_list("code", flat=True)]
    by_sector: dict[str, list[str]] = {}
    for code in codes6:
        by_sector.setdefault(code[:2], []).append(code)
    # Within a sector a few industries hold most customers (Zipf-like).
    sector_codes = {
        s: rng.sample(cs, min(len(cs), 25)) for s, cs in by_sector.items() if s in SECTOR_WEIGHTS
    }
    zones = geo.country_time_zones()
    today = dt.date(2026, 11, 23)
    with transaction.atomic():
        products = Product.objects.bulk_create([Product(name=p) for p in PRODUCTS])
        owners = User.objects.bulk_create(
            [User(email=f"rep{i}@vendor.example", role="sales_rep") for i in range(40)]
        )
        n_accounts = max(1, n * 2 // 5)
        accounts = []
        for i in range(n_accounts):
            sector = _pick(rng, SECTOR_WEIGHTS)
            choices = sector_codes[sector]
            code = choices[min(int(rng.paretovariate(1.2)) - 1, len(choices) - 1)]
            accounts.append(
                Account(
                    name=f"{rng.choice(['North', 'Blue', 'Summit', 'Prime', 'Atlas', 'Nova', 'River'])} "
                    f"{rng.choice(['Holdings', 'Partners', 'Systems', 'Foods', 'Bank', 'Health', 'Works'])} {i}",
                    industry_id=code, country=_pick(rng, COUNTRIES), employees=int(10 ** rng.uniform(1, 5.3)),
                    owner=rng.choice(owners), matching_blocked=rng.random() < 0.02,
                )
            )  # fmt: skip
        accounts = Account.objects.bulk_create(accounts, batch_size=5000)
        through = Account.products.through
        links = []
        for account in accounts:
            for product in set(rng.choices(products, weights=PRODUCT_WEIGHTS, k=rng.randint(1, 4))):
                links.append(through(account_id=account.pk, product_id=product.pk))
        through.objects.bulk_create(links, batch_size=10000)
        names = {p.pk: p.name for p in products}
        product_names: dict[int, list[str]] = {}
        for link in links:
            product_names.setdefault(link.account_id, []).append(names[link.product_id])
        contacts = []
        for i in range(n):
            account = accounts[i] if i < len(accounts) else rng.choice(accounts)
            lang = LANGUAGES.get(account.country, "en")
            langs = [lang] + (["en"] if lang != "en" and rng.random() < 0.6 else [])
            contacts.append(
                Contact(account=account, name=f"Person {i}", email=f"person{i}@customer{account.pk}.example",
                        languages=langs, time_zone=rng.choice(zones.get(account.country, ["UTC"])))
            )  # fmt: skip
        contacts = Contact.objects.bulk_create(contacts, batch_size=5000)
        references = []
        for contact in contacts:
            types = [t for t, share in ACTIVITY_SHARES.items() if rng.random() < share] or [
                "reference_call"
            ]
            nps = None if rng.random() < 0.2 else min(10, max(0, int(rng.gauss(8.3, 1.6))))
            topics, rivals = rng.sample(TOPICS, rng.randint(0, 3)), rng.sample(RIVALS, rng.choice([0, 0, 1, 1, 2]))
            account = contact.account
            # The copies the pool service keeps (search words, sort keys, country, industry),
            # written here directly because 100,000 service calls would take minutes.
            words = [contact.name, account.name, naics.title(account.industry_id) or "", *topics, *rivals,
                     *product_names.get(account.pk, ())]  # fmt: skip
            references.append(
                ReferenceProfile(
                    contact=contact, status=_pick(rng, STATUS_WEIGHTS), activity_types=types,
                    topics=topics, competitors_displaced=rivals,
                    nps=nps, nps_date=(today - dt.timedelta(days=rng.randint(0, 1100))) if nps is not None else None,
                    csat=rng.choice([None, None, 3, 4, 5]), opted_out=rng.random() < 0.02,
                    search_text=" ".join(w for w in words if w).lower(), sort_name=contact.name.lower(),
                    sort_account=account.name.lower(), country=account.country, industry_code=account.industry_id,
                )
            )  # fmt: skip
        references = ReferenceProfile.objects.bulk_create(references, batch_size=5000)
        # A year of use, concentrated on a minority of references (the "handful" the seeds describe).
        busy = rng.sample(references, max(1, n // 8))
        now = dt.datetime(2026, 11, 23, 12, tzinfo=dt.UTC)
        activities = []
        for _ in range(n // 2):
            ref = (
                busy[min(int(rng.paretovariate(1.1)) - 1, len(busy) - 1)]
                if rng.random() < 0.5
                else rng.choice(busy)
            )
            activities.append(
                Activity(reference=ref, activity_type=rng.choice(ref.activity_types),
                         status=rng.choice(["completed"] * 8 + ["cancelled", "scheduled"]),
                         occurred_at=now - dt.timedelta(days=rng.uniform(-14, 365)))
            )  # fmt: skip
        Activity.objects.bulk_create(activities, batch_size=5000)
    return {
        "seconds": time.perf_counter() - started,
        "accounts": len(accounts),
        "references": len(references),
    }


def requests(count: int, seed: int) -> list[dict]:
    """Varied requests: everyday industries, sometimes products, country, size, language, rival, topics."""
    rng = random.Random(seed + 1)
    result = []
    for _ in range(count):
        q = {"industry": rng.choice(INDUSTRY_PHRASES), "limit": rng.choice([5, 10, 10, 20])}
        if rng.random() < 0.6:
            q["products"] = rng.sample(PRODUCTS, rng.randint(1, 3))
        if rng.random() < 0.7:
            q["country"] = _pick(rng, COUNTRIES)
        if rng.random() < 0.5:
            q["employees"] = int(10 ** rng.uniform(1, 5))
        if rng.random() < 0.3:
            q["languages"] = [rng.choice(["en", "de", "fr", "es", "pt", "ja"])]
        if rng.random() < 0.3:
            q["competitor"] = rng.choice(RIVALS)
        if rng.random() < 0.2:
            q["prospect"] = f"Summit Foods {rng.randint(0, 1000)}"
        if rng.random() < 0.3:
            q["topics"] = " ".join(rng.sample(TOPICS, 2))
        q["activity_type"] = rng.choice(
            ["reference_call"] * 6 + ["case_study", "webinar", "logo", "speaking"]
        )
        result.append(q)
    return result


def _percentiles(times: list[float]) -> dict:
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, max(0, round(0.95 * len(ordered)) - 1))]
    return {
        "p50_ms": statistics.median(ordered) * 1000,
        "p95_ms": p95 * 1000,
        "max_ms": ordered[-1] * 1000,
    }


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_ours(db: Path, count: int, seed: int) -> dict:
    """Our matcher, through the same selector the page, API and CLI call."""
    _setup(db)
    from django.utils import timezone

    from refdesk.matching.selectors import MatchQuery, match_find
    from refdesk.pool.models import ReferenceProfile

    queries = requests(count, seed)
    started = time.perf_counter()
    match_find(user=None, query=MatchQuery(industry="bank"))
    cold = time.perf_counter() - started
    rss_after_build = _peak_mb()
    times = []
    for q in queries:
        t = time.perf_counter()
        match_find(user=None, query=MatchQuery(**q))
        times.append(time.perf_counter() - t)
    # One pool change, then the next match: the incremental refresh a user waits for.
    ref = ReferenceProfile.objects.filter(status="active").order_by("pk").first()
    ReferenceProfile.objects.filter(pk=ref.pk).update(status="paused", updated_at=timezone.now())
    t = time.perf_counter()
    match_find(user=None, query=MatchQuery(**queries[0]))
    after_change = time.perf_counter() - t
    return {**_percentiles(times), "runs": len(times), "cold_build_s": cold, "after_change_ms": after_change * 1000,
            "rss_after_build_mb": rss_after_build, "peak_mb": _peak_mb()}  # fmt: skip


def run_naive(db: Path, count: int, seed: int) -> dict:
    """The naive way: every profile through the ORM, each scored in Python, then sorted."""
    _setup(db)
    import datetime as dt

    from django.utils import timezone

    from refdesk.activities.selectors import activity_dates_since
    from refdesk.matching import scoring
    from refdesk.matching.selectors import (
        MatchQuery,
        match_spec_build,
        matching_settings_get,
        rules_from,
    )
    from refdesk.pool.models import ReferenceProfile

    queries = requests(count, seed)
    times = []
    for q in queries:
        t = time.perf_counter()
        today = timezone.now().date()
        spec, _ = match_spec_build(MatchQuery(**q), today=today)
        rules = rules_from(matching_settings_get())
        dates = activity_dates_since(since=today - dt.timedelta(days=rules.lookback_days))
        candidates = []
        for r in ReferenceProfile.objects.select_related("contact__account").prefetch_related(
            "contact__account__products"
        ):
            a = r.contact.account
            candidates.append(
                scoring.Candidate(
                    reference_id=r.pk, account_name=a.name, industry=a.industry_id, country=a.country,
                    employees=a.employees, products=frozenset(p.name.lower() for p in a.products.all()),
                    languages=frozenset(r.contact.languages), time_zone=r.contact.time_zone,
                    activity_types=frozenset(r.activity_types), status=r.status, opted_out=r.opted_out,
                    blocked=a.matching_blocked, nps=r.nps, nps_date=r.nps_date, csat=r.csat, csat_date=r.csat_date,
                    topics=tuple(r.topics), competitors_displaced=tuple(r.competitors_displaced),
                    activity_dates=dates.get(r.pk, ()),
                )
            )  # fmt: skip
        scoring.rank(spec, candidates, rules, limit=q.get("limit", 10))
        times.append(time.perf_counter() - t)
    return {**_percentiles(times), "runs": len(times), "peak_mb": _peak_mb()}


def _phase(args, phase: str, db: Path) -> dict:
    argv = [sys.executable, __file__, "--phase", phase, "--db", str(db), "--n", str(args.n), "--seed", str(args.seed),
            "--requests", str(args.requests), "--naive-requests", str(args.naive_requests)]  # fmt: skip
    out = subprocess.run(argv, capture_output=True, text=True, cwd=ROOT)
    if out.returncode:
        sys.exit(f"bench phase {phase} failed:\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=100_000, help="references in the fresh database")
    parser.add_argument("--requests", type=int, default=200, help="requests for our matcher")
    parser.add_argument(
        "--naive-requests", type=int, default=10, help="requests for the naive way (slow)"
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--db", help="database file (default: a fresh temporary one)")
    parser.add_argument(
        "--database-url",
        help="run on this database instead (e.g. a PostgreSQL from scripts/with_postgres.py); it is filled once",
    )
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="with --database-url: it was filled by an earlier run, skip building",
    )
    parser.add_argument("--phase", choices=["generate", "ours", "naive"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        db = Path(args.db)
        fn = {"generate": lambda: generate(db, args.n, args.seed), "ours": lambda: run_ours(db, args.requests, args.seed),
              "naive": lambda: run_naive(db, args.naive_requests, args.seed)}[args.phase]  # fmt: skip
        print(json.dumps(fn()))
        return 0
    if args.database_url:
        os.environ["BENCH_DATABASE_URL"] = args.database_url
    with tempfile.TemporaryDirectory(prefix="refdesk-bench-") as tmp:
        db = Path(args.db) if args.db else Path(tmp) / "bench.sqlite3"
        where = args.database_url.split("@")[-1] if args.database_url else "a fresh SQLite database"
        print(f"Building {where} with {args.n:,} references…", flush=True)
        gen = (
            _phase(args, "generate", db)
            if (args.database_url and not args.reuse) or (not args.database_url and not db.exists())
            else {"references": args.n}
        )
        if "accounts" in gen:
            print(
                f"  {gen['references']:,} references at {gen['accounts']:,} accounts in {gen['seconds']:.0f} s",
                flush=True,
            )
        else:
            print("  reusing the database filled by an earlier run", flush=True)
        ours = _phase(args, "ours", db)
        naive = _phase(args, "naive", db) if args.naive_requests else None
    if naive is None:
        print(
            f"ours: p50 {ours['p50_ms']:.1f} ms, p95 {ours['p95_ms']:.1f} ms, max {ours['max_ms']:.1f} ms, "
            f"peak {ours['peak_mb']:.0f} MB over {ours['runs']} requests; index built in {ours['cold_build_s']:.1f} s"
        )
        return 0
    print()
    print(f"{'':24}{'ours':>12}{'naive':>12}")
    print(f"{'requests':24}{ours['runs']:>12}{naive['runs']:>12}")
    for key, label in (
        ("p50_ms", "p50 (ms)"),
        ("p95_ms", "p95 (ms)"),
        ("max_ms", "max (ms)"),
        ("peak_mb", "peak memory (MB)"),
    ):
        print(f"{label:24}{ours[key]:>12.1f}{naive[key]:>12.1f}")
    print(
        f"{'speed-up at p50 / p95':24}{naive['p50_ms'] / ours['p50_ms']:>11.0f}×{naive['p95_ms'] / ours['p95_ms']:>11.0f}×"
    )
    print()
    print(
        f"index built on first match in {ours['cold_build_s']:.1f} s (memory then {ours['rss_after_build_mb']:.0f} MB)"
    )
    print(
        f"first match after a pool change: {ours['after_change_ms']:.0f} ms (incremental refresh included)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
