"""CRM opportunities from a spreadsheet (checked first, all or nothing, dry run) and the `refdesk insights` commands."""

import json

import openpyxl
import pytest

from refdesk.cli import main
from refdesk.core.errors import Forbidden
from refdesk.insights import services
from refdesk.insights.models import Opportunity, RequestOpportunity

pytestmark = pytest.mark.django_db

HEADER = "CRM ID,Name,Prospect,Owner Email,Amount,Stage,Created On,Closed On,Request IDs\n"


def write(tmp_path, text, name="opps.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_it_imports_opportunities_and_links_their_requests(tmp_path, capsys, program):
    r1 = program.requests[0]
    path = write(tmp_path, HEADER + f"006-A,Big deal,Acme,olivia@vendor.example,\"12,000.00\",open,2026-05-01,,{r1.pk}\n"
                                   "006-B,,Globex,newrep@vendor.example,500,closed won,2026-04-01,2026-06-01,\n")  # fmt: skip
    code, out, err = run(capsys, "insights-import", str(path))
    assert code == 0, err
    assert "2 created" in out
    a = Opportunity.objects.get(crm_id="006-A")
    assert (str(a.amount), a.owner.email, a.stage) == ("12000.00", "olivia@vendor.example", "open")
    assert Opportunity.objects.get(crm_id="006-B").stage == "won"
    assert RequestOpportunity.objects.get(request=r1).opportunity == a
    code, out, _ = run(capsys, "insights-import", str(path))
    assert "0 created       0 updated       2 unchanged" in out


def test_any_bad_row_is_listed_by_line_and_nothing_is_written(tmp_path, capsys, program):
    path = write(tmp_path, HEADER + "006-A,,Acme,,100,open,2026-05-01,,\n"
                                   ",,NoId,,abc,won,2026-05-01,,\n"
                                   "006-A,,Again,,1,open,2026-05-01,,\n"
                                   "006-C,,Late,,1,lost,2026-05-01,2026-04-01,99999\n")  # fmt: skip
    code, out, err = run(capsys, "insights-import", str(path))
    assert code == 1
    assert "line 3: crm_id: is required" in err
    assert "line 3: amount: 'abc' is not an amount" in err
    assert "line 3: closed_on: is required for a won or lost opportunity" in err
    assert "line 4: crm_id: '006-A' is also on line 2" in err
    assert "line 5: closed_on: must not be before created_on" in err
    assert "nothing written" in out
    assert not Opportunity.objects.filter(crm_id__startswith="006-").exists()


def test_a_request_that_does_not_exist_is_refused_by_line(tmp_path, capsys, program):
    path = write(tmp_path, HEADER + "006-A,,Acme,,100,open,2026-05-01,,99999\n")
    code, _, err = run(capsys, "insights-import", str(path))
    assert code == 1 and "line 2: request_ids: no request numbered 99999" in err


def test_a_dry_run_reports_and_writes_nothing(tmp_path, capsys, program):
    path = write(tmp_path, HEADER + "006-A,,Acme,,100,open,2026-05-01,,\n")
    code, out, _ = run(capsys, "insights-import", str(path), "--dry-run", "--json")
    assert code == 0
    assert json.loads(out)["created"] == 1 and json.loads(out)["written"] is False
    assert not Opportunity.objects.filter(crm_id__startswith="006-").exists()


def test_it_reads_xlsx_too(tmp_path, capsys, program):
    book = openpyxl.Workbook()
    book.active.append(["crm_id", "prospect", "stage", "created_on", "closed_on", "amount"])
    book.active.append(["006-X", "Initech", "lost", "2026-01-02", "2026-03-04", 250])
    path = tmp_path / "opps.xlsx"
    book.save(path)
    code, _, err = run(capsys, "insights-import", str(path))
    assert code == 0, err
    assert Opportunity.objects.get(crm_id="006-X").stage == "lost"


def test_a_file_without_the_required_columns_is_refused(tmp_path, capsys, program):
    code, _, err = run(capsys, "insights-import", str(write(tmp_path, "name,amount\nx,1\n")))
    assert code == 1 and "missing column(s): crm_id, prospect, created_on" in err


def test_only_a_program_manager_imports(tmp_path, program):
    with pytest.raises(Forbidden):
        services.opportunity_import(actor=program.executive, path=write(tmp_path, HEADER))


def test_the_insights_command_prints_the_figures_as_json(capsys, program):
    code, out, err = run(
        capsys,
        "insights",
        "--from",
        "2026-06-01",
        "--to",
        "2026-06-30",
        "--json",
        "--figure",
        "usage",
    )
    assert code == 0, err
    data = json.loads(out)
    assert data["period"] == {"from": "2026-06-01", "to": "2026-06-30"}
    assert [f["key"] for f in data["figures"]] == ["usage"]
    assert data["figures"][0]["summary"]["gini"] == 0.45


def test_the_insights_command_prints_a_readable_report(capsys, program):
    code, out, _ = run(capsys, "insights", "--from", "2026-06-01", "--to", "2026-06-30")
    assert code == 0
    assert "Influenced pipeline and revenue" in out and "With a reference | 1 | 700.00" in out


def test_a_bad_period_on_the_command_line_exits_1(capsys, program):
    code, _, err = run(capsys, "insights", "--from", "2026-07-01", "--to", "2026-06-01")
    assert code == 1 and "from must be on or before" in err
