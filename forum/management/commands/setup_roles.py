"""Create or update the role groups; safe to run again after every deploy."""

from django.contrib.auth.models import Group, Permission
from django.core.management.base import BaseCommand

MODERATORS = "Moderators"
FACILITATORS = "Facilitators"

# (app_label, codename). Moderators are staff: these give them the back
# office (the admin) as well as the powers in the pages.
MODERATOR_PERMISSIONS = [
    ("forum", "moderate_forum"),
    ("forum", "add_topic"),
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
    # Defined by the accounts branch; granted once it exists.
    ("accounts", "suspend_user"),
]
# Facilitators are assigned per category or topic (FacilitatorAssignment);
# this group only lets its members start topics anywhere, as before.
FACILITATOR_PERMISSIONS = [("forum", "add_topic")]


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
    groups = {}
    for name, pairs in [
        (MODERATORS, MODERATOR_PERMISSIONS),
        (FACILITATORS, FACILITATOR_PERMISSIONS),
    ]:
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(*_permissions(pairs))
        groups[name] = group
    return groups


class Command(BaseCommand):
    help = "Create the Moderators and Facilitators groups with their permissions."

    def handle(self, *args, **options):
        for name, group in setup_roles().items():
            self.stdout.write(f"{name}: {group.permissions.count()} permissions")
