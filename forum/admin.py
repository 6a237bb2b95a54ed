from django.contrib import admin

from .models import Category, Post, Topic, TopicRead


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "is_series", "position")
    list_editable = ("position",)
    list_filter = ("is_series",)
    search_fields = ("name", "description")
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
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
    raw_id_fields = ("author", "opening_post", "last_post")
    readonly_fields = ("post_count", "last_post_at")
    date_hierarchy = "created_at"


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    list_display = ("subject", "topic", "author", "depth", "created_at")
    list_filter = ("topic__category", "created_at")
    search_fields = ("subject", "body", "author__username", "author__display_name")
    list_select_related = ("topic", "author")
    raw_id_fields = ("topic", "parent", "author")
    readonly_fields = ("body_html", "path", "depth", "child_count")
    date_hierarchy = "created_at"

    def save_model(self, request, obj, form, change):
        obj.render_body()
        super().save_model(request, obj, form, change)


@admin.register(TopicRead)
class TopicReadAdmin(admin.ModelAdmin):
    list_display = ("user", "topic", "last_read_post_id", "extra_read_count")
    raw_id_fields = ("user", "topic")
    search_fields = ("user__username", "topic__title")
