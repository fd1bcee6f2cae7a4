from django.conf import settings
from django.contrib.auth import authenticate
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import Throttled, ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from core.client_address import client_address
from customers import throttle
from customers.api.serializers import AuthTokenRequestSerializer, AuthTokenSerializer


class AuthTokenCreateApi(APIView):
    """Exchange an e-mail and password for an API token. Failed attempts count against the same
    per-account and per-address limits as the sign-in page and the admin."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        request=AuthTokenRequestSerializer,
        responses={
            200: AuthTokenSerializer,
            400: OpenApiResponse(description="Wrong e-mail or password."),
            429: OpenApiResponse(description="Too many failed attempts."),
        },
    )
    def post(self, request):
        serializer = AuthTokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        email, password = serializer.validated_data["email"], serializer.validated_data["password"]
        if throttle.sign_in_blocked(email=email, address=client_address(request)):
            raise Throttled(
                wait=settings.SIGN_IN_THROTTLE_MINUTES * 60,
                detail=_("Too many failed attempts. Please wait %(minutes)d minutes or reset your password.")
                % {"minutes": settings.SIGN_IN_THROTTLE_MINUTES},
            )
        user = authenticate(request._request, username=email, password=password)
        if user is None or not user.is_active:
            raise ValidationError({"password": [_("Wrong e-mail or password.")]})
        token, _created = Token.objects.get_or_create(user=user)
        return Response(AuthTokenSerializer({"token": token.key}).data, status=status.HTTP_200_OK)
