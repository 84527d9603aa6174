"""One HTTP client for every backend that talks to a server (LLM, TTS): retries, keys, errors.

Retries come from urllib3's :class:`~urllib3.util.retry.Retry` on a requests session:

* HTTP 429, 500, 502, 503, 504, connection errors and timeouts are retried, up to
  ``max_retries`` times; any other status (409 Conflict, 400, 422, ...) is answered at once;
* the wait doubles from ``backoff`` up to ``max_backoff``, and a random share of it
  (``jitter``) is taken off, so workers that failed together do not retry together;
* a server's ``Retry-After`` sets the wait after the response that sends it, and only
  that one: urllib3 reads it from each response, so it is never reused for later retries.

The API key is read from the environment variable named in the config at each request;
it is never stored on the object, logged or written to a file. Failures are one-line
:class:`HttpError` messages that say what to do: a refused key names the variable, a
server that is down names its address.
"""

from __future__ import annotations

import logging
import os
import random
import time
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Callable

from corpus_core.errors import BackendError, MissingDependency

__all__ = ["HttpError", "RetryPolicy", "HttpClient", "RETRY_STATUS", "RETRY_AFTER_MAX_SECONDS"]

log = logging.getLogger(__name__)

#: statuses worth another try: rate limits and server-side failures
RETRY_STATUS = frozenset({429, 500, 502, 503, 504})
#: longest wait a server's Retry-After may ask for (seconds)
RETRY_AFTER_MAX_SECONDS = 300.0
#: methods retried (urllib3 leaves POST out by default; these servers' POSTs are safe to repeat)
_METHODS = frozenset({"GET", "POST"})
# jitter must differ between forked workers whatever seeds a process sets
_JITTER = random.SystemRandom()


class HttpError(BackendError):
    """A request to a backend's server failed; the message is one line naming the URL.

    :param status: the HTTP status, ``None`` when no answer came (connection refused, timeout).
    """

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to retry.

    >>> RetryPolicy(backoff=0.5, max_backoff=3.0, jitter=0.0).backoff_time(4)
    3.0
    """

    #: extra tries after a timeout, connection error, 429 or 5xx
    max_retries: int = 5
    #: first back-off wait in seconds; it doubles on every retry
    backoff: float = 1.0
    #: longest single back-off wait in seconds
    max_backoff: float = 30.0
    #: up to this share of each back-off wait is taken off at random (0 = none)
    jitter: float = 0.5

    def backoff_time(self, retry: int, draw: Callable[[], float] = _JITTER.random) -> float:
        """The wait before retry number ``retry`` (1-based) when the server set none.

        :param draw: a uniform number in [0, 1) (the jitter).
        """
        wait = min(self.max_backoff, self.backoff * 2 ** (retry - 1))
        return wait * (1.0 - self.jitter * draw())


@lru_cache(maxsize=1)
def _retry_class() -> type:
    """urllib3's ``Retry`` with our back-off, our log line and an injectable sleep.

    Built on first use so that importing this module needs no optional package.
    """
    try:
        from urllib3.util.retry import Retry
    except ImportError:
        raise MissingDependency("requests", extra="openai", why="the HTTP backends") from None

    class PolicyRetry(Retry):  # type: ignore[misc, valid-type]
        # only the statuses in status_forcelist are retried, Retry-After or not
        RETRY_AFTER_STATUS_CODES = frozenset()

        def __init__(self, *args: Any, policy: RetryPolicy = RetryPolicy(), label: str = "http", origin: str = "",
                     sleep_fn: Callable[[float], None] = time.sleep, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.policy, self.label, self.origin, self.sleep_fn = policy, label, origin, sleep_fn

        def new(self, **kw: Any) -> "PolicyRetry":
            for name in ("policy", "label", "origin", "sleep_fn"):
                kw.setdefault(name, getattr(self, name))
            return super().new(**kw)  # type: ignore[no-any-return]

        def get_retry_after(self, response: Any) -> float | None:
            value = response.headers.get("Retry-After")
            if value is None:
                return None
            try:  # seconds (fractions too, which urllib3 refuses), else an HTTP date
                seconds = float(value)
            except ValueError:
                try:
                    seconds = self.parse_retry_after(value)
                except Exception:  # noqa: BLE001 - a garbled header falls back to our back-off
                    return None
            return min(max(seconds, 0.0), RETRY_AFTER_MAX_SECONDS)

        def sleep(self, response: Any = None) -> None:
            retry = len(self.history)
            last = self.history[-1] if self.history else None
            server_wait = self.get_retry_after(response) if response is not None else None
            wait = self.policy.backoff_time(retry) if server_wait is None else server_wait
            url = self.origin + (last.url or "" if last else "")
            if last is not None and last.error is not None:
                problem = f"{type(last.error).__name__} at {url}"
            else:
                problem = f"HTTP {last.status if last else '?'} from {url}"
            why = " (the server's Retry-After)" if server_wait is not None else ""
            log.warning("%s: %s; retry %d of %d in %.3g s%s", self.label, problem, retry,
                        self.policy.max_retries, wait, why)
            self.sleep_fn(wait)

    # urllib3 logs its own "Retrying (...)" line for errors; the line above says it once, in our words
    logging.getLogger("urllib3.connectionpool").addFilter(_drop_our_retry_lines)
    return PolicyRetry


def _drop_our_retry_lines(record: logging.LogRecord) -> bool:
    """A logging filter: False for urllib3's retry lines about a retry of ours."""
    args = record.args if isinstance(record.args, tuple) else ()
    return not (args and type(args[0]).__name__ == "PolicyRetry")


_TIMED_OUT = "no answer in time"


