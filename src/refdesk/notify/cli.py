"""`refdesk worker`: run background tasks from the database queue, and the SLA sweep every few minutes."""

from __future__ import annotations

import time


def register(sub) -> None:
    p = sub.add_parser(
        "worker",
        help="run background tasks (emails, webhooks) and the periodic SLA sweep",
        description="Runs queued tasks from the database and enqueues the SLA sweep every --sweep-minutes. "
        "With --once (or --batch) it runs the sweep, drains the queue and exits: for tests and cron.",
    )
    p.add_argument(
        "--once",
        "--batch",
        dest="once",
        action="store_true",
        help="sweep once, run every queued task, then exit",
    )
    p.add_argument("--no-sweep", action="store_true", help="only run queued tasks")
    p.add_argument(
        "--sweep-minutes",
        type=float,
        default=None,
        help="minutes between sweeps (default: REFDESK_SWEEP_MINUTES, 5)",
    )
    p.add_argument(
        "--interval",
        type=float,
        default=1.0,
        help="seconds to wait when the queue is empty (default 1)",
    )
    p.add_argument(
        "--queue",
        default="default",
        help="queues to run, comma-separated, '*' for all (default: default)",
    )
    p.add_argument("--verbose", "-v", action="store_true", help="log each task")
    p.set_defaults(func=worker)

    p = sub.add_parser(
        "sweep", help="run the SLA sweep once now (reminders, escalations, expiries, retries)"
    )
    p.set_defaults(func=sweep)


def sweep(args) -> int:
    from refdesk.cli import ensure_migrated
    from refdesk.notify.sweep import sweep_run

    ensure_migrated()
    summary = sweep_run()
    print(", ".join(f"{k.replace('_', ' ')}: {v}" for k, v in summary.items()))
    return 0


def worker(args) -> int:
    import logging

    from django.conf import settings
    from django.utils import timezone
    from django.utils.crypto import get_random_string
    from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends

    from refdesk.cli import ensure_migrated
    from refdesk.notify.tasks import sla_sweep

    ensure_migrated()
    # The queue runner starts and stops once per drain; its own lines would only be noise.
    logging.getLogger("django_tasks_db").setLevel(logging.WARNING)
    if args.verbose:
        logging.getLogger("django_tasks").setLevel(logging.INFO)
    minutes = (
        args.sweep_minutes if args.sweep_minutes is not None else settings.REFDESK_SWEEP_MINUTES
    )
    every = max(float(minutes), 0.1) * 60

    try:
        from django_tasks_db.backend import DatabaseBackend
        from django_tasks_db.management.commands.db_worker import Worker
    except ImportError:  # pragma: no cover - django-tasks-db is a dependency
        DatabaseBackend = Worker = None
    backend = task_backends[DEFAULT_TASK_BACKEND_ALIAS]
    runner = None
    if Worker is not None and isinstance(backend, DatabaseBackend):
        queues = [q.strip() for q in args.queue.split(",") if q.strip()] or ["default"]
        runner = Worker(
            queue_names=queues,
            interval=args.interval,
            batch=True,
            backend_name=backend.alias,
            startup_delay=False,
            max_tasks=None,
            worker_id=get_random_string(32),
            excluded_queue_names=[],
        )
        if not args.once:
            runner.configure_signals()
    elif not args.once:
        print(
            f"refdesk worker: the task backend is {type(backend).__name__}; tasks run where they are enqueued, so this only sweeps."
        )

    next_sweep = time.monotonic()
    while True:
        if not args.no_sweep and time.monotonic() >= next_sweep:
            # Enqueued, not called: with several workers the sweep still runs as one task at a time each,
            # and it is idempotent, so two at once send nothing twice.
            sla_sweep.enqueue()
            next_sweep = time.monotonic() + every
        if runner is not None:
            runner.run()  # batch mode: returns when the queue is empty
            if not runner.running:
                break
        if args.once:
            break
        time.sleep(args.interval)
    if args.once:
        print(f"refdesk worker: queue drained at {timezone.now():%Y-%m-%d %H:%M:%S} UTC")
    return 0
