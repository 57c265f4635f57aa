"""`refdesk portal …`: print or email a reference's portal link, revoke every link."""


def register(sub) -> None:
    p = sub.add_parser("portal", help="the references' own portal: links")
    psub = p.add_subparsers(dest="portal_command", metavar="ACTION", required=True)
    link = psub.add_parser("link", help="print a reference's portal link (or --send it by email)")
    link.add_argument("email")
    link.add_argument("--send", action="store_true", help="email it to them instead of printing it")
    link.set_defaults(func=link_command)
    revoke = psub.add_parser(
        "revoke", help="end every portal link and session of a reference at once"
    )
    revoke.add_argument("email")
    revoke.set_defaults(func=revoke_command)


def _contact(email: str):
    from refdesk.core.errors import NotFound
    from refdesk.pool.models import Contact

    contact = Contact.objects.filter(
        email__iexact=(email or "").strip(), reference__isnull=False
    ).first()
    if contact is None:
        raise NotFound(f"No reference with the email {email!r}.")
    return contact


def _operator():
    from refdesk.people.choices import Role
    from refdesk.people.models import User

    return User(
        email="cli@refdesk.local", role=Role.PROGRAM_MANAGER, is_active=True, is_superuser=True
    )


def link_command(args) -> int:
    from refdesk.cli import ensure_migrated
    from refdesk.portal import services

    ensure_migrated()
    contact = _contact(args.email)
    if args.send:
        services.portal_link_send(actor=_operator(), contact=contact)
        print(f"A portal link was emailed to {contact.email}.")
    else:
        print(services.portal_url(contact))
    return 0


def revoke_command(args) -> int:
    from refdesk.cli import ensure_migrated
    from refdesk.portal import services

    ensure_migrated()
    services.portal_links_revoke(actor=_operator(), contact=_contact(args.email))
    print(f"Every portal link of {args.email} has ended.")
    return 0
