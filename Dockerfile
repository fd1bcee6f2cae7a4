# Vitrina: one image for the web server, the Celery worker and Celery beat (see docker-compose.yml).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=config.settings \
    VAR_DIR=/app/var \
    MEDIA_ROOT=/data/media

# gettext compiles the translations; psycopg and Pillow come as wheels and need no build tools.
RUN apt-get update \
    && apt-get install -y --no-install-recommends gettext \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app

# Dependencies first, so a code change does not reinstall them (pyproject lists no packages to install).
COPY pyproject.toml README.md ./
RUN pip install .

COPY . .
RUN if find locale -name '*.po' | grep -q .; then DEBUG=1 python manage.py compilemessages --ignore=.venv; fi \
    && useradd --system --uid 1000 --home-dir /app vitrina \
    && mkdir -p /app/var /data/media \
    && chown -R vitrina:vitrina /app/var /data/media

USER vitrina
EXPOSE 8000

# The web server: bring the database and static files up to date, then serve. gunicorn takes its
# worker count from WEB_CONCURRENCY. docker-compose.yml runs the worker and beat from this image.
ENV WEB_CONCURRENCY=3
CMD ["sh", "-c", "python manage.py migrate --noinput && python manage.py collectstatic --noinput --verbosity 0 && exec gunicorn config.wsgi:application --bind 0.0.0.0:8000 --access-logfile -"]
