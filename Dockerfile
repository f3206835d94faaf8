# Loketwijzer production image: gunicorn serving the Flask app. Runtime dependencies only
# (requirements.txt); tests, Playwright and ruff stay out (requirements-dev.txt).
#
# Build:   docker build -t loketwijzer .
# Step 1 — migrate and import (a separate job that fails loudly: exit code 1 or 2):
#   docker run --rm -e DATABASE_URL=postgresql://user@db/loketwijzer \
#     -e LOKETWIJZER_DOWNLOAD_URL=https://mirror.example.org/loketwijzer/ loketwijzer import
#   (or mount a mirror: -v /path/to/mirror:/data -e LOKETWIJZER_SOURCES=/data)
# Step 2 — serve:
#   docker run -p 5000:5000 -e DATABASE_URL=postgresql://user@db/loketwijzer \
#     -e LOKETWIJZER_PUBLIC_URL=https://loketwijzer.example.org loketwijzer
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    LOKETWIJZER_BIND=0.0.0.0:5000 \
    LOG_LEVEL=info

WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt
COPY . .
RUN useradd --create-home loketwijzer \
    && mkdir -p instance \
    && chown -R loketwijzer /app/instance \
    && python -m compileall -q loketwijzer webapp importers geo matcher \
    && python -c "from pathlib import Path; from webapp.i18n import compile_translations; compile_translations(Path('webapp/translations'))"
USER loketwijzer

EXPOSE 5000
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD python -c "import sys, urllib.request; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:5000/healthz', timeout=4).status == 200 else 1)"

ENTRYPOINT ["docker/entrypoint.sh"]
CMD ["serve"]
