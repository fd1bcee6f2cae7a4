"""Product search: PostgreSQL full-text search with a Russian configuration, ranked, with
prefix matching for half-typed words and trigram similarity for typos; a plain substring
search on SQLite so development works with nothing installed."""

import hashlib
import re

from django.contrib.postgres.search import SearchQuery, SearchRank, TrigramWordSimilarity
from django.db import connection
from django.db.models import Case, F, FloatField, IntegerField, Q, QuerySet, Value, When

from catalog.cache import KeptMatches
from catalog.models import Product

MAX_QUERY_LENGTH = 100
TYPO_SIMILARITY = 0.3
WORD = re.compile(r"[\w-]+", re.UNICODE)


def normalise_query(raw: str) -> str:
    return " ".join(raw.split())[:MAX_QUERY_LENGTH]


def products_search(*, query: str, products: QuerySet[Product] | None = None) -> QuerySet[Product]:
    """Active products matching `query`, best match first (annotated with `rank`)."""
    products = Product.objects.active() if products is None else products
    query = normalise_query(query)
    words = WORD.findall(query.lower())
    if not words:
        return products.none()
    if connection.vendor == "postgresql":
        return _postgres_search(products, query, words)
    return _substring_search(products, words)


def search_matches(*, query: str) -> KeptMatches:
    """The ids of a query's active matches, best first; a popular query is ranked once per
    catalog version."""
    query = normalise_query(query)
    key = "storefront:search:v1:" + hashlib.blake2b(query.lower().encode(), digest_size=16).hexdigest()
    return KeptMatches(key, lambda: products_search(query=query).values_list("pk", flat=True))


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


def _substring_search(products, words: list[str]) -> QuerySet[Product]:
    matches = products
    for word in words:
        matches = matches.filter(search_text__contains=word)
    phrase = " ".join(words)
    return matches.annotate(
        rank=Case(
            When(sku__iexact=phrase, then=Value(4)),
            When(name__icontains=phrase, then=Value(3)),
            When(brand__name__icontains=phrase, then=Value(2)),
            default=Value(1),
            output_field=IntegerField(),
        )
    ).order_by("-rank", "-sales_count", "pk")
