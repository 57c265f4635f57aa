"""Pool page server time at 100,000 references, with and without filters.

Builds a fresh SQLite database (or uses DATABASE_URL if given with --keep-url), fills it with
N references in bulk, then renders the pool page through Django's test client for a set of
filters and prints p50/p95 server times in ms.

    .venv/bin/python bench/pool_page.py [--n 100000] [--repeat 15]
"""

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--keep-url", action="store_true", help="use DATABASE_URL as is (e.g. PostgreSQL)")
    parser.add_argument("--db", help="SQLite file to build once and reuse between runs")
    args = parser.parse_args()

    tmp = tempfile.mkdtemp(prefix="refdesk-bench-")
    reuse = bool(args.db and Path(args.db).exists())
    if args.db:
        os.environ["DATABASE_URL"] = f"sqlite:///{Path(args.db).resolve()}"
    elif not args.keep_url:
        os.environ["DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
    os.environ["REFDESK_VAR_DIR"] = tmp
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "refdesk.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    if reuse:
        from refdesk.people.models import User

        user = User.objects.get(email="bench@example.com")
    else:
        user = fill(args.n)
    print(f"filled {args.n:,} references in {time.perf_counter() - started:.1f}s ({os.environ['DATABASE_URL'].split(':')[0]})")

    from django.test import Client

    client = Client()
    client.force_login(user)
    cases = {
        "no filter": {},
        "status=active": {"status": "active"},
        "industry=52 (subtree)": {"industry": "52"},
        "industry words 'cattle ranch'": {"industry": "cattle ranch"},
        "text search 'payroll'": {"q": "payroll"},
        "activity=webinar + country=DE": {"activity_type": "webinar", "country": "DE"},
        "product + status + sort by NPS": {"product": "Ledger", "status": "active", "order": "-nps"},
        "page 40": {"page": "40"},
        "htmx fragment, status=paused": {"status": "paused", "_htmx": "1"},
    }
    from refdesk.core import changes

    # Cold: what a query string nobody asked for since the pool last changed costs (counted and
    # rendered); warm: the same query again, answered from the remembered results table.
    print(f"{'case':36} {'cold p50':>9} {'cold p95':>9} {'warm p50':>9}  rows")
    for name, params in cases.items():
        headers = {"HTTP_HX_REQUEST": "true"} if params.pop("_htmx", None) else {}
        cold, warm = [], []
        for _ in range(args.repeat):
            changes.forget()
            for times in (cold, warm):
                t0 = time.perf_counter()
                response = client.get("/pool/", params, **headers)
                times.append((time.perf_counter() - t0) * 1000)
                assert response.status_code == 200, response.status_code
        count = response.content.decode().split('id="result-count">')[1].split(" ")[0]
        cold.sort()
        p95 = cold[min(len(cold) - 1, int(round(0.95 * (len(cold) - 1))))]
        print(f"{name:36} {statistics.median(cold):9.1f} {p95:9.1f} {statistics.median(warm):9.1f}  {count}")


def fill(n: int):
    """Bulk-load n references over n/5 accounts with realistic spreads (no per-row services)."""
    from refdesk.people.choices import Role
    from refdesk.people.models import User
    from refdesk.pool import naics
    from refdesk.pool.models import Account, Contact, Product, ReferenceProfile
    from refdesk.pool.services import reference_search_text

    rng = random.Random(7)
    pm = User.objects.create_user("bench@example.com", "bench-password", role=Role.PROGRAM_MANAGER)
    reps = [User.objects.create_user(f"rep{i}@example.com", None, role=Role.SALES_REP) for i in range(20)]
    products = [Product.objects.create(name=p) for p in ["Ledger", "Payroll", "Planning", "Expense", "Treasury", "Mobile App"]]
    six = [c for c in naics.codes() if len(c) == 6]
    countries = ["US"] * 10 + ["GB", "DE", "FR", "NL", "SE", "CA", "AU", "BR", "JP", "ES", "CH"]
    words = "payroll onboarding reporting consolidation compliance migration analytics forecasting sso audit".split()
    statuses = ["active"] * 6 + ["candidate", "invited", "paused", "retired", "declined"]
    activities = ["reference_call", "case_study", "webinar", "speaking", "media", "quote", "logo", "site_visit", "referral"]
    accounts = [
        Account(
            name=f"Company {i:06d} {rng.choice(['Inc', 'Ltd', 'GmbH', 'SA', 'LLC'])}",
            industry_id=rng.choice(six), country=rng.choice(countries),
            employees=int(10 ** rng.uniform(1.3, 5.3)), owner=rng.choice(reps),
        )
        for i in range(max(1, n // 5))
    ]
    Account.objects.bulk_create(accounts, batch_size=2000)
    accounts = list(Account.objects.select_related("industry").order_by("pk"))
    through = Account.products.through
    through.objects.bulk_create(
        [through(account_id=a.pk, product_id=p.pk) for a in accounts for p in rng.sample(products, rng.randint(1, 3))],
        batch_size=5000,
    )
    contacts = [
        Contact(account=accounts[i % len(accounts)], name=f"Person {i:06d}", email=f"p{i}@bench.example", title="Director", languages=["en"])
        for i in range(n)
    ]
    Contact.objects.bulk_create(contacts, batch_size=2000)
    by_account = {}
    for a in accounts:
        by_account[a.pk] = a
    refs = []
    for contact in Contact.objects.order_by("pk").iterator(chunk_size=5000):
        contact.account = by_account[contact.account_id]
        ref = ReferenceProfile(
            contact=contact, status=rng.choice(statuses), activity_types=rng.sample(activities, rng.randint(1, 4)),
            topics=rng.sample(words, 2), nps=rng.choice([6, 7, 8, 9, 9, 10, 10, None]),
        )
        ref.search_text = " ".join([contact.name, contact.account.name, contact.account.industry.title, *ref.topics]).lower()
        ref.sort_name, ref.sort_account = contact.name.lower(), contact.account.name.lower()
        ref.country, ref.industry_code = contact.account.country, contact.account.industry_id or ""
        refs.append(ref)
        if len(refs) >= 5000:
            ReferenceProfile.objects.bulk_create(refs)
            refs = []
    ReferenceProfile.objects.bulk_create(refs)
    from django.db import connection

    with connection.cursor() as cursor:  # fresh planner statistics, as a periodic ANALYZE would give
        cursor.execute("ANALYZE")
    assert reference_search_text  # the real search words are built the same way, by the service
    return pm


if __name__ == "__main__":
    main()
