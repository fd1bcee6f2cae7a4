"""ManagerTask becomes FollowUp (the name a newcomer looks for beside Celery's tasks): the table,
its content type and its permissions are renamed in place, so every row, every role and every
person's own permissions stay as they were."""

from django.conf import settings
from django.db import migrations, models

ACTIONS = ("add", "change", "delete", "view")


def permissions_rename(apps, schema_editor, *, old: str, new: str, new_name: str) -> None:
    Permission = apps.get_model("auth", "Permission")
    for action in ACTIONS:
        Permission.objects.using(schema_editor.connection.alias).filter(
            content_type__app_label="marketing", codename=f"{action}_{old}"
        ).update(codename=f"{action}_{new}", name=f"Can {action} {new_name}")


def forwards(apps, schema_editor):
    permissions_rename(apps, schema_editor, old="managertask", new="followup", new_name="follow-up")


def backwards(apps, schema_editor):
    permissions_rename(apps, schema_editor, old="followup", new="managertask", new_name="manager's task")


class Migration(migrations.Migration):

    dependencies = [
        ("marketing", "0014_broadcasts"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RenameModel("ManagerTask", "FollowUp"),
        migrations.AlterModelOptions(
            name="followup",
            options={"ordering": ("due_at", "id"), "verbose_name": "follow-up", "verbose_name_plural": "follow-ups"},
        ),
        migrations.AlterField(
            model_name="followup",
            name="assignee",
            field=models.ForeignKey(
                blank=True, null=True, on_delete=models.deletion.SET_NULL, related_name="follow_ups",
                to=settings.AUTH_USER_MODEL, verbose_name="assigned to",
            ),
        ),
        migrations.RenameIndex(model_name="followup", new_name="follow_up_my_open", old_name="manager_task_my_open"),
        migrations.RemoveConstraint(model_name="followup", name="manager_task_one_open_per_order"),
        migrations.RemoveConstraint(model_name="followup", name="manager_task_closed_when_not_open"),
        migrations.AddConstraint(
            model_name="followup",
            constraint=models.UniqueConstraint(
                condition=models.Q(("status", "open")), fields=("order", "kind"), name="follow_up_one_open_per_order"
            ),
        ),
        migrations.AddConstraint(
            model_name="followup",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("closed_at__isnull", True), ("status", "open")),
                    models.Q(models.Q(("status", "open"), _negated=True), ("closed_at__isnull", False)),
                    _connector="OR",
                ),
                name="follow_up_closed_when_not_open",
            ),
        ),
        migrations.RunPython(forwards, backwards),
    ]
