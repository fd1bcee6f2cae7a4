"""Phones kept as the customer typed them ("8 916 123-45-67") become E.164 ("+79161234567"),
the outbox's format: the consents recorded with an account's typed phone, and the accounts'
phones themselves. A number phone_normalize cannot read is kept as it is, stripped. Forwards only:
the typed forms are not worth restoring."""

from django.db import migrations

from core.phones import phone_normalize_or_keep

BATCH = 1000


def phones_normalize(apps, schema_editor, *, model_name: str, batch: int = BATCH) -> int:
    """Rewrite the phones of one model in batches of primary keys; returns the rows changed."""
    model = apps.get_model("customers", model_name)
    changed, after = 0, 0
    while True:
        rows = list(model.objects.filter(pk__gt=after).exclude(phone="").order_by("pk")
                    .values_list("pk", "phone")[:batch])
        if not rows:
            return changed
        after = rows[-1][0]
        normalized = ((pk, phone, phone_normalize_or_keep(phone)) for pk, phone in rows)
        updates = [model(pk=pk, phone=new) for pk, old, new in normalized if new != old]
        model.objects.bulk_update(updates, ["phone"])
        changed += len(updates)


def consent_phones_normalize(apps, schema_editor, batch: int = BATCH) -> int:
    return phones_normalize(apps, schema_editor, model_name="Consent", batch=batch)


def user_phones_normalize(apps, schema_editor, batch: int = BATCH) -> int:
    return phones_normalize(apps, schema_editor, model_name="User", batch=batch)


class Migration(migrations.Migration):

    dependencies = [
        ("customers", "0009_consent_topic"),
    ]

    operations = [
        migrations.RunPython(consent_phones_normalize, migrations.RunPython.noop, elidable=True),
        migrations.RunPython(user_phones_normalize, migrations.RunPython.noop, elidable=True),
    ]
