# Loketwijzer production image: gunicorn serving the Flask app.
# Build: docker build -t loketwijzer .
# Run:   docker run -p 5000:5000 -e DATABASE_URL=postgresql://user@db/loketwijzer \
#          -v /path/to/mirror:/data -e LOKETWIJZER_SOURCES=/data loketwijzer
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    LOKETWIJZER_SOURCES=/data

WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt
COPY . .
RUN useradd --create-home loketwijzer && mkdir -p instance && chown -R loketwijzer /app
USER loketwijzer

EXPOSE 5000
# Schema upgrade and data import are idempotent: a restart only applies what changed.
CMD ["sh", "-c", "flask --app webapp import-all --no-progress; exec gunicorn --workers 2 --bind 0.0.0.0:5000 'webapp:create_app()'"]
