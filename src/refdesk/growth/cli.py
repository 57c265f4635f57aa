"""`refdesk growth …`: readiness, imports of wins and survey results, the freshness sweep."""

import json


def register(sub) -> None:
    p = sub.add_parser("growth", help="grow the pool: readiness, wins, surveys, freshness")
    gsub = p.add_subparsers(dest="growth_command", metavar="ACTION", required=True)
    r = gsub.add_parser("readiness", help="candidates and whether they may be asked, with why")
    r.add_argument("--json", action="store_true")
    r.set_defaults(func=readiness)
    for name, what in (
        ("import-wins", "closed-won opportunities (CSV/XLSX)"),
        ("import-surveys", "NPS/CSAT survey results (CSV/XLSX)"),
    ):
        i = gsub.add_parser(name, help=f"import {what}; any bad row: nothing written, exit 1")
        i.add_argument("file")
        i.add_argument("--dry-run", action="store_true")
        i.set_defaults(func=import_file, kind=name)
    s = gsub.add_parser("freshness", help="ask stale references to re-confirm their details")
    s.set_defaults(func=freshness)
    g = gsub.add_parser(
        "settings", help="show or change the growth rules (readiness, freshness, sharing rule)"
    )
    g.add_argument("--min-live-days", type=int)
    g.add_argument("--min-nps", type=int)
    g.add_argument("--stale-after-days", type=int)
    g.add_argument("--sharing-rule", choices=["on", "off"])
    g.add_argument("--sharing-min-percent", type=int)
    g.add_argument("--giveback-gap", type=int)
    g.set_defaults(func=settings_command)


def readiness(args) -> int:
    from refdesk.cli import ensure_migrated
    from refdesk.growth import selectors
    from refdesk.pool.choices import ReferenceStatus
    from refdesk.pool.models import ReferenceProfile

    ensure_migrated()
    refs = list(
        ReferenceProfile.objects.select_related("contact__account")
        .filter(status=ReferenceStatus.CANDIDATE)
        .order_by("sort_name", "pk")
    )
    found = selectors.readiness_for(refs)
    rows = [
        {
            "reference_id": r.pk,
            "name": r.contact.name,
            "account": r.contact.account.name,
            **found[r.pk].as_dict(),
        }
        for r in refs
    ]
    if args.json:
        print(json.dumps(rows, indent=2))
    else:
        for r in refs:
            print(f"{r.pk:>6} {r.contact.name} ({r.contact.account.name}): {found[r.pk].summary}")
    return 0


def import_file(args) -> int:
    from refdesk.cli import ensure_migrated
    from refdesk.growth import services

    ensure_migrated()
    do = services.win_import if args.kind == "import-wins" else services.survey_import
    result = do(actor=_operator(), path_or_file=args.file, dry_run=args.dry_run)
    print(result.summary())
    for error in result.errors:
        print(f"  {error}")
    return 1 if result.errors else 0


def _operator():
    """The command line runs as the program: a stand-in program manager that is never saved."""
    from refdesk.people.choices import Role
    from refdesk.people.models import User

    return User(
        email="cli@refdesk.local", role=Role.PROGRAM_MANAGER, is_active=True, is_superuser=True
    )


def freshness(args) -> int:
    from refdesk.cli import ensure_migrated
    from refdesk.growth import services

    ensure_migrated()
    print(f"Asked {services.freshness_sweep()} stale references to re-confirm.")
    return 0


def settings_command(args) -> int:
    from refdesk.cli import ensure_migrated
    from refdesk.growth import selectors, services

    ensure_migrated()
    names = (
        "min_live_days",
        "min_nps",
        "stale_after_days",
        "sharing_rule",
        "sharing_min_percent",
        "giveback_gap",
    )
    changes = {n: getattr(args, n) for n in names if getattr(args, n) is not None}
    if "sharing_rule" in changes:
        changes["sharing_rule"] = changes["sharing_rule"] == "on"
    settings = (
        services.growth_settings_update(actor=_operator(), **changes)
        if changes
        else selectors.growth_settings_get()
    )
    print(json.dumps({n: getattr(settings, n) for n in names}, indent=2))
    return 0
