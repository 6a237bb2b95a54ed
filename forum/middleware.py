"""Security headers that Django does not set itself. Django's own middleware
sends Content-Security-Policy (settings.SECURE_CSP), HSTS, nosniff, the
referrer policy and X-Frame-Options."""

from django.conf import settings
from django.utils.cache import patch_cache_control


def permissions_policy(features: dict[str, list[str]]) -> str:
    """`{"camera": [], "publickey-credentials-get": ["self"]}` ->
    `camera=(), publickey-credentials-get=(self)`."""
    return ", ".join(f"{name}=({' '.join(allowed)})" for name, allowed in features.items())


class SecurityHeadersMiddleware:
    """Permissions-Policy on every response, and `Cache-Control: private,
    no-store` on every response to a signed-in member: their pages carry
    their name, drafts and private links, and must be kept by no shared
    cache nor left in the browser's cache on a shared or seized device.
    Pages for anonymous readers are left cacheable."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.permissions_policy = permissions_policy(settings.PERMISSIONS_POLICY)

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", self.permissions_policy)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, private=True, no_store=True)
        return response
