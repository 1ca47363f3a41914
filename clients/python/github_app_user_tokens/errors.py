"""What get_token can end in besides a token. Every error is a TokenServiceError; none carries a
token or the service key."""

from typing import Optional


class TokenServiceError(Exception):
    """Any failure to get a token from the token service."""

    def __init__(self, message: str, status: Optional[int] = None, code: Optional[str] = None) -> None:
        super().__init__(message)
        self.message = message
        #: The token service's HTTP status, when it answered.
        self.status = status
        #: The token service's error code (``{"error": code}``), when it answered with one.
        self.code = code


class ReauthRequiredError(TokenServiceError):
    """The user has no usable token: send them to ``consent_url`` to authorize the GitHub App (again)."""

    def __init__(self, github_id: int, consent_url: str, message: Optional[str] = None) -> None:
        super().__init__(
            message or "User {} has no usable token and must authorize the GitHub App again.".format(github_id),
            409,
            "reauth_required",
        )
        self.github_id = github_id
        self.consent_url = consent_url


class UserNotFoundError(TokenServiceError):
    """The token service does not know this GitHub id."""

    def __init__(self, github_id: int, message: Optional[str] = None) -> None:
        super().__init__(
            message or "No user with GitHub id {} is known to the token service.".format(github_id),
            404,
            "user_not_found",
        )
        self.github_id = github_id


class TokenServiceUnavailableError(TokenServiceError):
    """The service could not give a token just now and the retries allowed did not help.

    ``retry_after_seconds`` is the service's own advice when it gave one."""

    def __init__(
        self,
        message: str,
        retry_after_seconds: Optional[int],
        status: Optional[int] = None,
        code: Optional[str] = None,
    ) -> None:
        super().__init__(message, status, code)
        self.retry_after_seconds = retry_after_seconds


class TokenServiceAuthError(TokenServiceError):
    """The token service refused the service key: SERVICE_API_TOKEN and ``service_token`` differ."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message, status, "unauthorized")
