"""The request lifecycle through the services: every legal step, and illegal ones refused with a reason."""

import datetime as dt

import pytest

from refdesk.activities.models import Activity
from refdesk.asks import services
from refdesk.asks.models import MatchingHold, RequestEvent
from refdesk.core.errors import Conflict, Forbidden, IllegalTransition, InvalidInput
from tests.asks.helpers import (
    first_candidate,
    fresh,
    later,
    statuses,
    to_completed,
    to_invited,
    to_scheduled,
)


def test_it_proposes_ranked_explained_candidates_the_moment_a_request_is_submitted(submit, ranch_pool):
    request = submit()
    assert request.status == "candidates_proposed"
    candidates = list(request.candidates.order_by("rank"))
    assert [c.reference.contact.name for c in candidates][:2] == sorted(["Ada Lovelace", "Ben Ranchero"])[:2] or len(candidates) == 3
    assert candidates[0].score >= candidates[-1].score
    assert any(part["criterion"] == "industry" for part in candidates[0].explanation)
    assert request.industry_id.startswith("1121") and request.industry_text == "cattle ranch"
    assert request.candidates_proposed_at is not None
    assert list(request.events.values_list("kind", flat=True)) == ["request.submitted", "request.candidates_proposed"]


def test_it_reports_every_bad_field_at_once(submit):
    with pytest.raises(InvalidInput) as exc:
        submit(prospect="", industry="zzqx qqzz", references_needed=9, amount="lots", needed_by="2001-01-01")
    assert set(exc.value.details) == {"prospect", "industry", "references_needed", "amount", "needed_by"}


def test_it_stays_submitted_when_no_reference_fits(submit, ranch_pool):
    request = submit(activity_type="speaking")  # nobody agreed to speak
    assert request.status == "submitted"
    assert request.next_due_what == "propose candidates"


def test_an_executive_cannot_ask_for_references(submit, executive):
    with pytest.raises(Forbidden):
        submit(actor=executive)


def test_the_whole_lifecycle_with_owner_approval(submit, program_manager, owner_rep, requester):
    request = submit(needed_by=(dt.date.today() + dt.timedelta(days=10)).isoformat())
    candidate = first_candidate(request)
    services.candidate_select(actor=program_manager, request=request, candidate_id=candidate.pk)
    assert fresh(candidate).status == "awaiting_approval"
    assert fresh(request).status == "in_progress"
    assert fresh(request).next_due_what == "account owner's approval"

    services.approval_grant(actor=owner_rep, request=request, candidate_id=candidate.pk)
    assert fresh(candidate).status == "invited"

    services.invitation_accept(candidate=fresh(candidate))
    assert fresh(candidate).status == "accepted"
    assert fresh(request).status == "fulfilled"

    start = later()
    services.call_schedule(actor=requester, request=request, candidate_id=candidate.pk, starts_at=start, duration_minutes=45)
    candidate = fresh(candidate)
    assert candidate.status == "scheduled"
    assert candidate.scheduled_end - candidate.scheduled_start == dt.timedelta(minutes=45)
    assert Activity.objects.get(pk=candidate.activity_id).status == "scheduled"

    services.call_complete(actor=requester, request=request, candidate_id=candidate.pk)
    assert Activity.objects.get(pk=candidate.activity_id).status == "completed"
    assert fresh(request).status == "completed"

    services.feedback_give(actor=requester, request=request, candidate_id=candidate.pk, side="requester", rating=5, helped=True)
    assert fresh(request).status == "closed"
    kinds = list(request.events.values_list("kind", flat=True))
    assert kinds == [
        "request.submitted", "request.candidates_proposed", "candidate.selected", "approval.requested",
        "approval.granted", "invitation.sent", "invitation.accepted", "request.fulfilled", "call.scheduled",
        "call.completed", "request.completed", "feedback.given", "request.closed",
    ]  # fmt: skip


