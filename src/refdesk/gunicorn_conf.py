"""gunicorn settings for Refdesk: `gunicorn -c python:refdesk.gunicorn_conf refdesk.wsgi`.

Every value can be overridden on the command line (`--workers 8`) or by the environment:

| variable | default | |
|---|---|---|
| `REFDESK_BIND` | `127.0.0.1:8000` | |
| `REFDESK_WEB_WORKERS` | 2 × cores + 1 | processes |
| `REFDESK_WEB_THREADS` | 2 | threads per process (gthread worker: keep-alive, slow clients do not hold a process) |
| `REFDESK_WEB_TIMEOUT` | 60 | seconds before a stuck worker is killed and replaced |
| `REFDESK_WEB_PRELOAD` | true | load the app and build the matching index once in the master, then fork |
| `REFDESK_WEB_MAX_REQUESTS` | 0 | recycle a worker after this many requests (0: never) |

Why preload: the matcher keeps an in-memory index of the pool per process (about 5 s and 200 MB
to build at 100,000 references) and the fatigue exclusions per activity type (a pass over the
activity log each). Built once in the master before forking, every worker starts
warm and shares the pages copy-on-write, instead of each worker's first match paying the build.
The master's database connections are closed before forking, so no worker inherits a socket.
"""

from __future__ import annotations

import logging
import multiprocessing
import os


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    return int(value) if value.strip() else default


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name, "").strip().lower()
    return default if not value else value in {"1", "true", "yes", "on"}


bind = os.environ.get("REFDESK_BIND", "127.0.0.1:8000")
workers = _env_int("REFDESK_WEB_WORKERS", multiprocessing.cpu_count() * 2 + 1)
threads = _env_int("REFDESK_WEB_THREADS", 2)
worker_class = "gthread" if threads > 1 else "sync"
timeout = _env_int("REFDESK_WEB_TIMEOUT", 60)
graceful_timeout = 30
keepalive = 5
preload_app = _env_bool("REFDESK_WEB_PRELOAD", True)
max_requests = _env_int("REFDESK_WEB_MAX_REQUESTS", 0)
max_requests_jitter = max_requests // 10
# nginx on the same host or private network: believe its X-Forwarded-* (Refdesk itself only
# trusts REFDESK_TRUSTED_PROXIES hops of X-Forwarded-For).
forwarded_allow_ips = os.environ.get("REFDESK_FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = os.environ.get("REFDESK_ACCESS_LOG") or None

logger = logging.getLogger("refdesk.gunicorn")


def warm_matcher() -> float | None:
    """Build the matching index now; returns the seconds it took, or None if it could not."""
    import time

    started = time.perf_counter()
    try:
        from refdesk.matching.selectors import MatchQuery, match_find
        from refdesk.pool.choices import ActivityType

        # One match per activity type: each type's fatigue exclusions are remembered too.
        for activity_type in ActivityType.values:
            match_find(user=None, query=MatchQuery(industry="bank", activity_type=activity_type, limit=1))
    except Exception as exc:  # an unreachable or unmigrated database must not stop the server
        logger.warning("Matching index not built at start (%s); the first match builds it.", exc)
        return None
    finally:
        from django.db import connections

        connections.close_all()
    return time.perf_counter() - started


def warm_app() -> int:
    """Import every URLconf, view and API schema and compile every template now; the number of
    templates compiled. Django does both on first use, so without this each worker would do it
    after the fork: its own copy of some 170,000 objects that the garbage collector walks. The
    fingerprint of the code the shared answers are kept under is read here once, too."""
    from pathlib import Path

    from django.template import engines
    from django.urls import get_resolver

    from refdesk.core.changes import code_version

    code_version()  # each worker would otherwise hash the package's files on its first shared answer
    get_resolver().reverse_dict  # noqa: B018  (populating it imports every URLconf and view)
    compiled = 0
    for engine in engines.all():
        for directory in engine.template_dirs:
            for path in sorted(Path(directory).rglob("*.html")):
                try:
                    engine.get_template(path.relative_to(directory).as_posix())
                    compiled += 1
                except Exception as exc:  # a broken template fails its page later, not the server
                    logger.warning("Template %s not compiled at start: %s", path, exc)
    return compiled


def when_ready(server):
    if preload_app:
        took = warm_matcher()
        if took is not None:
            server.log.info("Matching index built in the master in %.1f s", took)
        server.log.info("%d templates compiled in the master", warm_app())
        # What the master holds now (the app, its views and templates, the index, each type's
        # fatigue exclusions) is shared with the workers it forks: out of the collector's sight,
        # it stays shared and costs no collection time (refdesk.core.memory).
        from refdesk.core.memory import freeze_long_lived

        freeze_long_lived()


def post_worker_init(worker):
    if not preload_app:
        took = warm_matcher()
        if took is not None:
            worker.log.info("Matching index built in worker %s in %.1f s", worker.pid, took)
