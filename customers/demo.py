"""Demo shoppers and staff for `manage.py seed_demo`. Both are idempotent: a second run
creates nothing, a larger --customers adds only the missing shoppers."""

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone
from faker import Faker

from catalog.demo import translit
from customers.models import User
from customers.roles import MANAGER, MARKETER, OWNER, WAREHOUSE, roles_sync

# A reserved top-level domain (RFC 2606): demo shoppers never collide with real ones.
CUSTOMER_EMAIL_DOMAIN = "demo.example"
BATCH_SIZE = 1000


@dataclass(frozen=True)
class StaffAccount:
    email: str
    role: str
    first_name: str
    last_name: str


STAFF_ACCOUNTS = (
    StaffAccount("owner@vitrina.local", OWNER, "Ольга", "Воронцова"),
    StaffAccount("manager1@vitrina.local", MANAGER, "Дмитрий", "Соколов"),
    StaffAccount("manager2@vitrina.local", MANAGER, "Анна", "Кузнецова"),
    StaffAccount("marketer@vitrina.local", MARKETER, "Мария", "Лебедева"),
    StaffAccount("warehouse@vitrina.local", WAREHOUSE, "Игорь", "Морозов"),
)


def demo_customers_create(*, count: int, seed: int,
                          on_progress: Callable[[int, int], None] | None = None) -> int:
    """Make the shop have `count` demo shoppers; returns how many were added. Shopper n is
    the same person for the same seed; they sign in with the demo password when DEBUG is on."""
    existing = User.objects.filter(email__endswith=f"@{CUSTOMER_EMAIL_DOMAIN}").count()
    if existing >= count:
        return 0
    # Hashing is slow by design; one hash serves every demo shopper.
    password = make_password(settings.DEMO_STAFF_PASSWORD if settings.DEBUG else None)
    fake = Faker("ru_RU")
    now = timezone.now()
    users = [_demo_customer(fake, seed=seed, number=n, password=password, now=now)
             for n in range(existing + 1, count + 1)]
    for start in range(0, len(users), BATCH_SIZE):
        batch = users[start:start + BATCH_SIZE]
        User.objects.bulk_create(batch, ignore_conflicts=True)
        if on_progress is not None:
            on_progress(len(batch), len(users))
    return len(users)


def _demo_customer(fake: Faker, *, seed: int, number: int, password: str, now) -> User:
    rng = random.Random(f"customer:{seed}:{number}")
    fake.seed_instance(rng.getrandbits(64))
    if rng.random() < 0.6:
        first_name, last_name = fake.first_name_female(), fake.last_name_female()
    else:
        first_name, last_name = fake.first_name_male(), fake.last_name_male()
    local = f"{translit(first_name)}.{translit(last_name)}.{number}".replace("-", "")
    return User(
        email=f"{local}@{CUSTOMER_EMAIL_DOMAIN}",
        first_name=first_name,
        last_name=last_name,
        phone=f"+79{rng.randrange(10**9):09d}",
        password=password,
        date_joined=now - timedelta(days=rng.randrange(365), minutes=rng.randrange(24 * 60)),
    )


@transaction.atomic
def demo_staff_ensure() -> list[StaffAccount]:
    """Create the demo owner, managers, marketer and warehouse worker, each in their role's group. Only with
    DEBUG on (their password is public): with DEBUG off it creates nothing and returns [].
    An account that exists keeps its password; it is only put back into its group."""
    if not settings.DEBUG:
        return []
    roles_sync()
    groups = {group.name: group for group in Group.objects.filter(name__in={a.role for a in STAFF_ACCOUNTS})}
    users = {user.email: user for user in User.objects.filter(email__in=[a.email for a in STAFF_ACCOUNTS])}
    # Hashing is slow by design: hash once, and only when an account is missing.
    password = make_password(settings.DEMO_STAFF_PASSWORD) if len(users) < len(STAFF_ACCOUNTS) else ""
    for account in STAFF_ACCOUNTS:
        user = users.get(account.email)
        if user is None:
            user = User.objects.create(
                email=account.email, first_name=account.first_name, last_name=account.last_name,
                password=password, is_staff=True,
                # Until the owner role covers staff accounts and groups, the owner manages them as superuser.
                is_superuser=account.role == OWNER,
            )
        elif not user.is_staff:
            user.is_staff = True
            user.save(update_fields=["is_staff"])
        user.groups.add(groups[account.role])
    return list(STAFF_ACCOUNTS)


def demo_staff_existing() -> list[StaffAccount]:
    emails = set(User.objects.filter(email__in=[a.email for a in STAFF_ACCOUNTS]).values_list("email", flat=True))
    return [account for account in STAFF_ACCOUNTS if account.email in emails]
