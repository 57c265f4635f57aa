"""Every completed activity opens a thank-you, due in two days; reminders; templates; the overdue list."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from refdesk.core.errors import Forbidden, IllegalTransition, InvalidInput
from refdesk.rewards import selectors, services
from refdesk.rewards.models import ThankYouTask

pytestmark = pytest.mark.django_db


@pytest.fixture
def task(reference, make_activity):
    services.reward_credit_for_activity(
        activity_id=make_activity(reference, activity_type="case_study").pk
    )
    return ThankYouTask.objects.get()


@pytest.fixture
def template(program_manager):
    return services.thank_you_template_save(actor=program_manager, name="Warm thanks", subject="Thank you, {first_name}",
                                            body="Dear {name}, thank you for the {activity} on {date}. — {sender}")  # fmt: skip


def test_a_completed_activity_opens_a_thank_you_for_the_account_owner(task, owner_rep):
    assert task.status == "open" and task.assignee == owner_rep
    assert list(selectors.thank_you_list(user=owner_rep)) == [task]


def test_the_owner_sends_a_thank_you_from_a_template(
    task, template, owner_rep, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        done = services.thank_you_complete(
            actor=owner_rep, task_id=task.pk, template_id=template.pk
        )
    assert done.status == "done" and done.done_by == owner_rep
    assert done.note.startswith("Dear Ada Lovelace, thank you for the case study on")
    assert (
        mail.outbox[0].to == ["ada@prairie.example"] and mail.outbox[0].subject == "Thank you, Ada"
    )
    with pytest.raises(IllegalTransition):
        services.thank_you_complete(actor=owner_rep, task_id=task.pk, note="again")


def test_a_thank_you_given_another_way_is_recorded_without_an_email(
    task, program_manager, mailoutbox
):
    services.thank_you_complete(
        actor=program_manager, task_id=task.pk, note="Called her to say thanks", send=False
    )
    assert mailoutbox == []


def test_only_the_owner_or_a_program_manager_closes_a_thank_you(task, other_rep):
    with pytest.raises(Forbidden):
        services.thank_you_complete(actor=other_rep, task_id=task.pk, note="hi")


def test_sending_needs_a_note_or_a_template(task, owner_rep):
    with pytest.raises(InvalidInput):
        services.thank_you_complete(actor=owner_rep, task_id=task.pk)


def test_overdue_thank_yous_are_listed_and_reminded_once(
    task, owner_rep, program_manager, mailoutbox, django_capture_on_commit_callbacks
):
    later = timezone.now() + dt.timedelta(days=3)
    assert list(selectors.thank_you_list(user=program_manager, overdue=True, now=later)) == [task]
    assert list(selectors.thank_you_list(user=program_manager, overdue=True)) == []
    with django_capture_on_commit_callbacks(execute=True):
        assert services.thank_you_reminders_send(now=timezone.now()) == 0
        assert services.thank_you_reminders_send(now=later) == 1
        assert services.thank_you_reminders_send(now=later) == 0
    assert [m.to for m in mail.outbox] == [["olivia@vendor.example"]]
    assert "thank-you to Ada Lovelace is overdue" in mail.outbox[0].subject


def test_the_due_time_is_configurable(program_manager, reference, make_activity):
    services.reward_settings_update(actor=program_manager, thank_you_due_days=5)
    services.reward_credit_for_activity(activity_id=make_activity(reference).pk)
    task = ThankYouTask.objects.get()
    assert task.due_at - task.created_at == dt.timedelta(days=5)


def test_templates_are_edited_only_by_program_managers(template, program_manager, owner_rep):
    edited = services.thank_you_template_save(
        actor=program_manager, template_id=template.pk, body="Thanks, {name}!"
    )
    assert edited.body == "Thanks, {name}!"
    with pytest.raises(Forbidden):
        services.thank_you_template_save(actor=owner_rep, template_id=template.pk, body="x")
