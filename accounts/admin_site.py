from functools import wraps

from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import reverse

from forum import permissions
from forum.decorators import staff_mfa_required


class ForumAdminSite(admin.AdminSite):
    """The back office, behind the same rule book as the pages: each
    ModelAdmin asks forum/permissions.py, and the site lets in only staff who
    may use it (permissions.can_use_admin)."""

    def has_permission(self, request):
        return permissions.can_use_admin(request.user)

    def admin_view(self, view, cacheable=False):
        # In this order: a suspended person is told why they cannot come in;
        # staff without a second factor are sent to set one up; then Django's
        # staff check (has_permission) and the view.
        guarded = staff_mfa_required(super().admin_view(view, cacheable))

        @wraps(guarded)
        def refuse_suspended(request, *args, **kwargs):
            # Signing out is always possible.
            if request.path != reverse("admin:logout", current_app=self.name):
                permissions.check_admin_access(request.user)
            return guarded(request, *args, **kwargs)

        return refuse_suspended

    def login(self, request, extra_context=None):
        permissions.check_admin_access(request.user)
        # The admin's own login form would skip allauth's rate limits and MFA.
        return secure_admin_login(super().login)(request, extra_context)