def test_each_timeline_row_says_who_when_from_to_and_why(submit, program_manager, owner_rep):
    request = submit()
    candidate = first_candidate(request)
    services.candidate_select(actor=program_manager, request=request, candidate_id=candidate.pk)
    services.approval_decline(actor=owner_rep, request=request, candidate_id=candidate.pk, reason="Renewal talks this month")
    row = RequestEvent.objects.get(kind="approval.declined")
    assert (row.from_status, row.to_status, row.reason) == ("awaiting_approval", "owner_declined", "Renewal talks this month")
    assert row.actor == owner_rep and "Olivia" in row.actor_label and row.at is not None
    assert row.candidate == candidate


def test_an_owner_must_give_a_reason_to_decline(submit, program_manager, owner_rep):
    request = submit()
    candidate = first_candidate(request)
    services.candidate_select(actor=program_manager, request=request, candidate_id=candidate.pk)
    with pytest.raises(InvalidInput):
        services.approval_decline(actor=owner_rep, request=request, candidate_id=candidate.pk, reason=" ")


def test_someone_elses_rep_cannot_approve(submit, program_manager, other_rep):
    request = submit()
    candidate = first_candidate(request)
    services.candidate_select(actor=program_manager, request=request, candidate_id=candidate.pk)
    with pytest.raises(Forbidden):
        services.approval_grant(actor=other_rep, request=request, candidate_id=candidate.pk)


def test_it_refuses_to_approve_twice_and_names_the_allowed_steps(submit, program_manager, owner_rep):
    request = submit()
    candidate = to_invited(request, program_manager, owner_rep)
    with pytest.raises(IllegalTransition) as exc:
        services.approval_grant(actor=owner_rep, request=request, candidate_id=candidate.pk)
    assert exc.value.details["allowed"] == ["accept", "decline invitation", "propose times", "remove"]
    assert "invited" in exc.value.message


def test_illegal_steps_are_refused(submit, program_manager, owner_rep, requester):
    request = submit()
    candidate = first_candidate(request)
    with pytest.raises(IllegalTransition):
        services.call_complete(actor=requester, request=request, candidate_id=candidate.pk)
    with pytest.raises(IllegalTransition):
        services.invitation_accept(candidate=candidate)
    with pytest.raises(IllegalTransition):
        services.request_close(actor=requester, request=request)
    with pytest.raises(IllegalTransition):
        services.feedback_give(actor=requester, request=request, candidate_id=candidate.pk, side="requester", rating=4)
    services.request_withdraw(actor=requester, request=request, reason="deal lost")
    with pytest.raises(IllegalTransition) as exc:
        services.candidate_select(actor=program_manager, request=request, candidate_id=candidate.pk)
    assert "withdrawn" in exc.value.message
    with pytest.raises(IllegalTransition):
        services.request_cancel(actor=program_manager, request=fresh(request), reason="x")


def test_a_reference_is_never_selected_beyond_what_the_request_needs(submit, program_manager, ranch_pool):
    request = submit()
    first, second = list(request.candidates.order_by("rank"))[:2]
    services.candidate_select(actor=program_manager, request=request, candidate_id=first.pk)
    with pytest.raises(IllegalTransition):
        services.candidate_select(actor=program_manager, request=request, candidate_id=second.pk)


def test_only_the_program_manager_selects_in_program_manager_mode(submit, requester):
    request = submit()
    with pytest.raises(Forbidden):
        services.candidate_select(actor=requester, request=request, candidate_id=first_candidate(request).pk)


def test_the_requester_selects_in_self_service(workflow, submit, requester):
    workflow(fulfilment="self_service")
    request = submit()
    services.candidate_select(actor=requester, request=request, candidate_id=first_candidate(request).pk)
    assert fresh(first_candidate(request)).status == "awaiting_approval"


