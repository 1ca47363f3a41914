"""Client for the github-app-user-tokens token API (standard library only, Python 3.9+).

    from github_app_user_tokens import TokenServiceClient
    tokens = TokenServiceClient(os.environ["TOKEN_SERVICE_URL"], os.environ["TOKEN_SERVICE_KEY"])
    def get_github_oauth_token(user): return tokens.get_token(user.github_id).token
"""

from .client import TokenServiceClient, UserToken
from .errors import (
    ReauthRequiredError,
    TokenServiceAuthError,
    TokenServiceError,
    TokenServiceUnavailableError,
    UserNotFoundError,
)

__all__ = [
    "TokenServiceClient",
    "UserToken",
    "TokenServiceError",
    "ReauthRequiredError",
    "UserNotFoundError",
    "TokenServiceUnavailableError",
    "TokenServiceAuthError",
]
