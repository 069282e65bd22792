"""Meeting papers move from the public media folder to private storage."""

from django.conf import settings
from django.db import migrations, models

import ascru_pie.lib.storage
from ascru_pie.lib.storage import files_move


def _names(apps):
    MeetingPaper = apps.get_model("meetings", "MeetingPaper")
    return MeetingPaper.objects.exclude(file="").values_list("file", flat=True)


def to_private(apps, schema_editor):
    files_move(names=_names(apps), source=settings.MEDIA_ROOT, target=settings.PRIVATE_MEDIA_ROOT)


def to_public(apps, schema_editor):
    files_move(names=_names(apps), source=settings.PRIVATE_MEDIA_ROOT, target=settings.MEDIA_ROOT)


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0002_constraint_messages"),
    ]

    operations = [
        migrations.AlterField(
            model_name="meetingpaper",
            name="file",
            field=models.FileField(
                storage=ascru_pie.lib.storage.private_storage, upload_to="meeting-papers/%Y/"
            ),
        ),
        migrations.RunPython(to_private, to_public, elidable=False),
    ]
