"""Plain dicts the API and CLI return, built from the rows the selectors give."""

from django.utils import timezone

from refdesk.rewards.choices import ThankYouStatus


def holder_name(holder) -> str:
    if holder is None:
        return ""
    if holder.reference_id:
        contact = holder.reference.contact
        return f"{contact.name} ({contact.account.name})"
    return holder.user.display_name


def redemption_out(r) -> dict:
    return {
        "id": r.pk, "holder_id": r.holder_id, "holder": holder_name(r.holder), "item_id": r.item_id, "item": r.item.name,
        "points": r.points, "value": r.value, "currency": r.currency, "status": r.status, "note": r.note,
        "requested_at": r.requested_at, "decided_at": r.decided_at, "fulfilled_at": r.fulfilled_at,
        "refusal_reason": r.refusal_reason,
    }  # fmt: skip


def thank_you_out(t, now=None) -> dict:
    now = now or timezone.now()
    contact = t.reference.contact
    return {
        "id": t.pk, "activity_id": t.activity_id, "activity_type": t.activity.activity_type, "reference_id": t.reference_id,
        "reference": contact.name, "account": contact.account.name, "assignee_id": t.assignee_id, "status": t.status,
        "due_at": t.due_at, "overdue": t.status == ThankYouStatus.OPEN and t.due_at <= now, "done_at": t.done_at,
        "note": t.note,
    }  # fmt: skip


def standing_out(s) -> dict:
    return {
        "rank": s.rank,
        "user_id": s.user_id,
        "name": s.name,
        "team": s.team,
        "points": s.points,
        "prize": s.prize,
    }


def rule_out(rule) -> dict:
    return {
        "key": rule.key,
        "label": rule.get_key_display(),
        "points": rule.points,
        "active": rule.active,
    }
