"""The real assistant CLIs (Claude Code, GitHub Copilot CLI) for tests, driven offline.

``.ci/run`` installs pinned versions with npm outside the project tree and exports their folder as
``SANDBOX_TEST_CLI_BIN``; on a laptop they may be on PATH instead. In CI (``CI`` set) a missing
binary fails the test, elsewhere it skips it.

``offline_env`` is the environment a test gives ``sandbox``: a throwaway HOME per test (the CLIs
write their config and caches there), PATH with the CLIs and the system tools but *not* the
folder holding ``sandbox`` (the hooks must reach it through ``SANDBOX_BIN``), and each CLI pointed
at the stand-in model server (``tests.support.model_server``) so nothing leaves the machine.
"""

from __future__ import annotations

import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

BIN_VARIABLE = "SANDBOX_TEST_CLI_BIN"
OFFLINE_KEY = "sandbox-offline-test-key"  # Copilot redacts secrets in its output: keep it long and unique
SYSTEM_PATH = ("/usr/local/bin", "/usr/bin", "/bin")


@dataclass(frozen=True)
class RealClis:
    claude: str
    copilot: str

    @property
    def folders(self) -> list[str]:
        return list(dict.fromkeys(str(Path(p).parent) for p in (self.claude, self.copilot)))


def find_clis() -> RealClis:
    """Both CLIs, from ``$SANDBOX_TEST_CLI_BIN`` or PATH; fails in CI, skips elsewhere, when one is missing."""
    folder = os.environ.get(BIN_VARIABLE)
    found = {}
    for name in ("claude", "copilot"):
        path = shutil.which(name, path=folder) if folder else None
        found[name] = path or shutil.which(name)
    missing = [name for name, path in found.items() if path is None]
    if missing:
        message = f"the real {' and '.join(missing)} CLI is missing (.ci/run installs it with npm; see {BIN_VARIABLE})"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return RealClis(claude=str(found["claude"]), copilot=str(found["copilot"]))


def offline_env(clis: RealClis, home: Path, model_url: str | None, *, signed_in: bool = True) -> dict[str, str]:
    """The whole environment for ``sandbox`` driving the real CLIs against ``model_url``.

    ``signed_in=False`` gives neither CLI a way to the model service (no key, no offline provider),
    as on a laptop where nobody has signed in yet.
    """
    home.mkdir(parents=True, exist_ok=True)
    sandbox_folder = str(Path(sys.executable).parent)
    path = [p for p in (*clis.folders, *SYSTEM_PATH) if p != sandbox_folder]
    env = {
        "HOME": str(home),
        "PATH": os.pathsep.join(path),
        "LANG": "C.UTF-8",
        "PYTHONUNBUFFERED": "1",
        "SANDBOX_USER": "tester",
        "DISABLE_AUTOUPDATER": "1",
        "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1",
        "COPILOT_AUTO_UPDATE": "false",
        "TMPDIR": str(home / "tmp"),
    }
    (home / "tmp").mkdir(exist_ok=True)
    if os.environ.get("CI"):
        env["CI"] = os.environ["CI"]
    if signed_in and model_url is not None:
        env.update({
            "ANTHROPIC_BASE_URL": model_url,
            "ANTHROPIC_API_KEY": "sk-ant-" + OFFLINE_KEY,
            "CLAUDE_CODE_MAX_RETRIES": "1",
            "COPILOT_OFFLINE": "true",
            "COPILOT_PROVIDER_BASE_URL": model_url + "/v1",
            "COPILOT_PROVIDER_API_KEY": OFFLINE_KEY,
            "COPILOT_MODEL": "gpt-4.1",
        })
    return env
