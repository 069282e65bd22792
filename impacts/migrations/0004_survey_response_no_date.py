"""Anonymous survey answers lose their date, and every existing answer is rewritten in a
random order, so answers already stored can no longer be matched to receipts either."""

import random
import uuid

from django.db import migrations, models


def forget_order(apps, schema_editor) -> None:
    SurveyResponse = apps.get_model("impacts", "SurveyResponse")
    SurveyResponse.objects.filter(advisor__isnull=True).update(submitted_on=None)
    fields = [f.attname for f in SurveyResponse._meta.concrete_fields if f.name != "id"]
    rows = list(SurveyResponse.objects.values("id", *fields))
    random.SystemRandom().shuffle(rows)
    SurveyResponse.objects.all().delete()
    # New random ids: the ids written before this migration came from uuid4 too, but a fresh
    # set means nothing noted down earlier (a log line, a backup) matches any more.
    SurveyResponse.objects.bulk_create(
        SurveyResponse(id=uuid.uuid4(), **{name: row[name] for name in fields}) for row in rows
    )


class Migration(migrations.Migration):
    dependencies = [
        ("impacts", "0003_constraint_messages"),
    ]

    operations = [
        migrations.AlterModelOptions(name="surveyresponse", options={}),
        migrations.AlterField(
            model_name="surveyresponse",
            name="submitted_on",
            field=models.DateField(blank=True, null=True),
        ),
        migrations.RunPython(forget_order, migrations.RunPython.noop),
    ]
