from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from .models import User, WorkerHeartbeat


@admin.register(User)
class AscruUserAdmin(UserAdmin):
    list_display = ("username", "first_name", "last_name", "email", "is_active", "role_list")
    list_filter = ("groups", "is_active", "is_staff")
    search_fields = ("username", "first_name", "last_name", "email")

    @admin.display(description="Roles")
    def role_list(self, obj: User) -> str:
        return ", ".join(sorted(g.name for g in obj.groups.all()))

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(admin.ModelAdmin):
    list_display = ("token", "created_at")
