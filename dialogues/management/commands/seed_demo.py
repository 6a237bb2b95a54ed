"""Demo content for local use: a conversation series with one open and one
finished dialogue, in the shape of a facilitated online dialogue. All text
here is our own."""

from datetime import timedelta
from io import StringIO

from allauth.account.models import EmailAddress
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dialogues.models import Dialogue, HelpPage
from dialogues.notifications import muted
from forum.management.commands.setup_roles import setup_roles
from forum.models import Category, FacilitatorAssignment, ModerationLog, Post, Topic

# Local demo only: the README lists these.
DEMO_PASSWORDS = {
    "admin": "admin-demo-pass",
    "facilitator": "facilitator-demo-pass",
    "participant": "participant-demo-pass",
}
OTHER_PASSWORD = "demo-pass-not-for-production"

PEOPLE = [
    # username, display name, role line
    ("facilitator", "Lina Haddad", "Dialogue Facilitator, Open Practice Network"),
    ("participant", "Demo Participant", ""),
    ("tomas", "Tomás R.", ""),
    ("nadia", "Nadia K.", "Legal aid coordinator"),
    ("joseph", "Joseph M.", ""),
    ("mei", "Mei C.", "Researcher"),
    ("ravi", "Ravi P.", ""),
    ("sofia", "Sofia M.", ""),
    ("samir", "Samir A.", "Trauma counsellor"),
]

OPEN_DIALOGUE = {
    "title": "Keeping documentation safe: what has worked for you?",
    "days_ago": 3,
    "body": """Welcome to this week's dialogue! Many of us record testimony, photos and
case files about abuses. That material can protect people, and it can also put
them in danger if it is lost, seized or leaked.

Please reply to the posts below, or start a new thread, with your experience.
Some questions to guide us:

- How do you decide what to record, and what to leave unrecorded, to protect the
  people who share their stories with you?
- Which tools or routines have helped your team store and back up documentation
  safely? Which ones let you down?
- What would you recommend to a small group that is just starting out? Share
  guides, checklists and trainings.

Conversation leaders will join each day, and everyone is welcome to reply.""",
    # (key, parent key or None for the topic, author, hours after opening, subject, body)
    "replies": [
        (
            "collect",
            None,
            "tomas",
            2,
            "Collect less, protect more",
            "The most useful rule we adopted: **if we do not need it, we do not record it**.\n\n"
            "We used to keep full names, home villages and phone numbers in every interview file. "
            "Now we keep a code for each person, and the key that links codes to names lives on "
            "one encrypted drive that never leaves the office.",
        ),
        (
            "decide",
            "collect",
            "facilitator",
            5,
            None,
            "Thank you, Tomás, that is a clear rule. How did your team decide what you *need*? "
            "Was it the lawyers, the people interviewed, or the documenters who drew the line?",
        ),
        (
            "consent",
            "decide",
            "tomas",
            9,
            "Consent that people understand",
            "All three, over a few months. The turning point was asking the people we interview. "
            "We rewrote our consent form in plain language and now read it aloud:\n\n"
            "1. what we will record,\n2. who will see it,\n3. how long we keep it,\n"
            "4. how to ask us to delete it.",
        ),
        (
            "consent-reply",
            "consent",
            "mei",
            14,
            None,
            "Reading it aloud matters so much. In our research ethics training we also ask people "
            "to repeat back, in their own words, what they agreed to.",
        ),
        (
            "clinic",
            "collect",
            "nadia",
            20,
            "Same lesson from our legal clinic",
            "We learned this the hard way after a laptop was stolen. Nothing identifying was on it, "
            "only because a volunteer had insisted on codes a month before.",
        ),
        (
            "backups",
            None,
            "joseph",
            26,
            "Backups that survive a raid",
            "Our office was searched last year. What saved our files:\n\n"
            "- a full-disk encrypted laptop, switched off when we are away;\n"
            "- a weekly encrypted backup kept *outside* the country by a partner;\n"
            "- a written list of who holds which password, sealed with our director.",
        ),
        (
            "tools",
            "backups",
            "ravi",
            30,
            None,
            "We compared several tools. The guides at https://securityinabox.org and "
            "[Surveillance Self-Defense](https://ssd.eff.org) helped us choose, and both are "
            "available in many languages.",
        ),
        (
            "which",
            "tools",
            "facilitator",
            33,
            "Which guide did you start with?",
            "Ravi, for a group with no technical staff, which of those guides would you read "
            "first, and how long did it take your team to put it in place?",
        ),
        (
            "restore",
            "backups",
            "sofia",
            40,
            "Practise the restore, not only the backup",
            "A backup you have never restored is a hope, not a backup. Twice a year we pretend "
            "the office is gone and rebuild everything on a spare laptop. The first time it "
            "took three days; now it takes an afternoon.",
        ),
        (
            "resources",
            None,
            "mei",
            44,
            "Resources for small groups",
            "A few things I share with groups starting out:\n\n"
            "- a one-page checklist for interviews (what to bring, what to leave behind);\n"
            "- the digital security guides Ravi mentioned;\n"
            "- a local trainer, when you can find one: a person who knows your context beats "
            "any guide.",
        ),
        (
            "resources-reply",
            "resources",
            "participant",
            47,
            None,
            "Thank you for this list. Does anyone have a checklist in Arabic or French they "
            "could share?",
        ),
        (
            "wellbeing",
            None,
            "samir",
            50,
            "Wellbeing is part of security",
            "Tired people make mistakes: they reuse passwords, skip the backup, forget a phone on "
            "a bus. When we plan security we now plan rest too, and we debrief after every "
            "difficult interview.",
        ),
        (
            "wellbeing-reply",
            "wellbeing",
            "facilitator",
            53,
            None,
            "Thank you, Samir, for raising this. Let us keep it in mind tomorrow, when we look at "
            "how teams support documenters after traumatic interviews.",
        ),
    ],
}

