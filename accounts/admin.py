from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "display_name", "email", "role_line", "is_staff", "date_joined")
    search_fields = ("username", "display_name", "email")
    list_filter = ("is_staff", "is_superuser", "is_active", "groups")
    fieldsets = BaseUserAdmin.fieldsets + (
        (
            "Forum",
            {"fields": ("display_name", "role_line", "suspended_until", "suspension_reason")},
        ),
    )
