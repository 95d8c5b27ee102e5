"""The example production configs in deploy/ parse, agree with the settings, and keep their promises.

nginx: `nginx -t` on the real files (with throw-away TLS keys and log paths) where nginx is
installed, and a structural check always. systemd units: parsed with configparser. gunicorn:
the config file is executed. The environment example: every name in it is read by someone.
"""

import configparser
import contextlib
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
NGINX = DEPLOY / "nginx"
SYSTEMD = DEPLOY / "systemd"


def unit(name):
    parser = configparser.ConfigParser(strict=False, interpolation=None, delimiters=("=",))
    parser.optionxform = str  # systemd keys are case-sensitive
    parser.read_string((SYSTEMD / name).read_text())
    return parser


def nginx_directives(text):
    """(directive, args) pairs of an nginx file, comments removed."""
    text = re.sub(r"#[^\n]*", "", text)
    return [(m.group(1), m.group(2).strip()) for m in re.finditer(r"^\s*([a-z_0-9]+)\s+([^;{]*)[;{]", text, re.M)]


def location_block(text, prefix):
    match = re.search(r"location\s+" + re.escape(prefix) + r"\s*\{(.*?)\}", text, re.S)
    assert match, f"no location {prefix}"
    return re.sub(r"#[^\n]*", "", match.group(1))


def size_in_bytes(value):
    number, unit_ = re.fullmatch(r"(\d+)([kKmMgG]?)", value).groups()
    return int(number) * {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3}[unit_.lower()]


@pytest.mark.parametrize("name", ["prereg-gunicorn.service", "prereg-worker@.service"])
def test_each_systemd_unit_parses_runs_as_an_unprivileged_user_and_restarts(name):
    parsed = unit(name)
    assert {"Unit", "Service", "Install"} <= set(parsed.sections())
    service = parsed["Service"]
    assert service["User"] == "prereg" and service["Group"] == "prereg"
    assert service["EnvironmentFile"] == "/etc/prereg/prereg.env"
    assert service["Restart"] in {"on-failure", "always"}
    assert service["NoNewPrivileges"] == "true"
    assert service["ProtectSystem"] == "strict"
    # ProtectSystem=strict makes everything read-only: the media directory must be writable.
    assert "/srv/prereg/media" in service["ReadWritePaths"].split()
    assert parsed["Install"]["WantedBy"] == "multi-user.target"


def test_the_gunicorn_unit_serves_the_wsgi_app_with_the_shipped_config():
    service = unit("prereg-gunicorn.service")["Service"]
    command = service["ExecStart"].split()
    assert command[0].endswith("/gunicorn") and "config.wsgi" in command
    assert command[command.index("--config") + 1].endswith("deploy/gunicorn.conf.py")
    assert service["Type"] == "notify"  # gunicorn tells systemd when it is ready


def test_the_worker_unit_runs_the_database_task_worker_on_every_queue_and_keeps_it_running():
    parsed = unit("prereg-worker@.service")
    command = parsed["Service"]["ExecStart"].split()
    # task_worker: db_worker that outlives a database outage (prereg/core/management/commands).
    assert command[1:4] == ["manage.py", "task_worker", "--queue-name"] and command[4] == "*"
    assert parsed["Service"]["Restart"] == "always" and parsed["Unit"]["StartLimitIntervalSec"] == "0"
    # The queues the worker serves are the ones the settings declare.
    assert set(settings.TASKS["default"]["QUEUES"]) >= {"default", "exports"}


def test_the_gunicorn_config_executes_and_trusts_forwarded_headers_only_from_nginx(monkeypatch):
    monkeypatch.delenv("GUNICORN_WORKERS", raising=False)
    namespace = {}
    exec(compile((DEPLOY / "gunicorn.conf.py").read_text(), "gunicorn.conf.py", "exec"), namespace)  # noqa: S102
    assert namespace["bind"] == "127.0.0.1:8000"
    assert isinstance(namespace["workers"], int) and namespace["workers"] >= 3
    assert namespace["forwarded_allow_ips"] == "127.0.0.1"
    assert namespace["timeout"] >= 60
    monkeypatch.setenv("GUNICORN_WORKERS", "5")
    exec(compile((DEPLOY / "gunicorn.conf.py").read_text(), "gunicorn.conf.py", "exec"), namespace)  # noqa: S102
    assert namespace["workers"] == 5


