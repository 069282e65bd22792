"""Advisors who had left before a Left status switched the login off (issue 14) could still
sign in. Switch their logins off now, as advisors.services.advisor_login_follow_status does:
inactive, and the session epoch raised so that every open session ends for good
(ascru_pie.models.User.session_epoch). Staff accounts are left alone, as there.

Not reversed: which logins were switched off here is not recorded, and switching a Left
advisor's login back on is what a status change back from Left does.
"""

from django.db import migrations
from django.db.models import F, Q

# ascru_pie.models.STAFF_ROLES when this was written (group names).
STAFF_GROUPS = ["pie_team", "finance", "manager", "edi_access"]


def switch_off_left_logins(apps, schema_editor) -> None:
    Advisor = apps.get_model("advisors", "Advisor")
    User = apps.get_model("ascru_pie", "User")
    left = Advisor.objects.filter(status="left", user__isnull=False).values("user_id")
    User.objects.filter(pk__in=left, is_active=True).exclude(
        Q(is_superuser=True) | Q(groups__name__in=STAFF_GROUPS)
    ).update(is_active=False, session_epoch=F("session_epoch") + 1)


class Migration(migrations.Migration):
    dependencies = [
        ("advisors", "0008_advisor_invitation_sent_at"),
        ("ascru_pie", "0003_user_session_epoch"),
    ]

    operations = [
        migrations.RunPython(switch_off_left_logins, migrations.RunPython.noop, elidable=True),
    ]
