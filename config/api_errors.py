"""One shape for every API error, whatever raised it:

    {"detail": "A sentence for a person", "errors": {"field": ["…"]}, "code": "…"}

The services raise Django's ValidationError (and OutOfStock, a kind of it) with messages
written for shoppers; here they become 400 (409 for stock that ran out) instead of a 500.
Anything unexpected is logged with its traceback and answered as JSON too, never as HTML."""

import logging

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler, set_rollback

from orders.services import OutOfStock

logger = logging.getLogger("vitrina.api")


def _flatten(messages) -> list[str]:
    if isinstance(messages, dict):
        return [text for value in messages.values() for text in _flatten(value)]
    if isinstance(messages, list | tuple):
        return [text for value in messages for text in _flatten(value)]
    return [str(messages)]


def _from_django(error: DjangoValidationError) -> dict:
    if hasattr(error, "error_dict"):
        errors = {
            ("non_field_errors" if field == "__all__" else field): messages
            for field, messages in error.message_dict.items()
        }
        return {"detail": _flatten(errors)[0], "errors": errors}
    return {"detail": " ".join(error.messages), "errors": {}}


def _code(error: DjangoValidationError) -> str:
    if hasattr(error, "error_dict"):
        codes = [e.code for errors in error.error_dict.values() for e in errors if e.code]
    else:
        codes = [e.code for e in error.error_list if e.code]
    return codes[0] if codes else "invalid"


def api_exception_handler(exc, context):
    if isinstance(exc, OutOfStock):
        set_rollback()
        return Response({"detail": " ".join(exc.messages), "errors": {}, "code": "out_of_stock"},
                        status=status.HTTP_409_CONFLICT)
    if isinstance(exc, DjangoValidationError):
        set_rollback()
        return Response({**_from_django(exc), "code": _code(exc)}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()

    response = exception_handler(exc, context)
    if response is None:
        logger.exception("Unexpected error in %s", context.get("view").__class__.__name__, exc_info=exc)
        set_rollback()
        return Response(
            {"detail": _("Something went wrong on our side. Please try again; if it keeps happening, contact us."),
             "errors": {}, "code": "server_error"},
            status=status.HTTP_500_INTERNAL_SERVER_ERROR,
        )
    data = response.data
    if isinstance(exc, exceptions.ValidationError):
        errors = data if isinstance(data, dict) else {"non_field_errors": data}
        response.data = {"detail": _flatten(errors)[0] if _flatten(errors) else _("Invalid input."),
                         "errors": errors, "code": "invalid"}
    elif isinstance(data, dict) and "detail" in data:
        detail = data["detail"]
        response.data = {"detail": str(detail), "errors": {}, "code": getattr(detail, "code", "error")}
    return response
