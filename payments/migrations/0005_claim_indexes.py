# Indexes for the claims queue, the admin's default order and the at-risk list (issue 16).

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("payments", "0004_bank_details_history"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="claim",
            index=models.Index(fields=["status", "created_at", "id"], name="payments_claim_queue"),
        ),
        migrations.AddIndex(
            model_name="claim",
            index=models.Index(fields=["-activity_date", "-id"], name="payments_claim_newest"),
        ),
        migrations.AddIndex(
            model_name="claim",
            index=models.Index(
                condition=models.Q(("status__in", ["submitted", "approved", "in_batch"])),
                fields=["activity_date"],
                name="payments_claim_unpaid",
            ),
        ),
    ]
