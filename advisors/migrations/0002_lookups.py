"""The fixed list of lived-experience types and a starting list of topics."""

from django.db import migrations

LIVED_EXPERIENCE = [
    ("uses_care", "I use social care services"),
    ("unpaid_carer", "I am an unpaid carer"),
    ("former_carer", "I used to be an unpaid carer"),
    ("family_member", "A family member uses social care"),
    ("other", "Other experience"),
]
TOPICS = [
    "Care at home",
    "Care homes",
    "Unpaid carers",
    "Social care workforce",
    "Mental health and wellbeing",
    "Learning disability and autism",
    "Dementia",
    "Housing and care",
    "Digital technology in care",
    "Paying for care",
]


def forwards(apps, schema_editor):
    LivedExperience = apps.get_model("advisors", "LivedExperience")
    Topic = apps.get_model("advisors", "Topic")
    for order, (code, label) in enumerate(LIVED_EXPERIENCE):
        LivedExperience.objects.update_or_create(
            code=code, defaults={"label": label, "order": order}
        )
    for order, name in enumerate(TOPICS):
        Topic.objects.get_or_create(name=name, defaults={"order": order})


class Migration(migrations.Migration):
    dependencies = [("advisors", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
