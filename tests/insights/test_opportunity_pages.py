"""The opportunities page: list, stage filter, CSV/XLSX upload with row errors, the one-opportunity form, who may do what."""

import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import resolve

from refdesk.insights import forms as opportunity_forms
from refdesk.insights.models import Opportunity, RequestOpportunity

pytestmark = pytest.mark.django_db

URL = "/insights/opportunities/"
EDIT = "/insights/opportunities/edit/"
HEADER = "crm_id,name,prospect,owner_email,amount,stage,created_on,closed_on\n"
GOOD = HEADER + (
    "006-A,Big deal,Acme Bank,olivia@vendor.example,12000,open,2026-05-01,\n"
    "006-B,,Globex,,500,closed won,2026-04-01,2026-06-01\n"
)


def csv_file(text: str, name: str = "crm.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def upload(client, file):
    return client.post(URL, {"file": file})


def test_the_url_is_the_opportunities_page_not_a_figure(client_for, program):
    assert resolve(URL).url_name == "opportunity-list"
    assert client_for(program.pm).get("/insights/opportunities/rows/").status_code == 404


def test_an_executive_reads_the_list_but_gets_no_upload_form(client_for, program):
    client = client_for(program.executive)
    response = client.get(URL)
    text = response.content.decode()
    assert response.status_code == 200
    assert "Prospect O1" in text and "Prospect O9" in text
    assert 'type="file"' not in text and "Add an opportunity" not in text
    assert upload(client, csv_file(GOOD)).status_code == 403
    assert client.get(EDIT).status_code == 403
    assert client.post(EDIT, {"crm_id": "X"}).status_code == 403
    assert not Opportunity.objects.filter(crm_id__startswith="006-").exists()


@pytest.mark.parametrize("who", ["olivia", "rita"])
def test_salespeople_and_requesters_can_neither_read_nor_upload(client_for, program, who):
    client = client_for(getattr(program, who))
    assert client.get(URL).status_code == 403
    assert upload(client, csv_file(GOOD)).status_code == 403
    assert client.get(EDIT).status_code == 403
    assert (
        client.post(EDIT, {"crm_id": "X", "prospect": "Y", "created_on": "2026-01-01"}).status_code
        == 403
    )
    assert not Opportunity.objects.filter(crm_id__startswith="006-").exists()


def test_the_list_shows_influence_and_linked_requests_and_filters_by_stage(client_for, program):
    client = client_for(program.pm)
    text = client.get(URL).content.decode()
    assert "9 opportunities" in text
    # O1 is linked to R1, whose activity was completed: influenced, one request.
    row = text.split('title="Edit">O1</a>')[1].split("</tr>")[0]
    assert "Yes" in row and '<td data-label="Requests">1</td>' in row
    row = text.split('title="Edit">O2</a>')[1].split("</tr>")[0]
    assert "No" in row and '<td data-label="Requests">0</td>' in row
    won = client.get(URL, {"stage": "won"}).content.decode()
    assert "3 opportunities" in won and "Prospect O1" in won and "Prospect O3" not in won
    odd = client.get(URL, {"stage": "maybe"})
    assert odd.status_code == 200 and "9 opportunities" in odd.content.decode()
    assert "Choose a stage from the list" in odd.content.decode()


def test_the_list_is_paginated_in_a_fixed_number_of_queries(
    client_for, program, django_assert_max_num_queries
):
    Opportunity.objects.bulk_create(
        Opportunity(crm_id=f"P{n:03}", prospect=f"Bulk {n}", created_on=dt.date(2026, 1, 1))
        for n in range(60)
    )
    client = client_for(program.pm)
    with django_assert_max_num_queries(8):
        first = client.get(URL)
    assert "69 opportunities" in first.content.decode() and "Page 1 of 2" in first.content.decode()
    second = client.get(URL, {"page": 2}).content.decode()
    assert "Page 2 of 2" in second and second.count('data-label="CRM id"') == 19


def test_a_program_manager_uploads_a_csv_and_sees_the_counts(client_for, program):
    client = client_for(program.pm)
    response = upload(client, csv_file(GOOD))
    text = response.content.decode()
    assert response.status_code == 200
    assert "Imported crm.csv" in text and '<dd id="result-created">2</dd>' in text
    assert "Acme Bank" in text  # the list under the result already has them
    a = Opportunity.objects.get(crm_id="006-A")
    assert (a.amount, a.owner, a.stage) == (Decimal("12000.00"), program.olivia, "open")
    assert Opportunity.objects.get(crm_id="006-B").stage == "won"
    again = upload(client, csv_file(GOOD)).content.decode()
    assert '<dd id="result-created">0</dd>' in again and '<dd id="result-unchanged">2</dd>' in again


def test_a_program_manager_uploads_an_xlsx(client_for, program):
    book = openpyxl.Workbook()
    book.active.append(
        ["CRM ID", "Prospect", "Stage", "Created On", "Closed On", "Amount", "Request IDs"]
    )
    book.active.append(
        [
            "006-X",
            "Initech",
            "lost",
            dt.date(2026, 1, 2),
            dt.date(2026, 3, 4),
            250,
            program.requests[4].pk,
        ]
    )
    data = io.BytesIO()
    book.save(data)
    xlsx = SimpleUploadedFile("crm.xlsx", data.getvalue())
    response = upload(client_for(program.pm), xlsx)
    assert response.status_code == 200
    assert '<dd id="result-created">1</dd>' in response.content.decode()
    x = Opportunity.objects.get(crm_id="006-X")
    assert (x.stage, x.closed_on, x.amount) == ("lost", dt.date(2026, 3, 4), Decimal("250.00"))
    assert RequestOpportunity.objects.get(request=program.requests[4]).opportunity == x


def test_bad_rows_are_listed_with_their_row_and_nothing_is_written(client_for, program):
    text = HEADER + (
        "006-A,,Acme,,100,open,2026-05-01,\n"
        ",,NoId,,abc,won,2026-05-01,\n"
        "006-A,,Again,,1,open,2026-05-01,\n"
        "006-C,,Late,,1,lost,2026-05-01,2026-04-01\n"
    )
    response = upload(client_for(program.pm), csv_file(text))
    page = response.content.decode()
    assert response.status_code == 422
    assert "Nothing imported from crm.csv" in page and "nothing was written" in page
    assert "<td>3</td><td>crm_id</td><td>is required</td>" in page
    assert "<td>3</td><td>amount</td><td>&#x27;abc&#x27; is not an amount</td>" in page
    assert "<td>4</td><td>crm_id</td><td>&#x27;006-A&#x27; is also on line 2</td>" in page
    assert "<td>5</td><td>closed_on</td><td>must not be before created_on</td>" in page
    assert not Opportunity.objects.filter(crm_id__startswith="006-").exists()


def test_a_missing_column_is_reported_on_row_one(client_for, program):
    response = upload(client_for(program.pm), csv_file("crm_id,name\n006-A,x\n"))
    assert response.status_code == 422
    assert (
        "<td>1</td><td>—</td><td>missing column(s): prospect, created_on</td>"
        in response.content.decode()
    )


@pytest.mark.parametrize(
    "file, message",
    [
        (
            SimpleUploadedFile("deck.pdf", b"%PDF-1.4 nothing"),
            "deck.pdf is not a spreadsheet we read",
        ),
        (SimpleUploadedFile("empty.csv", b""), "The submitted file is empty"),
        (SimpleUploadedFile("blank.csv", b"   \n\n"), "blank.csv is empty"),
        (
            SimpleUploadedFile("old.xlsx", b"\xd0\xcf\x11\xe0" + b"\x00" * 64),
            "old Excel (.xls) workbook",
        ),
        (
            SimpleUploadedFile("fake.xlsx", b"PK\x03\x04not really a zip"),
            "fake.xlsx is not a valid Excel workbook",
        ),
        (
            SimpleUploadedFile("image.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"),
            "image.csv is not a spreadsheet",
        ),
    ],
    ids=["pdf", "empty", "blank", "xls", "broken-xlsx", "binary-csv"],
)
def test_a_file_that_is_not_a_spreadsheet_is_refused_on_the_form(
    client_for, program, file, message
):
    response = upload(client_for(program.pm), file)
    assert response.status_code == 422
    assert message in response.content.decode()
    assert Opportunity.objects.count() == 9


def test_no_file_at_all_is_a_form_error(client_for, program):
    response = client_for(program.pm).post(URL, {})
    assert response.status_code == 422 and "This field is required" in response.content.decode()


def test_an_oversized_file_is_refused_before_it_is_read(client_for, program, monkeypatch):
    monkeypatch.setattr(opportunity_forms, "MAX_UPLOAD_BYTES", 100)
    response = upload(client_for(program.pm), csv_file(GOOD * 3))
    assert response.status_code == 422
    assert "the limit here is" in response.content.decode()
    assert not Opportunity.objects.filter(crm_id__startswith="006-").exists()


def test_the_one_opportunity_form_adds_one(client_for, program):
    client = client_for(program.pm)
    assert client.get(EDIT).status_code == 200
    response = client.post(EDIT, {"crm_id": "006-N", "name": "Renewal", "prospect": "Hooli", "owner_email": "paul@vendor.example",
                                  "amount": "1,500.50", "stage": "won", "created_on": "2026-02-01", "closed_on": "2026-03-01"})  # fmt: skip
    assert response.status_code == 302 and response["Location"] == URL
    n = Opportunity.objects.get(crm_id="006-N")
    assert (n.owner, n.amount, n.stage) == (program.paul, Decimal("1500.50"), "won")
    assert "Opportunity 006-N created." in client.get(URL).content.decode()


def test_the_one_opportunity_form_shows_each_problem_beside_its_field(client_for, program):
    client = client_for(program.pm)
    response = client.post(EDIT, {"crm_id": "006-N", "prospect": "Hooli", "amount": "lots", "stage": "won",
                                  "created_on": "2026-02-01", "owner_email": "not-an-email"})  # fmt: skip
    text = response.content.decode()
    assert response.status_code == 422
    assert "Closed on is required for a won or lost opportunity." in text
    assert "Amount &#x27;lots&#x27; is not an amount." in text
    assert "not a valid email address" in text
    missing = client.post(EDIT, {"stage": "open"})
    assert (
        missing.status_code == 422 and missing.content.decode().count("This field is required") == 3
    )
    assert not Opportunity.objects.filter(crm_id="006-N").exists()


def test_editing_an_opportunity_starts_from_what_it_is(client_for, program):
    client = client_for(program.pm)
    page = client.get(EDIT, {"crm_id": "O5"}).content.decode()
    assert 'value="Prospect O5"' in page and 'value="700.00"' in page and "readonly" in page
    response = client.post(f"{EDIT}?crm_id=O5", {"crm_id": "O5", "prospect": "Prospect O5", "amount": "800", "stage": "won",
                                                 "created_on": "2026-05-01", "closed_on": "2026-06-28"})  # fmt: skip
    assert response.status_code == 302
    o5 = Opportunity.objects.get(crm_id="O5")
    assert (o5.amount, o5.stage) == (Decimal("800.00"), "won")
    assert (
        RequestOpportunity.objects.get(opportunity=o5).request == program.requests[2]
    )  # the link stays
    assert client.get(EDIT, {"crm_id": "NOPE"}).status_code == 404


def test_editing_saves_the_opportunity_on_the_page_whatever_crm_id_is_posted(client_for, program):
    client = client_for(program.pm)
    before = Opportunity.objects.get(crm_id="O4")
    response = client.post(f"{EDIT}?crm_id=O5", {"crm_id": "O4", "prospect": "Renamed", "amount": "900", "stage": "open",
                                                 "created_on": "2026-05-01"})  # fmt: skip
    assert response.status_code == 302
    assert Opportunity.objects.get(crm_id="O5").prospect == "Renamed"
    after = Opportunity.objects.get(crm_id="O4")
    assert (after.prospect, after.amount) == (before.prospect, before.amount)


def test_the_dashboard_and_the_navigation_link_to_the_page(client_for, program):
    home = client_for(program.executive).get("/insights/").content.decode()
    assert f'href="{URL}">CRM opportunities</a>' in home
    assert f'href="{URL}" >Opportunities</a>' in home
    assert f'href="{URL}"' not in client_for(program.olivia).get("/requests/").content.decode()


def test_an_owner_email_too_long_for_the_user_table_is_a_row_error(client_for, program):
    email = "a" * 60 + "@" + ".".join(["b" * 60] * 4) + ".com"  # valid in form, 309 characters
    response = upload(
        client_for(program.pm),
        csv_file(f"crm_id,prospect,created_on,owner_email\nL1,Acme,2026-01-01,{email}\n"),
    )
    assert response.status_code == 422
    assert (
        "<td>2</td><td>owner_email</td><td>is longer than 254 characters</td>"
        in response.content.decode()
    )
