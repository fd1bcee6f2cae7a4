"""Full-text search on PostgreSQL: a trigger keeps products.search_vector current on every
insert and update (bulk ones included), a GIN index serves the search and a trigram index
serves typo-tolerant name matching. SQLite has none of this and skips it."""

from django.db import migrations

FORWARD = """
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE OR REPLACE FUNCTION catalog_product_search_vector() RETURNS trigger AS $$
BEGIN
    NEW.search_vector :=
        setweight(to_tsvector('russian', coalesce(NEW.name, '')), 'A') ||
        setweight(to_tsvector('simple', coalesce(NEW.sku, '')), 'A') ||
        setweight(to_tsvector('russian', coalesce(
            (SELECT name FROM catalog_brand WHERE id = NEW.brand_id), '')), 'B') ||
        setweight(to_tsvector('russian', coalesce(NEW.description, '')), 'C');
    RETURN NEW;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER catalog_product_search_vector_update
    BEFORE INSERT OR UPDATE OF name, sku, brand_id, description ON catalog_product
    FOR EACH ROW EXECUTE FUNCTION catalog_product_search_vector();

CREATE OR REPLACE FUNCTION catalog_brand_renamed() RETURNS trigger AS $$
BEGIN
    UPDATE catalog_product SET brand_id = brand_id WHERE brand_id = NEW.id;
    RETURN NEW;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER catalog_brand_renamed_update
    AFTER UPDATE OF name ON catalog_brand
    FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name)
    EXECUTE FUNCTION catalog_brand_renamed();

CREATE INDEX catalog_product_search_vector_gin ON catalog_product USING gin (search_vector);
CREATE INDEX catalog_product_name_trgm ON catalog_product USING gin (name gin_trgm_ops);
UPDATE catalog_product SET name = name;
"""

BACKWARD = """
DROP INDEX IF EXISTS catalog_product_name_trgm;
DROP INDEX IF EXISTS catalog_product_search_vector_gin;
DROP TRIGGER IF EXISTS catalog_brand_renamed_update ON catalog_brand;
DROP FUNCTION IF EXISTS catalog_brand_renamed();
DROP TRIGGER IF EXISTS catalog_product_search_vector_update ON catalog_product;
DROP FUNCTION IF EXISTS catalog_product_search_vector();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
