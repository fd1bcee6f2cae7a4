"""Product search, the same promises on both databases: every word must match, Russian word
forms match each other ("шампуни", "шампуня" find "Шампунь"), a half-typed word matches as a
prefix, a small typo is forgiven ("шампнь", "кросовки"), the best match comes first, and a
query found only through a look-alike word gets a "did you mean" suggestion.

PostgreSQL: full-text search with the Russian configuration and a trigram index for typos.
SQLite (the embedded default): an FTS5 index of the stemmed texts (catalog.search_words) kept by
triggers, with typos corrected against the index's own vocabulary."""

import hashlib
from collections.abc import Sequence

from django.contrib.postgres.search import SearchQuery, SearchRank, TrigramWordSimilarity
from django.db import connection
from django.db.models import Case, F, FloatField, Q, QuerySet, Value, When
from django.db.models.expressions import RawSQL
from rapidfuzz.distance import OSA

from catalog.cache import KeptMatches
from catalog.models import Product
from catalog.search_words import stem, typos_allowed, words_of

MAX_QUERY_LENGTH = 100
TYPO_SIMILARITY = 0.3
SUGGESTION_FROM_TOP = 5  # names of the first matches a suggestion's words are taken from
# Name, brand and SKU count ten times a word of the description.
TITLE_WEIGHT, TEXT_WEIGHT = 10.0, 1.0


def normalise_query(raw: str) -> str:
    return " ".join(raw.split())[:MAX_QUERY_LENGTH]


def products_search(*, query: str, products: QuerySet[Product] | None = None) -> QuerySet[Product]:
    """Active products matching `query`, best match first (annotated with `rank`)."""
    products = Product.objects.active() if products is None else products
    query = normalise_query(query)
    words = words_of(query)
    if not words:
        return products.none()
    if connection.vendor == "postgresql":
        return _postgres_search(products, query, words)
    return _sqlite_search(products, query, words)


def search_matches(*, query: str) -> KeptMatches:
    """The ids of a query's active matches, best first; a popular query is ranked once per
    catalog version."""
    query = normalise_query(query)
    key = "storefront:search:v2:" + hashlib.blake2b(query.lower().encode(), digest_size=16).hexdigest()
    return KeptMatches(key, lambda: products_search(query=query).values_list("pk", flat=True))


def search_suggestion(*, query: str, product_ids: Sequence[int]) -> str:
    """The query as the shopper probably meant it ("кросовки" → "кроссовки"), when some of its
    words were found only as a look-alike in the names of the first matches; "" otherwise."""
    names = Product.objects.filter(pk__in=list(product_ids[:SUGGESTION_FROM_TOP])).values_list("name", "brand__name")
    known = {}
    for name, brand in names:
        for word in words_of(f"{name} {brand or ''}"):
            known.setdefault(stem(word), word)
    if not known:
        return ""
    suggested = [_meant(word, known) for word in words_of(query)]
    return " ".join(suggested) if suggested != words_of(query) else ""


def _meant(word: str, known: dict[str, str]) -> str:
    word_stem = stem(word)
    if word_stem in known or any(known_stem.startswith(word_stem) for known_stem in known):
        return word
    allowed = typos_allowed(word)
    distances = [(OSA.distance(word, candidate, score_cutoff=allowed), candidate)
                 for candidate in known.values()]
    close = [(distance, candidate) for distance, candidate in distances if distance <= allowed]
    return min(close)[1] if close else word


# --- PostgreSQL ---------------------------------------------------------------------------


def _prefix_tsquery(words: list[str]) -> SearchQuery:
    # Each word as a prefix ("шамп" finds "шампунь"); quoting keeps user text out of the syntax.
    terms = " & ".join("'{}':*".format(word.replace("'", "")) for word in words)
    return SearchQuery(terms, config="russian", search_type="raw")


def _postgres_search(products, query: str, words: list[str]) -> QuerySet[Product]:
    text_query = _prefix_tsquery(words)
    exact_sku = Q(sku__iexact=query)
    matches = products.filter(Q(search_vector=text_query) | exact_sku)
    if matches.exists():
        return matches.annotate(
            rank=SearchRank(F("search_vector"), text_query, normalization=Value(1))
            + Case(When(exact_sku, then=Value(10.0)), default=Value(0.0), output_field=FloatField())
        ).order_by("-rank", "-sales_count", "pk")
    # Nothing matched word for word: try names with a word that looks alike ("шампнуь" ->
    # "шампунь"). Word similarity compares the query with the best-matching part of the name,
    # so a long name is not penalised for its other words.
    # The %> operator (trigram_word_similar) lets the trigram index find candidates; its
    # threshold is set for each connection by set_typo_threshold below.
    return (
        products.filter(name__trigram_word_similar=query)
        .annotate(rank=TrigramWordSimilarity(query, "name"))
        .order_by("-rank", "-sales_count", "pk")
    )


