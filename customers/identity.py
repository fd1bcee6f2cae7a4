"""Who is "the same person": the one rule every count and card goes by. (Whether a person may
be sent marketing is marketing.preferences' rule, by the account and the channel's address.)"""

from django.core.exceptions import ValidationError
from django.db.models import Q

from core.phones import phone_normalize


def same_person(*, user=None, email: str = "", phone: str = "") -> Q:
    """Rows of the same person, for any model with `user`, `email` and `phone` fields (orders,
    promo code uses; pass no e-mail for a model without one): the same account (a user
    or its id), the same e-mail address in any case, or the same phone number in any format.
    Nothing to go by matches nothing."""
    who = Q(pk__in=[])
    if user is not None:
        who |= Q(user=user)
    if email := (email or "").strip().lower():
        who |= Q(email=email)
    if phone:
        try:
            who |= Q(phone=phone_normalize(phone))
        except ValidationError:
            who |= Q(phone=phone.strip())  # stored as typed before numbers were checked
    return who
