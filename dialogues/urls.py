from django.urls import path

from . import feeds, views

app_name = "dialogues"

urlpatterns = [
    path("t/<int:pk>/manage/", views.manage, name="manage"),
    path("t/<int:pk>/schedule/", views.schedule, name="schedule"),
    path("t/<int:pk>/close/", views.close_early, name="close_early"),
    path("t/<int:pk>/leaders/", views.add_leader, name="add_leader"),
    path("t/<int:pk>/leaders/<int:leader_pk>/remove/", views.remove_leader, name="remove_leader"),
    path("t/<int:pk>/summary/", views.summary, name="summary"),
    path("t/<int:pk>/participation/", views.participation, name="participation"),
    path("t/<int:pk>/subscription/", views.subscription, name="subscription"),
    path("preferences/", views.preferences, name="preferences"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("help/<slug:slug>/", views.help_page, name="help"),
    path("t/<int:pk>/download/", views.download_dialogue, name="download"),
    path("resources/", views.resources, name="resources"),
    path("series/<slug:slug>/resources/", views.series_resources, name="series_resources"),
    path("summaries/feed/", feeds.SummariesFeed(), name="summaries_feed"),
]