FINISHED_DIALOGUE = {
    "title": "Working with local journalists: lessons from past campaigns",
    "days_ago": 40,
    "body": """This dialogue looked at how human rights groups and local journalists can
work together without putting sources at risk.

- When has working with journalists helped your cause, and when did it backfire?
- How do you agree on what can be published, and when?
- What support do journalists need from us to keep sources safe?""",
    "replies": [
        (
            "embargo",
            None,
            "nadia",
            3,
            "Agree on timing before sharing anything",
            "Our best stories came from agreeing on an embargo *before* the first interview, "
            "in writing, with the editor and not only the reporter.",
        ),
        (
            "embargo-reply",
            "embargo",
            "joseph",
            8,
            None,
            "Yes. We also ask to check quotes from people at risk, never the story itself.",
        ),
        (
            "radio",
            None,
            "ravi",
            12,
            "Community radio reaches people newspapers do not",
            "In rural areas, a ten-minute call-in show did more than any article. Listeners "
            "called back for weeks.",
        ),
        (
            "radio-reply",
            "radio",
            "sofia",
            20,
            None,
            "Did you prepare the callers, or was it open? We worry about people identifying "
            "themselves on air.",
        ),
        (
            "closing",
            None,
            "facilitator",
            70,
            "Thank you, and what comes next",
            "Thank you all for a rich conversation. The topic is now locked; a summary will be "
            "posted on the series page, and the next dialogue will be announced there.",
        ),
    ],
}


LEADERS = [
    ("tomas", "Documents testimony with rural communities."),
    ("nadia", "Coordinates a legal aid clinic for families of detainees."),
]

FINISHED_SUMMARY = """Over three days, practitioners compared how they work with local
journalists while keeping sources safe.

**What we heard**

- Agree on timing and embargoes in writing, before the first interview, with
  the editor as well as the reporter ([Nadia's post]({embargo})).
- Check quotes from people at risk, never the whole story.
- Community radio can reach people that newspapers miss, but callers need
  preparing so they do not identify themselves on air ([Ravi's post]({radio})).

Thank you to everyone who took part. The next dialogue in this series is
announced on the series page."""

UPCOMING_DIALOGUE = {
    "title": "Supporting documenters after difficult interviews",
    "body": """Next in the series: how teams look after the people who record
testimony.

- What helps you recover after a hard interview?
- How does your team share the load?""",
}

HELP_TEXT = """**Reading.** Everyone can read a dialogue, before, during and after it runs.

**Replying.** Log in, then use *Reply* under the post you are answering, or
*Reply to the topic* at the bottom to start a new thread. Replies are open
between the opening and closing times shown at the top of the dialogue.

**Following.** Posting follows the topic for you; use *Subscribe* or
*Unsubscribe* on any topic, and choose immediate emails or a daily digest in
your email preferences.

**Conversation leaders** are practitioners invited to start and guide threads.
Facilitators keep the conversation on track and publish a summary afterwards."""


