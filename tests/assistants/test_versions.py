"""Which CLI version produced a run: from the npm package without starting it, else ``--version``."""

from __future__ import annotations

import json
from pathlib import Path

from sandbox.assistants import versions


def _npm_layout(root: Path, version: str) -> Path:
    """bin/copilot -> lib/node_modules/@github/copilot/npm-loader.js, as npm installs it."""
    package = root / "lib" / "node_modules" / "@github" / "copilot"
    package.mkdir(parents=True)
    (package / "package.json").write_text(json.dumps({"name": "@github/copilot", "version": version,
                                                      "bin": {"copilot": "npm-loader.js"}}))
    loader = package / "npm-loader.js"
    loader.write_text("#!/bin/sh\necho started >> \"$0.started\"\n")
    loader.chmod(0o755)
    (root / "bin").mkdir()
    (root / "bin" / "copilot").symlink_to(loader)
    return root / "bin" / "copilot"


def test_the_npm_package_tells_the_version_without_starting_the_cli(tmp_path: Path) -> None:
    executable = _npm_layout(tmp_path, "1.0.102")
    assert versions.cli_version(executable) == "1.0.102"
    assert not Path(str(executable.resolve()) + ".started").exists(), "reading package.json must not start it"


def test_a_known_cli_is_asked_and_an_unknown_program_never_is(tmp_path: Path) -> None:
    folder = tmp_path / "bin"
    folder.mkdir()
    for name in ("claude", "my-wrapper"):
        script = folder / name
        script.write_text(f"#!/bin/sh\ntouch '{folder}/{name}.asked'\necho '2.1.332 (Claude Code)'\n")
        script.chmod(0o755)
    assert versions.cli_version(folder / "claude") == "2.1.332"
    assert versions.cli_version(folder / "my-wrapper") is None
    assert (folder / "claude.asked").exists() and not (folder / "my-wrapper.asked").exists()
    assert versions.cli_version(tmp_path / "missing") is None
