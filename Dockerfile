# ASCRU2 PIE manager: one image for web (gunicorn), worker and beat.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    UV_PYTHON_DOWNLOADS=never UV_PROJECT_ENVIRONMENT=/app/.venv UV_LINK_MODE=copy \
    PATH="/app/.venv/bin:$PATH"

# The same Debian libraries as scripts/system-deps.sh installs for WeasyPrint.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/* \
 && pip install --no-cache-dir uv \
 && useradd --create-home --uid 1000 app

WORKDIR /app
COPY pyproject.toml uv.lock ./
RUN uv sync --locked --no-dev --python python3
COPY . .
# collectstatic with production storage (hashed, compressed) needs settings but no real secrets.
RUN DJANGO_DEBUG=0 DJANGO_SECRET_KEY=build-only DJANGO_ALLOWED_HOSTS=localhost EMAIL_URL=consolemail:// \
    FIELD_ENCRYPTION_KEY=YnVpbGQtb25seS1rZXktbm90LXVzZWQtYXQtcnVudGltZTA= \
    python manage.py collectstatic --noinput \
 && mkdir -p /app/var/media /app/var/private && chown -R app /app/var

USER app
EXPOSE 8000
CMD ["gunicorn", "ascru_pie.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
