"""Background work of the rewards program: thin, idempotent, taking ids."""

from django_tasks import task


@task()
def rewards_sweep() -> dict:
    """Catch up on credits, expire lapsed points, send expiry notices and thank-you reminders."""
    from refdesk.rewards.services import rewards_sweep as sweep

    return sweep()


@task()
def reward_credit_activity(activity_id: int) -> int | None:
    """Credit a completed activity (does nothing the second time); returns the ledger entry id."""
    from refdesk.rewards.services import reward_credit_for_activity

    entry = reward_credit_for_activity(activity_id=activity_id)
    return entry.pk if entry else None
