"""Statuses of a reference request and of each reference on it, and which step may follow which."""

from django.db import models


class RequestStatus(models.TextChoices):
    SUBMITTED = "submitted", "Submitted"
    CANDIDATES_PROPOSED = "candidates_proposed", "Candidates proposed"
    IN_PROGRESS = "in_progress", "In progress"
    FULFILLED = "fulfilled", "Fulfilled"
    COMPLETED = "completed", "Completed"
    CLOSED = "closed", "Closed"
    WITHDRAWN = "withdrawn", "Withdrawn"
    CANCELLED = "cancelled", "Cancelled"
    EXPIRED = "expired", "Expired"


OPEN_REQUEST_STATUSES = frozenset(
    {
        RequestStatus.SUBMITTED,
        RequestStatus.CANDIDATES_PROPOSED,
        RequestStatus.IN_PROGRESS,
        RequestStatus.FULFILLED,
    }
)
ENDED_REQUEST_STATUSES = frozenset(
    {RequestStatus.CLOSED, RequestStatus.WITHDRAWN, RequestStatus.CANCELLED, RequestStatus.EXPIRED}
)

_ENDINGS = {RequestStatus.WITHDRAWN, RequestStatus.CANCELLED, RequestStatus.EXPIRED}

REQUEST_TRANSITIONS: dict[str, set[str]] = {
    RequestStatus.SUBMITTED: {RequestStatus.CANDIDATES_PROPOSED, RequestStatus.IN_PROGRESS, *_ENDINGS},
    RequestStatus.CANDIDATES_PROPOSED: {RequestStatus.IN_PROGRESS, *_ENDINGS},
    RequestStatus.IN_PROGRESS: {RequestStatus.FULFILLED, RequestStatus.COMPLETED, *_ENDINGS},
    # Back to in progress when an accepted reference drops out before the call.
    RequestStatus.FULFILLED: {RequestStatus.COMPLETED, RequestStatus.IN_PROGRESS, *_ENDINGS},
    RequestStatus.COMPLETED: {RequestStatus.CLOSED},
    RequestStatus.CLOSED: set(),
    RequestStatus.WITHDRAWN: set(),
    RequestStatus.CANCELLED: set(),
    RequestStatus.EXPIRED: set(),
}


