#!/usr/bin/env bash
# The production profile's processes: gunicorn, and a django-tasks-db worker beside it that
# screens comments (Akismet included) so that no request waits on Akismet.
#
# Run from the project folder, with the settings in the environment or .env (make serve
# does both). When either process stops, the other is stopped too and this script exits
# with the status of the one that stopped first, so whatever runs it (make serve, systemd,
# a container) sees the site stop as a whole and can restart it, instead of a site whose
# comments silently wait for a worker that is gone. SIGTERM, SIGINT or SIGHUP stops both.
set -u
BIN=${BIN:-.venv/bin}

if [ "${TASKS_BACKEND:-}" != "django_tasks_db.DatabaseBackend" ]; then
	echo "deploy/serve.sh: TASKS_BACKEND must be django_tasks_db.DatabaseBackend" >&2
	exit 2
fi

"$BIN/python" manage.py db_worker --no-reload &
worker=$!
"$BIN/gunicorn" -c config/gunicorn.py &
web=$!

stop() {
	kill -TERM "$web" "$worker" 2>/dev/null
}
trap stop TERM INT HUP

wait -n "$web" "$worker"
status=$?
stop
wait "$web" "$worker" 2>/dev/null
exit "$status"
