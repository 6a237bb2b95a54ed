from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DialoguesConfig(AppConfig):
    name = "dialogues"
    verbose_name = _("Dialogues")

    def ready(self):
        from forum import signals

        from . import notifications

        signals.post_added.connect(notifications.post_added, dispatch_uid="dialogues.post_added")
        signals.post_changed.connect(
            notifications.post_changed, dispatch_uid="dialogues.post_changed"
        )