def test_nginxs_access_log_leaves_out_the_query_string_and_the_referer():
    """A search puts an ID number or a mobile in ?q=: nginx logs the path, never $request, $args or the referer."""
    conf = (NGINX / "prereg.conf").read_text()
    directives = nginx_directives(conf)
    formats = {args.split()[0]: args for name, args in directives if name == "log_format"}
    logs = [args.split() for name, args in directives if name == "access_log" and args != "off"]
    assert logs and all(len(log) == 2 and log[1] in formats for log in logs)
    for log in logs:
        fields = formats[log[1]]
        assert "$uri" in fields
        assert not any(bad in fields for bad in ("$request ", '$request"', "$request_uri", "$args", "$query_string",
                                                  "$http_referer"))


def test_nginx_takes_a_full_upload_request_and_no_more():
    conf = (NGINX / "prereg.conf").read_text()
    limits = [args for name, args in nginx_directives(conf) if name == "client_max_body_size"]
    assert len(limits) == 1
    try:
        from prereg.applications.images import MAX_FILES_PER_REQUEST
    except ImportError:
        MAX_FILES_PER_REQUEST = 5
    body_limit = size_in_bytes(limits[0])
    full_upload = MAX_FILES_PER_REQUEST * settings.IMAGE_MAX_BYTES
    assert full_upload < body_limit <= full_upload + 4 * 1024**2


def test_nginx_serves_private_media_only_as_an_internal_redirect_target():
    conf = (NGINX / "prereg.conf").read_text()
    protected = location_block(conf, "/_protected/")
    assert re.search(r"^\s*internal;", protected, re.M)
    assert "alias /srv/prereg/media/;" in protected
    # Media is never exposed under another location, and never listed.
    assert conf.count("/srv/prereg/media/") == 1
    assert "autoindex on" not in conf
    env = (DEPLOY / "prereg.env.example").read_text()
    assert re.search(r"^MEDIA_ROOT=/srv/prereg/media$", env, re.M)
    assert not settings.MEDIA_URL.startswith("/_protected/")


def test_private_media_sent_by_nginx_keeps_the_applications_security_headers():
    """Security probe F5: on an X-Accel-Redirect nginx dropped CSP, X-Frame-Options, Referrer-Policy and
    COOP, and added a second Cache-Control beside the application's (which it keeps)."""
    protected = location_block((NGINX / "prereg.conf").read_text(), "/_protected/")
    headers = {args.split()[0]: args.split(None, 1)[1] for name, args in nginx_directives(protected)
               if name == "add_header"}
    assert headers["X-Content-Type-Options"] == "nosniff always"
    assert headers["X-Frame-Options"] == f"{settings.X_FRAME_OPTIONS} always"
    assert headers["Referrer-Policy"] == f"{settings.SECURE_REFERRER_POLICY} always"
    assert headers["Cross-Origin-Opener-Policy"] == f"{settings.SECURE_CROSS_ORIGIN_OPENER_POLICY} always"
    assert "add_header Content-Security-Policy \"default-src 'none'; frame-ancestors 'none'\" always;" in protected
    assert "Cache-Control" not in headers


