"""Reports as JSON (or CSV with ?export=csv) and marketing costs uploaded by scripts. Token or
session authentication; the same role rules as the admin pages."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from analytics.costs import CsvError, csv_rows, marketing_costs_save
from analytics.forms import report_form
from analytics.models import CHANNEL_CHOICES
from analytics.reports import REPORTS, report_build
from analytics.routers import replica_reads
from customers.models import Visit


class AnalyticsApi(APIView):
    permission_classes = [IsAuthenticated]


class ReportSerializer(serializers.Serializer):
    report = serializers.CharField()
    columns = serializers.ListField(child=serializers.DictField())
    rows = serializers.ListField(child=serializers.DictField())
    total = serializers.DictField(allow_null=True)
    notes = serializers.ListField(child=serializers.CharField())


class AnalyticsReportApi(AnalyticsApi):
    @extend_schema(
        parameters=[
            OpenApiParameter("preset", str, enum=["today", "7d", "30d", "90d", "month", "last_month"]),
            OpenApiParameter("start", OpenApiTypes.DATE), OpenApiParameter("end", OpenApiTypes.DATE),
            OpenApiParameter("attribution", str, enum=["last_non_direct", "first_visit"]),
            OpenApiParameter("by", str, enum=["channel", "utm"], description="channels: per channel or per UTM"),
            OpenApiParameter("channel", str, enum=[value for value, _label in CHANNEL_CHOICES],
                             description="funnel: one channel's visits and the orders credited to it"),
            OpenApiParameter("device", str, enum=Visit.Device.values, description="funnel: one kind of device"),
            OpenApiParameter("export", str, enum=["csv"], description="csv: the same table as a CSV file"),
        ],
        responses={200: ReportSerializer, 400: OpenApiResponse(), 403: OpenApiResponse()},
    )
    def get(self, request, name: str):
        spec = REPORTS.get(name)
        if spec is None:
            raise Http404
        if not spec.allowed(request.user):
            raise PermissionDenied
        form = report_form(request.query_params.copy())
        if not form.is_valid():
            return Response({"detail": " ".join(form.errors.get("__all__", [])) or _("Check the period."),
                             "errors": form.errors}, status=status.HTTP_400_BAD_REQUEST)
        with replica_reads():
            table = report_build(name=name, query=form.cleaned_data)
        if request.query_params.get("export") == "csv":
            period = form.cleaned_data["period"]
            return table.csv_response(filename=f"{name}-{period.start}-{period.end}")
        return Response(table.as_json())


class MarketingCostRowSerializer(serializers.Serializer):
    day = serializers.CharField(help_text="2026-11-30")
    channel = serializers.CharField(help_text="paid_search, social, email, ...")
    utm_source = serializers.CharField(required=False, allow_blank=True)
    utm_campaign = serializers.CharField(required=False, allow_blank=True)
    amount = serializers.CharField(help_text="Rubles: 1234.50")


class MarketingCostUploadSerializer(serializers.Serializer):
    rows = MarketingCostRowSerializer(many=True, required=False)
    file = serializers.FileField(required=False, help_text="Or a CSV file with the same columns.")


class MarketingCostUploadResultSerializer(serializers.Serializer):
    saved = serializers.IntegerField()


class MarketingCostUploadApi(AnalyticsApi):
    @extend_schema(request=MarketingCostUploadSerializer,
                   responses={200: MarketingCostUploadResultSerializer, 400: OpenApiResponse(
                       description='{"detail": ..., "errors": {"<row number>": ["..."]}}: nothing was saved')})
    def post(self, request):
        """Save marketing costs, all or none; a row already entered gets the new amount."""
        if not (request.user.has_perm("analytics.add_marketingcost")
                and request.user.has_perm("analytics.change_marketingcost")):
            raise PermissionDenied
        upload = request.FILES.get("file")
        try:
            if upload is not None:
                rows, first_number = csv_rows(upload.read()), 2
            else:
                rows, first_number = request.data.get("rows"), 1
                if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
                    raise CsvError(_("Send a list of rows or a CSV file."))
        except CsvError as error:
            return Response({"detail": str(error), "errors": {}}, status=status.HTTP_400_BAD_REQUEST)
        result = marketing_costs_save(rows=rows, first_number=first_number)
        if not result.ok:
            return Response({"detail": _("Nothing was saved: some rows are wrong."),
                             "errors": {str(number): messages for number, messages in result.errors.items()}},
                            status=status.HTTP_400_BAD_REQUEST)
        return Response({"saved": result.saved})