def test_automatic_fulfilment_selects_the_best_and_offers_the_next_after_a_decline(workflow, submit):
    workflow(fulfilment="automatic", owner_approval=False)
    request = submit()
    assert statuses(request)[:2] == ["invited", "proposed"]
    services.invitation_decline(candidate=first_candidate(request), reason="on holiday")
    assert statuses(request)[:2] == ["reference_declined", "invited"]
    second = request.candidates.order_by("rank")[1]
    assert RequestEvent.objects.filter(kind="candidate.selected", candidate=second, actor_label="automatic selection rule").exists()


def test_without_owner_approval_the_invitation_goes_out_at_once(workflow, submit, program_manager):
    workflow(owner_approval=False)
    request = submit()
    candidate = first_candidate(request)
    services.candidate_select(actor=program_manager, request=request, candidate_id=candidate.pk)
    assert fresh(candidate).status == "invited"
    granted = RequestEvent.objects.get(kind="approval.granted")
    assert granted.reason == "no owner approval in this workflow"


def test_an_owners_auto_approve_policy_approves_for_them(submit, program_manager, owner_rep):
    services.owner_policy_set(actor=owner_rep, mode="types", activity_types=["reference_call"])
    request = submit()
    candidate = first_candidate(request)
    services.candidate_select(actor=program_manager, request=request, candidate_id=candidate.pk)
    assert fresh(candidate).status == "invited"
    assert RequestEvent.objects.get(kind="approval.granted").actor_label == "owner's auto-approve policy"
    other = submit(activity_type="case_study")
    candidate = first_candidate(other)
    services.candidate_select(actor=program_manager, request=other, candidate_id=candidate.pk)
    assert fresh(candidate).status == "awaiting_approval"


def test_a_per_type_workflow_overrides_the_program_default(workflow, submit):
    workflow(fulfilment="program_manager")
    workflow(activity_type="case_study", fulfilment="automatic", owner_approval=False, feedback_required=True)
    assert submit(activity_type="case_study").workflow["fulfilment"] == "automatic"
    assert submit().workflow["fulfilment"] == "program_manager"


def test_required_feedback_blocks_closing_until_given(workflow, submit, program_manager, owner_rep, requester):
    workflow(feedback_required=True)
    request = submit()
    candidate = to_completed(request, program_manager, owner_rep, requester)
    with pytest.raises(IllegalTransition) as exc:
        services.request_close(actor=requester, request=fresh(request))
    assert "feedback" in exc.value.message
    services.feedback_give(actor=requester, request=request, candidate_id=candidate.pk, side="requester", rating=4)
    assert fresh(request).status == "closed"


def test_optional_feedback_lets_the_requester_close_a_completed_request(submit, program_manager, owner_rep, requester):
    request = submit()
    to_completed(request, program_manager, owner_rep, requester)
    services.request_close(actor=requester, request=fresh(request), reason="won the deal")
    assert fresh(request).status == "closed"


def test_a_poor_rating_holds_the_reference_back_from_matching(submit, program_manager, owner_rep, requester):
    request = submit()
    candidate = to_completed(request, program_manager, owner_rep, requester)
    services.feedback_give(actor=requester, request=request, candidate_id=candidate.pk, side="requester", rating=1,
                           comment="could not answer", could_speak_to_subject=False)  # fmt: skip
    hold = MatchingHold.objects.get(reference=candidate.reference)
    assert "rated 1/5" in hold.reason
    assert RequestEvent.objects.filter(kind="reference.held").exists()
    services.hold_release(actor=program_manager, hold=hold, note="talked it through")
    assert not MatchingHold.objects.filter(released_at__isnull=True).exists()
    assert RequestEvent.objects.filter(kind="reference.hold_released", reason="talked it through").exists()


