"""Load: gunicorn workers on a 100,000-reference pool, a weighted mix of what people do, closed loop.

    .venv/bin/python scripts/with_postgres.py -- \\
        .venv/bin/python bench/load.py --database-url '$DATABASE_URL' [--workers 4] [--duration 60]

Builds the pool with the generator of `bench/match_latency.py` (or, with --reuse, keeps a database
that already holds enough references), adds a program manager, a requester and a sales rep with
passwords and API tokens, starts gunicorn with `refdesk/gunicorn_conf.py` on 127.0.0.1, logs the
three people in through the real log-in form (session cookies for pages) and then drives a mix
for a fixed time from `--concurrency` clients that each send a request as soon as the previous
answer arrived (closed loop):

    match       POST /api/match                varied requests (industry words or codes, products, country…)
    request     POST /api/requests             a requester files a reference request
    pool        GET  /pool/?filters            the pool page with a status/industry/product/country filter
    references  GET  /api/references?filters   the API's list of references
    insights    GET  /insights/                the dashboard (only if the insights app has a page `insights:home`)

It prints requests/s, p50/p95/p99 per endpoint and overall, the errors, the CPU seconds gunicorn,
the task workers, PostgreSQL and the client used in the measured window (and so the CPU one request
costs, a figure less shaken by a noisy machine than requests/s), and the command. The
client is a small asyncio HTTP/1.1 client in this file (keep-alive where gunicorn allows it), so
nothing beyond the standard library is needed. Nothing here asserts; it prints figures.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import shlex
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "src"))

import match_latency  # noqa: E402  (the pool generator and the varied match requests)

PASSWORD = "load-bench-password-1"
PEOPLE = {
    "pm": ("pm@bench.example", "program_manager"),
    "requester": ("requester@bench.example", "requester"),
    "rep": ("rep@bench.example", "sales_rep"),
}
# Weights of the mix; "insights" is dropped when the dashboard does not exist yet.
DEFAULT_MIX = "match=30,request=10,pool=25,references=20,insights=15"
POOL_FILTERS = [
    {},
    {"status": "active"},
    {"industry": "52"},
    {"industry": "cattle ranch"},
    {"q": "payroll"},
    {"activity_type": "webinar", "country": "DE"},
    {"product": "Ledger", "status": "active", "order": "-nps"},
    {"status": "active", "page": "7"},
    {"country": "US", "status": "active"},
]
BROWSE_COUNTRIES = ["US", "GB", "DE", "FR", "CA", "AU", "NL", "IN", "JP", "BR", "ES", "SE"]
API_FILTERS = [
    {"status": "active", "limit": "50"},
    {"industry": "5221"},
    {"country": "GB", "activity_type": "case_study"},
    {"product": "Payroll", "status": "active", "offset": "200"},
    {"q": "Summit"},
]


def request_body(match: dict, prospect: str, source: str) -> dict:
    """A reference request for the prospect, asking what one of the varied match requests asks."""
    return {
        "prospect": prospect,
        "industry": match["industry"],
        "country": match.get("country", ""),
        "products": match.get("products", []),
        "activity_type": "reference_call",
        "notes": f"filed by {source}",
    }


# --- phase run in a child process: the database ------------------------------------------------


def prepare(db: Path, n: int, seed: int, reuse: bool) -> dict:
    """Build (or reuse) the pool, then the three people with passwords and fresh API tokens."""
    match_latency._setup(db)
    from django.core.management import call_command
    from django.db import connection
    from django.urls import NoReverseMatch, reverse

    call_command("migrate", verbosity=0)
    from refdesk.people.models import User
    from refdesk.people.services import api_token_create
    from refdesk.pool.models import ReferenceProfile

    existing = ReferenceProfile.objects.count()
    built = None
    if existing and not (reuse and existing >= n):
        raise SystemExit(
            f"The database already holds {existing:,} references: pass --reuse to use it "
            f"(it needs at least {n:,}), or give an empty database."
        )
    if not existing:
        built = match_latency.generate(db, n, seed)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    from django_tasks_db.models import DBTaskResult

    # A reused database keeps the tasks earlier runs queued: start each run with an empty queue,
    # so the backlog printed at the end is this run's.
    DBTaskResult.objects.all().delete()
    tokens = {}
    for name, (email, role) in PEOPLE.items():
        user = User.objects.filter(email=email).first() or User(email=email, role=role)
        user.role, user.is_active = role, True
        user.set_password(PASSWORD)
        user.save()
        tokens[name] = api_token_create(user=user, name=f"load bench {time.time():.0f}")[1]
    try:
        insights = reverse("insights:home")
    except NoReverseMatch:
        insights = None
    return {
        "references": ReferenceProfile.objects.count(),
        "built_seconds": built["seconds"] if built else None,
        "tokens": tokens,
        "insights": insights,
        "vendor": connection.vendor,
    }


def backlog(db: Path) -> dict:
    """Background tasks by status: how far the task workers kept up with what the mix enqueued."""
    match_latency._setup(db)
    from django.db.models import Count
    from django_tasks_db.models import DBTaskResult

    return dict(DBTaskResult.objects.values_list("status").annotate(n=Count("pk")).order_by("status"))


# --- a small HTTP/1.1 client ---------------------------------------------------------------------


class Connection:
    """One keep-alive connection to 127.0.0.1:port; reconnects when the server closes it."""

    def __init__(self, port: int):
        self.port = port
        self.reader = self.writer = None

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.reader = self.writer = None

    async def request(self, method: str, target: str, headers: dict, body: bytes = b""):
        for attempt in (1, 2):
            if self.writer is None:
                self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
                fresh = True
            else:
                fresh = False
            lines = [f"{method} {target} HTTP/1.1", f"Host: 127.0.0.1:{self.port}"]
            lines += [f"{k}: {v}" for k, v in headers.items()]
            if body or method == "POST":
                lines.append(f"Content-Length: {len(body)}")
            self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)
            try:
                await self.writer.drain()
                return await self._response()
            except (ConnectionError, asyncio.IncompleteReadError):
                await self.close()
                if fresh or attempt == 2:
                    raise
        raise ConnectionError("unreachable")

    async def _response(self):
        # The status line and headers in one read: the client shares the cores it measures.
        head = (await self.reader.readuntil(b"\r\n\r\n")).decode("latin-1")
        status_line, *lines = head[:-4].split("\r\n")
        status = int(status_line.split()[1])
        headers: dict[str, str] = {}
        cookies: list[str] = []
        for line in lines:
            key, _, value = line.partition(":")
            key, value = key.strip().lower(), value.strip()
            if key == "set-cookie":
                cookies.append(value)
            headers[key] = value
        if "content-length" in headers:
            body = await self.reader.readexactly(int(headers["content-length"]))
        elif headers.get("transfer-encoding", "").lower() == "chunked":
            body = b""
            while True:
                size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
                chunk = await self.reader.readexactly(size + 2)
                if size == 0:
                    break
                body += chunk[:-2]
        else:
            body = await self.reader.read()
            await self.close()
        if headers.get("connection", "").lower() == "close" and self.writer is not None:
            await self.close()
        return status, headers, cookies, body


def _cookie_jar(cookies: list[str], jar: dict) -> dict:
    for cookie in cookies:
        name, _, rest = cookie.partition("=")
        jar[name.strip()] = rest.split(";")[0]
    return jar


async def login(port: int, email: str) -> dict:
    """Log in through the real form; returns the session and CSRF cookies."""
    conn = Connection(port)
    status, _, cookies, body = await conn.request("GET", "/login/", {})
    jar = _cookie_jar(cookies, {})
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1).decode()
    form = urllib.parse.urlencode(
        {"username": email, "password": PASSWORD, "csrfmiddlewaretoken": token}
    ).encode()
    headers = {
        "Cookie": "; ".join(f"{k}={v}" for k, v in jar.items()),
        "Content-Type": "application/x-www-form-urlencoded",
        "Referer": f"http://127.0.0.1:{port}/login/",
    }
    status, _, cookies, _ = await conn.request("POST", "/login/", headers, form)
    await conn.close()
    jar = _cookie_jar(cookies, jar)
    if status != 302 or "sessionid" not in jar:
        raise SystemExit(f"log-in as {email} failed (HTTP {status})")
    return jar


# --- the mix -------------------------------------------------------------------------------------


class Mix:
    def __init__(
        self, weights: dict[str, int], tokens: dict, sessions: dict, insights: str | None, seed: int
    ):
        self.rng = random.Random(seed)
        self.names = list(weights)
        self.weights = list(weights.values())
        self.tokens, self.sessions, self.insights = tokens, sessions, insights
        self.matches = match_latency.requests(500, seed)
        self.count = 0

    def _page(self, who: str) -> dict:
        return {"Cookie": "; ".join(f"{k}={v}" for k, v in self.sessions[who].items())}

    def _api(self, who: str) -> dict:
        return {"Authorization": f"Bearer {self.tokens[who]}", "Content-Type": "application/json"}

    def _browse(self, filters: list[dict], page_key: str, pages) -> dict:
        """A filter as people use them: any of the countries, and half the time a later page."""
        chosen = dict(self.rng.choice(filters))
        if "country" in chosen:
            chosen["country"] = self.rng.choice(BROWSE_COUNTRIES)
        if page_key not in chosen and self.rng.random() < 0.5:
            chosen[page_key] = str(self.rng.choice(pages))
        return chosen

    def next(self) -> tuple[str, str, str, dict, bytes]:
        name = self.rng.choices(self.names, weights=self.weights)[0]
        rng = self.rng
        self.count += 1
        if name == "match":
            who = rng.choice(["pm", "rep", "requester"])
            return (
                name,
                "POST",
                "/api/match",
                self._api(who),
                json.dumps(rng.choice(self.matches)).encode(),
            )
        if name == "request":
            body = request_body(rng.choice(self.matches), f"Load Prospect {self.count}", "bench/load.py")
            return name, "POST", "/api/requests", self._api("requester"), json.dumps(body).encode()
        if name == "pool":
            who = rng.choice(["pm", "rep"])
            query = urllib.parse.urlencode(self._browse(POOL_FILTERS, "page", range(1, 11)))
            return name, "GET", f"/pool/?{query}" if query else "/pool/", self._page(who), b""
        if name == "references":
            who = rng.choice(["pm", "rep"])
            query = urllib.parse.urlencode(self._browse(API_FILTERS, "offset", range(0, 500, 50)))
            return name, "GET", f"/api/references?{query}", self._api(who), b""
        if name == "insights":
            return name, "GET", self.insights, self._page("pm"), b""
        if name == "health":  # not in the default mix: `--mix health=1` measures the stack's floor
            return name, "GET", "/healthz", {}, b""
        raise ValueError(name)


def cpu_seconds(groups: dict[str, set[int]]) -> dict[str, float]:
    """CPU seconds (user + system) used so far by the processes of each role: the process groups
    in `groups` (gunicorn and the task workers, each started in its own session), PostgreSQL's
    processes (by name) and this client. Linux /proc; empty where it is missing. A process's
    reaped children count too (cutime, cstime), so a PostgreSQL backend or autovacuum worker that
    exits within the window is not lost from the sum."""
    tick = os.sysconf("SC_CLK_TCK")
    used = dict.fromkeys([*groups, "PostgreSQL", "client"], 0.0)
    try:
        pids = [p for p in os.listdir("/proc") if p.isdigit()]
    except OSError:
        return {}
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                head, _, rest = f.read().rpartition(")")
        except OSError:
            continue  # exited meanwhile
        fields = rest.split()
        name, pgrp, seconds = head.partition("(")[2], int(fields[2]), sum(map(int, fields[11:15])) / tick
        role = next((r for r, g in groups.items() if pgrp in g), None)
        if role is None and name.startswith("postgres"):
            role = "PostgreSQL"
        if role is None and int(pid) == os.getpid():
            role = "client"
        if role is not None:
            used[role] += seconds
    return used


async def drive(
    port: int, mix: Mix, concurrency: int, duration: float, warmup: float, groups: dict | None = None
) -> dict:
    results: dict[str, list] = {name: [] for name in mix.names}
    errors: dict[str, int] = {}
    started = time.perf_counter()
    measure_from = started + warmup
    deadline = measure_from + duration
    cpu: dict[str, dict] = {}

    async def cpu_window():
        await asyncio.sleep(warmup)
        cpu["from"] = cpu_seconds(groups or {})
        await asyncio.sleep(duration)
        cpu["to"] = cpu_seconds(groups or {})

    async def client():
        conn = Connection(port)
        while time.perf_counter() < deadline:
            name, method, target, headers, body = mix.next()
            t = time.perf_counter()
            try:
                status, _, _, _ = await conn.request(method, target, headers, body)
            except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
                status = f"{type(exc).__name__}"
                await conn.close()
            done = time.perf_counter()
            if t >= measure_from and done <= deadline:
                results[name].append((done - t, status))
                ok = isinstance(status, int) and status < 400
                if not ok:
                    key = f"{name} {method} {target.split('?')[0]}: {status}"
                    errors[key] = errors.get(key, 0) + 1
        await conn.close()

    await asyncio.gather(cpu_window(), *(client() for _ in range(concurrency)))
    spent = {k: cpu["to"][k] - cpu["from"].get(k, 0.0) for k in cpu.get("to", {})}
    return {"results": results, "errors": errors, "seconds": duration, "cpu": spent}


def _pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))] * 1000


def report(outcome: dict, command: str, info: dict) -> None:
    seconds = outcome["seconds"]
    rows = []
    everything = []
    for name, items in outcome["results"].items():
        times = [t for t, _ in items]
        everything += times
        rows.append(
            (
                name,
                len(items),
                len(items) / seconds,
                _pct(times, 50),
                _pct(times, 95),
                _pct(times, 99),
            )
        )
    rows.append(("overall", len(everything), len(everything) / seconds, _pct(everything, 50),
                 _pct(everything, 95), _pct(everything, 99)))  # fmt: skip
    print()
    print(f"{'endpoint':12} {'requests':>9} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}")
    for name, count, rate, p50, p95, p99 in rows:
        print(f"{name:12} {count:>9,} {rate:>8.1f} {p50:>8.1f} {p95:>8.1f} {p99:>8.1f}")
    spent, served = outcome.get("cpu") or {}, len(everything)
    if spent and served:
        parts = ", ".join(f"{role} {seconds:.1f}" for role, seconds in spent.items())
        print(f"\nCPU seconds in the measured {seconds:.0f} s: {parts}; "
              f"{sum(spent.values()) / served * 1000:.1f} ms of CPU per request "
              f"({(sum(spent.values()) - spent.get('client', 0)) / served * 1000:.1f} without the client)")  # fmt: skip
    total_errors = sum(outcome["errors"].values())
    print(f"\nerrors: {total_errors}")
    for key, count in sorted(outcome["errors"].items()):
        print(f"  {count:>6} × {key}")
    print(f"\n{info}")
    print(f"command: {command}")


# --- the server ----------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(args, env: dict, port: int) -> subprocess.Popen:
    gunicorn = Path(sys.executable).parent / "gunicorn"
    argv = [str(gunicorn), "refdesk.wsgi:application", "-c", "python:refdesk.gunicorn_conf",
            "--bind", f"127.0.0.1:{port}", "--workers", str(args.workers), "--threads", str(args.threads),
            "--worker-class", "gthread" if args.threads > 1 else "sync", "--log-level", "warning"]  # fmt: skip
    if args.no_preload:
        env = {**env, "REFDESK_WEB_PRELOAD": "false"}
    print("starting:", " ".join(argv[1:]), flush=True)
    proc = subprocess.Popen(argv, env=env, cwd=ROOT, start_new_session=True)
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"gunicorn exited with {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                s.sendall(b"GET /healthz HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
                if b" 200 " in s.recv(200):
                    return proc
        except OSError:
            pass
        time.sleep(0.3)
    proc.kill()
    raise SystemExit("gunicorn did not answer /healthz within 180 s")


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def parse_mix(text: str) -> dict[str, int]:
    weights = {}
    for part in text.split(","):
        name, _, weight = part.partition("=")
        weights[name.strip()] = int(weight or 1)
    return weights


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""),
                        help="the database (default: $DATABASE_URL, else a SQLite file, see --db)")  # fmt: skip
    parser.add_argument(
        "--db", help="SQLite file when no --database-url (default: a temporary one)"
    )
    parser.add_argument(
        "--reuse", action="store_true", help="keep a database that already holds --n references"
    )
    parser.add_argument("--n", type=int, default=100_000, help="references to generate")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=1, help="threads per worker (>1: gthread)")
    parser.add_argument(
        "--no-preload", action="store_true", help="build the matching index in each worker"
    )
    parser.add_argument(
        "--concurrency", type=int, default=8, help="clients, each waiting for its answer"
    )
    parser.add_argument("--duration", type=float, default=60, help="seconds measured")
    parser.add_argument("--warmup", type=float, default=10, help="seconds of load before measuring")
    parser.add_argument("--mix", default=DEFAULT_MIX, help=f"weights (default {DEFAULT_MIX})")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--task-workers", type=int, default=1,
                        help="`refdesk worker` processes running beside gunicorn (emails, webhooks)")  # fmt: skip
    parser.add_argument("--phase", choices=["prepare", "backlog"], help=argparse.SUPPRESS)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="refdesk-load-") as tmp:
        db = Path(args.db) if args.db else Path(tmp) / "load.sqlite3"
        if args.phase == "prepare":
            print(json.dumps(prepare(db, args.n, args.seed, args.reuse)))
            return 0
        if args.phase == "backlog":
            print(json.dumps(backlog(db)))
            return 0
        env = {**os.environ, "REFDESK_VAR_DIR": os.environ.get("REFDESK_VAR_DIR", tmp),
               "DJANGO_SETTINGS_MODULE": "refdesk.settings", "LOG_LEVEL": "WARNING"}  # fmt: skip
        if args.database_url:
            env["BENCH_DATABASE_URL"] = env["DATABASE_URL"] = args.database_url
        else:
            env["DATABASE_URL"] = f"sqlite:///{db}"
        where = env["DATABASE_URL"].split("@")[-1]
        print(f"Preparing {where} with {args.n:,} references…", flush=True)
        argv = [sys.executable, __file__, "--phase", "prepare", "--db", str(db), "--n", str(args.n),
                "--seed", str(args.seed)] + (["--reuse"] if args.reuse else [])  # fmt: skip
        out = subprocess.run(argv, env=env, capture_output=True, text=True, cwd=ROOT)
        if out.returncode:
            sys.exit(f"prepare failed:\n{out.stdout}{out.stderr}")
        info = json.loads(out.stdout.strip().splitlines()[-1])
        built = f"built in {info['built_seconds']:.0f} s" if info["built_seconds"] else "reused"
        print(f"  {info['references']:,} references on {info['vendor']} ({built})", flush=True)

        weights = parse_mix(args.mix)
        if "insights" in weights and not info["insights"]:
            print(
                "  note: no page `insights:home` yet, so the dashboard is left out of the mix",
                flush=True,
            )
            weights.pop("insights")
        port = _free_port()
        started = time.perf_counter()
        proc = start_gunicorn(args, env, port)
        print(f"  gunicorn answering after {time.perf_counter() - started:.1f} s", flush=True)
        # The background work the mix causes (request events' emails and webhooks) is done during
        # the run by real workers on the same cores, as in production, not left out of the figures.
        task_workers = [
            subprocess.Popen([str(Path(sys.executable).parent / "refdesk"), "worker", "--no-sweep"], env=env,
                             cwd=ROOT, start_new_session=True, stdout=subprocess.DEVNULL)
            for _ in range(args.task_workers)
        ]  # fmt: skip
        try:
            sessions = {
                name: asyncio.run(login(port, email)) for name, (email, _) in PEOPLE.items()
            }
            mix = Mix(weights, info["tokens"], sessions, info["insights"], args.seed)
            print(f"Driving {weights} from {args.concurrency} clients for {args.warmup:.0f}+{args.duration:.0f} s…",
                  flush=True)  # fmt: skip
            groups = {"gunicorn": {proc.pid}, "task workers": {w.pid for w in task_workers}}
            outcome = asyncio.run(drive(port, mix, args.concurrency, args.duration, args.warmup, groups))
        finally:
            stop(proc)
            for worker in task_workers:
                stop(worker)
        argv = [sys.executable, __file__, "--phase", "backlog", "--db", str(db)]
        out = subprocess.run(argv, env=env, capture_output=True, text=True, cwd=ROOT)
        tasks = json.loads(out.stdout.strip().splitlines()[-1]) if out.returncode == 0 else {}
    load = os.getloadavg()
    summary = (f"{info['references']:,} references on {info['vendor']}; gunicorn {args.workers} workers × "
               f"{args.threads} threads; {args.task_workers} task worker(s); {args.concurrency} clients; "
               f"{os.cpu_count()} cores, load average {load[0]:.1f} at the end\n"
               f"background tasks after the run: {tasks or 'unknown'}")  # fmt: skip
    command = " ".join(shlex.quote(a) for a in [sys.executable, *sys.argv])
    report(outcome, command, summary)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
