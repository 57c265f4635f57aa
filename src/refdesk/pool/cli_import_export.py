"""`refdesk import FILE [--dry-run]` and `refdesk export FILE|-`."""

import os
import sys

from refdesk.core.errors import InvalidInput, NotFound


def register(sub) -> None:
    p = sub.add_parser(
        "import",
        help="import the reference pool from a .csv or .xlsx file",
        description="Import contacts, their accounts and reference profiles from a spreadsheet. "
        "Every row is checked first; if any row is bad, every bad row is listed and nothing is written.",
    )
    p.add_argument(
        "file", metavar="FILE", help="a .csv (UTF-8 or Windows-1252; , ; or tab) or .xlsx file"
    )
    p.add_argument(
        "--dry-run", action="store_true", help="check and report what would change, write nothing"
    )
    p.add_argument(
        "--actor", metavar="EMAIL", help="the program manager recorded as making the changes"
    )
    p.add_argument(
        "--progress", action="store_true", help="show a progress bar even when not on a terminal"
    )
    p.set_defaults(func=import_command)

    p = sub.add_parser(
        "export",
        help="export every reference with its contact and account to .csv or .xlsx",
        description="Export the pool in the columns `refdesk import` reads. FILE `-` writes CSV to stdout.",
    )
    p.add_argument("file", metavar="FILE", help="FILE.csv, FILE.xlsx, or - for stdout")
    p.add_argument(
        "--format", choices=["csv", "xlsx"], help="default: from the file name (csv for -)"
    )
    p.set_defaults(func=export_command)


def _actor(email: str | None):
    from refdesk.people import permissions
    from refdesk.people.models import User

    if not email:
        return None
    user = User.objects.filter(email__iexact=email.strip()).first()
    if user is None:
        raise NotFound(f"No user with email {email}.")
    if not permissions.can_manage_pool(user):
        raise InvalidInput(f"{user.email} is not a program manager; only program managers import.")
    return user


def _progress_bar(enabled: bool):
    """A rich progress callback for the two passes, or None."""
    if not enabled:
        return None, None
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        transient=True,
        console=Console(stderr=True),
    )
    tasks: dict[str, int] = {}
    labels = {"check": "Checking rows", "write": "Writing"}

    def update(stage: str, done: int, total: int | None) -> None:
        if stage not in tasks:
            tasks[stage] = bar.add_task(labels.get(stage, stage), total=total)
        bar.update(tasks[stage], completed=done, total=total)

    return bar, update


def import_command(args) -> int:
    """Import a spreadsheet; row errors are printed one per line and the exit code is 1."""
    from refdesk.cli import ensure_migrated
    from refdesk.pool.importing import pool_import

    ensure_migrated()
    actor = _actor(args.actor)
    if not os.path.isfile(args.file):
        raise InvalidInput(f"No file {args.file}.")
    show = args.progress or (sys.stderr.isatty() and os.path.getsize(args.file) > 256 * 1024)
    bar, update = _progress_bar(show)
    if bar is not None:
        bar.start()
    try:
        result = pool_import(
            actor=actor,
            path_or_file=args.file,
            filename=os.path.basename(args.file),
            dry_run=args.dry_run,
            progress=update,
        )
    finally:
        if bar is not None:
            bar.stop()
    for warning in result.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    if result.errors:
        for error in result.errors:
            print(str(error))
        print(
            f"refdesk: {result.bad_lines} bad rows in {result.filename}; nothing was written.",
            file=sys.stderr,
        )
        return 1
    print(result.summary())
    return 0


def export_command(args) -> int:
    """Write every reference with its contact and account to a CSV/XLSX file or stdout."""
    from refdesk.cli import ensure_migrated
    from refdesk.pool.exporting import export_csv, export_format, export_xlsx

    ensure_migrated()
    to_stdout = args.file == "-"
    fmt = export_format(args.format or ("csv" if to_stdout else ""), "" if to_stdout else args.file)
    if to_stdout:
        if fmt != "csv":
            raise InvalidInput("Only CSV can go to stdout; give a file name for XLSX.")
        count = export_csv(sys.stdout, actor=None)
    elif fmt == "csv":
        with open(args.file, "w", encoding="utf-8", newline="") as out:
            count = export_csv(out, actor=None)
    else:
        count = export_xlsx(args.file, actor=None)
    from refdesk.people.services import audit_pool_export

    audit_pool_export(None, via="cli", count=count, detail=f"to {args.file}")
    if to_stdout:
        return 0
    print(f"Exported {count} references to {args.file}", file=sys.stderr)
    return 0
