"""A customer's orders by date, covering what segments add up (status, total): the new index is
made before the one it replaces (user, -created_at) is dropped, so lookups always have one."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('orders', '0009_orders_by_phone'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name='order',
            index=models.Index(condition=models.Q(('user__isnull', False)), fields=['user', 'created_at'], include=('status', 'total_to_pay'), name='order_customer_sales'),
        ),
        migrations.RemoveIndex(
            model_name='order',
            name='order_customer_recent',
        ),
    ]
