"""Products get `updated_at`, so that the pool's change stamps see a product renamed (the pool page's
filters list the products and are remembered until the pool changes)."""

import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("pool", "0011_nps_desc_indexes")]

    operations = [
        migrations.AddField(
            model_name="product",
            name="updated_at",
            field=models.DateTimeField(auto_now=True, default=django.utils.timezone.now),
            preserve_default=False,
        ),
    ]