def test_nginx_serves_static_from_static_root_and_proxies_everything_else_with_forwarded_headers():
    conf = (NGINX / "prereg.conf").read_text()
    assert "alias /srv/prereg/static/;" in location_block(conf, "/static/")
    env = (DEPLOY / "prereg.env.example").read_text()
    assert re.search(r"^STATIC_ROOT=/srv/prereg/static$", env, re.M)
    proxy = dict(nginx_directives((NGINX / "prereg-proxy.inc").read_text()))
    assert proxy["proxy_pass"] == "http://prereg_app"
    headers = [args for name, args in nginx_directives((NGINX / "prereg-proxy.inc").read_text())
               if name == "proxy_set_header"]
    assert "X-Forwarded-Proto $scheme" in headers
    assert "X-Forwarded-For $proxy_add_x_forwarded_for" in headers
    for upstream in ("upstream-single.conf", "upstream-cluster.conf"):
        assert "upstream prereg_app" in (NGINX / upstream).read_text()


def test_every_name_in_the_environment_example_is_read_by_the_settings_gunicorn_or_boto3():
    settings_source = (ROOT / "config" / "settings.py").read_text()
    read_by_settings = set(re.findall(r"env(?:\.\w+)?\(\s*\"([A-Z_0-9]+)\"", settings_source))
    gunicorn_source = (DEPLOY / "gunicorn.conf.py").read_text()
    read_by_gunicorn = set(re.findall(r"environ\.get\(\"([A-Z_0-9]+)\"", gunicorn_source))
    names = re.findall(r"^([A-Z_0-9]+)=", (DEPLOY / "prereg.env.example").read_text(), re.M)
    assert {"SECRET_KEY", "AUDIT_HMAC_KEY", "DATABASE_URL", "REDIS_URL", "FILE_STORAGE", "PROXY_COUNT"} <= set(names)
    unknown = [n for n in names if n not in read_by_settings | read_by_gunicorn and not n.startswith("AWS_")]
    assert not unknown, f"names nobody reads: {unknown}"


@pytest.mark.skipif(not shutil.which("nginx") or not shutil.which("openssl"), reason="nginx or openssl not installed")
def test_nginx_accepts_the_configuration_for_one_server_and_for_several(tmp_path):
    # Throw-away TLS key and certificate, and every absolute path redirected into tmp_path.
    subprocess.run(  # noqa: S603
        [shutil.which("openssl"), "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=prereg.test",
         "-keyout", str(tmp_path / "prereg.key"), "-out", str(tmp_path / "prereg.crt")],
        check=True, capture_output=True,
    )
    (tmp_path / "logs").mkdir()
    for upstream in ("upstream-single.conf", "upstream-cluster.conf"):
        conf_dir = tmp_path / upstream.replace(".conf", "")
        conf_dir.mkdir()

        def localise(text, conf_dir=conf_dir):
            return (text.replace("/etc/nginx/tls/", f"{tmp_path}/")
                    .replace("/var/log/nginx/", f"{tmp_path}/logs/")
                    .replace("/etc/nginx/conf.d/", f"{conf_dir}/"))

        for name in ("prereg.conf", "prereg-proxy.inc", upstream):
            (conf_dir / name).write_text(localise((NGINX / name).read_text()))
        main = conf_dir / "nginx.conf"
        main.write_text(
            f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/logs/error.log;\n"
            "events { worker_connections 64; }\n"
            f"http {{\n  include /etc/nginx/mime.types;\n  access_log off;\n"
            f"  client_body_temp_path {tmp_path}/body;\n  proxy_temp_path {tmp_path}/proxy;\n"
            f"  include {conf_dir}/{upstream};\n  include {conf_dir}/prereg.conf;\n}}\n"
        )
        result = subprocess.run(  # noqa: S603
            [shutil.which("nginx"), "-t", "-q", "-p", str(tmp_path), "-c", str(main)],
            capture_output=True, text=True,
        )
        assert result.returncode == 0, result.stderr