class CandidateStatus(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    SELECTED = "selected", "Selected"
    AWAITING_APPROVAL = "awaiting_approval", "Awaiting owner approval"
    APPROVED = "approved", "Approved"
    OWNER_DECLINED = "owner_declined", "Declined by owner"
    INVITED = "invited", "Invited"
    ACCEPTED = "accepted", "Accepted"
    REFERENCE_DECLINED = "reference_declined", "Declined by reference"
    SCHEDULED = "scheduled", "Scheduled"
    COMPLETED = "completed", "Completed"
    MISSED = "missed", "Missed"
    CANCELLED = "cancelled", "Cancelled"


# A reference "on" the request: selected and not yet done, declined or dropped.
ACTIVE_CANDIDATE_STATUSES = frozenset(
    {
        CandidateStatus.SELECTED,
        CandidateStatus.AWAITING_APPROVAL,
        CandidateStatus.APPROVED,
        CandidateStatus.INVITED,
        CandidateStatus.ACCEPTED,
        CandidateStatus.SCHEDULED,
    }
)
# Accepted or further: counts toward "enough references" (fulfilled).
COMMITTED_CANDIDATE_STATUSES = frozenset(
    {CandidateStatus.ACCEPTED, CandidateStatus.SCHEDULED, CandidateStatus.COMPLETED}
)

CANDIDATE_TRANSITIONS: dict[str, set[str]] = {
    CandidateStatus.PROPOSED: {CandidateStatus.SELECTED, CandidateStatus.CANCELLED},
    CandidateStatus.SELECTED: {CandidateStatus.AWAITING_APPROVAL, CandidateStatus.APPROVED, CandidateStatus.CANCELLED},
    CandidateStatus.AWAITING_APPROVAL: {
        CandidateStatus.APPROVED,
        CandidateStatus.OWNER_DECLINED,
        CandidateStatus.CANCELLED,
    },
    CandidateStatus.APPROVED: {CandidateStatus.INVITED, CandidateStatus.CANCELLED},
    CandidateStatus.OWNER_DECLINED: set(),
    CandidateStatus.INVITED: {CandidateStatus.ACCEPTED, CandidateStatus.REFERENCE_DECLINED, CandidateStatus.CANCELLED},
    CandidateStatus.ACCEPTED: {CandidateStatus.SCHEDULED, CandidateStatus.CANCELLED},
    CandidateStatus.REFERENCE_DECLINED: set(),
    # scheduled -> scheduled is a reschedule; scheduled -> accepted a cancelled call awaiting a new time.
    CandidateStatus.SCHEDULED: {
        CandidateStatus.SCHEDULED,
        CandidateStatus.ACCEPTED,
        CandidateStatus.COMPLETED,
        CandidateStatus.MISSED,
        CandidateStatus.CANCELLED,
    },
    CandidateStatus.COMPLETED: set(),
    CandidateStatus.MISSED: set(),
    CandidateStatus.CANCELLED: set(),
}


class Fulfilment(models.TextChoices):
    PROGRAM_MANAGER = "program_manager", "The program manager selects references"
    SELF_SERVICE = "self_service", "The requester selects references"
    AUTOMATIC = "automatic", "The best-ranked references are selected automatically"


class AutoApprove(models.TextChoices):
    NEVER = "never", "Never: I approve each request"
    ALWAYS = "always", "Always: approve every request for my customers"
    TYPES = "types", "For the activity types I choose"


class Stage(models.TextChoices):
    PROSPECTING = "prospecting", "Prospecting"
    DISCOVERY = "discovery", "Discovery"
    EVALUATION = "evaluation", "Evaluation"
    PROPOSAL = "proposal", "Proposal"
    NEGOTIATION = "negotiation", "Negotiation"
    CLOSED_WON = "closed_won", "Closed won"
    CLOSED_LOST = "closed_lost", "Closed lost"


class FeedbackSide(models.TextChoices):
    REQUESTER = "requester", "Requester"
    REFERENCE = "reference", "Reference"


class SlaState(models.TextChoices):
    ON_TIME = "on_time", "On time"
    DUE_SOON = "due_soon", "Due soon"
    OVERDUE = "overdue", "Overdue"
    DONE = "done", "Done"


# Event kinds; they are also the webhook event names.
class EventKind(models.TextChoices):
    REQUEST_SUBMITTED = "request.submitted"
    REQUEST_CANDIDATES_PROPOSED = "request.candidates_proposed"
    CANDIDATE_SELECTED = "candidate.selected"
    APPROVAL_REQUESTED = "approval.requested"
    APPROVAL_GRANTED = "approval.granted"
    APPROVAL_DECLINED = "approval.declined"
    INVITATION_SENT = "invitation.sent"
    INVITATION_ACCEPTED = "invitation.accepted"
    INVITATION_DECLINED = "invitation.declined"
    SLOTS_PROPOSED = "slots.proposed"
    CALL_SCHEDULED = "call.scheduled"
    CALL_RESCHEDULED = "call.rescheduled"
    CALL_CANCELLED = "call.cancelled"
    CALL_COMPLETED = "call.completed"
    CALL_MISSED = "call.missed"
    CANDIDATE_CANCELLED = "candidate.cancelled"
    FEEDBACK_GIVEN = "feedback.given"
    REQUEST_FULFILLED = "request.fulfilled"
    REQUEST_COMPLETED = "request.completed"
    REQUEST_CLOSED = "request.closed"
    REQUEST_WITHDRAWN = "request.withdrawn"
    REQUEST_CANCELLED = "request.cancelled"
    REQUEST_EXPIRED = "request.expired"
    REQUEST_REOPENED = "request.reopened"
    REFERENCE_HELD = "reference.held"
    HOLD_RELEASED = "reference.hold_released"
