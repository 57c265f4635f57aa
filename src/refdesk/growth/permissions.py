"""Who may do what in growing the pool: PMs manage, reps nominate and wish for their accounts, executives read."""

from refdesk.people import permissions
from refdesk.people.choices import Role


def can_read(user) -> bool:
    return permissions.can_browse_pool(user)


def can_manage(user) -> bool:
    return permissions.is_program_manager(user)


def is_rep(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.role == Role.SALES_REP)


def can_nominate_someone(user) -> bool:
    """May open the nomination form at all: program managers and sales reps (executives and
    requesters read the program, they do not nominate)."""
    return can_manage(user) or is_rep(user)


def can_nominate(user, account) -> bool:
    """Program managers nominate anyone; a sales rep nominates people at the accounts they own."""
    if can_manage(user):
        return True
    return is_rep(user) and account.owner_id is not None and account.owner_id == user.pk


def can_wish(user) -> bool:
    """Keep a wish list: program managers and salespeople (the page, the API and the service all ask this)."""
    return can_manage(user) or is_rep(user)


def can_log_any(user) -> bool:
    """Log escalations, milestones and give-backs at some account: program managers and account owners (reps)."""
    return can_manage(user) or is_rep(user)


def can_log_for(user, account) -> bool:
    """Escalations, milestones and give-backs: program managers, and the account's owner."""
    return permissions.can_edit_account(user, account) if user and user.is_authenticated else False
