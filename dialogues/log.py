"""The one place dialogue lifecycle actions are written to a log.

TODO(issue 5): when the moderation branch's ModerationLog lands, the
integrator points this function at it (same arguments) and DialogueEvent can
be retired."""

from django.utils import timezone


def log_moderation(topic, *, action: str, by=None, reason: str = "") -> None:
    from .models import DialogueEvent

    DialogueEvent.objects.create(
        topic=topic, action=action, by=by, reason=reason[:500], at=timezone.now()
    )
