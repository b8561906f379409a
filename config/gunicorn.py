"""gunicorn settings for `make serve` and production (`gunicorn -c config/gunicorn.py`)."""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Two sync workers per core: one can work while the other waits on PostgreSQL or Redis.
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2))
wsgi_app = "config.wsgi:application"
# Readers on slow phone connections should not tie up a worker; a proxy in front helps too.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 30))
graceful_timeout = 30
keepalive = 5
# Each worker is replaced after about 100,000 requests (GUNICORN_MAX_REQUESTS, 0 = never),
# not 2,000: at make bench's warm-page rate 2,000 meant a restart per worker every 1-2 s,
# and the cold starts set the warm p99 at 160-1,310 ms. Measured without recycling (DEBUG
# off, PostgreSQL, Redis, 4 workers, wrk on an essay page, the home page and the feed,
# about 4,300 requests per worker): RSS 64-75 MB at start, 73-76 MB after the first
# minute (warming up), then +0.38-0.57 MB per worker over the next ~3,200 requests each,
# about 0.15 KB a request and not levelling off. Small but real, so it is bounded: at that
# rate 100,000 requests add some 15 MB to a worker before it is replaced, and the jitter
# keeps the workers from being replaced at the same moment.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", 100_000))
max_requests_jitter = max_requests // 10
# gunicorn 25.1+ opens a control socket at one path per user ($XDG_RUNTIME_DIR or
# ~/.gunicorn/gunicorn.ctl), shared by every gunicorn on the host: a second one (make bench
# beside make serve, two sites) takes it over. None unless a path of its own is given.
control_socket = os.environ.get("GUNICORN_CONTROL_SOCKET", "")
control_socket_disable = not control_socket
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
# No client address and no query string: the access log holds nothing about who read what.
access_log_format = '"%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms'
# Who may set X-Forwarded-Proto (the scheme gunicorn reports): the same proxies the site
# takes client addresses from (TRUSTED_PROXIES, default nobody), unless FORWARDED_ALLOW_IPS
# says otherwise. Django's DJANGO_BEHIND_TLS_PROXY reads that header on its own.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS") or os.environ.get("TRUSTED_PROXIES", "")
