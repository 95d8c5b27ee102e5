"""Sliding-window rate limits in the Django cache, shared by every process.

    from prereg.core import ratelimit
    ratelimit.check("sms", ratelimit.client_address(request))   # raises RateLimited
    @ratelimit.limit("upload")                                  # a view: 429 page when over

Limits come from settings.RATE_LIMITS ({scope: (hits, seconds)}): at most `hits` in ANY span of
`seconds`. A fixed window let twice the limit through across its edge (the limit at 4:59 and
again at 5:01); here each key counts its hits in buckets of a tenth of the window, and a hit
is let through while the buckets of the last window hold no more than the limit (the oldest
bucket counts whole, so a span is never over the limit; a hit may wait up to a tenth longer).
Keys are hashed, so no phone number or address is stored in the cache. Correct across processes:
- Redis (REDIS_URL): `add` then `incr` are atomic server-side (two hits racing at the limit may
  both be refused, never both let through);
- the database cache: its incr() is a read then a write, so the read-modify-write runs in a
  transaction that first takes a lock every process sees: a PostgreSQL advisory lock on the
  key, or the write lock SQLite takes at BEGIN (the project opens transactions IMMEDIATE);
- the local-memory cache (tests, one process): incr() holds the cache's own lock.
"""

import hashlib
import ipaddress
import time
from functools import wraps

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.db import DatabaseCache
from django.db import router, transaction
from django.shortcuts import render

from prereg.core import locks

DEFAULT_LIMITS = {
    # Failed sign-ins per client address: a hospital puts its staff behind one address (their
    # sign-ins that succeed are not counted), and the per-account lockout (django-axes, 5
    # failures) is what stops guessing one account's password.
    "login": (100, 300),
    "sms": (20, 3600),
    # Sign-ups per phone and per ID number; per address a limit a large hospital signing up its
    # staff from behind one address does not reach (issue 15).
    "signup": (10, 3600),
    "signup_address": (1000, 3600),
    # Sign-up codes an address has sent before a 图形验证码 is asked for the next one.
    "sms_without_captcha": (1, 3600),
    "upload": (300, 3600),
    # 申请添加单位 per candidate a day: each lands in a 报名点's queue and is answered by SMS.
    "unit_request": (10, 86400),
    # A reviewer's corrections that give an ID number or a phone, per reviewer a day. Each one tells
    # whether another person holds the number (it must: a correction may not give a number someone
    # else holds), so without a limit the correction pages answer "is this number registered?" for
    # a list of numbers. A 报名点 or a 单位 corrects a few numbers a day; 30 leaves room for a bad day.
    "number_lookup": (30, 86400),
}
MESSAGE = "操作过于频繁，请稍后再试。"


class RateLimited(Exception):
    def __init__(self, scope: str, retry_after: int, message: str = MESSAGE):
        self.scope, self.retry_after = scope, retry_after
        super().__init__(message)


def limits_for(scope: str) -> tuple[int, int]:
    return {**DEFAULT_LIMITS, **getattr(settings, "RATE_LIMITS", {})}[scope]


def client_address(request) -> str:
    """The client's address: django-axes's (AXES_CLIENT_IP_CALLABLE), the rate limits' and the audit log's.

    Behind PROXY_COUNT reverse proxies, each appends the address it was reached from to
    X-Forwarded-For, so the client is that many entries from the right (REMOTE_ADDR is the last
    proxy); entries further left were written by the client or its own network's proxy and are not
    trusted. django-ipware's proxy_count does not fit: it wants a header of exactly that many entries
    (else REMOTE_ADDR: everyone behind a hospital's own proxy would share nginx's address) or reads
    the header's left end, which a client writes.
    """
    hops = settings.PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "") if hops else ""
    chain = [part.strip() for part in forwarded.split(",") if part.strip()] + [request.META.get("REMOTE_ADDR", "")]
    if len(chain) > hops:
        try:
            return str(ipaddress.ip_address(_without_port(chain[-1 - hops])))
        except ValueError:
            pass  # a proxy count set where no proxy is: the header is the client's own
    return chain[-1]


def _without_port(entry: str) -> str:
    """Some load balancers write the client's port too: 1.2.3.4:5555, [2001:db8::1]:5555."""
    if entry.startswith("["):
        return entry[1:].partition("]")[0]
    return entry.partition(":")[0] if entry.count(":") == 1 else entry


