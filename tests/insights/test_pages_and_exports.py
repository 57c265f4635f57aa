"""The dashboard page, the rows behind a figure, and the CSV/XLSX exports."""

import csv
import io

import openpyxl
import pytest

JUNE = "from=2026-06-01&to=2026-06-30"


def test_the_dashboard_shows_every_figure_with_its_chart_and_numbers(client_for, program):
    response = client_for(program.pm).get(f"/insights/?{JUNE}")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("<svg") == 16
    assert "Influenced pipeline and revenue" in html and "1000.00" in html
    assert "42.9 %" in html  # the acceptance warning
    assert 'class="gap"' in html
    assert "style=" not in html.split("<main", 1)[1]  # CSP: no inline styles in our markup
    assert "/insights/usage/rows/?from=2026-06-01&amp;to=2026-06-30" in html


def test_executives_read_the_dashboard_and_salespeople_are_refused(client, program):
    client.force_login(program.executive)
    assert client.get("/insights/").status_code == 200
    client.force_login(program.olivia)
    assert client.get("/insights/").status_code == 403
    assert client.get("/insights/usage/rows/").status_code == 403
    assert client.get("/insights/usage/export/csv/").status_code == 403


def test_a_bad_period_on_the_page_says_why(client_for, program):
    response = client_for(program.pm).get("/insights/?from=2026-07-01&to=2026-06-01")
    assert response.status_code == 422
    assert "from must be on or before" in response.content.decode()


def test_the_rows_behind_a_figure_are_paginated(client_for, program):
    client = client_for(program.pm)
    response = client.get(f"/insights/turnaround/rows/?{JUNE}")
    assert response.status_code == 200
    assert "6 rows" in response.content.decode()
    assert client.get(f"/insights/nope/rows/?{JUNE}").status_code == 404


def test_a_figure_table_exports_to_csv(client_for, program):
    response = client_for(program.pm).get(f"/insights/influence/export/csv/?{JUNE}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0] == [
        "Opportunities",
        "Open",
        "Open pipeline",
        "Won",
        "Won revenue",
        "Lost",
        "Win rate %",
    ]
    assert rows[1] == ["With a reference", "1", "700.00", "1", "1000.00", "1", "50.0"]


def test_the_rows_behind_a_figure_export_to_xlsx(client_for, program):
    response = client_for(program.pm).get(f"/insights/own_deals/rows/export/xlsx/?{JUNE}")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][:5] == ("Reference", "Contact", "Account", "Owner", "Uses")
    assert [v[4] for v in values[1:]] == [2, 1]


@pytest.mark.parametrize("key", ["turnaround", "sla", "fulfilment", "acceptance", "due_soon", "nominations_waiting", "supply_industry",
                                 "supply_product", "supply_region", "usage", "influence", "referrals", "points", "nominations",
                                 "declines", "own_deals"])  # fmt: skip
def test_every_table_and_its_rows_export_to_both_formats(client_for, program, key):
    client = client_for(program.pm)
    for url in (f"/insights/{key}/export/", f"/insights/{key}/rows/export/"):
        assert client.get(f"{url}xlsx/?{JUNE}").status_code == 200
        response = client.get(f"{url}csv/?{JUNE}")
        assert response.status_code == 200
        assert b"".join(response.streaming_content).count(b"\n") >= 1


def test_an_unknown_export_format_is_refused(client_for, program):
    response = client_for(program.pm).get(f"/insights/usage/export/pdf/?{JUNE}")
    assert response.status_code == 422
    assert b"csv or xlsx" in response.content


def test_a_formula_in_a_name_is_exported_as_text():
    from refdesk.insights.exporting import csv_lines

    assert "'=HYPERLINK(1)" in "".join(csv_lines(["a"], [["=HYPERLINK(1)"]]))


def test_every_insights_export_is_written_to_the_audit_log(client_for, program):
    from refdesk.people.models import AuditEntry

    client = client_for(program.pm)
    b"".join(client.get(f"/insights/influence/export/csv/?{JUNE}").streaming_content)
    client.get(f"/insights/own_deals/rows/export/xlsx/?{JUNE}")
    entries = list(AuditEntry.objects.filter(kind="figures_export").order_by("pk"))
    assert [(e.actor, e.via, e.detail) for e in entries] == [
        (program.pm, "page", "influence-2026-06-01-2026-06-30.csv"),
        (program.pm, "page", "own_deals-rows-2026-06-01-2026-06-30.xlsx"),
    ]
    assert entries[0].count > 0


def test_a_refused_export_writes_nothing_to_the_audit_log(client_for, program):
    from refdesk.people.models import AuditEntry

    assert client_for(program.olivia).get(f"/insights/usage/export/csv/?{JUNE}").status_code == 403
    assert not AuditEntry.objects.filter(kind="figures_export").exists()
