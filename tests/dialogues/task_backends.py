from django.tasks.backends.base import BaseTaskBackend


class UnreachableQueueBackend(BaseTaskBackend):
    """A task queue whose database or broker is down."""

    def enqueue(self, task, args, kwargs):
        raise ConnectionError("the task queue is unreachable")
