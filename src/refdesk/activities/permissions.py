"""Who may do what with activities, content, shares and events. Every door asks these."""

from refdesk.people.choices import Role
from refdesk.people.permissions import is_program_manager


def _active(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def can_read(user) -> bool:
    """Everyone logged in reads the log, the fatigue page, the library and the events."""
    return _active(user)


def can_log(user) -> bool:
    """Program managers log anything; sales and requesters log activities they took part in."""
    return _active(user) and user.role in (Role.PROGRAM_MANAGER, Role.SALES_REP, Role.REQUESTER)


def can_manage(user) -> bool:
    """Rules, overrides, imports, the library, events: the program manager's."""
    return is_program_manager(user)


def can_share(user) -> bool:
    return can_log(user)


def can_edit_activity(user, activity) -> bool:
    return can_manage(user) or (can_log(user) and activity.entered_by_id == user.pk)


def can_see_share(user, share) -> bool:
    return can_manage(user) or (_active(user) and share.created_by_id == user.pk)
