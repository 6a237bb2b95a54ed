from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class AccountsConfig(AppConfig):
    name = "accounts"
    default = True


class ForumAdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin with our site: login through allauth, MFA for staff."""

    default = False
    default_site = "accounts.admin_site.ForumAdminSite"