def _free_port():
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def shipped_nginx(tmp_path, handler):
    """The shipped config run by a real nginx on a loopback port, in front of an upstream answering with
    `handler` (an http.server handler class), with a throw-away certificate; yields `https_get(path,
    **headers)` -> (response, body)."""
    import http.client
    import http.server
    import ssl
    import threading
    import time

    upstream = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=upstream.serve_forever, daemon=True).start()
    subprocess.run(  # noqa: S603
        [shutil.which("openssl"), "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=prereg.test",
         "-keyout", str(tmp_path / "prereg.key"), "-out", str(tmp_path / "prereg.crt")],
        check=True, capture_output=True,
    )
    (tmp_path / "logs").mkdir()
    port = _free_port()
    conf = (NGINX / "prereg.conf").read_text()
    conf = re.sub(r"server \{\s*listen 80;.*?\n\}\n", "", conf, count=1, flags=re.S)  # the redirect server
    conf = re.sub(r"\s*listen \[::\]:\d+[^;]*;", "", conf)
    conf = re.sub(r"listen 443 ssl http2;", f"listen 127.0.0.1:{port} ssl;", conf)
    for name, text in (("prereg.conf", conf), ("prereg-proxy.inc", (NGINX / "prereg-proxy.inc").read_text()),
                       ("upstream.conf", (NGINX / "upstream-single.conf").read_text().replace(
                           "127.0.0.1:8000", f"127.0.0.1:{upstream.server_address[1]}"))):
        (tmp_path / name).write_text(text.replace("/etc/nginx/tls/", f"{tmp_path}/")
                                     .replace("/var/log/nginx/", f"{tmp_path}/logs/")
                                     .replace("/etc/nginx/conf.d/", f"{tmp_path}/"))
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/logs/error.log;\nevents {{ worker_connections 64; }}\n"
        f"http {{\n  access_log off;\n  client_body_temp_path {tmp_path}/body;\n  proxy_temp_path {tmp_path}/proxy;\n"
        f"  include {tmp_path}/upstream.conf;\n  include {tmp_path}/prereg.conf;\n}}\n")
    nginx = subprocess.Popen(  # noqa: S603
        [shutil.which("nginx"), "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf"),
         "-g", "daemon off; master_process off;"], stderr=subprocess.PIPE)
    context = ssl.create_default_context(cafile=str(tmp_path / "prereg.crt"))  # the throw-away certificate
    context.check_hostname = False

    def https_get(path="/", **headers):
        for _ in range(50):
            try:
                connection = http.client.HTTPSConnection("127.0.0.1", port, context=context, timeout=5)
                connection.request("GET", path, headers={"Host": "prereg.example.cn", **headers})
                response = connection.getresponse()
                return response, response.read()
            except OSError:
                time.sleep(0.1)
        pytest.fail("nginx did not answer")

    try:
        yield https_get
    finally:
        nginx.terminate()
        nginx.wait(timeout=10)
        upstream.shutdown()


@pytest.mark.skipif(not shutil.which("nginx") or not shutil.which("openssl"), reason="nginx or openssl not installed")
def test_nginx_answers_without_naming_gunicorn_or_its_own_version(tmp_path):
    """Issue 16: responses carried `Server: gunicorn`. The shipped config, run by a real nginx on
    loopback ports in front of a stand-in upstream that says `Server: gunicorn`."""
    import http.server

    class Upstream(http.server.BaseHTTPRequestHandler):
        server_version, sys_version = "gunicorn", ""
        protocol_version = "HTTP/1.1"

        def do_GET(self):  # noqa: N802 - the http.server API
            self.send_response(200)
            self.send_header("X-Powered-By", "gunicorn/23")
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args):
            pass

    with shipped_nginx(tmp_path, Upstream) as https_get:
        response, body = https_get()
        assert response.status == 200 and body == b"ok"
        headers = {k.lower(): v for k, v in response.getheaders()}
        assert "gunicorn" not in str(headers).lower(), headers
        assert headers.get("server", "") == "nginx"  # server_tokens off: no version either
        assert "x-powered-by" not in headers


# --- settings: backends switch by environment alone -----------------------------------------------

