from django.contrib import admin
from django.urls import include, path

from . import views

forum_patterns = [
    path("", views.home, name="home"),
    path("c/<slug:slug>/", views.category_detail, name="category"),
    path("c/<slug:slug>/new/", views.topic_create, name="topic_create"),
    path("t/<int:pk>/", views.topic_detail, name="topic"),
    path("t/<int:pk>/<str:slug>/", views.topic_detail, name="topic"),
    path("p/<int:pk>/", views.post_permalink, name="post"),
    path("p/<int:pk>/reply/", views.reply, name="reply"),
]

urlpatterns = [
    path("", include((forum_patterns, "forum"))),
    path("accounts/", include("allauth.urls")),
    path("u/", include("accounts.urls")),
    path("dialogues/", include("dialogues.urls")),
    path("admin/", admin.site.urls),
]