def user_or_address(request) -> str:
    """The signed-in user (each candidate his own count, however many share a hospital's address),
    else the client address."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    return client_address(request)


def _cache_key(scope: str, key: str, bucket_start: int) -> str:
    digest = hashlib.sha256(f"{scope}\0{key}".encode()).hexdigest()[:32]
    return f"rl:{scope}:{digest}:{bucket_start}"


BUCKETS = 10  # per window


class _Window:
    """The buckets of one key that the window ending now overlaps, newest first."""

    def __init__(self, scope, key, limit, window, now):
        default_limit, default_window = limits_for(scope) if limit is None or window is None else (limit, window)
        self.limit = default_limit if limit is None else limit
        self.window = default_window if window is None else window
        self.now = int(time.time() if now is None else now)
        self.size = max(1, -(-self.window // BUCKETS))
        current = self.now - self.now % self.size
        starts = [current - i * self.size for i in range(-(-self.window // self.size) + 1)]
        self.keys = [_cache_key(scope, key, start) for start in starts]
        self.starts = dict(zip(self.keys, starts, strict=True))
        self.timeout = self.window + self.size + 1

    def counts(self, cache) -> dict[str, int]:
        found = cache.get_many(self.keys)
        return {k: found.get(k) or 0 for k in self.keys}

    def wait(self, counts: dict[str, int]) -> int | None:
        """Seconds until the hits of the window are below the limit again, or None if they are."""
        total = sum(counts.values())
        if total < self.limit:
            return None
        for k in reversed(self.keys):  # oldest first: each leaves the window in turn
            total -= counts[k]
            if total < self.limit:
                return max(1, self.starts[k] + self.size + self.window - self.now)
        return self.window


def spent(scope: str, key: str, *, limit: int | None = None, window: int | None = None, now=None) -> int | None:
    """The seconds to wait if `key` has used up its hits of the last window, without counting one."""
    w = _Window(scope, key, limit, window, now)
    return w.wait(w.counts(caches["default"]))


def hit(scope: str, key: str, *, limit: int | None = None, window: int | None = None, now=None) -> bool:
    """Counts one hit of `key`; False once the last window holds more than the limit."""
    w = _Window(scope, key, limit, window, now)
    cache = caches["default"]
    current = w.keys[0]
    if isinstance(cache, DatabaseCache):
        alias = router.db_for_write(cache.cache_model_class)
        with transaction.atomic(using=alias):
            locks.hold(current.rpartition(":")[0], using=alias)
            counts = w.counts(cache)
            counts[current] += 1
            cache.set(current, counts[current], w.timeout)
    else:
        cache.add(current, 0, w.timeout)
        try:
            count = cache.incr(current)
        except ValueError:  # expired between add() and incr()
            cache.add(current, 1, w.timeout)
            count = 1
        counts = w.counts(cache)
        counts[current] = count
    return sum(counts.values()) <= w.limit


def check(scope: str, key: str, **kwargs) -> None:
    """Counts one hit; raises RateLimited (with the seconds to wait) once over the limit."""
    if not hit(scope, key, **kwargs):
        raise RateLimited(scope, retry_after=spent(scope, key, **kwargs) or limits_for(scope)[1])


def number_lookup_refusal(actor) -> str | None:
    """Counts one correction by `actor` that gives an ID number or a phone ("number_lookup"); the
    message to refuse it with at the field once over the limit, else None.

    Call it in the view, before the service: with the database cache a hit counted inside the
    service's transaction would be rolled back with it when the number is refused as taken."""
    return None if hit("number_lookup", f"user:{actor.pk}") else MESSAGE


def wait_for(pairs, *, count: bool) -> int | None:
    """The seconds to wait if any (scope, key) of `pairs` has used up its limit, else None; with
    `count`, one hit is counted on each of them first (empty keys are skipped)."""
    waits = []
    for scope, key in pairs:
        if not key:
            continue
        if count and not hit(scope, key):
            waits.append(spent(scope, key) or limits_for(scope)[1])
        elif not count and (wait := spent(scope, key)) is not None:
            waits.append(wait)
    return max(waits) if waits else None


def wait_text(seconds: int) -> str:
    """How long to wait, as the message says it: 约N分钟 (at least one)."""
    minutes = max(1, -(-seconds // 60))
    return f"{minutes}分钟" if minutes < 120 else f"{-(-minutes // 60)}小时"


def response_for(request, exc: RateLimited):
    response = render(request, "errors/429.html", {"message": str(exc)}, status=429)
    response["Retry-After"] = str(exc.retry_after)
    return response


def limit(scope: str, *, key=client_address, methods=("POST",)):
    """View decorator: counts each request of `methods` per key(request); a 429 page when over."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method in methods:
                try:
                    check(scope, key(request))
                except RateLimited as exc:
                    return response_for(request, exc)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
