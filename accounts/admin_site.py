from allauth.account.decorators import secure_admin_login
from django.contrib import admin

from forum.decorators import staff_mfa_required


class ForumAdminSite(admin.AdminSite):
    def admin_view(self, view, cacheable=False):
        # admin_view checks staff status first, then our MFA requirement.
        return super().admin_view(staff_mfa_required(view), cacheable)

    def login(self, request, extra_context=None):
        # The admin's own login form would skip allauth's rate limits and MFA.
        return secure_admin_login(super().login)(request, extra_context)
