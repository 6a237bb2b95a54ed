"""Accounts in the back office. Every ModelAdmin here starts from
forum.moderation_admin.RuleBook, including those of django.contrib.auth and
allauth, which are registered again with the rules of forum/permissions.py."""

from allauth.account import admin as account_admin
from allauth.account.models import EmailAddress
from allauth.mfa import admin as mfa_admin
from allauth.mfa.models import Authenticator
from allauth.usersessions import admin as usersessions_admin
from allauth.usersessions.models import UserSession
from django.contrib import admin, messages
from django.contrib.auth import admin as auth_admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group
from django.db.models import Exists, OuterRef
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from forum import permissions
from forum.models import ModerationLog, describe_changes
from forum.moderation_admin import PrivateRecords, RestrictedTo, RuleBook

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
class UserAdmin(RuleBook, BaseUserAdmin):
    ROLE_FIELDS = ("is_staff", "is_superuser", "is_active")

    def has_module_permission(self, request):
        return permissions.can_view_members(request.user) and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return permissions.can_view_members(request.user) and super().has_view_permission(
            request, obj
        )

    def has_change_permission(self, request, obj=None):
        if obj is not None and not permissions.can_change_member(request.user, obj):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        # People leave by deleting their account, which erases them and keeps
        # the row their posts point at; to stop someone, suspend or deactivate.
        return False

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and not permissions.can_manage_roles(request.user):
            fields += [*self.ROLE_FIELDS, "groups", "user_permissions"]
        return fields

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
            (name, ", ".join(sorted(before[name])) or "-", ", ".join(sorted(after[name])) or "-")
            for name in after
            if before[name] != after[name]
        ]
        changes += [
            (field, form.initial.get(field), form.cleaned_data[field])
            for field in self.ROLE_FIELDS
            if field in form.changed_data
        ]
        if changes:
            ModerationLog.record(
                request.user,
                ModerationLog.Action.ROLE_CHANGED,
                user=user,
                reason=describe_changes(changes),
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
        targets = [user for user in queryset if permissions.can_suspend(request.user, user)]
        form = SuspendForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            for user in targets:
                user.suspend(
                    form.cleaned_data["until"], form.cleaned_data["reason"], by=request.user
                )
            self.message_user(
                request,
                ngettext("%(count)d user suspended.", "%(count)d users suspended.", len(targets))
                % {"count": len(targets)},
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
            if permissions.can_suspend(request.user, user) and user.suspended_until:
                user.unsuspend(by=request.user)
                count += 1
        self.message_user(
            request,
            ngettext("%(count)d user reinstated.", "%(count)d users reinstated.", count)
            % {"count": count},
        )

    def has_suspend_permission(self, request):
        return permissions.can_use_admin(request.user) and permissions.can_suspend_anyone(
            request.user
        )


class Roles(RestrictedTo):
    allowed = staticmethod(permissions.can_manage_roles)


admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(Roles, auth_admin.GroupAdmin):
    pass


admin.site.unregister(EmailAddress)


@admin.register(EmailAddress)
class EmailAddressAdmin(PrivateRecords, account_admin.EmailAddressAdmin):
    pass


admin.site.unregister(Authenticator)


@admin.register(Authenticator)
class AuthenticatorAdmin(PrivateRecords, mfa_admin.AuthenticatorAdmin):
    """A lost phone is handled by deleting the member's second factor; the
    secret itself is never shown."""

    exclude = ("data",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


admin.site.unregister(UserSession)


@admin.register(UserSession)
class UserSessionAdmin(PrivateRecords, usersessions_admin.UserSessionAdmin):
    """Deleting a session signs that browser out."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def delete_model(self, request, obj):
        obj.end()

    def delete_queryset(self, request, queryset):
        for session in queryset:
            session.end()
