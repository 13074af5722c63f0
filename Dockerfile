# The site's image: gunicorn for web; the same image runs the Celery worker and beat (docker-compose.yml).
# Two stages. The builder installs the runtime lock (requirements.txt: every package pinned, every file
# checked against its hash, wheels only) into /opt/venv. The final image holds that venv, the application
# and its collected static files: no compiler, no pip in the venv, no dev tools, no tests (.dockerignore).

FROM python:3.11-slim-bookworm AS builder
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1 PIP_ROOT_USER_ACTION=ignore
WORKDIR /build
COPY requirements.txt requirements.txt
RUN python -m venv --without-pip /opt/venv \
    && pip --python /opt/venv/bin/python install --require-hashes --only-binary :all: -r requirements.txt

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PATH=/opt/venv/bin:$PATH
RUN useradd --system --no-create-home --home-dir /app --shell /usr/sbin/nologin clinic
WORKDIR /app
COPY --from=builder /opt/venv /opt/venv
COPY . .
# The code and static files stay root's, read-only to the site; only var/ (beat's schedule) is its own.
RUN SECRET_KEY=build-only ALLOWED_HOSTS=build python manage.py collectstatic --noinput \
    && mkdir -p /app/var && chown clinic /app/var
USER clinic
EXPOSE 8000
# /healthz/ answers 200 when the database, the broker and the mail queue are fine, 503 when not (README).
# It is web's check: compose turns it off for worker, beat and migrate, which serve no HTTP.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz/', timeout=4)"]
CMD ["gunicorn", "-c", "python:clinic.gunicorn_conf", "clinic.wsgi"]
