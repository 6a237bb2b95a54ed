"""The default task backend: tasks run on a small pool of threads in the web
process, right after the request's commit. The request never waits on
another server (a mail server that hangs holds a pool thread, not the person
who posted), and there is no worker process to start or to forget.

The queue lives in memory, so it is only for work whose durable part is
stored before it is queued: every email is an OutgoingEmail row first, and
`retry_emails` sends whatever a dying process left. A process that exits
normally finishes its queue first (for at most DRAIN_ON_EXIT). Where queued
work must survive a crash, use TASKS_BACKEND=database with `db_worker`."""

import atexit
import logging
import os
import queue
import threading
import time

from django.db import connections
from django.tasks.backends.immediate import ImmediateBackend
from django.tasks.base import TaskResult, TaskResultStatus
from django.utils.crypto import get_random_string

logger = logging.getLogger(__name__)

THREADS = 2
DRAIN_ON_EXIT = 30  # seconds: about one mail server timeout


class _Pool:
    def __init__(self, size: int):
        self.pid = os.getpid()
        self.jobs: queue.SimpleQueue = queue.SimpleQueue()
        self.unfinished = 0
        self.idle = threading.Condition()
        for n in range(size):
            threading.Thread(target=self._work, name=f"tasks-{n}", daemon=True).start()

    def submit(self, job) -> None:
        with self.idle:
            self.unfinished += 1
        self.jobs.put(job)

    def _work(self) -> None:
        while True:
            job = self.jobs.get()
            try:
                job()
            except Exception:  # the backend records task errors; this is a last resort
                logger.exception("A background task crashed")
            finally:
                # Each task opens its own connections: none is left open
                # for the database to time out, or to hold a test database.
                connections.close_all()
                with self.idle:
                    self.unfinished -= 1
                    self.idle.notify_all()

    def wait(self, timeout: float | None) -> bool:
        deadline = None if timeout is None else time.monotonic() + timeout
        with self.idle:
            while self.unfinished:
                left = None if deadline is None else deadline - time.monotonic()
                if left is not None and left <= 0:
                    return False
                self.idle.wait(left)
        return True


_pool: _Pool | None = None
_pool_lock = threading.Lock()


def _get_pool() -> _Pool:
    global _pool
    with _pool_lock:
        # Threads do not survive a fork (gunicorn --preload): start anew.
        if _pool is None or _pool.pid != os.getpid():
            _pool = _Pool(THREADS)
        return _pool


def wait_for_tasks(timeout: float | None = None) -> bool:
    """Wait until this process's pool has run everything queued, including
    tasks that those tasks queued. False if `timeout` ran out first. A
    no-op under the other backends."""
    pool = _pool
    if pool is None or pool.pid != os.getpid():
        return True
    return pool.wait(timeout)


@atexit.register
def _drain_on_exit() -> None:
    if not wait_for_tasks(DRAIN_ON_EXIT):
        logger.warning("Exiting with background tasks still queued; retry_emails resends email.")


class ThreadPoolBackend(ImmediateBackend):
    """ImmediateBackend's bookkeeping and signals, run on the pool instead
    of in the caller's thread."""

    supports_async_task = False

    def enqueue(self, task, args, kwargs):
        self.validate_task(task)
        result = TaskResult(
            task=task,
            id=get_random_string(32),
            status=TaskResultStatus.READY,
            enqueued_at=None,
            started_at=None,
            last_attempted_at=None,
            finished_at=None,
            args=args,
            kwargs=kwargs,
            backend=self.alias,
            errors=[],
            worker_ids=[],
        )
        _get_pool().submit(lambda: self._execute_task(result))
        return result
