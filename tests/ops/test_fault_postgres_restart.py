"""PostgreSQL restarted under load: the app answers 503 with a clear message meanwhile, and serves
again within seconds without being restarted itself.

gunicorn (two workers, persistent connections with health checks, as in production) runs on a
PostgreSQL cluster of the test's own, so the test may restart and stop it.
"""

from __future__ import annotations

import threading
import time

from tests.ops import live

MESSAGE = "cannot reach its database"


def _wait_until_served(client, token: str, seconds: float = 20) -> float:
    started = time.monotonic()
    while True:
        page = client.get("/pool/")
        api = client.get("/api/references", headers={"Authorization": f"Bearer {token}"})
        if page.status == 200 and api.status == 200 and client.get("/healthz").status == 200:
            return time.monotonic() - started
        assert time.monotonic() - started < seconds, (
            f"not serving again after {seconds} s: {page.status} {api.status}"
        )
        time.sleep(0.2)


def test_the_app_recovers_from_a_postgresql_restart_without_being_restarted(tmp_path):
    with live.postgres_cluster() as cluster:
        env = live.app_env(cluster.url("refdesk"), tmp_path)
        token = live.kit(env, "people")["tokens"]["program_manager"]
        with live.gunicorn(env, log=tmp_path / "gunicorn.log") as base:
            client = live.Client(base)
            client.login("priya@vendor.example")
            assert client.get("/pool/").status == 200

            # Requests keep flowing from another client while the database restarts.
            seen: list[tuple[str, int, str]] = []
            stop = threading.Event()

            def traffic():
                other = live.Client(base)
                other.login("priya@vendor.example")
                while not stop.is_set():
                    for path, headers in (("/pool/", {}), ("/api/references", {"Authorization": f"Bearer {token}"}),
                                          ("/healthz", {})):  # fmt: skip
                        try:
                            reply = other.get(path, headers=headers)
                        except OSError as exc:
                            seen.append((path, 0, str(exc)))
                        else:
                            seen.append((path, reply.status, reply.body[:2000]))

            thread = threading.Thread(target=traffic, daemon=True)
            thread.start()
            time.sleep(1.5)
            live.pg_ctl(
                cluster, "-m", "fast", "-w", "-t", "30", "-l", str(cluster.logfile), "restart"
            )
            recovered_in = _wait_until_served(client, token)
            time.sleep(1)
            stop.set()
            thread.join(20)

            assert recovered_in < 20
            statuses = {status for _, status, _ in seen}
            assert statuses <= {200, 503}, f"unexpected answers during the restart: {statuses}"
            for path, status, body in seen:
                if status == 503:
                    assert "Traceback" not in body
                    assert MESSAGE in body or '"unreachable"' in body, (path, body)

            # While it is down: /healthz, a page and the API each say so, in their own form.
            live.pg_ctl(cluster, "-m", "fast", "-w", "-t", "30", "stop")
            health = client.get("/healthz")
            assert (health.status, health.json) == (
                503,
                {"status": "error", "database": "unreachable"},
            )
            page = client.get("/pool/")
            assert page.status == 503 and MESSAGE in page.body and "<html" in page.body
            assert page.headers.get("Retry-After") == "5"
            api = client.get("/api/references", headers={"Authorization": f"Bearer {token}"})
            assert api.status == 503 and MESSAGE in api.json["message"]

            live.pg_ctl(
                cluster,
                "-w",
                "-t",
                "30",
                "-l",
                str(cluster.logfile),
                "-o",
                live.pg_options(cluster),
                "start",
            )
            _wait_until_served(client, token)
        log = (tmp_path / "gunicorn.log").read_text()
        assert "Traceback" not in log, log[-3000:]
