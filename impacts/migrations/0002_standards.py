"""The six UK Standards for Public Involvement."""

from django.db import migrations

STANDARDS = [
    ("inclusive_opportunities", "Inclusive opportunities"),
    ("working_together", "Working together"),
    ("support_and_learning", "Support and learning"),
    ("communications", "Communications"),
    ("impact", "Impact"),
    ("governance", "Governance"),
]


def forwards(apps, schema_editor):
    Standard = apps.get_model("impacts", "Standard")
    for order, (code, name) in enumerate(STANDARDS):
        Standard.objects.update_or_create(code=code, defaults={"name": name, "order": order})


class Migration(migrations.Migration):
    dependencies = [("impacts", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
