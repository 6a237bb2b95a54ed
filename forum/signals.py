"""What the forum tells the apps built on it (dialogues: resources shared,
subscriptions, email). forum never imports them; they connect receivers in
their AppConfig.ready(). Sent inside the transaction that made the change,
so a receiver's writes commit or roll back with it."""

from django.dispatch import Signal

# A post was created (an opening post or a reply). Arguments: post.
post_added = Signal()

# A post's text or visibility changed (edited, hidden, restored). Arguments: post.
post_changed = Signal()
