"""The moderation back office: flags, facilitator assignments, revisions and
the (read-only) moderation log."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

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


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(FacilitatorAssignment)
class FacilitatorAssignmentAdmin(admin.ModelAdmin):
    list_display = ("user", "category", "topic", "created_at")
    list_filter = ("category",)
    search_fields = ("user__username", "user__display_name", "topic__title")
    list_select_related = ("user", "category", "topic")
    autocomplete_fields = ("user", "category", "topic")
    readonly_fields = ("created_at",)

    def has_change_permission(self, request, obj=None):
        # Reassigning is revoking and assigning: both are logged.
        return False

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
        done=_("%(count)d flags resolved."),
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

    @admin.action(description=_("Resolve: hide the flagged posts"), permissions=["view"])
    def hide_posts(self, request, queryset):
        _resolve(self, request, queryset, hide=True)

    @admin.action(description=_("Resolve: dismiss the flags"), permissions=["view"])
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
