"""Create or update the Moderators group; safe to run again after every
deploy. Facilitators are no group: they are assigned to a category or a topic
in the admin ("Facilitator assignments"), and act there only."""

from django.contrib.auth.models import Group, Permission
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

MODERATORS = "Moderators"
# The group earlier versions made: its forum.add_topic let its members open
# topics in every category, whatever their assignments. It is removed.
FORMER_FACILITATORS_GROUP = "Facilitators"

# (app_label, codename). Moderators are staff: these give them the back
# office (the admin) as well as the powers in the pages. Each object is then
# judged in the admin by the same rules as on the pages (forum/permissions.py).
MODERATOR_PERMISSIONS = [
    ("forum", "moderate_forum"),
    ("forum", "view_category"),
    ("forum", "view_topic"),
    ("forum", "change_topic"),
    ("forum", "view_post"),
    ("forum", "change_post"),
    ("forum", "view_postrevision"),
    ("forum", "view_flag"),
    ("forum", "change_flag"),
    ("forum", "view_moderationlog"),
    ("forum", "view_facilitatorassignment"),
    ("forum", "add_facilitatorassignment"),
    ("forum", "delete_facilitatorassignment"),
    ("accounts", "view_user"),
    ("accounts", "suspend_user"),
]


def _permissions(pairs):
    found = []
    for app_label, codename in pairs:
        permission = Permission.objects.filter(
            content_type__app_label=app_label, codename=codename
        ).first()
        if permission is not None:
            found.append(permission)
    return found


def setup_roles() -> dict[str, Group]:
    """The groups by name. The Moderators group gets exactly the permissions
    above: a permission given to it by hand elsewhere is taken back, so the
    role is what this file (and the README) says."""
    moderators, _created = Group.objects.get_or_create(name=MODERATORS)
    moderators.permissions.set(_permissions(MODERATOR_PERMISSIONS))
    return {MODERATORS: moderators}


def remove_former_facilitators_group() -> bool:
    """Take forum.add_topic back from the old "Facilitators" group, and
    delete the group if that was all it gave (its members keep their
    assignments). Whether it was deleted."""
    group = Group.objects.filter(name=FORMER_FACILITATORS_GROUP).first()
    if group is None:
        return False
    group.permissions.remove(*_permissions([("forum", "add_topic")]))
    if group.permissions.exists():
        return False
    group.delete()
    return True


class Command(BaseCommand):
    help = "Create or update the Moderators group and its permissions."

    def handle(self, *args, **options):
        for name, group in setup_roles().items():
            n = group.permissions.count()
            self.stdout.write(
                ngettext("%(name)s: %(n)d permission", "%(name)s: %(n)d permissions", n)
                % {"name": name, "n": n}
            )
        if remove_former_facilitators_group():
            self.stdout.write(
                _(
                    'Removed the "%(group)s" group: facilitators are '
                    "assigned per category or topic in the admin."
                )
                % {"group": FORMER_FACILITATORS_GROUP}
            )
