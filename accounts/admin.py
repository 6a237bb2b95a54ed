from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import Exists, OuterRef
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from forum.models import ModerationLog
from forum.permissions import can_suspend

from .forms import SuspendForm
from .models import User


class VerifiedEmailFilter(admin.SimpleListFilter):
    title = _("verified email")
    parameter_name = "verified_email"

    def lookups(self, request, model_admin):
        return [("yes", _("Yes")), ("no", _("No"))]

    def queryset(self, request, queryset):
        from allauth.account.models import EmailAddress

        verified = Exists(EmailAddress.objects.filter(user=OuterRef("pk"), verified=True))
        if self.value() == "yes":
            return queryset.filter(verified)
        if self.value() == "no":
            return queryset.exclude(verified)
        return queryset


class SuspendedFilter(admin.SimpleListFilter):
    title = _("suspended")
    parameter_name = "suspended"

    def lookups(self, request, model_admin):
        return [("yes", _("Yes")), ("no", _("No"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(suspended_until__gt=timezone.now())
        if self.value() == "no":
            return queryset.exclude(suspended_until__gt=timezone.now())
        return queryset


class MfaFilter(admin.SimpleListFilter):
    title = _("two-factor authentication")
    parameter_name = "mfa"

    def lookups(self, request, model_admin):
        return [("yes", _("On")), ("no", _("Off"))]

    def queryset(self, request, queryset):
        from allauth.mfa.models import Authenticator

        # Recovery codes alone are not a second factor.
        has_mfa = Exists(
            Authenticator.objects.filter(user=OuterRef("pk")).exclude(
                type=Authenticator.Type.RECOVERY_CODES
            )
        )
        if self.value() == "yes":
            return queryset.filter(has_mfa)
        if self.value() == "no":
            return queryset.exclude(has_mfa)
        return queryset


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ROLE_FIELDS = ("is_staff", "is_superuser", "is_active")

    def save_related(self, request, form, formsets, change):
        """Changes of role (groups such as Moderators, staff or superuser
        status, direct permissions) go to the moderation log like every other
        moderation action."""
        user = form.instance
        before = self._roles(user) if change else None
        super().save_related(request, form, formsets, change)
        if before is None:
            return
        after = self._roles(user)
        changes = [
            f"{name}: {', '.join(sorted(before[name])) or '-'} -> {', '.join(sorted(after[name])) or '-'}"
            for name in after
            if before[name] != after[name]
        ]
        changes += [
            f"{field}: {form.initial.get(field)} -> {form.cleaned_data[field]}"
            for field in self.ROLE_FIELDS
            if field in form.changed_data
        ]
        if changes:
            ModerationLog.record(
                request.user,
                ModerationLog.Action.ROLE_CHANGED,
                user=user,
                reason="; ".join(changes),
            )

    @staticmethod
    def _roles(user):
        return {
            "groups": set(user.groups.values_list("name", flat=True)),
            "permissions": set(user.user_permissions.values_list("codename", flat=True)),
        }

    list_display = (
        "username",
        "display_name",
        "email",
        "is_staff",
        "suspended_until",
        "date_joined",
    )
    search_fields = ("username", "display_name", "email")
    list_filter = (
        VerifiedEmailFilter,
        "is_staff",
        SuspendedFilter,
        MfaFilter,
        "is_superuser",
        "is_active",
        "groups",
    )
    readonly_fields = ("suspended_until", "suspension_reason", "deleted_at")
    fieldsets = BaseUserAdmin.fieldsets + (
        (
            _("Profile"),
            {
                "fields": (
                    "display_name",
                    "affiliation",
                    "role_line",
                    "bio",
                    "time_zone",
                    "language",
                )
            },
        ),
        (
            _("Suspension (use the actions on the user list)"),
            {"fields": ("suspended_until", "suspension_reason", "deleted_at")},
        ),
    )
    actions = ["suspend_users", "unsuspend_users"]

    @admin.action(description=_("Suspend the selected users…"), permissions=["suspend"])
    def suspend_users(self, request, queryset):
        targets = [user for user in queryset if can_suspend(request.user, user)]
        form = SuspendForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            for user in targets:
                user.suspend(
                    form.cleaned_data["until"], form.cleaned_data["reason"], by=request.user
                )
            self.message_user(
                request,
                _("%(count)d users suspended.") % {"count": len(targets)},
                messages.SUCCESS,
            )
            return None
        return render(
            request,
            "admin/accounts/user/suspend.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Suspend users"),
                "form": form,
                "targets": targets,
                "skipped": [user for user in queryset if user not in targets],
                "opts": self.model._meta,
            },
        )

    @admin.action(
        description=_("Lift the suspension of the selected users"), permissions=["suspend"]
    )
    def unsuspend_users(self, request, queryset):
        count = 0
        for user in queryset:
            if can_suspend(request.user, user) and user.suspended_until:
                user.unsuspend(by=request.user)
                count += 1
        self.message_user(request, _("%(count)d users reinstated.") % {"count": count})

    def has_suspend_permission(self, request):
        return request.user.has_perm("accounts.suspend_user")
