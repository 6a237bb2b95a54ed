from django.apps import AppConfig
from django.db.models.signals import post_save


class SearchConfig(AppConfig):
    name = "search"
    verbose_name = "Search"

    def ready(self):
        from dialogues.models import Dialogue
        from forum import signals

        from . import indexing

        # forum sends these inside the transaction that made the change, so
        # the index commits or rolls back with the post itself.
        signals.post_added.connect(indexing.post_added, dispatch_uid="search.post_added")
        signals.post_changed.connect(indexing.post_saved, dispatch_uid="search.post_changed")
        # Dialogue.write_summary() and publish_summary() save the row inside
        # their transactions; dialogues needs to know nothing of search.
        post_save.connect(indexing.dialogue_saved, sender=Dialogue, dispatch_uid="search.summary")