def set_typo_threshold(connection) -> None:
    """pg_trgm's default word-similarity threshold (0.6) misses a single swapped letter in a
    short word ("шампнуь" scores 0.5 against "шампунь"); ours is set once per connection."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('pg_trgm.word_similarity_threshold', %s, false)",
                           [str(TYPO_SIMILARITY)])


# --- SQLite -------------------------------------------------------------------------------

# An index of search_title and search_text that reads the rows of catalog_product itself
# (external content), kept current by triggers on every insert, update and delete, bulk ones
# included, and a view of its vocabulary for typo correction. Created after every migrate
# (sqlite_search_index_ensure), because SQLite's schema changes rebuild a table without its triggers.
FTS_SCHEMA = [
    """CREATE VIRTUAL TABLE IF NOT EXISTS catalog_product_fts USING fts5(
        search_title, search_text, content='catalog_product', content_rowid='id',
        tokenize='unicode61 remove_diacritics 2')""",
    "CREATE VIRTUAL TABLE IF NOT EXISTS catalog_product_fts_terms USING fts5vocab(catalog_product_fts, 'row')",
    """CREATE TRIGGER IF NOT EXISTS catalog_product_fts_insert AFTER INSERT ON catalog_product BEGIN
        INSERT INTO catalog_product_fts(rowid, search_title, search_text)
        VALUES (new.id, new.search_title, new.search_text);
    END""",
    """CREATE TRIGGER IF NOT EXISTS catalog_product_fts_delete AFTER DELETE ON catalog_product BEGIN
        INSERT INTO catalog_product_fts(catalog_product_fts, rowid, search_title, search_text)
        VALUES ('delete', old.id, old.search_title, old.search_text);
    END""",
    """CREATE TRIGGER IF NOT EXISTS catalog_product_fts_update
        AFTER UPDATE OF search_title, search_text ON catalog_product BEGIN
        INSERT INTO catalog_product_fts(catalog_product_fts, rowid, search_title, search_text)
        VALUES ('delete', old.id, old.search_title, old.search_text);
        INSERT INTO catalog_product_fts(rowid, search_title, search_text)
        VALUES (new.id, new.search_title, new.search_text);
    END""",
]
FTS_TRIGGERS = 3


def sqlite_search_index_ensure(connection) -> None:
    """Create the SQLite search index and its triggers if missing, and fill it from the rows."""
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name LIKE %s",
                       ["catalog_product_fts_%"])
        complete = cursor.fetchone()[0] == FTS_TRIGGERS
        for statement in FTS_SCHEMA:
            cursor.execute(statement)
        if not complete:
            cursor.execute("INSERT INTO catalog_product_fts(catalog_product_fts) VALUES ('rebuild')")


def _fts_match(stems: list[str]) -> str:
    # Every stem as a quoted prefix: user text never reaches FTS5's query syntax.
    return " AND ".join('"{}"*'.format(word.replace('"', '""')) for word in stems)


def _sqlite_matches(products, stems: list[str]) -> QuerySet[Product]:
    match = _fts_match(stems)
    # Django has no expression for FTS5; the SQL is constant and the query a parameter.
    found = RawSQL("SELECT rowid FROM catalog_product_fts WHERE catalog_product_fts MATCH %s", (match,))  # noqa: S611
    rank = RawSQL(  # noqa: S611
        "SELECT -bm25(catalog_product_fts, %s, %s) FROM catalog_product_fts"
        " WHERE catalog_product_fts MATCH %s AND rowid = catalog_product.id",
        (TITLE_WEIGHT, TEXT_WEIGHT, match), output_field=FloatField(),
    )
    return products.filter(pk__in=found).annotate(rank=rank)


def _sqlite_search(products, query: str, words: list[str]) -> QuerySet[Product]:
    exact_sku = Q(sku__iexact=query)
    sku_first = Case(When(exact_sku, then=Value(1)), default=Value(0))
    stems = [stem(word) for word in words]
    matches = _sqlite_matches(products, stems)
    if not matches.exists():
        corrected = [_known_stem(word_stem) for word_stem in stems]
        if corrected != stems:
            matches = _sqlite_matches(products, corrected)
    return matches.annotate(sku_first=sku_first).order_by("-sku_first", "-rank", "-sales_count", "pk")


def _known_stem(word_stem: str) -> str:
    """The indexed stem closest to `word_stem` within the typos a word of its length may have,
    the commonest on a tie; the stem itself if something starts with it or nothing is close."""
    allowed = typos_allowed(word_stem)
    if not allowed:
        return word_stem
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT term FROM catalog_product_fts_terms WHERE term >= %s AND term < %s LIMIT 1",
            [word_stem, word_stem + "\U0010ffff"],
        )
        if cursor.fetchone():
            return word_stem
        cursor.execute("SELECT term, doc FROM catalog_product_fts_terms WHERE length(term) BETWEEN %s AND %s",
                       [len(word_stem) - allowed, len(word_stem) + allowed])
        close = [
            (distance, -documents, term) for term, documents in cursor.fetchall()
            if (distance := OSA.distance(word_stem, term, score_cutoff=allowed)) <= allowed
        ]
    return min(close)[2] if close else word_stem
