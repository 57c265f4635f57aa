"""Who may do what on a reference request. Every door asks these; no view decides on its own."""

from refdesk.people.choices import Role
from refdesk.people.permissions import is_program_manager


def _active(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def can_request(user) -> bool:
    """Sales, marketing, PR and program managers ask for references; executives only read."""
    return _active(user) and user.role in (Role.PROGRAM_MANAGER, Role.SALES_REP, Role.REQUESTER)


def is_requester(user, request) -> bool:
    return _active(user) and request.requester_id == user.pk


def owns_customer(user, candidate) -> bool:
    return _active(user) and candidate.reference.contact.account.owner_id == user.pk


def can_view(user, request, *, owner_of_candidate: bool = False) -> bool:
    if not _active(user):
        return False
    return (
        is_program_manager(user)
        or request.requester_id == user.pk
        or user.role == Role.EXECUTIVE
        or owner_of_candidate
    )


def can_select(user, request) -> bool:
    if is_program_manager(user):
        return True
    return is_requester(user, request) and request.workflow.get("fulfilment") == "self_service"


def can_decide_approval(user, candidate) -> bool:
    return is_program_manager(user) or owns_customer(user, candidate)


def can_run_call(user, request) -> bool:
    """Schedule, reschedule, cancel and confirm the call; close the request."""
    return is_program_manager(user) or is_requester(user, request)


def can_withdraw(user, request) -> bool:
    return is_requester(user, request)


def can_cancel(user) -> bool:
    return is_program_manager(user)
