"""Indexes for the pool's "Highest NPS" order on PostgreSQL (nps DESC NULLS LAST, then name).

PostgreSQL sorts NULLs first in a descending order, so the plain (nps, sort_name, id) indexes
cannot serve `nps DESC NULLS LAST, sort_name, id`: a page of the pool sorted by NPS sorted every
matching reference first. SQLite has no NULLS clause in an index (and sorts NULLs last in
descending order already), so these exist on PostgreSQL only and are not in the model's Meta.
"""

from django.db import migrations

INDEXES = {
    "reference_status_npsdesc_idx": "(status, nps DESC NULLS LAST, sort_name, id)",
    "reference_npsdesc_idx": "(nps DESC NULLS LAST, sort_name, id)",
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, columns in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON pool_referenceprofile {columns}")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("pool", "0010_reference_country_industry")]

    operations = [migrations.RunPython(create, drop)]
