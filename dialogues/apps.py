from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DialoguesConfig(AppConfig):
    name = "dialogues"
    verbose_name = _("Dialogues")

    def ready(self):
        from django.conf import settings
        from django.db.models.signals import post_save

        from forum import signals

        from . import models, notifications

        post_save.connect(
            models.leader_renamed,
            sender=settings.AUTH_USER_MODEL,
            dispatch_uid="dialogues.leader_renamed",
        )

        signals.post_added.connect(notifications.post_added, dispatch_uid="dialogues.post_added")
        signals.post_changed.connect(
            notifications.post_changed, dispatch_uid="dialogues.post_changed"
        )
