from django.contrib import admin
from django.db import models

from ascru_pie.lib.storage import PrivateFileInput, private_file_link

from .models import Resource


@admin.register(Resource)
class ResourceAdmin(admin.ModelAdmin):
    """The advisors' library: the PIE team adds files (private) and links."""

    list_display = ["title", "kind", "shown_to_advisors", "what_it_holds", "updated_at"]
    list_filter = ["kind", "shown_to_advisors"]
    search_fields = ["title", "description"]
    fields = ["title", "kind", "description", "file", "link", "shown_to_advisors", "order"]
    # Resource files are private: link to the access-checked download, not to the file.
    formfield_overrides = {
        models.FileField: {"widget": PrivateFileInput(url_name="portal-resource")}
    }

    @admin.display(description="file or link")
    def what_it_holds(self, obj: Resource) -> str:
        if obj.file:
            return private_file_link(obj.file, url_name="portal-resource", args=[obj.pk])
        return obj.link
