from django.contrib import admin
from django.contrib.sitemaps import views as sitemap_views
from django.urls import include, path

from . import feeds, health, moderation_views, views
from .sitemaps import SITEMAPS

forum_patterns = [
    path("", views.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("feed/", feeds.LatestPostsFeed(), name="feed"),
    # Under feed/, as unread/ below: any path under t/<pk>/ could be a slug.
    path("feed/c/<slug:slug>/", feeds.CategoryFeed(), name="category_feed"),
    path("feed/t/<int:pk>/", feeds.TopicFeed(), name="topic_feed"),
    path(
        "sitemap.xml",
        sitemap_views.index,
        {"sitemaps": SITEMAPS, "sitemap_url_name": "forum:sitemap"},
        name="sitemap_index",
    ),
    path(
        "sitemap-<section>.xml",
        sitemap_views.sitemap,
        {"sitemaps": SITEMAPS},
        name="sitemap",
    ),
    path("c/<slug:slug>/", views.category_detail, name="category"),
    path("c/<slug:slug>/new/", views.topic_create, name="topic_create"),
    path("t/<int:pk>/", views.topic_detail, name="topic"),
    path("t/<int:pk>/<str:slug>/", views.topic_detail, name="topic"),
    path("p/<int:pk>/", views.post_permalink, name="post"),
    # Under unread/: any path under t/<pk>/ could be a topic's slug.
    path("unread/", views.unread, name="unread"),
    path("unread/mark-read/", views.mark_all_read, name="mark_all_read"),
    path("unread/t/<int:pk>/", views.topic_unread, name="topic_unread"),
    path("unread/t/<int:pk>/mark-read/", views.topic_mark_read, name="topic_mark_read"),
    path("p/<int:pk>/reply/", views.reply, name="reply"),
    path("moderation/t/<int:pk>/lock/", moderation_views.topic_lock, name="topic_lock"),
    path("moderation/t/<int:pk>/unlock/", moderation_views.topic_unlock, name="topic_unlock"),
    path("moderation/t/<int:pk>/sticky/", moderation_views.topic_sticky, name="topic_sticky"),
    path("moderation/t/<int:pk>/log/", moderation_views.topic_log, name="topic_log"),
    path("p/<int:pk>/pin/", moderation_views.post_pin, name="post_pin"),
    path("p/<int:pk>/hide/", moderation_views.post_hide, name="post_hide"),
    path("p/<int:pk>/restore/", moderation_views.post_restore, name="post_restore"),
    path("p/<int:pk>/edit/", moderation_views.post_edit, name="post_edit"),
    path("p/<int:pk>/revisions/", moderation_views.post_revisions, name="post_revisions"),
    path("p/<int:pk>/flag/", moderation_views.post_flag, name="post_flag"),
    path("moderation/", moderation_views.moderation_queue, name="moderation_queue"),
    path(
        "moderation/flags/<int:pk>/resolve/",
        moderation_views.flag_resolve,
        name="flag_resolve",
    ),
]

urlpatterns = [
    path("", include((forum_patterns, "forum"))),
    path("accounts/", include("allauth.urls")),
    path("u/", include("accounts.urls")),
    path("dialogues/", include("dialogues.urls")),
    path("search/", include("search.urls")),
    path("admin/", admin.site.urls),
]