SETTINGS_PROBE = """
import json, os
os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
from django.conf import settings
print(json.dumps({
    "cache": settings.CACHES["default"]["BACKEND"], "cache_location": settings.CACHES["default"].get("LOCATION"),
    "session": settings.SESSION_ENGINE, "storage": settings.STORAGES["default"]["BACKEND"],
    "storage_options": settings.STORAGES["default"]["OPTIONS"], "tasks": settings.TASKS["default"]["BACKEND"],
    "database": settings.DATABASES["default"]["ENGINE"], "hasher": settings.PASSWORD_HASHERS[0],
    "https": settings.SESSION_COOKIE_SECURE,
}))
"""


def settings_with(env):
    """config.settings evaluated in a fresh interpreter with `env` (as a production process would)."""
    import json
    import os
    import sys

    base = {k: v for k, v in os.environ.items()
            if k not in ("PYTEST_VERSION", "TESTING", "DATABASE_URL", "REDIS_URL", "FILE_STORAGE",
                         "FILE_STORAGE_OPTIONS", "TASKS_BACKEND", "HTTPS", "PASSWORD_HASHERS")}
    out = subprocess.run([sys.executable, "-c", SETTINGS_PROBE], cwd=ROOT, env={**base, **env},  # noqa: S603
                         capture_output=True, text=True, timeout=60, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_the_embedded_defaults_need_no_redis_no_object_storage_and_no_task_server():
    embedded = settings_with({"DATABASE_URL": "sqlite:////tmp/prereg-probe.sqlite3"})
    assert embedded["cache"] == "django.core.cache.backends.db.DatabaseCache"
    assert embedded["session"] == "django.contrib.sessions.backends.db"
    assert embedded["storage"] == "django.core.files.storage.FileSystemStorage"
    assert embedded["tasks"] == "django_tasks_db.DatabaseBackend"
    assert embedded["hasher"] == "prereg.accounts.hashers.Argon2idPasswordHasher"


def test_the_several_server_layout_is_reached_by_environment_alone():
    cluster = settings_with({
        "DATABASE_URL": "postgres://prereg:pw@10.0.0.20:5432/prereg",
        "REDIS_URL": "redis://10.0.0.21:6379/0",
        "FILE_STORAGE": "storages.backends.s3.S3Storage",
        "FILE_STORAGE_OPTIONS": '{"bucket_name": "prereg-media", "default_acl": "private"}',
        "TASKS_BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
        "HTTPS": "1",
    })
    assert cluster["database"] == "django.db.backends.postgresql"
    assert cluster["cache"] == "django.core.cache.backends.redis.RedisCache"
    assert cluster["cache_location"] == "redis://10.0.0.21:6379/0"
    assert cluster["session"] == "django.contrib.sessions.backends.cached_db"  # a Redis restart signs no one out
    assert cluster["storage"] == "storages.backends.s3.S3Storage"
    assert cluster["storage_options"] == {"bucket_name": "prereg-media", "default_acl": "private"}
    assert cluster["tasks"] == "django_tasks.backends.immediate.ImmediateBackend"
    assert cluster["https"] is True


def test_the_environment_example_itself_gives_the_production_backends():
    example = {}
    for line in (DEPLOY / "prereg.env.example").read_text().splitlines():
        if line and not line.startswith("#") and "=" in line:
            key, value = line.split("=", 1)
            example[key] = value
    configured = settings_with(example)
    assert configured["database"] == "django.db.backends.postgresql"
    assert configured["cache"] == "django.core.cache.backends.redis.RedisCache"
    assert configured["tasks"] == example["TASKS_BACKEND"]
    assert configured["https"] is True


def test_make_run_serves_with_threaded_workers_as_no_proxy_buffers_uploads_there():
    # The photo probe: under make run a phone sending a photo at 3.5 KB/s held a sync worker until the
    # 60 s timeout killed it ("上传失败"), and three such uploads held up every other page for 52 s.
    run = (ROOT / "Makefile").read_text(encoding="utf-8").split("\nrun:")[1].split("\n\n")[0]
    assert "--worker-class gthread" in run and "--threads" in run
