"""A real app instance, the GitHub simulator and a counting proxy in front of the app, started by
the repository's Node launcher (test/support/token-api-world-server.ts) and driven over its stdin."""

import json
import os
import subprocess
from pathlib import Path
from typing import Any, Dict

REPOSITORY = Path(__file__).resolve().parents[3]
LAUNCHER = REPOSITORY / "test" / "support" / "token-api-world-server.ts"
TSX = REPOSITORY / "node_modules" / ".bin" / "tsx"


class TokenServiceWorld:
    def __init__(self) -> None:
        self._process = subprocess.Popen(
            [str(TSX), str(LAUNCHER)],
            cwd=str(REPOSITORY),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env={**os.environ, "LOG_LEVEL": "silent"},
            text=True,
        )
        ready = self._read()
        if "ready" not in ready:
            self.stop()
            raise RuntimeError("the token API world did not start: {}".format(ready))
        self.url: str = ready["ready"]["url"]
        self.service_token: str = ready["ready"]["service_token"]
        self.github_api_url: str = ready["ready"]["github_api_url"]

    def seed_user(self, **options: Any) -> Dict[str, Any]:
        """Options: app, legacy, expired (bools), expires_in_seconds."""
        return self._call({"command": "seed_user", **options})

    def requests(self, path_prefix: str = "/api/v1/users/") -> int:
        """Requests that reached the proxy in front of the app since the last reset."""
        return self._call({"command": "requests", "path_prefix": path_prefix})

    def answer_next(self, status: int, headers: Dict[str, str], body: Any, times: int = 1) -> None:
        self._call({"command": "answer_next", "status": status, "headers": headers, "body": body, "times": times})

    def fail_github_refresh(self) -> None:
        """The simulated GitHub answers the next refresh with a 500."""
        self._call({"command": "fail_github_refresh"})

    def reset(self) -> None:
        self._call({"command": "reset"})

    def stop(self) -> None:
        if self._process.stdin:
            self._process.stdin.close()
        try:
            self._process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        if self._process.stdout:
            self._process.stdout.close()

    def _call(self, command: Dict[str, Any]) -> Any:
        assert self._process.stdin is not None
        self._process.stdin.write(json.dumps(command) + "\n")
        self._process.stdin.flush()
        answer = self._read()
        if "error" in answer:
            raise RuntimeError(answer["error"])
        return answer["result"]

    def _read(self) -> Dict[str, Any]:
        assert self._process.stdout is not None
        line = self._process.stdout.readline()
        if not line:
            raise RuntimeError("the token API world exited (code {})".format(self._process.poll()))
        return json.loads(line)
