"""The SQLite search reads stems: refill every product's search fields as stems. The FTS5
index itself is created after migrate (catalog.receivers.search_index_after_migrate).
PostgreSQL keeps its own search vector and skips the refill."""

from django.db import migrations, models

from catalog.search_words import stemmed


def refill(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    Product = apps.get_model("catalog", "Product")
    products = list(Product.objects.select_related("brand").only(
        "pk", "name", "sku", "description", "brand__name", "search_title", "search_text"))
    for product in products:
        brand = product.brand.name if product.brand_id else ""
        product.search_title = stemmed(" ".join([product.name, brand, product.sku]))
        product.search_text = stemmed(product.description)
    Product.objects.bulk_update(products, ["search_title", "search_text"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [("catalog", "0006_retired_slugs")]
    operations = [
        migrations.AddField(
            model_name="product",
            name="search_title",
            field=models.TextField(default="", editable=False),
        ),
        migrations.RunPython(refill, migrations.RunPython.noop),
    ]
