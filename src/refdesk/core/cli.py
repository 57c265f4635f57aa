"""`refdesk serve`, `refdesk manage`, `refdesk backup` and `refdesk restore`."""

import argparse
import sys


def register(sub) -> None:
    p = sub.add_parser("serve", help="migrate if needed, then serve on 127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--workers", type=int, default=2)
    p.set_defaults(func=serve)

    p = sub.add_parser(
        "manage",
        help="run a Django management command (migrate, createsuperuser, …)",
        add_help=False,
    )
    p.add_argument("args", nargs=argparse.REMAINDER)
    p.set_defaults(func=manage)

    p = sub.add_parser("migrate", help="apply database migrations")
    p.set_defaults(func=lambda args: manage_argv(["migrate"]))

    p = sub.add_parser(
        "backup",
        help="write a consistent copy of the live database to FILE",
        description="SQLite: an online backup (safe while Refdesk runs). PostgreSQL: pg_dump -Fc "
        "(pg_dump is looked for on PATH, then in /usr/lib/postgresql/*/bin). The file is readable only by you.",
    )
    p.add_argument("file", metavar="FILE")
    p.set_defaults(func=backup)

    p = sub.add_parser(
        "restore",
        help="replace ALL data in the database with the backup in FILE",
        description="SQLite: copies the backup over the live database. PostgreSQL: pg_restore --clean "
        "--if-exists in one transaction. Stop the app servers and workers first.",
    )
    p.add_argument("file", metavar="FILE")
    p.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    p.set_defaults(func=restore)


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
        "gunicorn",
        "refdesk.wsgi:application",
        "--bind",
        f"127.0.0.1:{args.port}",
        "--workers",
        str(args.workers),
        "--threads",
        "4",
        "--access-logfile",
        "-",
        "--log-level",
        "warning",
    ]
    WSGIApplication("%(prog)s [OPTIONS] [APP_MODULE]").run()
    return 0


def backup(args) -> int:
    """Back up the database to a file."""
    from refdesk.core.backup import database_backup

    result = database_backup(args.file)
    print(f"Backed up the {result.engine} database to {result.path} ({result.size:,} bytes)")
    return 0


def restore(args) -> int:
    """Restore the database from a backup file, after confirmation."""
    from django.db import connection

    from refdesk.core.backup import database_restore

    where = connection.settings_dict.get("NAME")
    if not args.yes:
        if not sys.stdin.isatty():
            print(
                "refdesk: restore replaces all data; pass --yes to confirm when not on a terminal",
                file=sys.stderr,
            )
            return 1
        answer = input(f"This replaces ALL data in {where} with {args.file}. Type 'yes' to go on: ")
        if answer.strip().lower() != "yes":
            print("refdesk: restore cancelled", file=sys.stderr)
            return 1
    result = database_restore(args.file)
    print(f"Restored the {result.engine} database {where} from {result.path}")
    print("Run `refdesk migrate` if the backup is from an older Refdesk.")
    return 0
