"""gunicorn settings for the Operations Portal (used by `make run`, systemd, Docker, k8s).

Every value can be changed through an environment variable; see the README's table.
"""

import multiprocessing
import os
import shutil

_host = os.environ.get("BIND", "127.0.0.1")
bind = f"{_host}:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"
# Recycle workers now and then against slow leaks; the jitter keeps them from restarting together.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "10000"))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", "1000"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
# Equal to the stop grace period of the container or unit: requests in flight finish.
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "25"))
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))
_shm = "/dev/shm"  # noqa: S108 - the worker heartbeat file belongs in memory, not on disk
if os.path.isdir(_shm):
    worker_tmp_dir = _shm
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None  # empty: no access log
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
# %(L)s is the request time in decimal seconds, %(M)s in milliseconds.
access_log_format = '%(h)s "%(r)s" %(s)s %(B)s %(M)sms "%(f)s" "%(a)s"'
proc_name = "portal-web"
# Several gunicorns may share a host (tests, blue/green); none needs the control socket.
control_socket_disable = True


def on_starting(server) -> None:  # noqa: ANN001
    """Start with an empty metrics directory so dead processes from a past run are not counted."""
    path = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if path:
        shutil.rmtree(path, ignore_errors=True)
        os.makedirs(path, exist_ok=True)


def child_exit(server, worker) -> None:  # noqa: ANN001
    """Mark a dead worker so its live gauges stop counting; its counters stay summed."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)


def pre_request(worker, req) -> None:  # noqa: ANN001
    """Liveness probes and heartbeat pings do not count toward `max_requests`.

    Recycling guards against leaks in Django's request path. `/health/live` and pings are
    answered before Django (apps.health.liveness, apps.monitoring.fastping) and keep nothing
    between requests, so counting them would only restart a busy worker (a second of CPU to
    import Django again) every few seconds for no benefit.
    """
    if req.path == "/health/live" or req.path.startswith("/ping/"):
        worker.nr -= 1
