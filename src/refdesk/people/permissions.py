"""Who may do what. Every door asks these functions; no view decides on its own."""

from refdesk.people.choices import Role


def is_program_manager(user) -> bool:
    return bool(user and user.is_authenticated and user.is_program_manager)


def can_browse_pool(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def can_manage_pool(user) -> bool:
    """Create accounts and references, change statuses, import and export."""
    return is_program_manager(user)


def can_edit_account(user, account) -> bool:
    """Program managers edit everything; an account owner keeps their own customers up to date."""
    if is_program_manager(user):
        return True
    return bool(
        user.is_authenticated
        and user.role == Role.SALES_REP
        and account.owner_id is not None
        and account.owner_id == user.pk
    )
