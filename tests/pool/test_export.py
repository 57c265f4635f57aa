"""`refdesk export`: the import's columns; export then import into an empty pool gives the same pool."""

import io

import openpyxl
import pytest
from django.db import connection

from refdesk.cli import main
from refdesk.pool import services
from refdesk.pool.exporting import EXPORT_COLUMNS, export_csv, export_xlsx
from refdesk.pool.importing import COLUMNS, pool_import
from refdesk.pool.models import (
    Account,
    ConsentRecord,
    Contact,
    Product,
    ReferenceProfile,
    ReferenceStatusChange,
)

pytestmark = pytest.mark.django_db


def build_pool(pm):
    """A small pool with every kind of value: free-text industry, lists, dates, owners, statuses."""
    ranch = services.account_create(
        actor=pm,
        name="Prairie Cattle Co",
        industry="cattle ranch",
        country="US",
        employees=1200,
        products="Ledger; Payroll",
        owner_email="olivia@vendor.example",
        live_since="2022-03-01",
        external_id="A-1",
        gift_policy="donation_only",
    )
    bank = services.account_create(
        actor=pm,
        name="Hafen Bank AG",
        industry="522110",
        country="DE",
        matching_blocked=True,
        blocked_reason="Renewal, don't ask",
        products="Vault",
    )
    quiet = services.account_create(actor=pm, name="Quiet Co")
    people = [
        (
            ranch,
            dict(
                name="Anna Müller",
                email="anna@prairie.example",
                title="CFO",
                languages="de; en",
                time_zone="America/Chicago",
                phone="+1 555 0100",
                external_id="C-1",
            ),
            dict(
                status="active",
                activity_types="reference_call; case_study",
                topics="onboarding; roi",
                competitors_displaced="Globex",
                testimonial_channels="web; press",
                testimonial_expires="2026-01-31",
                nps=9,
                nps_date="2025-01-15",
                csat=5,
                csat_date="2025-02-01",
                notes='Likes "short" calls,\nprefers mornings; no Fridays',
            ),
        ),
        (ranch, dict(name="Bob Stone", email="bob@prairie.example"), dict(status="candidate")),
        (
            bank,
            dict(name="Jürgen Groß", email="jurgen@hafen.example", title="=SUM(A1)"),
            dict(status="declined", opted_out=True),
        ),
        (
            quiet,
            dict(name="Åsa Lind", email="asa@quiet.example"),
            dict(status="invited", topics="security"),
        ),
    ]
    for account, contact_fields, reference_fields in people:
        contact = services.contact_create(actor=pm, account=account, **contact_fields)
        services.reference_create(actor=pm, contact=contact, **reference_fields)


def canonical_dump() -> list[tuple]:
    """Everything a user sees of the pool, keyed by email, without ids and timestamps."""
    rows = []
    for r in ReferenceProfile.objects.select_related("contact__account__owner").order_by(
        "contact__email"
    ):
        c, a = r.contact, r.contact.account
        rows.append(
            (
                (
                    a.name,
                    a.external_id,
                    a.industry_id,
                    a.industry_text,
                    a.country,
                    a.employees,
                    a.live_since,
                    a.owner.email if a.owner else None,
                    a.gift_policy,
                    a.matching_blocked,
                    a.blocked_reason,
                    tuple(sorted(p.name for p in a.products.all())),
                ),
                (c.name, c.email, c.title, c.phone, tuple(c.languages), c.time_zone, c.external_id),
                (
                    r.status,
                    tuple(r.activity_types),
                    tuple(r.topics),
                    tuple(r.competitors_displaced),
                    tuple(r.testimonial_channels),
                    r.testimonial_expires,
                    r.nps,
                    r.nps_date,
                    r.csat,
                    r.csat_date,
                    r.opted_out,
                    r.notes,
                    r.search_text,
                ),
            )
        )
    return rows


def empty_the_pool():
    """Delete every pool row with plain SQL (nothing else refers to them in these tests)."""
    models = [
        ConsentRecord,
        ReferenceStatusChange,
        ReferenceProfile,
        Contact,
        Account.products.through,
        Account,
        Product,
    ]
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")
    assert (
        ReferenceProfile.objects.count() == Account.objects.count() == Product.objects.count() == 0
    )


def test_every_export_column_is_an_import_column():
    assert set(EXPORT_COLUMNS) <= set(COLUMNS)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_then_import_into_an_empty_pool_gives_the_same_pool(program_manager, tmp_path, fmt):
    build_pool(program_manager)
    before = canonical_dump()
    assert len(before) == 4
    path = tmp_path / f"pool.{fmt}"
    if fmt == "csv":
        with open(path, "w", encoding="utf-8", newline="") as out:
            assert export_csv(out, actor=program_manager) == 4
    else:
        assert export_xlsx(path, actor=program_manager) == 4

    empty_the_pool()
    result = pool_import(actor=program_manager, path_or_file=path)

    assert result.ok, [str(e) for e in result.errors]
    assert (result.accounts.created, result.contacts.created) == (3, 4)
    assert canonical_dump() == before
    again = pool_import(actor=program_manager, path_or_file=path)
    assert (again.accounts.unchanged, again.contacts.unchanged, again.references.unchanged) == (
        3,
        4,
        4,
    )


def test_reimporting_an_export_of_a_live_pool_changes_nothing(program_manager, tmp_path):
    build_pool(program_manager)
    path = tmp_path / "pool.csv"
    with open(path, "w", encoding="utf-8", newline="") as out:
        export_csv(out, actor=program_manager)
    changes = ReferenceStatusChange.objects.count()
    result = pool_import(actor=program_manager, path_or_file=path)
    assert result.ok
    assert (result.accounts.updated, result.contacts.updated, result.references.updated) == (
        0,
        0,
        0,
    )
    assert ReferenceStatusChange.objects.count() == changes


def test_xlsx_export_keeps_formula_like_text_as_text(program_manager, tmp_path):
    build_pool(program_manager)
    path = tmp_path / "pool.xlsx"
    export_xlsx(path, actor=program_manager)
    rows = list(openpyxl.load_workbook(path).active.iter_rows(values_only=True))
    header = rows[0]
    titles = [row[header.index("title")] for row in rows[1:]]
    assert "=SUM(A1)" in titles


def test_cli_export_to_a_file_and_to_stdout(program_manager, tmp_path, capsys):
    build_pool(program_manager)
    assert main(["export", str(tmp_path / "out.xlsx")]) == 0
    assert openpyxl.load_workbook(tmp_path / "out.xlsx").active.max_row == 5
    capsys.readouterr()
    assert main(["export", "--format", "csv", "-"]) == 0
    out = capsys.readouterr().out
    lines = io.StringIO(out.lstrip("\ufeff")).read().splitlines()
    assert lines[0].split(",")[:3] == ["account", "account_external_id", "industry"]
    assert any("anna@prairie.example" in line for line in lines)
    assert main(["export", str(tmp_path / "out.pdf")]) == 1
