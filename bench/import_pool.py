"""Benchmark `refdesk import`: N rows of realistic CSV into a fresh SQLite database, then again.

    .venv/bin/python bench/import_pool.py [--rows 100000] [--keep]

Prints rows per second, seconds and peak memory (ru_maxrss) for the first import (everything
created) and a second import of the same file (everything unchanged).
"""

import argparse
import csv
import os
import random
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

INDUSTRIES = [
    "522110",
    "Insurance Carriers",
    "1121",
    "cattle ranching",
    "Software Publishers",
    "513210",
    "Hospitals",
    "622110",
    "Insurance Carriers",
    "524126",
    "Electric Power Generation",
    "221111",
    "Trucking",
    "484121",
    "Pharmaceutical Preparation Manufacturing",
    "325412",
    "Universities",
    "611310",
    "Grocery Stores",
    "445110",
]
COUNTRIES = [
    "US",
    "Germany",
    "FR",
    "GB",
    "UK",
    "NL",
    "SE",
    "ES",
    "IT",
    "CA",
    "AU",
    "JP",
    "BR",
    "CH",
    "AT",
]
PRODUCTS = ["Ledger", "Payroll", "Insights", "Connect", "Vault", "Flow", "Forecast", "Pulse"]
ACTIVITIES = [
    "reference_call",
    "case_study",
    "speaking",
    "media",
    "webinar",
    "site_visit",
    "quote",
    "logo",
    "referral",
]
TOPICS = [
    "onboarding",
    "reporting",
    "migration",
    "security",
    "compliance",
    "integrations",
    "roi",
    "support",
    "scale",
]
COMPETITORS = ["Globex", "Initech", "Umbrella", "Hooli", "Vandelay"]
LANGS = ["en", "de", "fr", "es", "English", "German", "it", "nl", "sv", "ja"]
STATUSES = ["candidate", "invited", "active", "active", "active", "paused", "retired", "declined"]
FIRST = [
    "Ann",
    "Bob",
    "Chloé",
    "Dmitri",
    "Eva",
    "Farid",
    "Grace",
    "Hiro",
    "Ines",
    "Jonas",
    "Kara",
    "Luis",
    "Müller",
    "Noor",
    "Olaf",
    "Priya",
    "Quinn",
    "Rosa",
    "Sven",
    "Tara",
    "Uma",
    "Viktor",
    "Wen",
    "Xavier",
    "Yara",
    "Zoe",
]
LAST = [
    "Smith",
    "Müller",
    "García",
    "Rossi",
    "Dubois",
    "Nguyen",
    "Kowalski",
    "Jensen",
    "Tanaka",
    "Silva",
    "Brown",
    "O'Neil",
    "Schmidt",
    "Lopez",
    "Novak",
    "Berg",
    "Khan",
    "Cohen",
    "Ivanova",
    "Moreau",
]
TITLES = [
    "CFO",
    "VP Operations",
    "Head of IT",
    "Director of Finance",
    "CTO",
    "Controller",
    "COO",
    "IT Manager",
]
COLUMNS = [
    "account",
    "account_external_id",
    "industry",
    "country",
    "employees",
    "products",
    "contact",
    "email",
    "title",
    "phone",
    "languages",
    "activities",
    "topics",
    "competitors_displaced",
    "nps",
    "nps_date",
    "live_since",
    "owner_email",
    "status",
    "external_id",
    "notes",
]


def generate(path: Path, rows: int, seed: int = 7) -> None:
    """Write `rows` contacts at about rows/4 accounts, with the mess real CRM exports have."""
    rng = random.Random(seed)
    owners = [f"rep{i}@vendor.example" for i in range(60)]
    n_accounts = max(1, rows // 4)
    with open(path, "w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(COLUMNS)
        for i in range(rows):
            a = i % n_accounts
            arng = random.Random(a * 7919 + seed)
            account = f"{arng.choice(LAST)} {arng.choice(['Holdings', 'Group', 'Bank', 'Farms', 'Logistics', 'Health', 'Labs'])} {a}"
            first, last = rng.choice(FIRST), rng.choice(LAST)
            out.writerow(
                [
                    account,
                    f"A{a:07d}",
                    arng.choice(INDUSTRIES),
                    arng.choice(COUNTRIES),
                    arng.randint(20, 200_000),
                    "; ".join(arng.sample(PRODUCTS, arng.randint(1, 3))),
                    f"{first} {last}",
                    f"{first.lower()}.{last.lower().replace(chr(39), '')}.{i}@customer{a}.example".replace(
                        "ü", "u"
                    )
                    .replace("é", "e")
                    .replace("í", "i"),
                    rng.choice(TITLES),
                    f"+1 555 {rng.randint(1000, 9999)}",
                    ";".join(rng.sample(LANGS, rng.randint(1, 2))),
                    "; ".join(rng.sample(ACTIVITIES, rng.randint(0, 4))),
                    "; ".join(rng.sample(TOPICS, rng.randint(0, 3))),
                    ";".join(rng.sample(COMPETITORS, rng.randint(0, 2))),
                    rng.choice(["", *map(str, range(11))]),
                    rng.choice(["", "2024-05-01", "2025-01-15"]),
                    f"20{arng.randint(10, 24)}-0{arng.randint(1, 9)}-1{arng.randint(0, 9)}",
                    owners[a % len(owners)],
                    rng.choice(STATUSES),
                    f"C{i:08d}",
                    rng.choice(["", "", "Great on calls", "Prefers email"]),
                ]
            )


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="refdesk-bench-"))
    os.environ["DATABASE_URL"] = f"sqlite:///{work / 'bench.sqlite3'}"
    os.environ["REFDESK_VAR_DIR"] = str(work / "var")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "refdesk.settings")
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
    try:
        path = work / "pool.csv"
        started = time.perf_counter()
        generate(path, args.rows)
        print(
            f"generated {args.rows} rows ({path.stat().st_size / 1e6:.1f} MB) in {time.perf_counter() - started:.1f} s"
        )
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        from refdesk.pool.importing import pool_import

        print(f"after setup and migrate: peak memory {peak_mb():.0f} MB")
        for label in ("first import (all new)", "second import (all unchanged)"):
            started = time.perf_counter()
            result = pool_import(actor=None, path_or_file=path, dry_run=False)
            seconds = time.perf_counter() - started
            if result.errors:
                print("\n".join(str(e) for e in result.errors[:20]))
                return 1
            print(
                f"{label}: {result.rows} rows in {seconds:.1f} s = {result.rows / seconds:,.0f} rows/s, "
                f"peak memory {peak_mb():.0f} MB"
            )
            print(result.summary())
        return 0
    finally:
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
