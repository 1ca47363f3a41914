"""The application's side of the token API: GET /api/v1/users/{github_id}/token, with a cache per
user, one request per user at a time across threads, and bounded retries of a 503."""

import http.client
import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Any, Callable, Dict, Optional, TypeVar

from .errors import (
    ReauthRequiredError,
    TokenServiceAuthError,
    TokenServiceError,
    TokenServiceUnavailableError,
    UserNotFoundError,
)

T = TypeVar("T")

MAX_MIN_VALID_SECONDS = 3600
DEFAULT_RETRY_WAIT_SECONDS = 1


@dataclass(frozen=True)
class UserToken:
    """A user's token as the service decided. ``repr`` never shows the token."""

    token: str = field(repr=False)
    #: "github_app_user" or "oauth"
    type: str
    #: None: the token does not expire.
    expires_at: Optional[datetime]
    login: str
    #: Only on "oauth" answers: why the legacy token was served.
    fallback_reason: Optional[str] = None


@dataclass
class _CacheEntry:
    answer: UserToken
    #: time.time() after which the entry is not used.
    reuse_until: float


class _Flight:
    """One request for one user that other threads wait for."""

    def __init__(self, min_valid_seconds: int) -> None:
        self.min_valid_seconds = min_valid_seconds
        self.done = threading.Event()
        self.answer: Optional[UserToken] = None
        self.error: Optional[BaseException] = None


class _Unavailable(Exception):
    """An attempt that is worth retrying."""

    def __init__(self, error: TokenServiceUnavailableError) -> None:
        super().__init__(str(error))
        self.error = error


