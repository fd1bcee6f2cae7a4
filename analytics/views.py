"""The owner's and the marketer's pages in the admin: reports, and the CSV import of costs.
Thin: the figures come from analytics.reports, the writes from analytics.costs."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from analytics.costs import CSV_COLUMNS, CsvError, csv_rows, marketing_costs_save
from analytics.dashboard import chart_data, dashboard_build
from analytics.forms import report_form
from analytics.models import MarketingCost, Scenario
from analytics.periods import PRESETS
from analytics.reports import OWNER_PERMISSION, REPORTS, report_build, reports_for
from analytics.routers import replica_reads
from analytics.services import scenario_save
from analytics.whatif import WhatIfInputs, whatif_prefill, whatif_project, whatif_year
from analytics.whatif_forms import ScenarioNameForm, WhatIfForm


def admin_home(request: HttpRequest) -> HttpResponse:
    """/admin/: the owner lands on the dashboard; everyone else (and ?sections=1) on the admin index."""
    if request.user.has_perm(OWNER_PERMISSION) and "sections" not in request.GET:
        return dashboard(request)
    return admin.site.index(request)


def dashboard(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm(OWNER_PERMISSION):
        raise PermissionDenied
    form = report_form(request.GET.copy())
    board = None
    if form.is_valid():
        with replica_reads():
            board = dashboard_build(period=form.cleaned_data["period"], attribution=form.cleaned_data["attribution"])
    context = {
        **admin.site.each_context(request),
        "opts": MarketingCost._meta,
        "title": _("Dashboard"),
        "form": form,
        "fields": form.fields_for("dashboard"),
        "board": board,
        "charts": chart_data(board) if board else None,
        "presets": [(key, label, _with(request.GET, preset=key, start="", end="")) for key, label in PRESETS.items()],
        "preset": request.GET.get("preset") or ("" if request.GET.get("start") else form.DEFAULT_PRESET),
        "reports": reports_for(request.user),
    }
    template = "analytics/_dashboard_body.html" if request.htmx else "analytics/dashboard.html"
    return TemplateResponse(request, template, context, status=200 if board else 400)


def report_page(request: HttpRequest, name: str, model_admin) -> HttpResponse:
    spec = REPORTS.get(name)
    if spec is None:
        raise Http404
    if not spec.allowed(request.user):
        raise PermissionDenied
    form = report_form(request.GET.copy())
    table = None
    if form.is_valid():
        with replica_reads():
            table = report_build(name=name, query=form.cleaned_data)
        if request.GET.get("export") == "csv":
            period = form.cleaned_data["period"]
            return table.csv_response(filename=f"{name}-{period.start}-{period.end}")
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "title": spec.title,
        "form": form,
        "fields": form.fields_for(name),
        "table": table,
        "report": spec,
        "reports": reports_for(request.user),
        "csv_query": _with(request.GET, export="csv"),
    }
    return TemplateResponse(request, "analytics/report.html", context, status=200 if table else 400)


def _with(query, **changes) -> str:
    query = query.copy()
    for key, value in changes.items():
        query[key] = value
    return query.urlencode()


class CostImportForm(forms.Form):
    file = forms.FileField(label=_("CSV file"), help_text=_(
        "Columns: day (2026-11-30 or 30.11.2026), channel, utm_source, utm_campaign, amount. "
        "Commas or semicolons; UTF-8 or Windows-1251."))


MAX_UPLOAD_BYTES = 5 * 1024 * 1024


def marketing_costs_import(request: HttpRequest, model_admin) -> HttpResponse:
    if not request.user.has_perm("analytics.add_marketingcost"):
        raise PermissionDenied
    form = CostImportForm(request.POST or None, request.FILES or None)
    errors, status = {}, 200
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            if upload.size > MAX_UPLOAD_BYTES:
                raise CsvError(_("The file is larger than 5 MB."))
            result = marketing_costs_save(rows=csv_rows(upload.read()), first_number=2)
        except CsvError as error:
            form.add_error("file", str(error))
        else:
            if result.ok:
                messages.success(request, ngettext("%(count)d cost saved.", "%(count)d costs saved.",
                                                   result.saved) % {"count": result.saved})
                return redirect(reverse("admin:analytics_marketingcost_changelist"))
            errors = result.errors
    if request.method == "POST" and (errors or form.errors):
        status = 400
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "title": _("Import marketing costs"),
        "form": form,
        "errors": sorted(errors.items()),
        "columns": CSV_COLUMNS,
    }
    return TemplateResponse(request, "analytics/cost_import.html", context, status=status)


def whatif_page(request: HttpRequest, model_admin) -> HttpResponse:
    """The owner's money model: change any number and the year recomputes (htmx swaps the result)."""
    if not request.user.has_perm(OWNER_PERMISSION):
        raise PermissionDenied
    scenario = Scenario.objects.filter(pk=request.GET.get("scenario") or None).first()
    base = WhatIfInputs.from_json(scenario.inputs) if scenario else whatif_prefill()
    submitted = request.POST if request.method == "POST" else (
        request.GET if "average_order_value" in request.GET else None)
    channels = ([key.removeprefix("visits__") for key in submitted if key.startswith("visits__")]
                if submitted is not None else [channel.channel for channel in base.channels])
    form = WhatIfForm(submitted, channels=channels, initial=WhatIfForm.initial_for(base))
    name_form = ScenarioNameForm(request.POST if request.method == "POST" else None)
    inputs = base if submitted is None else (form.inputs() if form.is_valid() else None)
    if request.method == "POST" and inputs is not None and name_form.is_valid():
        saved = scenario_save(name=name_form.cleaned_data["name"], inputs=inputs, by=request.user)
        messages.success(request, _("Scenario “%(name)s” saved.") % {"name": saved.name})
        return redirect(f"{reverse('admin:analytics_whatif')}?scenario={saved.pk}")
    months = whatif_project(inputs) if inputs is not None else None
    compared = [(item, whatif_year(whatif_project(WhatIfInputs.from_json(item.inputs))))
                for item in Scenario.objects.filter(pk__in=[pk for pk in request.GET.getlist("compare")
                                                            if pk.isdigit()])]
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "title": _("What-if model"),
        "form": form,
        "name_form": name_form,
        "scenario": scenario,
        "months": months,
        "year": whatif_year(months) if months else None,
        "scenarios": Scenario.objects.all()[:50],
        "compared": compared,
        "compared_scenarios": [item for item, _year in compared],
        "reports": reports_for(request.user),
    }
    template = "analytics/_whatif_result.html" if request.htmx else "analytics/whatif.html"
    status = 400 if inputs is None or (request.method == "POST" and not name_form.is_valid()) else 200
    return TemplateResponse(request, template, context, status=status)
