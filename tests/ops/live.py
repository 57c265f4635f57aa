"""Real processes for fault tests: the `refdesk` CLI, gunicorn, a throwaway PostgreSQL cluster, and
a small HTTP client with cookies. Each test gets its own database and its own processes, so it
can kill or restart them without touching anyone else's."""

from __future__ import annotations

import contextlib
import http.cookiejar
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
PASSWORD = "fault-test-password-1"


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes", "on"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def app_env(database_url: str, var_dir: Path, **extra: str) -> dict[str, str]:
    """The environment of a Refdesk process on `database_url` (never the test's own database)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "DJANGO_"))}
    env.update(
        DATABASE_URL=database_url,
        REFDESK_VAR_DIR=str(var_dir),
        DJANGO_SETTINGS_MODULE="refdesk.settings",
        SECRET_KEY="fault-tests-" + "x" * 40,
        LOG_LEVEL="WARNING",
        TASKS_BACKEND="django_tasks_db.DatabaseBackend",
        PYTHONPATH=os.pathsep.join([str(ROOT), str(ROOT / "src")]),
        **extra,
    )
    return env


def refdesk(env: dict, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    """Run the `refdesk` console script; fails the test with its output if it fails."""
    result = subprocess.run([str(BIN / "refdesk"), *args], env=env, cwd=ROOT, capture_output=True,
                            text=True, timeout=timeout, stdin=subprocess.DEVNULL)  # fmt: skip
    assert result.returncode == 0, (
        f"refdesk {' '.join(args)} failed:\n{result.stdout}{result.stderr}"
    )
    return result


def kit(env: dict, *args: str, timeout: float = 120) -> dict:
    """Run tests/ops/faultkit.py in a child process against env's database; returns its JSON."""
    result = subprocess.run([sys.executable, "-m", "tests.ops.faultkit", *args], env=env, cwd=ROOT,
                            capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)  # fmt: skip
    assert result.returncode == 0, (
        f"faultkit {' '.join(args)} failed:\n{result.stdout}{result.stderr}"
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def stop_process(proc: subprocess.Popen, sig=signal.SIGTERM, wait: float = 20) -> None:
    """Stop a process started in its own session, and everything it started."""
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, sig)
        try:
            proc.wait(wait)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


@contextlib.contextmanager
def gunicorn(env: dict, *, workers: int = 2, threads: int = 2, log: Path | None = None):
    """gunicorn with Refdesk's config on a free loopback port; yields the base URL."""
    port = free_port()
    out = open(log, "ab") if log else subprocess.DEVNULL  # noqa: SIM115
    proc = subprocess.Popen(
        [str(BIN / "gunicorn"), "refdesk.wsgi:application", "-c", "python:refdesk.gunicorn_conf",
         "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--threads", str(threads),
         "--timeout", "30", "--graceful-timeout", "5"],
        env=env, cwd=ROOT, stdout=out, stderr=out, start_new_session=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, f"gunicorn exited ({proc.returncode}); see {log}"
            with contextlib.suppress(OSError):
                if Client(base).get("/healthz").status == 200:
                    break
            assert time.monotonic() < deadline, "gunicorn did not answer /healthz within 60 s"
            time.sleep(0.2)
        yield base
    finally:
        stop_process(proc)
        if log:
            out.close()


@dataclass
class Reply:
    status: int
    body: str
    headers: dict

    @property
    def json(self):
        return json.loads(self.body)


class Client:
    """A browser-ish HTTP client: cookies, CSRF tokens, no redirects followed."""

    def __init__(self, base: str, timeout: float = 15):
        self.base = base
        self.timeout = timeout
        self.jar = http.cookiejar.CookieJar()

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args, **kwargs):
                return None

        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), NoRedirect
        )

    def request(self, method: str, path: str, *, data: dict | None = None, json_body=None,
                headers: dict | None = None) -> Reply:  # fmt: skip
        headers = dict(headers or {})
        body = None
        if json_body is not None:
            body = json.dumps(json_body).encode()
            headers["Content-Type"] = "application/json"
        elif data is not None:
            body = urllib.parse.urlencode(data).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        req = urllib.request.Request(self.base + path, data=body, method=method, headers=headers)
        try:
            with self.opener.open(req, timeout=self.timeout) as resp:
                return Reply(
                    resp.status, resp.read().decode("utf-8", "replace"), dict(resp.headers)
                )
        except urllib.error.HTTPError as exc:
            return Reply(exc.code, exc.read().decode("utf-8", "replace"), dict(exc.headers))

    def get(self, path: str, **kwargs) -> Reply:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs) -> Reply:
        return self.request("POST", path, **kwargs)

    def csrf_from(self, page: str) -> str:
        found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert found, "no CSRF token on the page"
        return found.group(1)

    def login(self, email: str, password: str = PASSWORD) -> None:
        page = self.get("/login/")
        reply = self.post("/login/", data={"username": email, "password": password,
                                           "csrfmiddlewaretoken": self.csrf_from(page.body)})  # fmt: skip
        assert reply.status == 302, f"log-in as {email} failed: {reply.status}"


# --- PostgreSQL ---------------------------------------------------------------------------------


def _with_postgres():
    sys.path.insert(0, str(ROOT / "scripts"))
    import with_postgres

    return with_postgres


@contextlib.contextmanager
def postgres_cluster():
    """A throwaway PostgreSQL cluster of our own (so the test may restart it); skipped locally
    when PostgreSQL is not installed, an error in CI."""
    wp = _with_postgres()
    try:
        cluster = wp.Cluster(wp.find_bindir())
    except wp.Unavailable as exc:
        if in_ci():
            pytest.fail(f"PostgreSQL is required in CI: {exc}")
        pytest.skip(f"PostgreSQL is not installed here ({exc}); CI runs this test")
    try:
        cluster.create()
        cluster.start()
        cluster.create_database("refdesk")
        yield cluster
    finally:
        cluster.stop(quiet=True)
        cluster.remove()


def pg_ctl(cluster, *args: str) -> None:
    result = subprocess.run(cluster._cmd("pg_ctl", "-D", str(cluster.data), *args),
                            capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=60)  # fmt: skip
    assert result.returncode == 0, (
        f"pg_ctl {' '.join(args)} failed:\n{result.stdout}{result.stderr}"
    )


def pg_options(cluster) -> str:
    """The options the cluster was started with (same port, socket folder and test settings)."""
    wp = _with_postgres()
    return " ".join(["-c listen_addresses=127.0.0.1", f"-p {cluster.port}", f"-k {cluster.data}",
                     *(f"-c {s}" for s in wp.TEST_SETTINGS)])  # fmt: skip


@contextlib.contextmanager
def scratch_postgres_database(url: str):
    """A fresh database beside the one in `url` (the server of scripts/with_postgres.py); dropped after."""
    import psycopg

    parts = urllib.parse.urlsplit(url)
    name = f"refdesk_fault_{uuid.uuid4().hex[:10]}"
    admin = parts._replace(path="/postgres").geturl().replace("postgres://", "postgresql://", 1)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield parts._replace(path=f"/{name}").geturl()
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
