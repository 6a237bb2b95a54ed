from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    # "me/..." cannot clash with a username: usernames contain no "/".
    path("me/profile/", views.profile_edit, name="profile_edit"),
    path("me/data/", views.my_data, name="my_data"),
    path("me/data/download/", views.export, name="export"),
    path("me/delete/", views.delete_account, name="delete_account"),
    path("me/language/", views.set_language, name="set_language"),
    path("<str:username>/", views.profile, name="profile"),
    path("<str:username>/suspend/", views.suspend, name="suspend"),
    path("<str:username>/reinstate/", views.unsuspend, name="unsuspend"),
]
