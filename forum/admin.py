"""The forum's content in the back office. Who may see and change what is
asked of forum/permissions.py (through RuleBook), and every change goes
through the model methods the pages use, so it is logged the same way.
Reading markers (TopicRead) are not in the admin: what each person read is
nobody's business."""

from django.contrib import admin
from django.db.models import Q
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from . import permissions
from .models import Category, Post, Topic
from .moderation_admin import RuleBook, apply_allowed


@admin.register(Category)
class CategoryAdmin(RuleBook, admin.ModelAdmin):
    list_display = ("name", "slug", "is_series", "topic_starters", "position")
    list_editable = ("position",)
    list_filter = ("is_series", "topic_starters")
    search_fields = ("name", "description")
    prepopulated_fields = {"slug": ("name",)}

    def has_add_permission(self, request):
        return permissions.can_change_category(request.user) and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        return permissions.can_change_category(request.user) and super().has_change_permission(
            request, obj
        )

    def has_delete_permission(self, request, obj=None):
        return permissions.can_change_category(request.user) and super().has_delete_permission(
            request, obj
        )

    def delete_model(self, request, obj):
        self.delete_queryset(request, Category.objects.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset):
        # Only empty categories can go (topics are PROTECTed); their
        # facilitators lose the assignment in the log, not silently.
        for category in queryset:
            for assignment in category.facilitator_assignments.select_related("user"):
                assignment.revoke(by=request.user)
            category.delete()


@admin.register(Topic)
class TopicAdmin(RuleBook, admin.ModelAdmin):
    list_display = (
        "title",
        "category",
        "author",
        "post_count",
        "is_locked",
        "is_sticky",
        "last_post_at",
    )
    list_filter = ("is_locked", "is_sticky", "category")
    search_fields = ("title", "author__username", "author__display_name")
    list_select_related = ("category", "author")
    raw_id_fields = ("author",)
    fields = (
        "title",
        "category",
        "author",
        "slug",
        "created_at",
        "post_count",
        "last_post_at",
        "is_locked",
        "locked_by",
        "locked_at",
        "lock_reason",
        "is_sticky",
        "opens_at",
        "closes_at",
    )
    # Lock and sticky change only through the actions, so they are logged.
    readonly_fields = (
        "slug",
        "created_at",
        "post_count",
        "last_post_at",
        "is_locked",
        "locked_by",
        "locked_at",
        "lock_reason",
        "is_sticky",
        # The schedule changes on the dialogue's manage page, which logs it.
        "opens_at",
        "closes_at",
    )
    date_hierarchy = "created_at"
    actions = ["lock", "unlock", "make_sticky", "make_not_sticky"]

    def has_add_permission(self, request):
        # A topic needs its opening post: topics are started from the pages.
        return False

    def has_change_permission(self, request, obj=None):
        if obj is not None and not permissions.can_edit_topic(request.user, obj):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        # Its replies hang from the opening post: lock a topic instead.
        return False

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is None or not permissions.can_move_topic(request.user, obj):
            fields.append("category")
        if not permissions.can_change_author(request.user):
            fields.append("author")
        return fields

    def save_model(self, request, obj, form, change):
        # The title stays the opening post's subject, and every change is
        # logged with its value before (Topic.change_details).
        original = Topic.objects.select_related("category", "author").get(pk=obj.pk)
        original.change_details(
            by=request.user, title=obj.title, category=obj.category, author=obj.author
        )

    @admin.action(description=_("Lock selected topics"), permissions=["moderate"])
    def lock(self, request, queryset):
        apply_allowed(
            self,
            request,
            queryset.filter(is_locked=False),
            allowed=permissions.can_lock_topic,
            perform=lambda topic: topic.lock(by=request.user),
            done=ngettext_lazy("%(count)d topic locked.", "%(count)d topics locked.", "count"),
        )

    @admin.action(description=_("Unlock selected topics"), permissions=["moderate"])
    def unlock(self, request, queryset):
        apply_allowed(
            self,
            request,
            queryset.filter(is_locked=True),
            allowed=permissions.can_lock_topic,
            perform=lambda topic: topic.unlock(by=request.user),
            done=ngettext_lazy("%(count)d topic unlocked.", "%(count)d topics unlocked.", "count"),
        )

    @admin.action(description=_("Make selected topics sticky"), permissions=["moderate"])
    def make_sticky(self, request, queryset):
        apply_allowed(
            self,
            request,
            queryset.filter(is_sticky=False),
            allowed=permissions.can_make_sticky,
            perform=lambda topic: topic.set_sticky(True, by=request.user),
            done=ngettext_lazy(
                "%(count)d topic made sticky.", "%(count)d topics made sticky.", "count"
            ),
        )

    @admin.action(description=_("Make selected topics not sticky"), permissions=["moderate"])
    def make_not_sticky(self, request, queryset):
        apply_allowed(
            self,
            request,
            queryset.filter(is_sticky=True),
            allowed=permissions.can_make_sticky,
            perform=lambda topic: topic.set_sticky(False, by=request.user),
            done=ngettext_lazy(
                "%(count)d topic is no longer sticky.",
                "%(count)d topics are no longer sticky.",
                "count",
            ),
        )


