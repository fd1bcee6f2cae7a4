"""Reviews over the API: a product's published reviews for anyone, a new review from a verified
buyer. The rules are reviews.services'; these views translate them to HTTP."""

from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response

from catalog.models import Product
from reviews.api.serializers import ReviewCreateSerializer, ReviewSerializer
from reviews.selectors import reviews_published
from reviews.services import AlreadyReviewed, NotAVerifiedBuyer, review_submit


class ReviewPagination(PageNumberPagination):
    page_size = 10

def _product(key: str) -> Product:
    lookup = {"pk": int(key)} if key.isdigit() else {"slug": key}
    product = Product.objects.active().filter(**lookup).first()
    if product is None:
        raise Http404
    return product

class ProductReviewListApi(generics.ListCreateAPIView):
    """A product's reviews, by its id or its slug."""

    serializer_class = ReviewSerializer
    pagination_class = ReviewPagination

    def get_permissions(self):
        return [IsAuthenticated()] if self.request.method == "POST" else [AllowAny()]

    def get_queryset(self):
        return reviews_published(product=_product(self.kwargs["key"]))

    @extend_schema(summary="Published reviews of a product, newest first, 10 a page",
                   responses={200: ReviewSerializer(many=True), 404: OpenApiResponse(description="No such product.")})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="Review a product you received",
        description="Only a customer with a delivered order of the product may; the review is published "
                    "after moderation and counts in the product's rating only then.",
        request=ReviewCreateSerializer,
        responses={
            201: ReviewSerializer,
            400: OpenApiResponse(description="A rating outside 1–5, a text too short or too long."),
            401: OpenApiResponse(description="Not signed in: reviews come from customers."),
            403: OpenApiResponse(description="Not a verified buyer: no delivered order of this product."),
            404: OpenApiResponse(description="No such product."),
            409: OpenApiResponse(description="This customer has already reviewed this product."),
        },
    )
    def post(self, request, *args, **kwargs):
        product = _product(self.kwargs["key"])
        data = ReviewCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            review = review_submit(user=request.user, product=product, **data.validated_data)
        except NotAVerifiedBuyer as error:
            raise PermissionDenied(str(error), code="not_a_verified_buyer") from None
        except AlreadyReviewed as error:
            return Response({"detail": error.messages[0], "errors": {}, "code": "already_reviewed"},
                            status=status.HTTP_409_CONFLICT)
        return Response(ReviewSerializer(review).data, status=status.HTTP_201_CREATED)