class TokenServiceClient:
    """Gets users' GitHub tokens from the token service.

    ``TokenServiceClient(base_url, service_token).get_token(github_id)`` replaces
    ``get_github_oauth_token()``. One instance is meant to be shared by every thread of a process.
    """

    def __init__(
        self,
        base_url: str,
        service_token: str,
        *,
        margin_seconds: float = 300,
        max_cache_seconds: float = 300,
        max_cached_users: int = 10000,
        max_retry_wait_seconds: float = 10,
        max_attempts: int = 4,
        timeout_seconds: float = 30,
        urlopen: Optional[Callable[..., Any]] = None,
    ) -> None:
        """
        :param margin_seconds: a cached token is used only while it has more than this left to live;
            past that the service is asked, and it refreshes the token first.
        :param max_cache_seconds: an answer is reused at most this long, so a rollout or rollback
            reaches this process within that time and a token without expiry is not cached forever.
        :param max_retry_wait_seconds: a 503 (or no answer) is retried while the waits add up to no
            more than this, honouring Retry-After; a longer Retry-After is raised at once in
            TokenServiceUnavailableError.retry_after_seconds.
        :param urlopen: ``urllib.request.urlopen`` or a stand-in with its signature.
        """
        if not base_url:
            raise ValueError("base_url is required")
        if not service_token:
            raise ValueError("service_token is required")
        for name, value in (
            ("margin_seconds", margin_seconds),
            ("max_cache_seconds", max_cache_seconds),
            ("max_cached_users", max_cached_users),
            ("max_retry_wait_seconds", max_retry_wait_seconds),
            ("timeout_seconds", timeout_seconds),
        ):
            if value < 0:
                raise ValueError("{} must be at least 0".format(name))
        self._base_url = base_url.rstrip("/")
        self._service_token = service_token
        self._margin = margin_seconds
        self._max_cache = max_cache_seconds
        self._max_cached_users = max_cached_users
        self._max_retry_wait = max_retry_wait_seconds
        self._max_attempts = max(1, max_attempts)
        self._timeout = timeout_seconds
        self._urlopen = urlopen or urllib.request.urlopen
        self._lock = threading.Lock()
        self._cache: Dict[int, _CacheEntry] = {}
        self._in_flight: Dict[int, _Flight] = {}

    def get_token(self, github_id: int, *, min_valid_seconds: int = 0) -> UserToken:
        """The user's token (a GitHub App user token, or the legacy OAuth token while allowed).

        Raises ReauthRequiredError, UserNotFoundError, TokenServiceUnavailableError or
        TokenServiceAuthError (all TokenServiceErrors)."""
        if isinstance(github_id, bool) or not isinstance(github_id, int) or github_id <= 0:
            raise ValueError("github_id must be a positive whole number (got {!r})".format(github_id))
        if (
            isinstance(min_valid_seconds, bool)
            or not isinstance(min_valid_seconds, int)
            or not 0 <= min_valid_seconds <= MAX_MIN_VALID_SECONDS
        ):
            raise ValueError("min_valid_seconds must be a whole number from 0 to {}".format(MAX_MIN_VALID_SECONDS))
        # Threads asking for one user share one request; one that needs the token to live longer
        # than the shared request asked for waits for it, then asks for itself.
        while True:
            with self._lock:
                entry = self._cache.get(github_id)
                if entry is not None and self._usable(entry, min_valid_seconds):
                    return entry.answer
                flight = self._in_flight.get(github_id)
                if flight is None:
                    flight = _Flight(min_valid_seconds)
                    self._in_flight[github_id] = flight
                    break
            flight.done.wait()
            if flight.min_valid_seconds >= min_valid_seconds:
                if flight.error is not None:
                    raise flight.error
                assert flight.answer is not None
                return flight.answer
        try:
            flight.answer = self._fetch_with_retries(github_id, min_valid_seconds)
            return flight.answer
        except BaseException as error:
            flight.error = error
            raise
        finally:
            with self._lock:
                if flight.answer is not None:
                    self._remember(github_id, flight.answer)
                del self._in_flight[github_id]
            flight.done.set()

    def invalidate(self, github_id: int, token: Optional[str] = None) -> None:
        """Forgets the cached token of this user, e.g. after GitHub answered 401 to it. With
        ``token``, only if that is still the cached one, so a token fetched since is kept."""
        with self._lock:
            entry = self._cache.get(github_id)
            if entry is not None and (token is None or entry.answer.token == token):
                del self._cache[github_id]

    def clear(self) -> None:
        """Forgets every cached token."""
        with self._lock:
            self._cache.clear()

    def with_token(self, github_id: int, operation: Callable[[str], T], *, min_valid_seconds: int = 0) -> T:
        """Calls ``operation(token)``; when it fails with a 401 from GitHub (an exception with
        ``status``, ``code`` or ``response.status_code`` 401: urllib, requests, PyGithub), drops the
        cached token, fetches a fresh one once and calls ``operation`` once more."""
        first = self.get_token(github_id, min_valid_seconds=min_valid_seconds)
        try:
            return operation(first.token)
        except Exception as error:
            if _status_of(error) != 401:
                raise
            self.invalidate(github_id, first.token)
            fresh = self.get_token(github_id, min_valid_seconds=min_valid_seconds)
            # The service still holds the token GitHub refused: another try would only repeat the 401.
            if fresh.token == first.token:
                raise
            return operation(fresh.token)

    def _usable(self, entry: _CacheEntry, min_valid_seconds: int) -> bool:
        now = time.time()
        if now >= entry.reuse_until:
            return False
        expires_at = entry.answer.expires_at
        return expires_at is None or now + max(self._margin, min_valid_seconds) < expires_at.timestamp()

    def _remember(self, github_id: int, answer: UserToken) -> None:
        now = time.time()
        reuse_until = now + self._max_cache
        if answer.expires_at is not None:
            reuse_until = min(reuse_until, answer.expires_at.timestamp() - self._margin)
        self._cache.pop(github_id, None)
        if reuse_until <= now or self._max_cached_users == 0:
            return
        if len(self._cache) >= self._max_cached_users:
            for stale in [key for key, entry in self._cache.items() if entry.reuse_until <= now]:
                del self._cache[stale]
            if len(self._cache) >= self._max_cached_users:
                del self._cache[next(iter(self._cache))]
        self._cache[github_id] = _CacheEntry(answer, reuse_until)

    def _fetch_with_retries(self, github_id: int, min_valid_seconds: int) -> UserToken:
        url = "{}/api/v1/users/{}/token".format(self._base_url, github_id)
        if min_valid_seconds > 0:
            url += "?" + urllib.parse.urlencode({"min_valid_seconds": min_valid_seconds})
        waited = 0.0
        attempt = 1
        while True:
            try:
                return self._attempt(url, github_id)
            except _Unavailable as unavailable:
                error = unavailable.error
                wait = error.retry_after_seconds
                if wait is None:
                    wait = DEFAULT_RETRY_WAIT_SECONDS * 2 ** (attempt - 1)
                if attempt >= self._max_attempts or waited + wait > self._max_retry_wait:
                    raise error from None
                time.sleep(wait)
                waited += wait
                attempt += 1

    def _attempt(self, url: str, github_id: int) -> UserToken:
        request = urllib.request.Request(
            url,
            headers={"Authorization": "Bearer " + self._service_token, "Accept": "application/json"},
        )
        try:
            with self._urlopen(request, timeout=self._timeout) as response:
                return _token_from(_read_json(response.read()))
        except urllib.error.HTTPError as answer:
            with answer:
                status = answer.code
                body = _read_json(answer.read())
                retry_after = _retry_after_seconds(answer.headers.get("Retry-After"))
        except (urllib.error.URLError, http.client.HTTPException, OSError) as cause:
            reason = getattr(cause, "reason", cause)
            raise _Unavailable(
                TokenServiceUnavailableError("The token service did not answer: {}".format(reason), None)
            ) from None
        code = body.get("error") if isinstance(body.get("error"), str) else None
        message = body.get("message") if isinstance(body.get("message"), str) else "The token service answered HTTP {}.".format(status)
        if status == 409 and isinstance(body.get("consent_url"), str):
            raise ReauthRequiredError(github_id, body["consent_url"], message)
        if status == 404 and code == "user_not_found":
            raise UserNotFoundError(github_id, message)
        if status in (401, 403):
            raise TokenServiceAuthError(message, status)
        if status in (502, 503, 504):
            raise _Unavailable(TokenServiceUnavailableError(message, retry_after, status, code))
        raise TokenServiceError(message, status, code)