class Command(BaseCommand):
    help = "Create demo accounts and a demo conversation series (only on an empty forum)."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError(
                "seed_demo creates accounts whose passwords are published in the README: "
                "it runs only with DEBUG=1, on a machine nobody else can reach."
            )
        if Category.objects.exists() or Topic.objects.exists():
            self.stdout.write(_("The forum already has content; demo content not added."))
            return
        with transaction.atomic():
            people = self.create_people()
            series = Category.objects.create(
                name="Practitioner dialogues",
                slug="practitioner-dialogues",
                description="A series of facilitated online dialogues among human rights practitioners.",
                is_series=True,
                position=1,
            )
            Category.objects.create(
                name="Help and feedback",
                slug="help",
                description="Questions about taking part, and ideas for the forum.",
                position=2,
                # Its description asks members for their questions.
                topic_starters=Category.TopicStarters.MEMBERS,
            )
            FacilitatorAssignment.objects.create(user=people["facilitator"], category=series)
            # Demo content: nobody is emailed about these posts.
            with muted():
                self.create_dialogues(series, people)
            # The demo backdates posts and publishes its summary with
            # update(), which no index sees: the search app (named, never
            # imported) rebuilds its own.
            if apps.is_installed("search"):
                call_command("rebuild_search_index", stdout=StringIO())
        self.stdout.write(
            self.style.SUCCESS(_("Demo content created. Accounts are listed in the README."))
        )

    def create_dialogues(self, series, people):
        now = timezone.now()
        facilitator = people["facilitator"]
        current, _posts = self.create_dialogue(series, people, OPEN_DIALOGUE)
        opened = now - timedelta(days=OPEN_DIALOGUE["days_ago"])
        current.schedule(opens_at=opened, closes_at=now + timedelta(days=2), by=facilitator)
        dialogue = Dialogue.of(current)
        for username, intro in LEADERS:
            dialogue.add_leader(user=people[username], intro=intro, by=facilitator)
        self.backdate(current, opened - timedelta(days=7))

        finished, posts = self.create_dialogue(series, people, FINISHED_DIALOGUE)
        opened = now - timedelta(days=FINISHED_DIALOGUE["days_ago"])
        closed = opened + timedelta(days=3)
        finished.schedule(opens_at=opened, closes_at=closed, by=facilitator)
        finished.record_close(now=now)
        past = Dialogue.of(finished)
        past.write_summary(
            body=FINISHED_SUMMARY.format(
                embargo=posts["embargo"].get_absolute_url(),
                radio=posts["radio"].get_absolute_url(),
            ),
            by=facilitator,
        )
        # Published long ago; marked as announced so that publishing it
        # again from the demo never emails anyone.
        published = closed + timedelta(days=5)
        Dialogue.objects.filter(pk=past.pk).update(
            summary_published_at=published, summary_emailed_at=published
        )
        ModerationLog.record(facilitator, ModerationLog.Action.SUMMARY_PUBLISHED, topic=finished)
        # As if all this had happened when it did, weeks ago.
        Topic.objects.filter(pk=finished.pk).update(close_logged_at=closed)
        self.backdate(finished, opened - timedelta(days=7))
        log = ModerationLog.objects.filter(topic=finished)
        log.filter(action=ModerationLog.Action.CLOSE).update(created_at=closed)
        log.filter(action__startswith="summary_").update(created_at=published)

        upcoming = Topic.start(
            category=series,
            author=facilitator,
            title=UPCOMING_DIALOGUE["title"],
            body=UPCOMING_DIALOGUE["body"],
        )
        upcoming.schedule(
            opens_at=now + timedelta(days=12), closes_at=now + timedelta(days=15), by=facilitator
        )
        Dialogue.of(upcoming)
        HelpPage.objects.create(title="How to participate", body=HELP_TEXT)

    @staticmethod
    def backdate(topic, when):
        """Date the topic's log entries so far (its scheduling) to `when`."""
        ModerationLog.objects.filter(topic=topic).update(created_at=when)

    def create_people(self):
        User = get_user_model()
        setup_roles()  # the Moderators group, for the admin to hand out
        people = {}
        for username, display_name, role_line in PEOPLE:
            user = User.objects.create_user(
                username=username,
                email=f"{username}@example.org",
                password=DEMO_PASSWORDS.get(username, OTHER_PASSWORD),
                display_name=display_name,
                role_line=role_line,
            )
            EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
            people[username] = user
        admin = User.objects.create_superuser(
            username="admin",
            email="admin@example.org",
            password=DEMO_PASSWORDS["admin"],
            display_name="Forum Admin",
        )
        # Verified, as allauth requires to log in (the README promises it can).
        EmailAddress.objects.create(user=admin, email=admin.email, verified=True, primary=True)
        return people

    def create_dialogue(self, category, people, spec):
        opened = timezone.now() - timedelta(days=spec["days_ago"])
        topic = Topic.start(
            category=category, author=people["facilitator"], title=spec["title"], body=spec["body"]
        )
        Post.objects.filter(pk=topic.opening_post_id).update(created_at=opened)
        Topic.objects.filter(pk=topic.pk).update(created_at=opened)
        posts = {None: topic.opening_post}
        for key, parent_key, author, hours, subject, body in spec["replies"]:
            parent = posts[parent_key]
            post = topic.add_reply(
                author=people[author],
                parent=parent,
                subject=subject or parent.reply_subject(),
                body=body,
            )
            when = opened + timedelta(hours=hours)
            Post.objects.filter(pk=post.pk).update(created_at=when)
            post.created_at = when
            posts[key] = post
        Topic.objects.filter(pk=topic.pk).update(last_post_at=post.created_at)
        return topic, posts
