# The site's image: gunicorn for web, the same image runs the Celery worker and beat.
FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
RUN SECRET_KEY=build-only ALLOWED_HOSTS=build python manage.py collectstatic --noinput \
    && useradd --system --home /app clinic && mkdir -p /app/var && chown clinic /app/var
USER clinic
EXPOSE 8000
CMD ["gunicorn", "-c", "python:clinic.gunicorn_conf", "clinic.wsgi"]
