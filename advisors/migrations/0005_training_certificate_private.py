"""Training certificates move from the public media folder to private storage."""

from django.conf import settings
from django.db import migrations, models

import ascru_pie.lib.storage
from ascru_pie.lib.storage import files_move


def _names(apps):
    Training = apps.get_model("advisors", "Training")
    return Training.objects.exclude(certificate="").values_list("certificate", flat=True)


def to_private(apps, schema_editor):
    files_move(names=_names(apps), source=settings.MEDIA_ROOT, target=settings.PRIVATE_MEDIA_ROOT)


def to_public(apps, schema_editor):
    files_move(names=_names(apps), source=settings.PRIVATE_MEDIA_ROOT, target=settings.MEDIA_ROOT)


class Migration(migrations.Migration):
    dependencies = [
        ("advisors", "0004_constraint_messages"),
    ]

    operations = [
        migrations.AlterField(
            model_name="training",
            name="certificate",
            field=models.FileField(
                blank=True,
                storage=ascru_pie.lib.storage.private_storage,
                upload_to="training-certificates/%Y/",
            ),
        ),
        migrations.RunPython(to_private, to_public, elidable=False),
    ]
