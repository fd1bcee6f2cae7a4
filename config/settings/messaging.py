"""Messages to customers: the e-mail and SMS backends, the outbox's retries, and what marketing
(trigger campaigns, broadcasts) may send."""

from config.env import env_bool, env_int, env_str

from .base import VAR_DIR

# --- E-mail ---------------------------------------------------------------------------
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Vitrina <shop@vitrina.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_HOST = env_str("EMAIL_HOST")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    # Either STARTTLS on 587 (the default) or SSL on 465: Django refuses both at once.
    EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", default=False)
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=not EMAIL_USE_SSL)
    EMAIL_PORT = env_int("EMAIL_PORT", 465 if EMAIL_USE_SSL else 587)
    EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
    EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = VAR_DIR / "mail"
# An e-mail service instead of SMTP, e.g. "anymail.backends.unisender_go.EmailBackend" with its
# keys in ANYMAIL_* variables (django-anymail reads them itself).
EMAIL_BACKEND = env_str("EMAIL_BACKEND", EMAIL_BACKEND)

# --- Messaging ------------------------------------------------------------------------
# Order messages and campaigns (marketing/). E-mail goes through EMAIL_BACKEND above; SMS
# through SMS_BACKEND: files in var/sms/ by default, "marketing.backends.sms.SmsRuBackend"
# with SMS_RU_API_ID (and an approved SMS_SENDER name) in production.
SMS_BACKEND = env_str("SMS_BACKEND", "marketing.backends.sms.FileSmsBackend")
SMS_FILE_PATH = VAR_DIR / "sms"
SMS_RU_API_ID = env_str("SMS_RU_API_ID")
SMS_SENDER = env_str("SMS_SENDER")
# No SMS between these hours in the customer's time zone (or TIME_ZONE): it waits till the end.
SMS_QUIET_HOURS_START = env_str("SMS_QUIET_HOURS_START", "21:00")
SMS_QUIET_HOURS_END = env_str("SMS_QUIET_HOURS_END", "09:00")
# Provider errors are retried with growing pauses (1, 2, 4... minutes) up to this many attempts.
MESSAGE_MAX_ATTEMPTS = env_int("MESSAGE_MAX_ATTEMPTS", 5)
# A message "sending" for longer than this had its worker die mid-send: it becomes "unknown".
MESSAGE_SENDING_STUCK_MINUTES = env_int("MESSAGE_SENDING_STUCK_MINUTES", 10)

# --- Trigger campaigns (marketing/campaigns/) -------------------------------------------
# Links in messages point here (no request to read the host from when a worker writes them).
SHOP_URL = env_str("SHOP_URL", "http://localhost:8000").rstrip("/")
# At most this many marketing messages per person, across all campaigns and channels.
MARKETING_CAP_PER_DAY = env_int("MARKETING_CAP_PER_DAY", 1)
MARKETING_CAP_PER_WEEK = env_int("MARKETING_CAP_PER_WEEK", 3)
# "Tell me when it is back" e-mails a guest's typed address a confirmation link: at most this many
# requests an hour from one client address, and this many to one e-mail address.
BACK_IN_STOCK_GUEST_REQUESTS_PER_ADDRESS = env_int("BACK_IN_STOCK_GUEST_REQUESTS_PER_ADDRESS", 10)
BACK_IN_STOCK_GUEST_REQUESTS_PER_EMAIL = env_int("BACK_IN_STOCK_GUEST_REQUESTS_PER_EMAIL", 3)
# An order counts for the message last clicked within this many days, or else for one received
# within the shorter view-through window.
CAMPAIGN_CLICK_WINDOW_DAYS = env_int("CAMPAIGN_CLICK_WINDOW_DAYS", 5)
CAMPAIGN_VIEW_WINDOW_DAYS = env_int("CAMPAIGN_VIEW_WINDOW_DAYS", 1)
# Broadcasts: how many messages each channel takes per minute until the shop sets its own rate
# in the admin ("Sending rates"), and the local time a best-time broadcast sends at to someone
# who has never opened or clicked (the seeds' morning e-mail window).
BROADCAST_EMAILS_PER_MINUTE = env_int("BROADCAST_EMAILS_PER_MINUTE", 3000)
BROADCAST_SMS_PER_MINUTE = env_int("BROADCAST_SMS_PER_MINUTE", 300)
BROADCAST_DEFAULT_SEND_TIME = env_str("BROADCAST_DEFAULT_SEND_TIME", "09:00")
