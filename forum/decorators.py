from functools import wraps

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from .db_router import reads_primary
from .permissions import has_mfa, must_use_mfa


def staff_mfa_required(view):
    """Send staff, moderators and facilitators without a second factor to
    set one up before the decorated view (admin, moderation tools) runs.
    Moderation reads the primary: a moderator acts on what is there now."""

    @reads_primary
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if must_use_mfa(request.user) and not has_mfa(request.user):
            messages.warning(
                request,
                _("Set up two-factor authentication before using the moderation tools."),
            )
            return redirect("mfa_index")
        return view(request, *args, **kwargs)

    return wrapper
