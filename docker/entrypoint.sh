#!/bin/sh
# Loketwijzer container entry point.
#   serve   (default)  gunicorn with gunicorn.conf.py; no import, no migration
#   import             migrate the schema, then import every source; exits non-zero on
#                      any failure, so a job runner or `depends_on` sees it
#   any other command  run as given (e.g. `flask --app webapp audit --out /tmp/a.csv`)
set -eu
case "${1:-serve}" in
  serve)
    exec gunicorn -c gunicorn.conf.py
    ;;
  import)
    flask --app webapp init-db
    exec flask --app webapp import-all --no-progress
    ;;
  *)
    exec "$@"
    ;;
esac
