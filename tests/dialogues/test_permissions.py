"""can_facilitate() and its SQL twin, used by the topic page, agree."""

import pytest
from django.contrib.auth.models import AnonymousUser, Group, Permission

from dialogues.permissions import can_facilitate, can_facilitate_expression
from forum.models import Topic
from tests.factories import make_facilitator, make_user


def grouped_facilitator():
    group = Group.objects.create(name="Facilitators")
    group.permissions.add(
        Permission.objects.get(codename="add_topic", content_type__app_label="forum")
    )
    user = make_user()
    user.groups.add(group)
    return user


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda: AnonymousUser(), False),
        (lambda: make_user(), False),
        (lambda: make_facilitator(), True),
        (grouped_facilitator, True),
        (lambda: make_user(is_staff=True), True),
        (lambda: make_facilitator(is_active=False), False),
    ],
    ids=["anonymous", "participant", "facilitator", "group-facilitator", "staff", "inactive"],
)
def test_the_sql_and_python_facilitator_checks_agree(topic, make, expected):
    user = make()

    annotated = Topic.objects.annotate(f=can_facilitate_expression(user)).get(pk=topic.pk)

    assert can_facilitate(user, topic) is expected
    assert annotated.f is expected
