"""TokenServiceClient against a real app instance (on a fresh Postgres database) and the GitHub
simulator. Run from clients/python: python3 -m unittest"""

import json
import threading
import time
import unittest
import urllib.request
from datetime import datetime, timedelta, timezone
from typing import Any, Dict, Optional

from github_app_user_tokens import (
    ReauthRequiredError,
    TokenServiceAuthError,
    TokenServiceClient,
    TokenServiceUnavailableError,
    UserNotFoundError,
)
from github_app_user_tokens.client import UserToken

from .token_service_world import TokenServiceWorld

world: Optional[TokenServiceWorld] = None


def setUpModule() -> None:
    global world
    world = TokenServiceWorld()


def tearDownModule() -> None:
    if world is not None:
        world.stop()


def github_user(api_url: str, token: str) -> Dict[str, Any]:
    """GET /user at the simulated GitHub as the token's user; raises urllib's HTTPError on a 401."""
    request = urllib.request.Request(api_url + "/user", headers={"Authorization": "token " + token, "Accept": "application/vnd.github+json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


class TokenServiceClientTest(unittest.TestCase):
    def setUp(self) -> None:
        assert world is not None
        self.world = world
        world.reset()

    def client(self, **options: Any) -> TokenServiceClient:
        return TokenServiceClient(self.world.url, options.pop("service_token", self.world.service_token), **options)

    def test_answers_the_users_app_token_with_its_type_expiry_and_login(self) -> None:
        seeded = self.world.seed_user()
        answer = self.client().get_token(seeded["github_id"])
        self.assertEqual(answer.token, seeded["app_token"])
        self.assertEqual(answer.type, "github_app_user")
        self.assertEqual(answer.login, seeded["login"])
        assert answer.expires_at is not None
        self.assertGreater(answer.expires_at, datetime.now(timezone.utc) + timedelta(hours=7))
        self.assertIsNone(answer.fallback_reason)
        self.assertNotIn(seeded["app_token"], repr(answer))

    def test_a_cache_hit_makes_no_http_call(self) -> None:
        seeded = self.world.seed_user()
        tokens = self.client()
        first = tokens.get_token(seeded["github_id"])
        self.assertEqual(self.world.requests(), 1)
        self.assertEqual(tokens.get_token(seeded["github_id"]), first)
        self.assertEqual(self.world.requests(), 1)

    def test_fifty_threads_asking_for_one_user_make_one_request(self) -> None:
        seeded = self.world.seed_user(expired=True)
        tokens = self.client()
        answers = []
        start = threading.Barrier(50)

        def ask() -> None:
            start.wait()
            answers.append(tokens.get_token(seeded["github_id"]).token)

        threads = [threading.Thread(target=ask) for _ in range(50)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self.assertEqual(len(answers), 50)
        self.assertEqual(len(set(answers)), 1)
        self.assertNotEqual(answers[0], seeded["app_token"])
        self.assertEqual(self.world.requests(), 1)

    def test_never_reuses_a_token_past_its_expiry_minus_the_margin(self) -> None:
        seeded = self.world.seed_user(expires_in_seconds=1800)
        tokens = self.client(margin_seconds=3600)
        tokens.get_token(seeded["github_id"])
        tokens.get_token(seeded["github_id"])
        self.assertEqual(self.world.requests(), 2)

    def test_asks_for_a_longer_lived_token_when_min_valid_seconds_demands_it(self) -> None:
        seeded = self.world.seed_user(expires_in_seconds=1800)
        tokens = self.client()
        self.assertEqual(tokens.get_token(seeded["github_id"]).token, seeded["app_token"])
        longer = tokens.get_token(seeded["github_id"], min_valid_seconds=3600)
        self.assertNotEqual(longer.token, seeded["app_token"])
        self.assertEqual(self.world.requests(), 2)

    def test_a_409_becomes_reauth_required_with_the_consent_url(self) -> None:
        seeded = self.world.seed_user(app=False)
        with self.assertRaises(ReauthRequiredError) as raised:
            self.client().get_token(seeded["github_id"])
        self.assertRegex(raised.exception.consent_url, r"^http://127\.0\.0\.1:\d+/auth/login\?consent=")
        self.assertEqual(raised.exception.github_id, seeded["github_id"])
        self.assertEqual(raised.exception.status, 409)

    def test_a_404_becomes_user_not_found_and_a_refused_key_token_service_auth_error(self) -> None:
        with self.assertRaises(UserNotFoundError):
            self.client().get_token(987654321)
        seeded = self.world.seed_user()
        with self.assertRaises(TokenServiceAuthError) as raised:
            self.client(service_token="not-the-service-key").get_token(seeded["github_id"])
        self.assertNotIn("not-the-service-key", str(raised.exception))

    def test_a_503_with_retry_after_is_retried(self) -> None:
        seeded = self.world.seed_user()
        self.world.answer_next(503, {"Retry-After": "1"}, {"error": "github_unavailable", "message": "try again"})
        started = time.monotonic()
        answer = self.client().get_token(seeded["github_id"])
        self.assertEqual(answer.token, seeded["app_token"])
        self.assertGreaterEqual(time.monotonic() - started, 1.0)
        self.assertEqual(self.world.requests(), 2)

    def test_a_retry_after_beyond_the_bound_is_raised_with_the_services_advice(self) -> None:
        # A real 503: GitHub fails to refresh an expired token, so the service backs off (30 s or more).
        seeded = self.world.seed_user(expired=True)
        self.world.fail_github_refresh()
        with self.assertRaises(TokenServiceUnavailableError) as raised:
            self.client(max_retry_wait_seconds=5).get_token(seeded["github_id"])
        assert raised.exception.retry_after_seconds is not None
        self.assertGreater(raised.exception.retry_after_seconds, 5)
        self.assertEqual((raised.exception.status, raised.exception.code), (503, "github_unavailable"))
        self.assertEqual(self.world.requests(), 1)

    def test_a_service_that_does_not_answer_is_unavailable(self) -> None:
        with self.assertRaises(TokenServiceUnavailableError) as raised:
            TokenServiceClient("http://127.0.0.1:1", "secret-service-key", max_attempts=1).get_token(1)
        self.assertNotIn("secret-service-key", str(raised.exception))

    def test_answers_the_legacy_token_with_the_fallback_reason(self) -> None:
        seeded = self.world.seed_user(app=False, legacy=True)
        answer = self.client().get_token(seeded["github_id"])
        self.assertEqual((answer.token, answer.type, answer.expires_at), (seeded["legacy_token"], "oauth", None))
        self.world.answer_next(200, {}, {"token": "gho_x", "type": "oauth", "expires_at": None, "login": "someone", "fallback_reason": "not_in_rollout"})
        self.assertEqual(self.client().get_token(seeded["github_id"]).fallback_reason, "not_in_rollout")

    def test_refuses_ids_the_service_would_refuse_before_any_request(self) -> None:
        for bad in (0, -1, 1.5, "12", True):
            with self.assertRaises(ValueError):
                self.client().get_token(bad)  # type: ignore[arg-type]
        with self.assertRaises(ValueError):
            self.client().get_token(1, min_valid_seconds=3601)
        self.assertEqual(self.world.requests("/"), 0)


class WithTokenTest(unittest.TestCase):
    """with_token: the Python counterpart of the Octokit strategy's 401 handling."""

    def setUp(self) -> None:
        assert world is not None
        self.world = world
        world.reset()

    def test_a_401_from_github_leads_to_exactly_one_refetch_and_one_retry(self) -> None:
        seeded = self.world.seed_user(expires_in_seconds=1800)
        tokens = TokenServiceClient(self.world.url, self.world.service_token)
        calls = []

        def who_am_i(token: str) -> Dict[str, Any]:
            calls.append(token)
            return github_user(self.world.github_api_url, token)

        self.assertEqual(tokens.with_token(seeded["github_id"], who_am_i)["login"], seeded["login"])
        # Another process needs the token for longer: the service refreshes it, and GitHub kills the
        # token this client still holds.
        elsewhere = TokenServiceClient(self.world.url, self.world.service_token).get_token(seeded["github_id"], min_valid_seconds=3600)
        self.world.reset()
        calls.clear()

        self.assertEqual(tokens.with_token(seeded["github_id"], who_am_i)["login"], seeded["login"])
        self.assertEqual(calls, [seeded["app_token"], elsewhere.token])
        self.assertEqual(self.world.requests(), 1)

    def test_other_failures_pass_through_without_a_refetch(self) -> None:
        seeded = self.world.seed_user()
        tokens = TokenServiceClient(self.world.url, self.world.service_token)

        class NotFound(Exception):
            status = 404

        def missing(token: str) -> None:
            raise NotFound()

        with self.assertRaises(NotFound):
            tokens.with_token(seeded["github_id"], missing)
        self.assertEqual(self.world.requests(), 1)


class OneRequestPerUserTest(unittest.TestCase):
    """The cache and the single flight without a server: a stand-in urlopen counts and blocks."""

    def test_threads_for_different_users_do_not_wait_for_each_other(self) -> None:
        release = threading.Event()
        entered = threading.Event()
        asked = []

        class Answer:
            def __init__(self, body: Dict[str, Any]) -> None:
                self._body = json.dumps(body).encode()

            def read(self) -> bytes:
                return self._body

            def __enter__(self) -> "Answer":
                return self

            def __exit__(self, *_: Any) -> None:
                return None

        def urlopen(request: urllib.request.Request, timeout: float) -> Answer:
            user = request.full_url.split("/")[-2]
            asked.append(user)
            if user == "1":
                entered.set()
                release.wait(5)
            return Answer({"token": "t" + user, "type": "oauth", "expires_at": None, "login": "u" + user})

        tokens = TokenServiceClient("http://tokens.invalid", "key", urlopen=urlopen)
        slow = threading.Thread(target=tokens.get_token, args=(1,))
        slow.start()
        self.assertTrue(entered.wait(5))
        self.assertEqual(tokens.get_token(2), UserToken(token="t2", type="oauth", expires_at=None, login="u2"))
        self.assertTrue(slow.is_alive(), "user 2's request waited for user 1's")
        release.set()
        slow.join()
        self.assertEqual(sorted(asked), ["1", "2"])


if __name__ == "__main__":
    unittest.main()
