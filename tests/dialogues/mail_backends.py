from django.core.mail.backends.base import BaseEmailBackend


class DownEmailBackend(BaseEmailBackend):
    """A mail server that refuses every connection."""

    def send_messages(self, email_messages):
        raise ConnectionRefusedError(111, "Connection refused")
