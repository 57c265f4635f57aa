"""Indexes the dashboard's period filters need on tables other apps own.

Created here (plain SQL, IF NOT EXISTS) so the insights queries get their indexes without a
migration in the activities or asks apps; both SQLite and PostgreSQL accept the statements.
"""

from django.db import migrations

INDEXES = {
    "insights_activity_done_idx": "activities_activity (status, occurred_at, reference_id, activity_type, request_id)",
    "insights_request_submitted_idx": "asks_referencerequest (submitted_at)",
    "insights_candidate_invited_idx": "asks_requestcandidate (invited_at)",
    "insights_candidate_approval_idx": "asks_requestcandidate (approval_requested_at)",
}


class Migration(migrations.Migration):
    dependencies = [
        ("insights", "0001_initial"),
        ("activities", "0001_initial"),
        ("asks", "0001_initial"),
    ]

    operations = [
        migrations.RunSQL(
            f"CREATE INDEX IF NOT EXISTS {name} ON {target}", f"DROP INDEX IF EXISTS {name}"
        )
        for name, target in INDEXES.items()
    ]
