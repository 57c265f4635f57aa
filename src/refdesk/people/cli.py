"""`refdesk user …` and `refdesk token …`."""

import getpass

from refdesk.core.errors import InvalidInput, NotFound


def register(sub) -> None:
    p = sub.add_parser("user", help="create users")
    usub = p.add_subparsers(dest="user_command", metavar="ACTION", required=True)
    c = usub.add_parser("create", help="create a user")
    c.add_argument("--email", required=True)
    c.add_argument("--role", default="sales_rep", help="program_manager, sales_rep, requester or executive")
    c.add_argument("--name", default="", help="full name")
    c.add_argument("--team", default="")
    c.add_argument("--password", help="omit to be asked; --no-password for an invite-only user")
    c.add_argument("--no-password", action="store_true")
    c.set_defaults(func=user_create)

    p = sub.add_parser("token", help="issue a personal API token for a user")
    p.add_argument("--email", required=True)
    p.add_argument("--name", default="CLI token")
    p.set_defaults(func=token_create)


def user_create(args) -> int:
    from refdesk.cli import ensure_migrated
    from refdesk.people.services import user_create as create

    ensure_migrated()
    password = None
    if not args.no_password:
        password = args.password or getpass.getpass("Password: ")
        if len(password) < 8:
            raise InvalidInput("The password must have at least 8 characters.")
    first, _, last = args.name.partition(" ")
    user = create(email=args.email, role=args.role, password=password, first_name=first, last_name=last, team=args.team)
    print(f"Created {user.email} ({user.get_role_display()})")
    return 0


def token_create(args) -> int:
    from refdesk.cli import ensure_migrated
    from refdesk.people.models import User
    from refdesk.people.services import api_token_create

    ensure_migrated()
    user = User.objects.filter(email__iexact=args.email.strip()).first()
    if user is None:
        raise NotFound(f"No user with email {args.email}.")
    _, key = api_token_create(user=user, name=args.name)
    print(key)
    return 0
