"""`refdesk serve` and `refdesk manage`."""

import argparse
import sys


def register(sub) -> None:
    p = sub.add_parser("serve", help="migrate if needed, then serve on 127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--workers", type=int, default=2)
    p.set_defaults(func=serve)

    p = sub.add_parser("manage", help="run a Django management command (migrate, createsuperuser, …)", add_help=False)
    p.add_argument("args", nargs=argparse.REMAINDER)
    p.set_defaults(func=manage)

    p = sub.add_parser("migrate", help="apply database migrations")
    p.set_defaults(func=lambda args: manage_argv(["migrate"]))


def manage_argv(argv: list[str]) -> int:
    from django.core.management import execute_from_command_line

    execute_from_command_line(["refdesk", *argv])
    return 0


def manage(args) -> int:
    return manage_argv(args.args or ["help"])


def serve(args) -> int:
    """Serve the app with gunicorn on 127.0.0.1 (static files through whitenoise)."""
    from gunicorn.app.wsgiapp import WSGIApplication

    from refdesk.cli import ensure_migrated

    if not 1 <= args.port <= 65535:
        print("refdesk: --port must be between 1 and 65535", file=sys.stderr)
        return 1
    ensure_migrated(verbose=True)
    print(f"Refdesk is at http://127.0.0.1:{args.port}/  (Ctrl+C to stop)", flush=True)
    sys.argv = [
        "gunicorn", "refdesk.wsgi:application", "--bind", f"127.0.0.1:{args.port}",
        "--workers", str(args.workers), "--threads", "4", "--access-logfile", "-", "--log-level", "warning",
    ]
    WSGIApplication("%(prog)s [OPTIONS] [APP_MODULE]").run()
    return 0
