"""The moderation back office: flags, facilitator assignments, revisions and
the (read-only) moderation log; and RuleBook, which every ModelAdmin of the
site starts from, ours and the third-party ones alike."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, ngettext_lazy

from . import permissions
from .models import FacilitatorAssignment, Flag, ModerationLog, PostRevision


def apply_allowed(modeladmin, request, queryset, *, allowed, perform, done):
    """Run a page action on each selected row the user may act on, through
    the same permission function and model method as the topic page."""
    acted = skipped = 0
    for obj in queryset:
        if allowed(request.user, obj):
            perform(obj)
            acted += 1
        else:
            skipped += 1
    if acted:
        modeladmin.message_user(request, done % {"count": acted}, messages.SUCCESS)
    if skipped:
        modeladmin.message_user(
            request,
            ngettext(
                "%(count)d item was skipped: you may not do that to it.",
                "%(count)d items were skipped: you may not do that to them.",
                skipped,
            )
            % {"count": skipped},
            messages.WARNING,
        )


class RuleBook:
    """Mixed in first: a ModelAdmin's permissions, Django's own (the model
    permissions a superuser grants) and those of the class it is mixed into,
    count only for someone forum.permissions lets use the admin at all.
    Subclasses narrow them further with the per-object rules of the pages;
    they can never widen them."""

    def has_module_permission(self, request):
        return permissions.can_use_admin(request.user) and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return permissions.can_use_admin(request.user) and super().has_view_permission(request, obj)

    def has_add_permission(self, request):
        return permissions.can_use_admin(request.user) and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        return permissions.can_use_admin(request.user) and super().has_change_permission(
            request, obj
        )

    def has_delete_permission(self, request, obj=None):
        return permissions.can_use_admin(request.user) and super().has_delete_permission(
            request, obj
        )

    def has_moderate_permission(self, request):
        """Of the moderation actions (lock, hide, resolve...)."""
        return permissions.can_use_moderation_actions(request.user)


class RestrictedTo(RuleBook):
    """A ModelAdmin whose every permission also needs `allowed(user)`, a
    rule of forum.permissions."""

    @staticmethod
    def allowed(user) -> bool:
        return False

    def has_module_permission(self, request):
        return self.allowed(request.user) and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return self.allowed(request.user) and super().has_view_permission(request, obj)

    def has_add_permission(self, request):
        return self.allowed(request.user) and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        return self.allowed(request.user) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self.allowed(request.user) and super().has_delete_permission(request, obj)


class ModerationRecords(RestrictedTo):
    """Everyone's moderation, flaggers included: moderators only
    (facilitators read their own topics' records on the pages)."""

    allowed = staticmethod(permissions.can_see_moderation_records)


class PrivateRecords(RestrictedTo):
    """What only a member and the superusers may see (the mail sent to them,
    what they follow, their addresses, second factors and sessions)."""

    allowed = staticmethod(permissions.can_manage_private_records)


class ReadOnly:
    """Records written by the model methods alone."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(ModerationRecords, ReadOnly, admin.ModelAdmin):
    pass


@admin.register(FacilitatorAssignment)
class FacilitatorAssignmentAdmin(ModerationRecords, admin.ModelAdmin):
    list_display = ("user", "category", "topic", "created_at")
    list_filter = ("category",)
    search_fields = ("user__username", "user__display_name", "topic__title")
    list_select_related = ("user", "category", "topic")
    autocomplete_fields = ("user", "category", "topic")
    readonly_fields = ("created_at",)

    def has_add_permission(self, request):
        return permissions.can_assign_facilitator(request.user) and super().has_add_permission(
            request
        )

    def has_change_permission(self, request, obj=None):
        # Reassigning is revoking and assigning: both are logged.
        return False

    def has_delete_permission(self, request, obj=None):
        return permissions.can_assign_facilitator(request.user) and super().has_delete_permission(
            request, obj
        )

    def save_model(self, request, obj, form, change):
        obj.assign(by=request.user)

    def delete_model(self, request, obj):
        obj.revoke(by=request.user)

    def delete_queryset(self, request, queryset):
        for assignment in queryset.select_related("user", "category", "topic"):
            assignment.revoke(by=request.user)


def _resolve(modeladmin, request, queryset, *, hide):
    apply_allowed(
        modeladmin,
        request,
        queryset.open().select_related("post__topic"),
        allowed=lambda user, flag: (
            permissions.can_hide_post(user, flag.post)
            if hide
            else permissions.can_resolve_flags(user, flag.post)
        ),
        perform=lambda flag: flag.resolve(by=request.user, hide=hide),
        done=ngettext_lazy("%(count)d flag resolved.", "%(count)d flags resolved.", "count"),
    )


@admin.register(Flag)
class FlagAdmin(ReadOnlyAdmin):
    list_display = ("post", "reason", "flagger", "status", "created_at", "resolved_by")
    list_filter = ("status", "reason", "post__topic__category", "created_at")
    search_fields = ("post__subject", "text", "flagger__username")
    list_select_related = ("post", "flagger", "resolved_by")
    raw_id_fields = ("post", "flagger", "resolved_by")
    date_hierarchy = "created_at"
    actions = ["hide_posts", "dismiss"]

    @admin.action(description=_("Resolve: hide the flagged posts"), permissions=["moderate"])
    def hide_posts(self, request, queryset):
        _resolve(self, request, queryset, hide=True)

    @admin.action(description=_("Resolve: dismiss the flags"), permissions=["moderate"])
    def dismiss(self, request, queryset):
        _resolve(self, request, queryset, hide=False)


@admin.register(ModerationLog)
class ModerationLogAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "actor", "action", "target", "reason")
    list_filter = ("action", "created_at")
    search_fields = ("target", "reason", "actor__username", "actor__display_name")
    list_select_related = ("actor",)
    raw_id_fields = ("actor", "topic", "post", "user")
    date_hierarchy = "created_at"


@admin.register(PostRevision)
class PostRevisionAdmin(ReadOnlyAdmin):
    list_display = ("subject", "post", "replaced_by", "replaced_at")
    search_fields = ("subject", "body", "post__subject")
    list_select_related = ("post", "replaced_by")
    raw_id_fields = ("post", "replaced_by")
    date_hierarchy = "replaced_at"
