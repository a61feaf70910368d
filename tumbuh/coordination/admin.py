from django.contrib import admin

from .models import Agency, Deadline, PublicPage

admin.site.register(Agency, list_display=["code", "name", "region"], list_filter=["region"])
admin.site.register(Deadline, list_display=["title", "due_date", "region"])
admin.site.register(PublicPage, list_display=["region", "enabled"])
