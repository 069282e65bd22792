"""Create the role groups with their model permissions (see ascru_pie/roles.py)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations


def create_roles(apps, schema_editor):
    # Permissions are normally created after migrate; make them now so the groups get them.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0)
        app_config.models_module = None
    from ascru_pie.roles import roles_sync

    roles_sync(
        group_model=apps.get_model("auth", "Group"),
        permission_model=apps.get_model("auth", "Permission"),
    )


def remove_roles(apps, schema_editor):
    from ascru_pie.roles import EDI_ACCESS_GROUP, ROLE_PERMISSIONS

    apps.get_model("auth", "Group").objects.filter(
        name__in=[*map(str, ROLE_PERMISSIONS), EDI_ACCESS_GROUP]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("ascru_pie", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