def test_a_held_reference_is_not_proposed_until_released(submit, program_manager, ranch_pool):
    from django.utils import timezone

    ada = ranch_pool["ada"]
    hold = MatchingHold.objects.create(reference=ada, reason="rated 1/5", created_at=timezone.now())
    assert ada.pk not in set(submit().candidates.values_list("reference_id", flat=True))
    services.hold_release(actor=program_manager, hold=hold)
    assert ada.pk in set(submit(prospect="Next Ranch").candidates.values_list("reference_id", flat=True))



def test_a_reference_who_could_not_speak_to_the_subject_is_held(submit, program_manager, owner_rep, requester):
    request = submit()
    candidate = to_completed(request, program_manager, owner_rep, requester)
    services.feedback_give(actor=None, request=request, candidate_id=candidate.pk, side="reference", rating=4,
                           could_speak_to_subject=False, label="reference via link")  # fmt: skip
    assert MatchingHold.objects.filter(reference=candidate.reference, released_at__isnull=True).exists()


def test_feedback_is_given_once_per_side(submit, program_manager, owner_rep, requester):
    request = submit()
    candidate = to_completed(request, program_manager, owner_rep, requester)
    services.feedback_give(actor=None, request=request, candidate_id=candidate.pk, side="reference", rating=5)
    with pytest.raises(Conflict):
        services.feedback_give(actor=None, request=request, candidate_id=candidate.pk, side="reference", rating=4)


def test_the_reference_proposes_times_and_the_requester_picks_one(submit, program_manager, owner_rep, requester):
    request = submit()
    candidate = to_invited(request, program_manager, owner_rep)
    times = [(later(24), later(24, 30)), (later(48), later(48, 30))]
    slots = services.slots_propose(candidate=candidate, slots=times, time_zone="Europe/Berlin")
    assert fresh(candidate).status == "accepted"
    assert [s.time_zone for s in slots] == ["Europe/Berlin", "Europe/Berlin"]
    services.call_schedule(actor=requester, request=request, candidate_id=candidate.pk, slot_id=slots[1].pk)
    candidate = fresh(candidate)
    assert candidate.scheduled_start == times[1][0]
    assert candidate.slots.get(chosen=True).pk == slots[1].pk


def test_more_than_three_times_or_times_in_the_past_are_refused(submit, program_manager, owner_rep):
    request = submit()
    candidate = to_invited(request, program_manager, owner_rep)
    with pytest.raises(InvalidInput):
        services.slots_propose(candidate=candidate, slots=[(later(h), later(h, 30)) for h in (1, 2, 3, 4)])
    with pytest.raises(InvalidInput):
        services.slots_propose(candidate=candidate, slots=[(later(-5), later(-4))])
    assert fresh(candidate).status == "invited"


def test_reschedule_and_cancel_the_call(submit, program_manager, owner_rep, requester):
    request = submit()
    candidate = to_scheduled(request, program_manager, owner_rep, requester)
    new_start = later(72)  # once: a second may pass before the check
    services.call_schedule(actor=requester, request=request, candidate_id=candidate.pk, starts_at=new_start, reason="prospect asked")
    moved = RequestEvent.objects.get(kind="call.rescheduled")
    assert moved.reason == "prospect asked" and moved.data["previous_start"]
    activity = Activity.objects.get(pk=fresh(candidate).activity_id)
    assert activity.occurred_at == new_start
    services.call_cancel(actor=requester, request=request, candidate_id=candidate.pk, reason="prospect ill")
    assert fresh(candidate).status == "accepted"
    assert fresh(activity).status == "cancelled"


def test_one_reference_is_never_booked_twice_at_once(submit, program_manager, owner_rep, requester):
    first, second = submit(), submit(prospect="Second Ranch")
    booked = []
    for request in (first, second):
        candidate = to_invited(request, program_manager, owner_rep)
        services.invitation_accept(candidate=candidate)
        booked.append(candidate)
    assert booked[0].reference_id == booked[1].reference_id
    start = later()
    services.call_schedule(actor=requester, request=first, candidate_id=booked[0].pk, starts_at=start)
    with pytest.raises(Conflict) as exc:
        services.call_schedule(actor=requester, request=second, candidate_id=booked[1].pk,
                               starts_at=start + dt.timedelta(minutes=15))  # fmt: skip
    assert "already has a call" in exc.value.message
    services.call_schedule(actor=requester, request=second, candidate_id=booked[1].pk, starts_at=start + dt.timedelta(minutes=30))
    assert fresh(booked[1]).status == "scheduled"


