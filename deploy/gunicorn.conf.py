"""gunicorn settings for prereg (`gunicorn config.wsgi --config deploy/gunicorn.conf.py`).

Values can be overridden from the environment (GUNICORN_BIND, GUNICORN_WORKERS, …) so one file
serves every app server.
"""

import multiprocessing
import os

# nginx talks to gunicorn on the loopback (one server) or the private network (several).
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Sync workers: CPU-bound pages (PBKDF2 sign-in, image re-encoding, PDF). 2 × cores + 1.
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"
# An upload of 5 × 3 MB from a slow phone, or a PDF, must finish; a stuck worker is recycled.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then (memory held by Pillow after large images).
max_requests = 2000
max_requests_jitter = 200
# Trust X-Forwarded-* only from nginx.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
limit_request_line = 8190
limit_request_fields = 100
accesslog = "-"
# The access log masks ID numbers and mobiles (a search puts them in the URL): PIPL, minimum necessary.
logger_class = "prereg.core.logmask.MaskingLogger"
errorlog = "-"
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s"'
proc_name = "prereg"
# gunicorn's control socket is not used, and every instance on a host shared its default path
# (~/.gunicorn/gunicorn.ctl), each taking it from the one before (faults probe).
control_socket_disable = True
