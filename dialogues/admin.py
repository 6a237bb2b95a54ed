from django.contrib import admin

from .models import (
    ConversationLeader,
    Dialogue,
    HelpPage,
    NotificationPreference,
    OutgoingEmail,
    Subscription,
)


class LeaderInline(admin.TabularInline):
    model = ConversationLeader
    raw_id_fields = ("user",)
    extra = 0


@admin.register(Dialogue)
class DialogueAdmin(admin.ModelAdmin):
    list_display = ("topic", "summary_published_at")
    list_select_related = ("topic",)
    raw_id_fields = ("topic",)
    readonly_fields = ("summary_published_at",)
    inlines = [LeaderInline]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # Same path as the facilitator page: sanitized HTML, citations, log.
        obj.write_summary(body=obj.summary, survey_url=obj.survey_url, by=request.user)


@admin.register(HelpPage)
class HelpPageAdmin(admin.ModelAdmin):
    list_display = ("title", "slug")


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = ("user", "topic", "is_subscribed", "updated_at")
    raw_id_fields = ("user", "topic")
    list_select_related = ("user", "topic")


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ("user", "email_enabled", "delivery", "digest_hour")
    raw_id_fields = ("user",)


@admin.register(OutgoingEmail)
class OutgoingEmailAdmin(admin.ModelAdmin):
    list_display = ("subject", "to", "status", "attempts", "created_at", "sent_at")
    list_filter = ("status",)
    search_fields = ("to", "subject")
    readonly_fields = ("attempts", "last_error", "sent_at", "dedupe_key")

    @admin.action(description="Retry delivery now")
    def retry_now(self, request, queryset):
        from .tasks import deliver_email

        for pk in queryset.exclude(status=OutgoingEmail.SENT).values_list("pk", flat=True):
            OutgoingEmail.objects.filter(pk=pk).update(status=OutgoingEmail.PENDING)
            deliver_email.enqueue(pk)

    actions = ["retry_now"]
