from django.db import migrations, models


def named_as_now(advisor) -> str:
    # Advisor.acknowledged_as() as it is today (a migration sees no model methods).
    if advisor.acknowledgement == "anonymous":
        return "A Public Advisor"
    if advisor.acknowledgement == "initials":
        return f"{advisor.first_name[:1]}. {advisor.last_name[:1]}.".upper()
    return f"{advisor.first_name} {advisor.last_name}".strip()


def back_fill(apps, schema_editor):
    """Existing credits keep the name the advisor chooses today: the best we know of the
    name they were published with."""
    OutputCredit = apps.get_model("projects", "OutputCredit")
    credits = list(OutputCredit.objects.select_related("advisor"))
    for credit in credits:
        credit.named_as = named_as_now(credit.advisor)
    OutputCredit.objects.bulk_update(credits, ["named_as"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0004_interest_told_selection_events"),
    ]

    operations = [
        migrations.AddField(
            model_name="outputcredit",
            name="named_as",
            field=models.CharField(blank=True, max_length=200, verbose_name="named as"),
        ),
        migrations.RunPython(back_fill, migrations.RunPython.noop),
    ]
