"""Writing different values to many rows in one statement."""

from collections.abc import Sequence

from django.db import connections
from django.db.models import Model, QuerySet


def rows_update(queryset: QuerySet, objs: Sequence[Model], fields: Sequence[str]) -> int:
    """Write `fields` of each of `objs` (changed in memory) to its row, if the row is still in
    `queryset` (a fence, e.g. "still claimed by this worker"); returns the rows written.

    On PostgreSQL one UPDATE … FROM unnest(arrays), however many rows: Django's bulk_update
    builds a CASE per row and field, and spends seconds of CPU on a few hundred rows. Elsewhere
    (SQLite in development) bulk_update does it."""
    if not objs:
        return 0
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        return queryset.bulk_update(objs, fields)
    meta = queryset.model._meta
    columns = [meta.get_field(name) for name in fields]
    ids = [obj.pk for obj in objs]
    arrays = [ids] + [[column.get_db_prep_save(getattr(obj, column.attname), connection) for obj in objs]
                      for column in columns]
    types = [meta.pk.db_type(connection)] + [column.db_type(connection) for column in columns]
    quote = connection.ops.quote_name
    names = [f"c{index}" for index in range(len(columns))]
    fence, fence_params = queryset.filter(pk__in=ids).order_by().values("pk").query.sql_with_params()
    assignments = ", ".join(f"{quote(column.column)} = v.{name}" for column, name in zip(columns, names, strict=True))
    unnest = ", ".join(f"%s::{kind}[]" for kind in types)
    pk = quote(meta.pk.column)
    # Table and column names are the model's own; every value is a parameter.
    sql = f"UPDATE {quote(meta.db_table)} AS t SET {assignments} FROM unnest({unnest}) AS v(id, {', '.join(names)}) "  # noqa: S608, E501
    sql += f"WHERE t.{pk} = v.id AND t.{pk} IN ({fence})"
    with connection.cursor() as cursor:
        cursor.execute(sql, [*arrays, *fence_params])
        return cursor.rowcount
