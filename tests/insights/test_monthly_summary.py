"""The executives' monthly summary: sent by the worker sweep, once per month, through the outbox and real SMTP."""

import datetime as dt

from refdesk.insights.models import MonthlySummary
from refdesk.notify.models import OutboundEmail
from refdesk.notify.sweep import sweep_run
from tests.factories import UserFactory

JULY_FIRST = dt.datetime(2026, 7, 1, 6, 0, tzinfo=dt.UTC)


def test_the_sweep_mails_last_months_figures_to_executives_once(
    program, smtp_server, django_capture_on_commit_callbacks
):
    UserFactory(email="inactive-exec@vendor.example", role="executive", is_active=False)
    with django_capture_on_commit_callbacks(execute=True):
        summary = sweep_run(now=JULY_FIRST)
    assert summary["insights_monthly_emails"] == 1
    [mail] = [m for m in smtp_server.messages if m.subject.startswith("Reference program")]
    assert mail.subject == "Reference program, June 2026"
    assert [m.subject for m in smtp_server.to("erin@vendor.example")] == [
        "Reference program, June 2026"
    ]
    text, html = mail.text("text/plain"), mail.text("text/html")
    assert "Fulfilment rate: 60.0 % of 6 requests." in text
    assert "win rate 50.0 % with a reference, 33.3 % without" in text
    assert "Influenced revenue" in html and "1000.00" in html
    assert "/insights/?from=2026-06-01&to=2026-06-30" in text
    assert MonthlySummary.objects.get().month == dt.date(2026, 6, 1)

    with django_capture_on_commit_callbacks(execute=True):
        again = sweep_run(now=JULY_FIRST + dt.timedelta(days=3))
    assert again["insights_monthly_emails"] == 0
    assert len([m for m in smtp_server.messages if m.subject.startswith("Reference program")]) == 1
    assert OutboundEmail.objects.filter(kind="insights_monthly").count() == 1
