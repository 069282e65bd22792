from django.apps import AppConfig, apps
from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import post_migrate

from .roles import roles_sync
from .sessions import session_mark_login


def _sync_roles(sender, **kwargs) -> None:
    # post_migrate is sent once per app that has models; permissions of every app exist
    # only after the last one, so sync then.
    with_models = [c for c in apps.get_app_configs() if c.models_module is not None]
    if sender.label != with_models[-1].label:
        return
    from django.contrib.auth.models import Group, Permission

    roles_sync(group_model=Group, permission_model=Permission)


class AscruPieConfig(AppConfig):
    name = "ascru_pie"
    verbose_name = "Accounts and roles"

    def ready(self) -> None:
        post_migrate.connect(_sync_roles, dispatch_uid="ascru_pie.sync_roles")
        user_logged_in.connect(session_mark_login, dispatch_uid="ascru_pie.session_mark_login")
