"""Online card payments: the provider (YooKassa, or the pretend "test" bank in development) and
its keys."""

from config.env import env_int, env_str

from .base import DEBUG

# --- Online payments ------------------------------------------------------------------
# The provider that takes card payments (orders/payments/). "test" is a pretend bank on the
# shop's own pages that charges nothing, the default in development only; in production card
# payment online is offered once a provider is named here.
# YooKassa is chosen by giving its shop id and secret key (Integration → API keys).
PAYMENT_PROVIDERS = {
    "test": "orders.payments.test.TestPaymentProvider",
    "yookassa": "orders.payments.yookassa.YooKassaProvider",
}
YOOKASSA_SHOP_ID = env_str("YOOKASSA_SHOP_ID")
YOOKASSA_SECRET_KEY = env_str("YOOKASSA_SECRET_KEY")
YOOKASSA_API_URL = env_str("YOOKASSA_API_URL", "https://api.yookassa.ru/v3/")
# Where YooKassa's confirmation page is: checkout's form leads there, so the CSP must allow it.
YOOKASSA_CONFIRMATION_ORIGIN = env_str("YOOKASSA_CONFIRMATION_ORIGIN", "https://yoomoney.ru")
YOOKASSA_TIMEOUT = env_int("YOOKASSA_TIMEOUT", 10)
# The receipt (54-FZ): VAT code of the goods (1 = no VAT, 4 = 20%; see YooKassa's vat_code list)
# and the shop's tax system (1-6), which YooKassa needs only if the shop has more than one.
YOOKASSA_VAT_CODE = env_int("YOOKASSA_VAT_CODE", 1)
YOOKASSA_TAX_SYSTEM_CODE = env_int("YOOKASSA_TAX_SYSTEM_CODE", 0)
PAYMENT_PROVIDER = env_str(
    "PAYMENT_PROVIDER", "yookassa" if YOOKASSA_SHOP_ID and YOOKASSA_SECRET_KEY else ("test" if DEBUG else "")
)
# Other sites a form of the shop may lead to (core.middleware adds them to the CSP's form-action).
PAYMENT_PAGE_ORIGINS = [YOOKASSA_CONFIRMATION_ORIGIN] if PAYMENT_PROVIDER == "yookassa" else []
# A payment whose notification has not come after this many minutes is asked about (beat).
PAYMENT_CHECK_AFTER_MINUTES = env_int("PAYMENT_CHECK_AFTER_MINUTES", 3)
# Signs the test provider's notifications; derived from SECRET_KEY when empty.
PAYMENT_TEST_SECRET = env_str("PAYMENT_TEST_SECRET")