def _token_from(body: Dict[str, Any]) -> UserToken:
    expires_at = body.get("expires_at")
    if (
        not isinstance(body.get("token"), str)
        or body.get("type") not in ("github_app_user", "oauth")
        or not isinstance(body.get("login"), str)
        or not (expires_at is None or isinstance(expires_at, str))
    ):
        raise TokenServiceError("The token service answered 200 without a token answer.", 200)
    fallback_reason = body.get("fallback_reason")
    return UserToken(
        token=body["token"],
        type=body["type"],
        expires_at=None if expires_at is None else _parse_time(expires_at),
        login=body["login"],
        fallback_reason=fallback_reason if isinstance(fallback_reason, str) else None,
    )


def _parse_time(text: str) -> datetime:
    # fromisoformat reads "Z" only from Python 3.11 on.
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(timezone.utc)


def _read_json(raw: bytes) -> Dict[str, Any]:
    try:
        value = json.loads(raw.decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        return {}
    return value if isinstance(value, dict) else {}


def _retry_after_seconds(header: Optional[str]) -> Optional[int]:
    """Retry-After is either delta-seconds or an HTTP date."""
    if header is None:
        return None
    text = header.strip()
    if text.isdigit():
        return int(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0, int((when - datetime.now(timezone.utc)).total_seconds() + 0.999))


def _status_of(error: BaseException) -> Optional[int]:
    for candidate in (
        getattr(error, "status", None),
        getattr(error, "code", None),
        getattr(getattr(error, "response", None), "status_code", None),
    ):
        if isinstance(candidate, int) and not isinstance(candidate, bool):
            return candidate
    return None

