from django.contrib import admin

from .models import Delivery


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    """The delivery log: every reminder, to whom, how, and whether it went."""

    list_display = (
        "created_at",
        "kind",
        "object_label",
        "recipient_name",
        "channel",
        "status",
        "attempts",
        "sent_at",
    )
    list_filter = ("status", "channel", "kind")
    search_fields = (
        "object_label",
        "recipient",
        "advisor__first_name",
        "advisor__last_name",
        "key",
    )
    list_select_related = ("advisor", "user")
    readonly_fields = [f.name for f in Delivery._meta.fields]

    @admin.display(description="To")
    def recipient_name(self, obj: Delivery) -> str:
        return str(obj.advisor or obj.user or obj.recipient)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        # The delivery log is evidence of what was sent: nobody deletes from it.
        return False
