"""Indexes the dashboard reads through, created like 0002 (plain SQL, IF NOT EXISTS).

The period indexes of 0002 become covering ones: over a long period SQLite otherwise walks the
date index and then looks every row up in table order, which costs more than the scan it avoids;
with every column a figure reads in the index, the walk is sequential (and an index-only scan on
PostgreSQL). Also: requests by needed-by date (due in 72 hours) and activities by request and
status (is an opportunity influenced), and completed activities on requests alone (partial, for
"used only in their owner's deals").
"""

from django.db import migrations

INDEXES = {
    "insights_request_period_idx": "asks_referencerequest (submitted_at, status, candidates_due_at, "
    "candidates_proposed_at, acceptance_due_at, fulfilled_at, completed_at, industry_id, country)",
    "insights_candidate_invited_cover_idx": "asks_requestcandidate (invited_at, request_id, status, responded_at)",
    "insights_candidate_approval_cover_idx": "asks_requestcandidate (approval_requested_at, reference_id, status, approved_at)",
    "insights_ledger_cover_idx": "rewards_ledgerentry (holder_id, at, kind, points)",
    "insights_request_needed_idx": "asks_referencerequest (needed_by)",
    "insights_activity_request_status_idx": "activities_activity (request_id, status)",
    "insights_activity_on_request_idx": "activities_activity (status, occurred_at, reference_id, request_id) "
    "WHERE request_id IS NOT NULL",
}
REPLACED = {
    "insights_request_submitted_idx": "asks_referencerequest (submitted_at)",
    "insights_candidate_invited_idx": "asks_requestcandidate (invited_at)",
    "insights_candidate_approval_idx": "asks_requestcandidate (approval_requested_at)",
}


class Migration(migrations.Migration):
    dependencies = [("insights", "0002_figure_indexes"), ("rewards", "0001_initial")]

    operations = [
        *(
            migrations.RunSQL(
                f"CREATE INDEX IF NOT EXISTS {name} ON {target}", f"DROP INDEX IF EXISTS {name}"
            )
            for name, target in INDEXES.items()
        ),
        *(
            migrations.RunSQL(
                f"DROP INDEX IF EXISTS {name}", f"CREATE INDEX IF NOT EXISTS {name} ON {target}"
            )
            for name, target in REPLACED.items()
        ),
    ]
