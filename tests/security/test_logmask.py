"""No full ID number or mobile in a log line (issue 16, PIPL minimum necessary).

A search by ID number or phone puts the number in the URL, and gunicorn's access log wrote the
URL in full (157 lines with 3 ID numbers and 4 mobiles after a few searches). gunicorn runs with
prereg.core.logmask.MaskingLogger; Django's log handlers carry PersonalNumberFilter.
"""

import datetime
import io
import logging
import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings

from prereg.core.logmask import MaskingLogger, PersonalNumberFilter, mask_personal_numbers

ROOT = Path(__file__).resolve().parent.parent.parent
ID = "350102199205171234"
ID_X = "35010219920517123X"
PHONE = "13800138000"
FULL_NUMBER = re.compile(r"(?<![0-9A-Za-z])(\d{17}[0-9Xx]|1[3-9]\d{9})(?![0-9A-Za-z])")


def test_numbers_are_masked_as_the_lists_show_them_and_nothing_else_is_touched():
    text = f"GET /backoffice/candidates/?q={ID}&p={PHONE}&x={ID_X.lower()}&n=202790000001&code=35012205 HTTP/1.1"
    masked = mask_personal_numbers(text)
    assert "q=3501**********1234" in masked and "p=138****8000" in masked and "x=3501**********123x" in masked
    assert "n=202790000001" in masked and "code=35012205" in masked  # a form number, an org code
    assert not FULL_NUMBER.search(masked)
    assert mask_personal_numbers("+8613800138000") == "138****8000"


def _access_line(tmp_path, **environ):
    from gunicorn.config import Config

    cfg = Config()
    cfg.set("accesslog", str(tmp_path / "access.log"))
    cfg.set("access_log_format", '%(h)s "%(r)s" %(s)s "%(f)s" "%(a)s" %(U)s %(q)s')
    logger = MaskingLogger(cfg)
    base = {"REQUEST_METHOD": "GET", "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "10.0.0.1",
            "HTTP_USER_AGENT": "Mozilla/5.0"}
    response = SimpleNamespace(status="200 OK", sent=512, headers=[("Content-Type", "text/html")])
    request = SimpleNamespace(headers=[("REFERER", environ.get("HTTP_REFERER", "-"))])
    logger.access(response, request, {**base, **environ}, datetime.timedelta(milliseconds=12))
    for handler in logger.access_log.handlers:
        handler.flush()
    return (tmp_path / "access.log").read_text()


def test_gunicorns_access_log_masks_id_numbers_and_mobiles_in_the_url_and_the_referer(tmp_path):
    query = f"q={ID}&phone={PHONE}"
    line = _access_line(tmp_path, RAW_URI=f"/backoffice/review/?{query}", PATH_INFO=f"/x/{ID_X}/",
                        QUERY_STRING=query, HTTP_REFERER=f"https://prereg.example.cn/backoffice/exports/?{query}")
    assert "3501**********1234" in line and "138****8000" in line and "3501**********123X" in line
    assert not FULL_NUMBER.search(line), line
    assert "10.0.0.1" in line and "200" in line  # the rest of the line as it was


def test_gunicorn_is_run_with_the_masking_logger_in_production_and_by_make_run():
    from gunicorn.config import Config

    namespace = {}
    exec(compile((ROOT / "deploy" / "gunicorn.conf.py").read_text(), "gunicorn.conf.py", "exec"), namespace)  # noqa: S102
    cfg = Config()
    cfg.set("logger_class", namespace["logger_class"])
    assert cfg.logger_class is MaskingLogger
    makefile = (ROOT / "Makefile").read_text()
    run = makefile[makefile.index("\nrun:"):]
    gunicorn_command = run[run.index("bin/gunicorn"):].split("\n\n")[0]
    assert "--logger-class prereg.core.logmask.MaskingLogger" in gunicorn_command


def test_every_django_log_handler_masks_personal_numbers():
    for name, handler in settings.LOGGING["handlers"].items():
        assert "personal_numbers" in handler.get("filters", []), name
    assert "personal_numbers" in settings.LOGGING["loggers"]["django.request"]["filters"]


@pytest.mark.django_db
def test_a_request_with_numbers_in_the_url_leaves_no_full_number_in_djangos_log(client, candidate):
    handler = next(h for h in logging.getLogger().handlers
                   if any(isinstance(f, PersonalNumberFilter) for f in h.filters))
    stream = io.StringIO()
    old = handler.setStream(stream)
    try:
        client.force_login(candidate)
        assert client.get(f"/no-such-page/{ID}/{PHONE}/?q={ID}").status_code == 404
        logging.getLogger("prereg").warning("looked up %s and %s", ID_X, PHONE)
    finally:
        handler.setStream(old)
    written = stream.getvalue()
    assert "Not Found: /no-such-page/3501**********1234/138****8000/" in written
    assert "looked up 3501**********123X and 138****8000" in written
    assert not FULL_NUMBER.search(written), written
