from django.conf import settings
from django.http import FileResponse, Http404, HttpResponse
from django.utils.crypto import constant_time_compare
from django.utils.http import http_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from integrations.feeds.services import FEEDS, feed_path, feeds_rebuild_soon


@require_safe
def feed_file(request, name: str):
    """A marketplace feed, as the last build wrote it: never built here, whatever its size.
    With FEEDS_TOKEN set, only a request that carries it sees the feed."""
    feed = FEEDS.get(name)
    token = settings.FEEDS_TOKEN
    if feed is None or (token and not constant_time_compare(request.GET.get("token", ""), token)):
        raise Http404
    path = feed_path(feed)
    try:
        stream = path.open("rb")
    except FileNotFoundError:
        feeds_rebuild_soon()
        response = HttpResponse(_("The feed is being prepared; try again in a few minutes."),
                                status=503, content_type="text/plain; charset=utf-8")
        response["Retry-After"] = str(settings.FEEDS_DEBOUNCE_SECONDS)
        return response
    response = FileResponse(stream, content_type=feed.content_type)
    response["Last-Modified"] = http_date(path.stat().st_mtime)
    return response
