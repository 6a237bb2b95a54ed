from django.db import migrations, models


def record_posts_of_earlier_emails(apps, schema_editor):
    """Emails about one post name it in their dedupe key ("post:<id>:<user>").
    Digests and summaries stored before this migration name no post; the
    retention purge deletes them."""
    OutgoingEmail = apps.get_model("dialogues", "OutgoingEmail")
    Post = apps.get_model("forum", "Post")
    Through = OutgoingEmail.posts.through
    for email_id, key in OutgoingEmail.objects.filter(dedupe_key__startswith="post:").values_list(
        "pk", "dedupe_key"
    ):
        post_id = key.split(":")[1]
        post = post_id.isdigit() and Post.objects.filter(pk=post_id).select_related("topic").first()
        if not post:
            continue
        ids = {post.pk, post.topic.opening_post_id, post.parent_id} - {None}
        Through.objects.bulk_create(
            [Through(outgoingemail_id=email_id, post_id=pk) for pk in ids], ignore_conflicts=True
        )


class Migration(migrations.Migration):
    dependencies = [
        ("dialogues", "0002_schedule_moves_to_topic"),
        ("forum", "0004_topic_schedule"),
    ]

    operations = [
        migrations.AddField(
            model_name="outgoingemail",
            name="posts",
            field=models.ManyToManyField(blank=True, related_name="+", to="forum.post"),
        ),
        migrations.RunPython(record_posts_of_earlier_emails, migrations.RunPython.noop),
    ]
