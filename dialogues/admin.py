"""Dialogues in the back office. Every ModelAdmin starts from
forum.moderation_admin.RuleBook; what members receive and follow is for
superusers only (permissions.can_manage_private_records)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django_tasks_db import admin as tasks_admin
from django_tasks_db.models import DBTaskResult

from forum import permissions
from forum.moderation_admin import PrivateRecords, ReadOnly, RuleBook

from .models import (
    ConversationLeader,
    Dialogue,
    HelpPage,
    NotificationPreference,
    OutgoingEmail,
    Subscription,
)


class LeaderInline(admin.TabularInline):
    """Leaders are added and removed through Dialogue.add_leader() and
    remove_leader(), which log it (DialogueAdmin.save_formset)."""

    model = ConversationLeader
    fields = ("user", "intro", "added_at")
    readonly_fields = ("added_at",)
    raw_id_fields = ("user",)
    extra = 0

    def _facilitates(self, request, obj) -> bool:
        return (
            obj is not None
            and permissions.can_use_admin(request.user)
            and (permissions.can_facilitate(request.user, obj.topic))
        )

    def has_add_permission(self, request, obj):
        return self._facilitates(request, obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._facilitates(request, obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._facilitates(request, obj) and super().has_delete_permission(request, obj)


@admin.register(Dialogue)
class DialogueAdmin(RuleBook, admin.ModelAdmin):
    list_display = ("topic", "summary_published_at")
    list_select_related = ("topic",)
    fields = ("topic", "summary", "survey_url", "summary_published_at")
    readonly_fields = ("topic", "summary_published_at")
    inlines = [LeaderInline]

    def has_add_permission(self, request):
        # A dialogue is a topic scheduled on its manage page.
        return False

    def has_change_permission(self, request, obj=None):
        if obj is not None and not permissions.can_facilitate(request.user, obj.topic):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        # Its leaders and summary would go without a trace in the history.
        return False

    def save_model(self, request, obj, form, change):
        # Same path as the facilitator page: sanitized HTML, citations, log.
        obj.write_summary(body=obj.summary, survey_url=obj.survey_url, by=request.user)

    def save_formset(self, request, form, formset, change):
        if formset.model is not ConversationLeader:
            return super().save_formset(request, form, formset, change)
        dialogue = form.instance
        formset.save(commit=False)
        for leader in formset.deleted_objects:
            dialogue.remove_leader(leader, by=request.user)
        for leader in formset.new_objects:
            dialogue.add_leader(user=leader.user, intro=leader.intro, by=request.user)
        for leader, _changed in formset.changed_objects:
            leader.save()


@admin.register(HelpPage)
class HelpPageAdmin(RuleBook, admin.ModelAdmin):
    list_display = ("title", "slug")


@admin.register(Subscription)
class SubscriptionAdmin(PrivateRecords, ReadOnly, admin.ModelAdmin):
    # Members follow and unfollow on the pages and from every email.
    list_display = ("user", "topic", "is_subscribed", "updated_at")
    raw_id_fields = ("user", "topic")
    list_select_related = ("user", "topic")


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(PrivateRecords, ReadOnly, admin.ModelAdmin):
    list_display = ("user", "email_enabled", "delivery", "digest_hour")
    raw_id_fields = ("user",)


@admin.register(OutgoingEmail)
class OutgoingEmailAdmin(PrivateRecords, ReadOnly, admin.ModelAdmin):
    """Other people's mail: read and retried, never rewritten."""

    list_display = ("subject", "to", "status", "attempts", "created_at", "sent_at")
    list_filter = ("status",)
    search_fields = ("to", "subject")
    actions = ["retry_now"]

    @admin.action(description=_("Retry delivery now"), permissions=["view"])
    def retry_now(self, request, queryset):
        from .tasks import deliver_email

        for pk in queryset.exclude(status=OutgoingEmail.SENT).values_list("pk", flat=True):
            OutgoingEmail.objects.filter(pk=pk).update(status=OutgoingEmail.PENDING)
            deliver_email.enqueue(pk)


admin.site.unregister(DBTaskResult)


@admin.register(DBTaskResult)
class DBTaskResultAdmin(PrivateRecords, tasks_admin.DBTaskResultAdmin):
    pass
