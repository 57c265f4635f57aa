"""SQLite with concurrent writers never shows "database is locked" to anyone.

Four gunicorn workers with two threads each on one SQLite file; eight clients log in and, for a
few seconds, file reference requests, log activities and open the pool at once. Writers queue on
the IMMEDIATE transaction and the busy timeout (settings.py): every answer is a 2xx or a designed
4xx (e.g. a reference over their cap), never a 5xx, never "locked", and every 201 is stored.
"""

from __future__ import annotations

import threading
import time

from tests.ops import live

CLIENTS = 8
SECONDS = 6


def test_concurrent_writers_on_sqlite_never_see_a_locked_database(sqlite_url, tmp_path):
    env = live.app_env(sqlite_url, tmp_path)
    world = live.kit(env, "pool", "4")
    pm, requester = world["tokens"]["program_manager"], world["tokens"]["requester"]
    refs = world["references"]
    answers: list[tuple[str, int, str]] = []
    created = {"requests": 0, "activities": 0}
    lock = threading.Lock()

    with live.gunicorn(env, workers=4, threads=2, log=tmp_path / "gunicorn.log") as base:
        barrier = threading.Barrier(CLIENTS)

        def client(n: int):
            browser = live.Client(base, timeout=60)
            browser.login("priya@vendor.example" if n % 2 else "rita@vendor.example")
            barrier.wait()
            deadline = time.monotonic() + SECONDS
            i = 0
            while time.monotonic() < deadline:
                i += 1
                kind = ("requests", "activities", "pool")[i % 3]
                if kind == "requests":
                    reply = browser.post("/api/requests", headers={"Authorization": f"Bearer {requester}"},
                                         json_body={"prospect": f"Prospect {n}-{i}", "industry": "regional bank"})  # fmt: skip
                elif kind == "activities":
                    reply = browser.post("/api/activities", headers={"Authorization": f"Bearer {pm}"}, json_body={
                        "reference_id": refs[(n + i) % len(refs)], "activity_type": "quote",
                        "occurred_at": f"2026-{1 + i % 10:02d}-{1 + n:02d}", "notes": f"client {n} #{i}"})  # fmt: skip
                else:
                    reply = browser.get("/pool/?status=active")
                with lock:
                    answers.append((kind, reply.status, reply.body[:500]))
                    if reply.status == 201:
                        created[kind] += 1

        threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)

    assert len(answers) > CLIENTS * 3
    bad = [
        (kind, status, body)
        for kind, status, body in answers
        if status >= 500 or "locked" in body.lower()
    ]
    assert bad == [], bad[:3]
    assert {kind for kind, status, _ in answers if status in (200, 201)} == {
        "requests",
        "activities",
        "pool",
    }
    assert created["requests"] > 0 and created["activities"] > 0
    stored = live.kit(env, "counts")
    assert stored == created
    log = (tmp_path / "gunicorn.log").read_text()
    assert "locked" not in log and "Traceback" not in log, log[-3000:]
