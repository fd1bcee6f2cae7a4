"""The shop's one phone format: E.164 ("+79161234567"), read as a Russian number by default."""

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

DEFAULT_PHONE_REGION = "RU"


def phone_normalize(raw: str, *, region: str = DEFAULT_PHONE_REGION) -> str:
    """"8 (916) 123-45-67", "+7 916 1234567" and "9161234567" all become "+79161234567".
    Anything that is not a valid number raises ValidationError (code "invalid_phone")."""
    try:
        number = phonenumbers.parse((raw or "").strip(), region)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise ValidationError({"phone": _("Enter a valid phone number, for example +7 916 123-45-67.")},
                              code="invalid_phone")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_normalize_or_keep(raw: str) -> str:
    """The phone as the shop keeps it where a bad number must not refuse the write (a consent,
    an old record): E.164 when phone_normalize reads it, otherwise as typed, stripped."""
    try:
        return phone_normalize(raw)
    except ValidationError:
        return (raw or "").strip()