def _describe(error: Exception) -> str:
    """A short reason for a request that got no answer (connection refused, timeout, ...)."""
    reason = getattr(error.args[0], "reason", None) if error.args else None
    text = str(reason or error).lower()
    if "refused" in text:
        return "connection refused"
    if "timed out" in text or "timeout" in text:
        return _TIMED_OUT
    if "name or service" in text or "resolve" in text or "nodename" in text:
        return "unknown host"
    if "closed" in text or "aborted" in text or "reset" in text or "disconnected" in text:
        return "the server closed the connection"
    return type(reason).__name__ if reason is not None else type(error).__name__


def _origin(url: str) -> str:
    """``scheme://host:port`` of ``url`` (urllib3's history holds only the path)."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


class HttpClient:
    """POSTs JSON to one server, with retries, the key from the environment, one-line errors.

    :param base_url: the API root (``http://127.0.0.1:8080/v1``); paths are appended to it.
    :param api_key_env: the environment variable that holds the key (unset: no key is sent).
    :param timeout: seconds to wait for one answer.
    :param policy: retries and back-off.
    :param label: what the messages and log lines start with (``"openai"``, ``"openai TTS"``).
    :param sleep: how to wait between retries (tests record the waits instead).
    """

    def __init__(self, base_url: str, api_key_env: str | None = None, timeout: float = 60.0,
                 policy: RetryPolicy = RetryPolicy(), label: str = "http",
                 sleep: Callable[[float], None] = time.sleep) -> None:
        try:
            import requests
        except ImportError:
            raise MissingDependency("requests", extra="openai", why=f"the {label} backend") from None
        self._requests = requests
        self.base_url = base_url.rstrip("/")
        self.api_key_env = api_key_env
        self.timeout = timeout
        self.policy = policy
        self.label = label
        self._sleep = sleep
        self._session: Any = None
        self._pid = -1

    def _build_session(self) -> Any:
        """A requests session whose adapters retry by :attr:`policy`."""
        from requests.adapters import HTTPAdapter

        retry = _retry_class()(
            total=self.policy.max_retries, connect=None, read=None, status=None, other=0, redirect=3,
            status_forcelist=RETRY_STATUS, allowed_methods=_METHODS, raise_on_status=False,
            respect_retry_after_header=True, policy=self.policy, label=self.label,
            origin=_origin(self.base_url), sleep_fn=self._sleep,
        )
        session = self._requests.Session()
        adapter = HTTPAdapter(max_retries=retry)
        session.mount("http://", adapter)
        session.mount("https://", adapter)
        return session

    @property
    def session(self) -> Any:
        """The session of this process (a forked worker builds its own: sockets are not shared)."""
        if self._session is None or self._pid != os.getpid():
            self._session, self._pid = self._build_session(), os.getpid()
        return self._session

    def _key(self) -> str | None:
        return os.environ.get(self.api_key_env) if self.api_key_env else None

    def _headers(self) -> dict[str, str]:
        headers = {"Content-Type": "application/json"}
        key = self._key()
        if key:
            headers["Authorization"] = f"Bearer {key}"
        return headers

    def redact(self, text: str) -> str:
        """``text`` (a server's answer) with the API key blanked out, should the server echo it."""
        key = self._key()
        return text.replace(key, "***") if key else text

    def _refusal(self, status: int, url: str, body: str) -> HttpError:
        """The one-line error for an answer of ``status`` >= 400."""
        tries = self.policy.max_retries + 1
        detail = self.redact(" ".join(body.split())[:300])
        if status in RETRY_STATUS:
            return HttpError(f"{self.label}: gave up after {tries} tries (HTTP {status} from {url}: {detail}); "
                             "the server is overloaded or failing: retry later, or raise max_retries", status)
        if status in (401, 403):
            if self.api_key_env and self._key():
                hint = f"the server refused the key in ${self.api_key_env}; set it to the server's key"
            else:
                hint = f"the server wants a key and ${self.api_key_env or '(no api_key_env)'} is not set"
            return HttpError(f"{self.label}: HTTP {status} from {url}: {hint} ({detail})", status)
        hint = "check base_url (the API root, ending in /v1)" if status in (404, 405) else "check the options sent"
        return HttpError(f"{self.label}: HTTP {status} from {url}: {detail}; {hint}", status)

    def post(self, path: str, body: dict[str, Any]) -> Any:
        """POST ``body`` as JSON to ``base_url + path``; the successful ``requests.Response``.

        :raises HttpError: for an error status, or when the server could not be reached.
        """
        url = self.base_url + path
        requests = self._requests
        try:
            response = self.session.post(url, json=body, headers=self._headers(), timeout=self.timeout)
        except requests.RequestException as e:
            reason = _describe(e)
            timed_out = isinstance(e, requests.Timeout) or reason == _TIMED_OUT
            kind, reason = ("Timeout", f"no answer in {self.timeout:g} s") if timed_out else ("ConnectionError", reason)
            raise HttpError(
                f"{self.label}: gave up after {self.policy.max_retries + 1} tries ({kind} at {url}: {reason}); "
                f"check that the server at {self.base_url} is up, or raise max_retries/timeout"
            ) from None
        if response.status_code >= 400:
            raise self._refusal(response.status_code, url, response.text)
        return response

    def post_json(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        """:meth:`post`, answered with a JSON object.

        :raises HttpError: as :meth:`post`, or when the answer is not JSON.
        """
        response = self.post(path, body)
        try:
            data = response.json()
        except ValueError:
            raise HttpError(f"{self.label}: {self.base_url + path} answered something that is not JSON") from None
        if not isinstance(data, dict):
            raise HttpError(f"{self.label}: {self.base_url + path} answered JSON that is not an object")
        return data

    def close(self) -> None:
        """Close the session's connections."""
        if self._session is not None:
            self._session.close()
            self._session = None
