"""Referrals: program managers manage, reps log and work leads for their accounts, executives read."""

from refdesk.people import permissions
from refdesk.people.choices import Role


def can_read(user) -> bool:
    return permissions.can_browse_pool(user)


def can_manage(user) -> bool:
    return permissions.is_program_manager(user)


def is_rep(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.role == Role.SALES_REP)


def can_log(user) -> bool:
    return can_manage(user) or is_rep(user)


def can_work(user, lead) -> bool:
    """Move a lead along: program managers, the lead's owner, or whoever logged it."""
    if can_manage(user):
        return True
    return is_rep(user) and user.pk in {lead.owner_id, lead.created_by_id}


def sees_all(user) -> bool:
    return bool(
        user and user.is_authenticated and (can_manage(user) or user.role == Role.EXECUTIVE)
    )
