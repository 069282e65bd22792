# Bank details entered by staff wait for the advisor or a second member of staff (issue 13).

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("payments", "0002_submission_keys_batch_counter_bounds"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="bankdetailschange",
            name="status",
            field=models.CharField(
                choices=[
                    ("pending", "Waiting for confirmation"),
                    ("applied", "In use"),
                    ("cancelled", "Replaced before it was confirmed"),
                ],
                default="applied",
                max_length=10,
            ),
        ),
        migrations.AddField(
            model_name="bankdetailschange",
            name="account_name",
            field=models.CharField(blank=True, max_length=100),
        ),
        migrations.AddField(
            model_name="bankdetailschange",
            name="sort_code_encrypted",
            field=models.TextField(blank=True),
        ),
        migrations.AddField(
            model_name="bankdetailschange",
            name="account_number_encrypted",
            field=models.TextField(blank=True),
        ),
        migrations.AddField(
            model_name="bankdetailschange",
            name="confirmed_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="bankdetailschange",
            name="confirmed_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddConstraint(
            model_name="bankdetailschange",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("confirmed_by__isnull", True),
                    models.Q(("confirmed_by", models.F("by")), _negated=True),
                    _connector="OR",
                ),
                name="payments_bank_change_confirmed_by_another",
                violation_error_message="Whoever entered these details cannot confirm them.",
            ),
        ),
    ]