def test_a_missed_call_reopens_the_request(submit, program_manager, owner_rep, requester):
    request = submit()
    candidate = to_scheduled(request, program_manager, owner_rep, requester)
    services.call_missed(actor=requester, request=request, candidate_id=candidate.pk, reason="no-show")
    assert fresh(request).status == "in_progress"
    assert RequestEvent.objects.filter(kind="request.reopened").exists()
    assert Activity.objects.get(pk=candidate.activity_id).status == "cancelled"


def test_withdrawing_takes_everyone_off_and_cancels_the_call(submit, program_manager, owner_rep, requester):
    request = submit()
    candidate = to_scheduled(request, program_manager, owner_rep, requester)
    services.request_withdraw(actor=requester, request=request, reason="deal lost")
    assert fresh(request).status == "withdrawn"
    assert set(statuses(request)) == {"cancelled"}
    assert Activity.objects.get(pk=candidate.activity_id).status == "cancelled"
    assert RequestEvent.objects.filter(kind="candidate.cancelled", candidate=candidate).exists()


def test_only_the_requester_withdraws_and_only_a_program_manager_cancels(submit, program_manager, other_rep, requester):
    request = submit()
    with pytest.raises(Forbidden):
        services.request_withdraw(actor=other_rep, request=request)
    with pytest.raises(Forbidden):
        services.request_cancel(actor=requester, request=request, reason="no")
    with pytest.raises(InvalidInput):
        services.request_cancel(actor=program_manager, request=request, reason="")
    services.request_cancel(actor=program_manager, request=request, reason="duplicate")
    assert fresh(request).status == "cancelled"


def test_the_sweep_expires_overdue_requests_once(submit, program_manager, owner_rep):
    from refdesk.asks.models import ReferenceRequest

    stale = submit()
    accepted = submit(prospect="Accepted Ranch")
    candidate = to_invited(accepted, program_manager, owner_rep)
    services.invitation_accept(candidate=candidate)
    fresh_one = submit(prospect="Fresh Ranch", needed_by=(dt.date.today() + dt.timedelta(days=3)).isoformat())
    ReferenceRequest.objects.filter(pk__in=[stale.pk, accepted.pk]).update(needed_by=dt.date.today() - dt.timedelta(days=1))
    assert services.requests_expire_overdue() == [stale.pk]
    assert services.requests_expire_overdue() == []
    assert fresh(stale).status == "expired" and fresh(fresh_one).status == "candidates_proposed"
    assert fresh(accepted).status == "fulfilled"


def test_a_declined_reference_leaves_the_request_in_triage_in_program_manager_mode(submit, program_manager, owner_rep):
    request = submit()
    candidate = to_invited(request, program_manager, owner_rep)
    services.invitation_decline(candidate=candidate, reason="too busy")
    assert fresh(request).status == "in_progress"
    assert statuses(request)[1] == "proposed"
    assert fresh(candidate).reason == "too busy"


def test_the_program_manager_takes_a_silent_reference_off_and_picks_another(submit, program_manager, owner_rep):
    request = submit()
    candidate = to_invited(request, program_manager, owner_rep)
    services.candidate_remove(actor=program_manager, request=request, candidate_id=candidate.pk, reason="no answer in 2 days")
    second = request.candidates.order_by("rank")[1]
    services.candidate_select(actor=program_manager, request=request, candidate_id=second.pk)
    assert fresh(second).status == "awaiting_approval"
