"""Production security: HTTPS, secure cookies, HSTS, and the Content Security Policy with the
hosts of the web counters a shop turns on."""

from config.env import env_bool, env_int, env_str

from .base import DEBUG

# --- Security (production) ------------------------------------------------------------
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = not DEBUG and env_bool("SECURE_COOKIES", default=True)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = not DEBUG and env_bool("SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = 0 if DEBUG else env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 30)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG and env_bool("SECURE_HSTS_PRELOAD", default=False)
# Joining the browsers' HSTS preload list is a per-domain commitment a shop opts into
# (SECURE_HSTS_PRELOAD=1), not something a default may decide for it.
SILENCED_SYSTEM_CHECKS = ["security.W021"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
X_FRAME_OPTIONS = "DENY"

# --- Content Security Policy ----------------------------------------------------------
CONTENT_SECURITY_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
    "base-uri": "'self'",
    "object-src": "'none'",
}
# Web counters, each optional: nothing of theirs is loaded, and the policy above lets none of their
# hosts in, unless its id is set. With COUNTERS_NEED_CONSENT the visitor first says yes in a banner.
YANDEX_METRICA_ID = env_str("YANDEX_METRICA_ID", "")
GA4_MEASUREMENT_ID = env_str("GA4_MEASUREMENT_ID", "")
COUNTERS_NEED_CONSENT = env_bool("COUNTERS_NEED_CONSENT", default=False)
COUNTER_HOSTS = {
    "script-src": [*(["https://mc.yandex.ru", "https://yastatic.net"] if YANDEX_METRICA_ID else []),
                   *(["https://www.googletagmanager.com"] if GA4_MEASUREMENT_ID else [])],
    "img-src": [*(["https://mc.yandex.ru"] if YANDEX_METRICA_ID else []),
                *(["https://www.google-analytics.com", "https://www.googletagmanager.com"]
                  if GA4_MEASUREMENT_ID else [])],
    "connect-src": [*(["https://mc.yandex.ru"] if YANDEX_METRICA_ID else []),
                    *(["https://*.google-analytics.com", "https://*.analytics.google.com",
                       "https://www.googletagmanager.com"] if GA4_MEASUREMENT_ID else [])],
}
for _directive, _hosts in COUNTER_HOSTS.items():
    if _hosts:
        CONTENT_SECURITY_POLICY[_directive] = " ".join([CONTENT_SECURITY_POLICY[_directive], *_hosts])
# Swagger UI renders itself with an inline script; its assets are still our own files.
CONTENT_SECURITY_POLICY_EXEMPT = ("/api/docs/",)