class FlaggedFilter(admin.SimpleListFilter):
    title = _("flags")
    parameter_name = "flagged"

    def lookups(self, request, model_admin):
        return [("open", _("Open flags")), ("any", _("Ever flagged"))]

    def queryset(self, request, queryset):
        if self.value() == "open":
            return queryset.filter(flags__status="open").distinct()
        if self.value() == "any":
            return queryset.filter(flags__isnull=False).distinct()
        return queryset


class PinnedFilter(admin.SimpleListFilter):
    title = _("pinned")
    parameter_name = "pinned"

    def lookups(self, request, model_admin):
        return [("yes", _("Yes")), ("no", _("No"))]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(pinned_at__isnull=self.value() == "no")
        return queryset


@admin.register(Post)
class PostAdmin(RuleBook, admin.ModelAdmin):
    list_display = (
        "subject",
        "topic",
        "author_filter_link",
        "is_hidden",
        "pinned_at",
        "created_at",
    )
    list_filter = ("is_hidden", PinnedFilter, FlaggedFilter, "topic__category", "created_at")
    search_fields = ("subject", "body", "author__username", "author__display_name")
    list_select_related = ("topic", "author")
    raw_id_fields = ("topic", "parent", "author")
    fields = ("topic", "parent", "author", "subject", "body")
    readonly_fields = ("topic", "parent", "author")
    date_hierarchy = "created_at"
    actions = ["hide", "restore", "pin", "unpin"]

    @admin.display(description=_("author"), ordering="author__username")
    def author_filter_link(self, post):
        # A filter by author without listing every user in the sidebar.
        url = reverse("admin:forum_post_changelist") + f"?author__id__exact={post.author_id}"
        return format_html('<a href="{}">{}</a>', url, post.author)

    def get_queryset(self, request):
        posts = super().get_queryset(request)
        scope = permissions.moderated_topics(request.user, "topic__")
        if scope is None:
            return posts
        # Removed posts only where the person moderates, or their own.
        return posts.filter(Q(is_hidden=False) | Q(author_id=request.user.pk) | scope)

    def has_add_permission(self, request):
        return False

    def has_view_permission(self, request, obj=None):
        if obj is not None and not permissions.can_view_hidden(request.user, obj):
            return False
        return super().has_view_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        if obj is not None and not permissions.can_edit_post(request.user, obj):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        # Deleting would break the tree and the topic's counters: hide instead.
        return False

    def save_model(self, request, obj, form, change):
        # An admin edit is an edit like any other: revision kept, and logged
        # when it is someone else's post.
        original = Post.objects.select_related("topic").get(pk=obj.pk)
        original.edit(by=request.user, subject=obj.subject, body=obj.body)

    @admin.action(description=_("Hide selected posts"), permissions=["moderate"])
    def hide(self, request, queryset):
        apply_allowed(
            self,
            request,
            queryset.filter(is_hidden=False).select_related("topic"),
            allowed=permissions.can_hide_post,
            perform=lambda post: post.hide(by=request.user),
            done=ngettext_lazy("%(count)d post hidden.", "%(count)d posts hidden.", "count"),
        )

    @admin.action(description=_("Restore selected posts"), permissions=["moderate"])
    def restore(self, request, queryset):
        apply_allowed(
            self,
            request,
            queryset.filter(is_hidden=True).select_related("topic"),
            allowed=permissions.can_hide_post,
            perform=lambda post: post.restore(by=request.user),
            done=ngettext_lazy("%(count)d post restored.", "%(count)d posts restored.", "count"),
        )

    @admin.action(description=_("Pin selected posts"), permissions=["moderate"])
    def pin(self, request, queryset):
        apply_allowed(
            self,
            request,
            queryset.filter(pinned_at__isnull=True).select_related("topic"),
            allowed=permissions.can_pin_post,
            perform=lambda post: post.pin(by=request.user),
            done=ngettext_lazy("%(count)d post pinned.", "%(count)d posts pinned.", "count"),
        )

    @admin.action(description=_("Unpin selected posts"), permissions=["moderate"])
    def unpin(self, request, queryset):
        apply_allowed(
            self,
            request,
            queryset.filter(pinned_at__isnull=False).select_related("topic"),
            allowed=permissions.can_pin_post,
            perform=lambda post: post.unpin(by=request.user),
            done=ngettext_lazy("%(count)d post unpinned.", "%(count)d posts unpinned.", "count"),
        )
