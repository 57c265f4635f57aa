"""`refdesk import`: messy files that are valid go in, broken ones are refused whole, with line numbers."""

import datetime as dt
import io
import re
from pathlib import Path

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from refdesk.cli import main
from refdesk.core.errors import Forbidden, InvalidInput
from refdesk.people.models import User
from refdesk.pool.importing import pool_import
from refdesk.pool.models import Account, Contact, Product, ReferenceProfile, ReferenceStatusChange
from refdesk.pool.services import reference_search_text
from tests.factories import ContactFactory, ReferenceFactory

pytestmark = pytest.mark.django_db

DATA = Path(__file__).resolve().parent.parent / "data" / "import"


def pool_counts() -> tuple[int, int, int, int]:
    return (
        Account.objects.count(),
        Contact.objects.count(),
        ReferenceProfile.objects.count(),
        ReferenceStatusChange.objects.count(),
    )


def write_csv(tmp_path, text: str, name: str = "pool.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


HEADER = "account,account_external_id,industry,country,employees,products,contact,email,external_id,activities,topics,nps,status,owner_email\n"


def test_a_messy_but_valid_utf8_bom_semicolon_file_goes_in(program_manager):
    result = pool_import(
        actor=program_manager, path_or_file=DATA / "messy_utf8_bom_semicolon.csv", dry_run=False
    )

    assert result.errors == [], [str(e) for e in result.errors]
    assert result.written
    assert (result.accounts.created, result.contacts.created, result.references.created) == (
        3,
        4,
        4,
    )
    assert any("Favourite Colour" in w for w in result.warnings)
    anna = Contact.objects.get(email="anna.mueller@prairie.example")
    assert (
        anna.name == "Anna Müller"
        and anna.languages == ["de", "en"]
        and anna.external_id == "C-001"
    )
    prairie = anna.account
    assert (
        prairie.external_id == "A-001"
        and prairie.industry_id == "1121"
        and prairie.industry_text == "cattle ranch"
    )
    assert prairie.country == "US" and prairie.employees == 1200
    assert sorted(p.name for p in prairie.products.all()) == ["Ledger Pro", "Payroll"]
    assert (
        prairie.owner.email == "new.rep@vendor.example" and not prairie.owner.has_usable_password()
    )
    assert prairie.contacts.count() == 2  # "prairie cattle co" on line 3 is the same account
    ref = anna.reference
    assert ref.status == "active" and ref.activity_types == ["reference_call", "case_study"]
    assert ref.topics == ["onboarding", "reporting"] and ref.competitors_displaced == ["Globex"]
    assert ref.nps == 9 and prairie.live_since == dt.date(2022, 3, 1)
    assert ref.search_text == reference_search_text(ref)
    assert ref.status_changes.get().reason == "import"
    assert Contact.objects.get(email="jurgen@hafen.example").account.industry_id == "484121"
    asa = Contact.objects.get(email="asa@nordic.example")
    assert asa.name == "Åsa Lind" and asa.reference.status == "candidate"
    assert asa.reference.activity_types == ["speaking", "media"]


def test_a_cp1252_file_keeps_its_accents(program_manager):
    result = pool_import(actor=program_manager, path_or_file=DATA / "messy_cp1252.csv")

    assert result.ok, [str(e) for e in result.errors]
    assert Contact.objects.get(email="zoe@cafe.example").name == "Zoë Dürr"
    klaus = Contact.objects.get(email="klaus@mueller.example")
    assert klaus.account.name == "Müller Maschinenbau" and klaus.title == "Geschäftsführer"
    assert klaus.account.industry_id == "333"


def test_tab_separated_files_are_read(program_manager, tmp_path):
    path = write_csv(
        tmp_path, "Account\tContact\tEmail\tTopics\nTab Co\tTia Tab\ttia@tab.example\ta; b\n"
    )
    result = pool_import(actor=program_manager, path_or_file=path)
    assert result.ok
    assert Contact.objects.get().reference.topics == ["a", "b"]


def test_bad_rows_are_all_listed_with_line_numbers_and_nothing_is_written(program_manager):
    before = pool_counts()
    result = pool_import(actor=program_manager, path_or_file=DATA / "bad_rows.csv")

    assert not result.written
    assert pool_counts() == before
    by_line = {e.line: e for e in result.errors}
    assert sorted(by_line) == [3, 4, 5, 6, 7, 8, 9]
    assert by_line[3].field == "email" and "not a valid email" in by_line[3].message
    assert str(by_line[4]) == "line 4: nps: must be between 0 and 10"
    assert by_line[5].field == "status" and "famous" in by_line[5].message
    assert by_line[6].field == "activities" and "juggling" in by_line[6].message
    assert by_line[7].field == "live_since" and "not a date" in by_line[7].message
    assert by_line[8].field == "industry" and "999999" in by_line[8].message
    assert by_line[9].field == "email" and "line 2" in by_line[9].message


def test_accounts_stated_differently_in_two_rows_are_a_conflict(program_manager, tmp_path):
    path = write_csv(
        tmp_path,
        HEADER
        + "Acme,,1121,US,10,,Ann,ann@acme.example,,,,,,\nAcme,,1121,FR,10,,Bob,bob@acme.example,,,,,,\n",
    )
    result = pool_import(actor=program_manager, path_or_file=path)
    assert [str(e) for e in result.errors] == [
        "line 3: country: 'FR' differs from 'US' on line 2 for the same account"
    ]
    assert Account.objects.count() == 0


def test_reimporting_the_same_file_changes_nothing(program_manager):
    pool_import(actor=program_manager, path_or_file=DATA / "messy_utf8_bom_semicolon.csv")
    before = pool_counts()
    stamps = list(ReferenceProfile.objects.order_by("pk").values_list("updated_at", flat=True))

    again = pool_import(actor=program_manager, path_or_file=DATA / "messy_utf8_bom_semicolon.csv")

    assert again.ok and again.written
    assert (again.accounts.created, again.accounts.updated, again.accounts.unchanged) == (0, 0, 3)
    assert (again.contacts.updated, again.references.updated, again.references.unchanged) == (
        0,
        0,
        4,
    )
    assert again.status_changes == 0
    assert pool_counts() == before
    assert (
        list(ReferenceProfile.objects.order_by("pk").values_list("updated_at", flat=True)) == stamps
    )


def test_an_update_by_external_id_applies_changes_and_a_legal_status_step(
    program_manager, tmp_path
):
    pool_import(
        actor=program_manager,
        path_or_file=write_csv(
            tmp_path,
            HEADER + "Acme,A1,1121,US,10,Ledger,Ann,ann@acme.example,C1,quote,,8,invited,\n",
        ),
    )
    path = write_csv(
        tmp_path,
        HEADER
        + "Acme Inc,A1,1121,US,10,Ledger,Ann Lee,ann.lee@acme.example,C1,quote,roi,9,active,\n",
        "v2.csv",
    )

    result = pool_import(actor=program_manager, path_or_file=path)

    assert result.ok
    assert (result.accounts.updated, result.contacts.updated, result.references.updated) == (
        1,
        1,
        1,
    )
    contact = Contact.objects.get()
    assert (contact.name, contact.email, contact.account.name) == (
        "Ann Lee",
        "ann.lee@acme.example",
        "Acme Inc",
    )
    ref = contact.reference
    assert (ref.status, ref.nps, ref.topics) == ("active", 9, ["roi"])
    assert "acme inc" in ref.search_text and "ann lee" in ref.search_text
    change = ref.status_changes.first()
    assert (change.from_status, change.to_status, change.reason, change.changed_by) == (
        "invited",
        "active",
        "import",
        program_manager,
    )


def test_an_illegal_status_step_is_a_row_error_naming_the_allowed_steps(program_manager, tmp_path):
    ReferenceFactory(contact=ContactFactory(email="ann@acme.example"), status="active")
    path = write_csv(tmp_path, HEADER + "Acme,,1121,US,10,,Ann,ann@acme.example,,,,,invited,\n")
    result = pool_import(actor=program_manager, path_or_file=path)
    assert len(result.errors) == 1
    error = result.errors[0]
    assert (error.line, error.field) == (2, "status")
    assert "paused, retired" in error.message
    assert ReferenceProfile.objects.get().status == "active"


def test_an_email_in_another_case_is_the_same_contact(program_manager, tmp_path):
    ReferenceFactory(
        contact=ContactFactory(email="ann@acme.example", name="Ann"), status="active", nps=9
    )
    path = write_csv(tmp_path, "account,contact,email,nps\nAcme,Ann,ANN@Acme.Example,10\n")
    result = pool_import(actor=program_manager, path_or_file=path)
    assert result.ok and result.contacts.created == 0 and result.references.updated == 1
    assert ReferenceProfile.objects.get().nps == 10


def test_dry_run_writes_nothing_but_reports_what_would_change(program_manager):
    result = pool_import(
        actor=program_manager, path_or_file=DATA / "messy_utf8_bom_semicolon.csv", dry_run=True
    )
    assert result.ok and not result.written
    assert (result.accounts.created, result.contacts.created, result.references.created) == (
        3,
        4,
        4,
    )
    assert result.owners_created == 2 and result.samples[0]["line"] == 2
    assert pool_counts() == (0, 0, 0, 0)
    assert not User.objects.filter(email="new.rep@vendor.example").exists()
    assert Product.objects.count() == 0


def test_an_xlsx_workbook_goes_in(program_manager, tmp_path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(
        ["Account", "Contact", "Email", "Employees", "NPS", "Live since", "External ID", "Status"]
    )
    sheet.append(
        [
            "Excel Co",
            "Eve Excel",
            "eve@excel.example",
            250.0,
            9,
            dt.datetime(2023, 4, 5),
            12345,
            "Active",
        ]
    )
    sheet.append([None, None, None])
    sheet.append(["Excel Co", "Ed Excel", "ed@excel.example", None, 11, None, None, None])
    path = tmp_path / "pool.xlsx"
    workbook.save(path)

    bad = pool_import(actor=program_manager, path_or_file=path)
    assert [str(e) for e in bad.errors] == ["line 4: nps: must be between 0 and 10"]

    sheet.cell(row=4, column=5).value = 7
    workbook.save(path)
    result = pool_import(actor=program_manager, path_or_file=path)
    assert result.ok
    eve = Contact.objects.get(email="eve@excel.example")
    assert eve.external_id == "12345" and eve.account.employees == 250
    assert eve.account.live_since == dt.date(2023, 4, 5) and eve.reference.status == "active"


@pytest.mark.parametrize(
    ("content", "name", "reason"),
    [
        (b"", "empty.csv", "is empty"),
        (b"account,contact,email\n", "header.csv", "no rows"),
        (b"name,phone\nAnn,1\n", "cols.csv", "no account, email column"),
        (b"PK\x03\x04not really a zip", "broken.xlsx", "not a valid Excel workbook"),
        (b"garbage that is not a workbook", "broken.xlsx", "not a valid Excel workbook"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "picture.csv", "not a spreadsheet"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "old.xls", "old Excel"),
    ],
)
def test_files_that_are_not_importable_get_a_clear_error(
    program_manager, tmp_path, content, name, reason
):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(InvalidInput) as err:
        pool_import(actor=program_manager, path_or_file=path)
    assert reason in err.value.message
    assert not re.search(r"\b[A-Z][a-z]+[A-Z]\w*\b", err.value.message)  # no Python class names (BadZipFile)


def test_only_program_managers_import(other_rep):
    with pytest.raises(Forbidden):
        pool_import(actor=other_rep, path_or_file=DATA / "messy_cp1252.csv")


# ------------------------------------------------------------------------------------------ CLI


def test_cli_import_prints_a_summary_then_refuses_bad_rows_with_exit_code_1(
    program_manager, capsys
):
    assert main(["import", str(DATA / "messy_cp1252.csv"), "--actor", program_manager.email]) == 0
    assert "contacts" in capsys.readouterr().out

    assert main(["import", str(DATA / "bad_rows.csv")]) == 1
    out = capsys.readouterr().out
    assert "line 4: nps: must be between 0 and 10" in out.splitlines()
    assert Contact.objects.filter(email="good@good.example").count() == 0


def test_cli_dry_run_and_missing_file(capsys, tmp_path):
    assert main(["import", "--dry-run", str(DATA / "messy_cp1252.csv")]) == 0
    assert Contact.objects.count() == 0
    assert main(["import", str(tmp_path / "nope.csv")]) == 1
    assert "refdesk: No file" in capsys.readouterr().err


def test_cli_user_errors_are_one_line_and_exit_1(capsys, tmp_path):
    path = write_csv(tmp_path, "name,phone\nAnn,1\n")
    assert main(["import", str(path)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("refdesk: The file has no account") and "Traceback" not in err


# ------------------------------------------------------------------------------------------ web


def test_web_upload_previews_then_confirm_imports(client_for, program_manager):
    client = client_for(program_manager)
    upload = SimpleUploadedFile(
        "pool.csv", (DATA / "messy_utf8_bom_semicolon.csv").read_bytes(), content_type="text/csv"
    )

    preview = client.post(reverse("pool:import"), {"file": upload})

    assert preview.status_code == 200
    assert b"Anna M\xc3\xbcller" in preview.content and b"Import 4 rows" in preview.content
    assert Contact.objects.count() == 0
    stored = client.session["pool_import_upload"]
    assert "/" not in stored["name"]

    done = client.post(reverse("pool:import-confirm"))

    assert done.status_code == 200 and b"Import done" in done.content
    assert Contact.objects.count() == 4
    assert "pool_import_upload" not in client.session
    again = client.post(reverse("pool:import-confirm"))
    assert again.status_code == 400 and Contact.objects.count() == 4


def test_web_preview_lists_bad_rows_and_offers_no_confirm(client_for, program_manager):
    client = client_for(program_manager)
    upload = SimpleUploadedFile(
        "bad.csv", (DATA / "bad_rows.csv").read_bytes(), content_type="text/csv"
    )
    response = client.post(reverse("pool:import"), {"file": upload})
    assert response.status_code == 422
    assert b"must be between 0 and 10" in response.content
    assert reverse("pool:import-confirm").encode() not in response.content
    assert client.post(reverse("pool:import-confirm")).status_code == 400
    assert Contact.objects.count() == 0


def test_web_import_is_for_program_managers_only(client_for, other_rep):
    client = client_for(other_rep)
    assert client.get(reverse("pool:import")).status_code == 403
    assert client.post(reverse("pool:import-confirm")).status_code == 403
    assert client.get(reverse("pool:export") + "?format=csv").status_code == 403


def test_web_export_downloads_csv_and_xlsx(client_for, program_manager):
    ReferenceFactory(contact=ContactFactory(email="ann@acme.example", name="Ann"))
    client = client_for(program_manager)
    csv_response = client.get(reverse("pool:export") + "?format=csv")
    assert csv_response.status_code == 200
    body = b"".join(csv_response.streaming_content).decode("utf-8-sig")
    assert body.splitlines()[0].startswith("account,") and "ann@acme.example" in body
    xlsx = client.get(reverse("pool:export") + "?format=xlsx")
    assert xlsx.status_code == 200
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(xlsx.streaming_content)), read_only=True)
    assert list(workbook.active.iter_rows(values_only=True))[1][13] == "ann@acme.example"


# ------------------------------------------------------------------------------------------ API


def test_api_import_dry_run_then_real(client_for, program_manager):
    client = client_for(program_manager)
    content = (DATA / "messy_cp1252.csv").read_bytes()
    dry = client.post(
        "/api/imports", {"file": SimpleUploadedFile("p.csv", content), "dry_run": "true"}
    )
    assert dry.status_code == 200, dry.content
    assert dry.json()["contacts"]["created"] == 2 and dry.json()["written"] is False
    assert Contact.objects.count() == 0

    real = client.post("/api/imports", {"file": SimpleUploadedFile("p.csv", content)})
    assert real.status_code == 200 and real.json()["written"] is True
    assert Contact.objects.count() == 2


def test_api_import_bad_rows_is_422_with_the_errors(client_for, program_manager):
    client = client_for(program_manager)
    response = client.post(
        "/api/imports",
        {"file": SimpleUploadedFile("bad.csv", (DATA / "bad_rows.csv").read_bytes())},
    )
    assert response.status_code == 422
    errors = response.json()["details"]["errors"]
    assert {"line": 4, "field": "nps", "message": "must be between 0 and 10"} in errors
    assert Contact.objects.count() == 0


def test_api_import_and_export_are_for_program_managers_only(client_for, other_rep):
    client = client_for(other_rep)
    response = client.post(
        "/api/imports", {"file": SimpleUploadedFile("p.csv", b"account,contact,email\n")}
    )
    assert response.status_code == 403
    assert client.get("/api/exports/references.csv").status_code == 403


def test_api_export_csv(client_for, program_manager):
    ReferenceFactory(contact=ContactFactory(email="ann@acme.example"))
    response = client_for(program_manager).get("/api/exports/references.csv")
    assert response.status_code == 200
    assert "ann@acme.example" in b"".join(response.streaming_content).decode("utf-8-sig")
