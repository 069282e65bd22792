from django.apps import AppConfig, apps
from django.db.models.signals import post_migrate


def _sync_roles(sender, **kwargs) -> None:
    # post_migrate is sent once per app; permissions of every app exist only after the
    # last one, so sync then.
    if sender.label != list(apps.get_app_configs())[-1].label:
        return
    from django.contrib.auth.models import Group, Permission

    from .roles import roles_sync

    roles_sync(group_model=Group, permission_model=Permission)


class AscruPieConfig(AppConfig):
    name = "ascru_pie"
    verbose_name = "Accounts and roles"

    def ready(self) -> None:
        post_migrate.connect(_sync_roles, dispatch_uid="ascru_pie.sync_roles")
