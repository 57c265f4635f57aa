"""Who may read the program's figures: program managers and executives.

Salespeople and requesters are refused: the dashboard names the owners who decline approvals and
keep references to their own deals, which is for the program's owner and leadership to act on.
"""

from refdesk.people import permissions
from refdesk.people.choices import Role


def can_read(user) -> bool:
    if not (user and user.is_authenticated and user.is_active):
        return False
    return permissions.is_program_manager(user) or user.role == Role.EXECUTIVE


def can_manage(user) -> bool:
    """Import and upsert CRM opportunities, link them to requests."""
    return permissions.is_program_manager(user)
