"""What one request of the load mix costs the server: time and queries, endpoint by endpoint.

    .venv/bin/python bench/request_costs.py [--references 20000] [--runs 30]
    .venv/bin/python scripts/with_postgres.py -- \\
        bash -c '.venv/bin/python bench/request_costs.py --database-url "$DATABASE_URL"'

Builds the pool with the generator of `bench/match_latency.py` (100,000 references by default;
`--references 20000` for a quick run), or with `--reuse` keeps a database that already holds one
(`--db FILE` for SQLite, `--database-url` for PostgreSQL). Then, in this one process and through
Django's test client (no network, no app server: only what the server does for the request), it
sends each endpoint of `bench/load.py`'s mix the same varied requests the load test sends:

    match       POST /api/match                as a program manager, a sales rep or a requester
    request     POST /api/requests             a requester files a reference request
    pool        GET  /pool/?filters            the pool page, nine filters
    references  GET  /api/references?filters   five filters
    insights    GET  /insights/                the dashboard (when the page exists)

and prints per endpoint the median and p95 server time over `--runs` runs (after `--warmup` runs
that are not counted; the first match builds the matching index) and the number of SQL queries
(counted by an execute wrapper). The last line weighs the medians by the load mix: the
CPU a request costs on average, and the requests per second two cores could serve at best.
Nothing here asserts; it prints figures.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import statistics
import sys
import tempfile
import time
import urllib.parse
from itertools import cycle
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "src"))

import load  # noqa: E402  (the people, the filters and the mix weights of the load test)
import match_latency  # noqa: E402  (the pool generator and the varied match requests)

ENDPOINTS = ["match", "request", "pool", "references", "insights"]


def prepare(db: Path, n: int, seed: int, reuse: bool) -> dict:
    """Build (or reuse) the pool and the three people of the load test; their API tokens."""
    match_latency._setup(db)
    from django.core.management import call_command
    from django.db import connection

    from refdesk.people.models import User
    from refdesk.people.services import api_token_create
    from refdesk.pool.models import ReferenceProfile

    call_command("migrate", verbosity=0)
    existing = ReferenceProfile.objects.count()
    built = None
    if existing and not reuse:
        raise SystemExit(
            f"The database already holds {existing:,} references: pass --reuse to use it, "
            "or give an empty database."
        )
    if not existing:
        built = match_latency.generate(db, n, seed)["seconds"]
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    people, tokens = {}, {}
    for name, (email, role) in load.PEOPLE.items():
        user = User.objects.filter(email=email).first() or User(email=email, role=role)
        user.role, user.is_active = role, True
        user.set_password(load.PASSWORD)
        user.save()
        people[name] = user
        tokens[name] = api_token_create(user=user, name=f"request costs {time.time():.0f}")[1]
    return {
        "references": ReferenceProfile.objects.count(),
        "built_seconds": built,
        "people": people,
        "tokens": tokens,
        "vendor": connection.vendor,
    }


def requests_for(name: str, seed: int, insights: str | None):
    """An endless supply of (who, method, path, body) for one endpoint, varied like the load mix."""
    matches = match_latency.requests(500, seed)
    if name == "match":
        people = cycle(["pm", "rep", "requester"])
        for q in cycle(matches):
            yield next(people), "POST", "/api/match", q
    elif name == "request":
        for i, q in enumerate(cycle(matches)):
            body = load.request_body(q, f"Cost Prospect {i}", "bench/request_costs.py")
            yield "requester", "POST", "/api/requests", body
    elif name == "pool":
        people = cycle(["pm", "rep"])
        for filters in cycle(load.POOL_FILTERS):
            query = urllib.parse.urlencode(filters)
            yield next(people), "GET", f"/pool/?{query}" if query else "/pool/", None
    elif name == "references":
        people = cycle(["pm", "rep"])
        for filters in cycle(load.API_FILTERS):
            yield next(people), "GET", f"/api/references?{urllib.parse.urlencode(filters)}", None
    elif name == "insights":
        while True:
            yield "pm", "GET", insights, None
    else:
        raise ValueError(name)


def measure(clients: dict, name: str, supply, runs: int, warmup: int, profiler=None) -> dict:
    """Median and p95 server time and the queries of `runs` requests (after `warmup` ones).

    With a `profiler` (cProfile.Profile) the measured requests run under it.
    """
    from django.db import connection

    times, queries, sql, statuses, by_path = [], [], [], {}, {}
    first = None
    for i in range(warmup + runs):
        who, method, path, body = next(supply)
        client = clients["api" if path.startswith("/api/") else "page"][who]
        in_sql, captured = [0.0], []

        # Counted by a wrapper, not CaptureQueriesContext: that one turns on Django's debug cursor,
        # which writes out every query with its parameters (mogrify) and would be measured too.
        def timed(execute, sql_text, params, many, context, in_sql=in_sql, captured=captured):
            captured.append(sql_text)
            t = time.perf_counter()
            try:
                return execute(sql_text, params, many, context)
            finally:
                in_sql[0] += time.perf_counter() - t

        with connection.execute_wrapper(timed):
            profiling = profiler is not None and i >= warmup
            if profiling:
                profiler.enable()
            started = time.perf_counter()
            if method == "POST":
                response = client.post(path, json.dumps(body), content_type="application/json")
            else:
                response = client.get(path)
            elapsed = time.perf_counter() - started
            if profiling:
                profiler.disable()
        statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
        if response.status_code >= 400:
            sys.exit(f"{name}: {method} {path} answered {response.status_code}: {response.content[:300]!r}")
        if i == 0:
            first = elapsed
        if i >= warmup:
            times.append(elapsed)
            queries.append(len(captured))
            sql.append(in_sql[0])
            key = path if body is None else json.dumps(body, sort_keys=True)[:90]
            by_path.setdefault(key, []).append((elapsed, len(captured)))
    times.sort()
    p95 = times[min(len(times) - 1, max(0, round(0.95 * len(times)) - 1))]
    return {
        "runs": len(times),
        "first_ms": first * 1000,
        "median_ms": statistics.median(times) * 1000,
        "p95_ms": p95 * 1000,
        "sql_ms": statistics.median(sql) * 1000,
        "queries_median": statistics.median(queries),
        "queries_max": max(queries),
        "statuses": statuses,
        "by_path": by_path,
        "last_sql": captured,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default="",
                        help="run on this database (e.g. PostgreSQL); default: a SQLite file, see --db")  # fmt: skip
    parser.add_argument("--db", help="SQLite file when no --database-url (default: a temporary one)")
    parser.add_argument("--reuse", action="store_true", help="keep a database that already holds a pool")
    parser.add_argument("--references", type=int, default=100_000, help="references to generate")
    parser.add_argument("--runs", type=int, default=30, help="measured requests per endpoint")
    parser.add_argument("--warmup", type=int, default=3, help="requests per endpoint before measuring")
    parser.add_argument("--only", default=",".join(ENDPOINTS), help="endpoints to measure (comma-separated)")
    parser.add_argument("--detail", action="store_true", help="also print each GET's own median")
    parser.add_argument("--profile", type=int, metavar="N", default=0,
                        help="also profile each endpoint's measured requests and print its N costliest functions")  # fmt: skip
    parser.add_argument("--sql", action="store_true", help="also print the SQL of each endpoint's last request")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    wanted = [e.strip() for e in args.only.split(",") if e.strip()]
    unknown = set(wanted) - set(ENDPOINTS)
    if unknown:
        parser.error(f"unknown endpoints: {', '.join(sorted(unknown))} (known: {', '.join(ENDPOINTS)})")

    tmp = tempfile.mkdtemp(prefix="refdesk-costs-")
    if args.database_url:
        os.environ["BENCH_DATABASE_URL"] = args.database_url
    db = Path(args.db).resolve() if args.db else Path(tmp) / "costs.sqlite3"
    os.environ["REFDESK_VAR_DIR"] = tmp
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    where = args.database_url.split("@")[-1] if args.database_url else str(db)
    print(f"Preparing {where} ({args.references:,} references unless reused)…", flush=True)
    info = prepare(db, args.references, args.seed, args.reuse)
    built = f"built in {info['built_seconds']:.0f} s" if info["built_seconds"] else "reused"
    print(f"  {info['references']:,} references on {info['vendor']} ({built})", flush=True)

    from django.conf import settings
    from django.test import Client
    from django.urls import NoReverseMatch, reverse

    settings.ALLOWED_HOSTS = ["*"]
    try:
        insights = reverse("insights:home")
    except NoReverseMatch:
        insights = None
    if "insights" in wanted and not insights:
        print("  note: no page `insights:home`, so the dashboard is left out", flush=True)
        wanted.remove("insights")
    clients: dict[str, dict] = {"api": {}, "page": {}}
    for who, user in info["people"].items():
        clients["api"][who] = Client(headers={"Authorization": f"Bearer {info['tokens'][who]}"})
        clients["page"][who] = page = Client()
        page.force_login(user)

    results, profiles = {}, {}
    for name in wanted:
        print(f"  measuring {name}…", flush=True)
        profiler = cProfile.Profile() if args.profile else None
        supply = requests_for(name, args.seed, insights)
        results[name] = measure(clients, name, supply, args.runs, args.warmup, profiler)
        if profiler is not None:
            profiles[name] = profiler

    print()
    print(f"{'endpoint':12} {'runs':>5} {'median ms':>10} {'p95 ms':>8} {'sql ms':>7} {'queries':>8} {'max q':>6} {'first ms':>9}")
    for name, r in results.items():
        print(f"{name:12} {r['runs']:>5} {r['median_ms']:>10.1f} {r['p95_ms']:>8.1f} {r['sql_ms']:>7.1f} "
              f"{r['queries_median']:>8g} {r['queries_max']:>6} {r['first_ms']:>9.0f}")  # fmt: skip
    if args.detail:
        for name, r in results.items():
            if name in ("match", "request"):
                continue
            print(f"\n{name}:")
            for key, items in r["by_path"].items():
                med = statistics.median(t for t, _ in items) * 1000
                print(f"  {med:8.1f} ms {max(q for _, q in items):>4} q  {key}")
    if args.sql:
        for name, r in results.items():
            print(f"\n{name}: the {len(r['last_sql'])} statements of the last request")
            for statement in r["last_sql"]:
                print(f"  {statement[:300]}")
    for name, profiler in profiles.items():
        print(f"\n{name}: the {args.profile} costliest functions (own time) over {args.runs} requests")
        for order in ("tottime", "cumulative"):
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats(order).print_stats(args.profile)
            print(f"-- by {order}")
            print("\n".join(line for line in out.getvalue().splitlines() if line.strip()).split("\n", 3)[-1])
    weights = {k: v for k, v in load.parse_mix(load.DEFAULT_MIX).items() if k in results}
    if weights:
        mean = sum(results[k]["median_ms"] * w for k, w in weights.items()) / sum(weights.values())
        cores = 2
        print(
            f"\nweighted by the load mix ({', '.join(f'{k}={w}' for k, w in weights.items())}): "
            f"{mean:.1f} ms per request, at most {cores * 1000 / mean:.0f} requests/s on {cores} busy cores"
        )
    loadavg = os.getloadavg()
    print(f"{info['references']:,} references on {info['vendor']}; {os.cpu_count()} cores, "
          f"load average {loadavg[0]:.1f}; Django test client in one process")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
