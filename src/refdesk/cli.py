"""The `refdesk` command: thin wrappers over the services (also `python -m refdesk`)."""

import argparse
import os
import sys

# Each module registers its commands on the parser; order is the order in --help.
COMMAND_MODULES = [
    "refdesk.core.cli",
    "refdesk.people.cli",
    "refdesk.pool.cli",
    "refdesk.matching.cli",
    "refdesk.asks.cli",
    "refdesk.notify.cli",
    "refdesk.activities.cli",
    "refdesk.rewards.cli",
    "refdesk.growth.cli",
    "refdesk.referrals.cli",
    "refdesk.insights.cli",
    "refdesk.portal.cli",
    "refdesk.demo",
]


def build_parser() -> argparse.ArgumentParser:
    import importlib

    parser = argparse.ArgumentParser(prog="refdesk", description="Refdesk: run a customer reference program.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "refdesk.settings")
    import django

    django.setup()
    from refdesk.core.errors import RefdeskError

    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except RefdeskError as exc:
        print(f"refdesk: {exc.message}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("refdesk: interrupted", file=sys.stderr)
        return 130


def ensure_migrated(verbose: bool = False) -> None:
    """Apply pending migrations so every command works on a fresh database."""
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        call_command("migrate", interactive=False, verbosity=1 if verbose else 0)
