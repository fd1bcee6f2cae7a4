"""The product page's reviews: the rating, the published reviews a page at a time, and the form
for a verified buyer or the reason there is none (catalog/product_page.py renders it)."""

from django.core.paginator import Paginator

from catalog.models import Product
from catalog.product_page import ProductPageSection, product_page_section
from reviews.forms import ReviewForm
from reviews.models import Review
from reviews.selectors import review_eligibility, reviews_published

PAGE_SIZE = 10
# Reviews the Product's JSON-LD carries: a few of the ones the page shows, as search engines ask.
STRUCTURED_REVIEWS = 3


@product_page_section
def reviews_section(request, product: Product) -> ProductPageSection:
    # The product's count says whether there is anything to read (both are renewed together).
    published = reviews_published(product=product) if product.rating_count else Review.objects.none()
    page = Paginator(published, PAGE_SIZE).get_page(request.GET.get("reviews_page"))
    reviews = list(page.object_list)
    structured = {}
    if page.number == 1 and reviews:
        structured["review"] = [_review_data(review) for review in reviews[:STRUCTURED_REVIEWS]]
    return ProductPageSection(
        template="reviews/_product_section.html",
        context={"page": page, "reviews": reviews, "form": ReviewForm(),
                 "eligibility": review_eligibility(user=request.user, product=product)},
        position=50,
        structured_data=structured,
    )


def _review_data(review: Review) -> dict:
    return {
        "@type": "Review",
        "reviewRating": {"@type": "Rating", "ratingValue": str(review.rating), "bestRating": "5", "worstRating": "1"},
        "author": {"@type": "Person", "name": review.author_name},
        "datePublished": review.created_at.date().isoformat(),
        "reviewBody": review.text,
    }
