from django.conf import settings


class ContentSecurityPolicyMiddleware:
    """Send a Content-Security-Policy: every script, style and picture comes from the shop itself."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = "; ".join(f"{name} {value}" for name, value in settings.CONTENT_SECURITY_POLICY.items())

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path.startswith(settings.CONTENT_SECURITY_POLICY_EXEMPT):
            response.headers.setdefault("Content-Security-Policy", self.policy)
        return response
