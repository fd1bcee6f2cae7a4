"""Customers as a table for a mailing service or CRM, within what each one agreed to.

A customer's e-mail is in the file only while they accept marketing e-mail, and their phone only
while they accept marketing SMS: the consent rule is customers.privacy's, the one every mailing
follows. Staff accounts are not customers."""

from collections.abc import Iterator

from django.db.models import BooleanField, ExpressionWrapper, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from customers.models import Consent, User
from customers.privacy import marketing_consent_given_q


def customers_table(users: QuerySet[User]) -> tuple[list[str], Iterator[list]]:
    header = [_("Customer number"), _("First name"), _("Last name"), _("E-mail"), _("Phone"), _("City"),
              _("Registered")]
    # Both answers come with each row: one query for the whole file, not two per customer.
    users = users.filter(is_staff=False).order_by("pk").annotate(
        may_email=_flag(marketing_consent_given_q(kind=Consent.Kind.MARKETING_EMAIL)),
        may_sms=_flag(marketing_consent_given_q(kind=Consent.Kind.MARKETING_SMS)),
    )

    def rows() -> Iterator[list]:
        for user in users.iterator(chunk_size=1000):
            yield [user.pk, user.first_name, user.last_name, user.email if user.may_email else "",
                   user.phone if user.may_sms else "", user.city,
                   timezone.localtime(user.date_joined).strftime("%Y-%m-%d")]

    return header, rows()


def _flag(condition) -> ExpressionWrapper:
    return ExpressionWrapper(condition, output_field=BooleanField())
