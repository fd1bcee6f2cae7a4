"""Writing many rows at once: new rows by COPY, different values to existing rows in one statement."""

from collections.abc import Sequence

from django.db import connections, router
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


def rows_insert(objs: Sequence[Model]) -> list[Model]:
    """Insert `objs` (new instances of one model) and give each its primary key, as
    bulk_create does; returns them.

    On PostgreSQL the keys are drawn from the table's sequence and the rows are written with
    COPY: bulk_create sends every value as a quoted literal inside array parameters, and for a
    batch of rendered e-mails (kilobytes of HTML each) the quoting alone cost more CPU than
    rendering them. Constraints hold as for INSERT (a duplicate key fails the whole batch). No
    signals, as with bulk_create. Elsewhere (SQLite in development) bulk_create does it."""
    if not objs:
        return []
    model = type(objs[0])
    meta = model._meta
    connection = connections[router.db_for_write(model)]
    if connection.vendor != "postgresql":
        return model._default_manager.bulk_create(objs)
    fields = [field for field in meta.concrete_fields if field is not meta.pk]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in (meta.pk, *fields))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, meta.pk.column, len(objs)],
        )
        keys = [key for (key,) in cursor.fetchall()]
        # Table and column names are the model's own; every value goes through COPY's own
        # encoding. Errors are Django's (IntegrityError...), as for any other statement.
        with connection.wrap_database_errors, cursor.cursor.copy(
            f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN"
        ) as copy:
            for key, obj in zip(keys, objs, strict=True):
                copy.write_row([key, *(field.get_db_prep_save(field.pre_save(obj, True), connection)
                                       for field in fields)])
    for key, obj in zip(keys, objs, strict=True):
        obj.pk = key
        obj._state.adding, obj._state.db = False, connection.alias
    return list(objs)


def rows_insert_selected(model: type[Model], selected: QuerySet, columns: dict[str, str], *,
                         unique: Sequence[str]) -> int:
    """Insert into `model`'s table the rows `selected` reads, in one INSERT … SELECT: `columns`
    maps each of the model's columns to the name of a value of `selected`. A row whose `unique`
    key exists already is left as it is (ON CONFLICT DO NOTHING). Returns the rows written."""
    connection = connections[router.db_for_write(model)]
    select, params = selected.values(*columns.values()).query.sql_with_params()
    quote = connection.ops.quote_name
    names = ", ".join(map(quote, columns))
    values = ", ".join(f"selected.{quote(name)}" for name in columns.values())
    # The names are the model's own and every value a parameter; "WHERE true" keeps SQLite from
    # reading ON CONFLICT as a join's ON.
    sql = f"INSERT INTO {quote(model._meta.db_table)} ({names}) SELECT {values} FROM ({select}) AS selected WHERE true "  # noqa: S608, E501
    sql += f"ON CONFLICT ({', '.join(map(quote, unique))}) DO NOTHING"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount
