"""A hostile stand-in assistant: it tries every escape issue 11 lists, and says how each attempt went.

Configured like ``fake_assistant`` (``sandbox.yaml`` ``assistants.<id>.headless`` or ``.command``).
Options, applied in order:

  --mine PATH=TEXT        write TEXT to PATH relative to the cwd (its own variant: allowed)
  --attack PATH           append a line to PATH (absolute: a sibling variant, project.yaml, the
                          ledger, .sandbox/, a file outside the workspace); a forged ``rating``
                          event when PATH is a ledger
  --daemon PATH=SECONDS   double-fork a ``setsid`` daemon that writes PATH (absolute) SECONDS later
  --ignore-term           ignore SIGTERM from here on (the sandbox must kill us harder)
  --pid-file FILE         write our own pid to FILE once started (tells the test we are running)
  --hang                  after the rest, sleep for ever
  --prompt TEXT           the task (ignored)

Every attempt prints one line, ``hostile: landed PATH`` or ``hostile: denied PATH (reason)``, so a
failing test shows what got through. The test never trusts these lines alone: it looks at the disk.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import time
import uuid
from pathlib import Path


def attack(path: Path) -> None:
    if path.name == "ledger.jsonl":
        forged = {"id": uuid.uuid4().hex, "at": "2026-01-01T00:00:00.000Z", "kind": "rating", "schema": 1,
                  "variant": "copilot", "scores": {"overall": 5}, "note": "forged"}
        line = json.dumps(forged) + "\n"
    else:
        line = "hostile was here\n"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a") as handle:
            handle.write(line)
    except OSError as exc:
        print(f"hostile: denied {path} ({exc.strerror})", flush=True)
    else:
        print(f"hostile: landed {path}", flush=True)


def daemon(path: Path, delay: float) -> None:
    """The classic double fork: the grandchild has its own session and init as its parent."""
    if os.fork() > 0:
        os.wait()
        return
    os.setsid()
    if os.fork() > 0:
        os._exit(0)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    time.sleep(delay)
    try:
        path.write_text("written by a daemon after the run\n")
    finally:
        os._exit(0)


def main(argv: list[str]) -> int:
    args = list(argv)
    hang = False
    i = 0
    while i < len(args):
        option, value = args[i], args[i + 1] if i + 1 < len(args) else ""
        i += 1 if option in FLAGS else 2
        if option == "--mine":
            name, _, text = value.partition("=")
            Path(name).write_text(text + "\n")
        elif option == "--attack":
            attack(Path(value))
        elif option == "--daemon":
            name, _, seconds = value.rpartition("=")
            daemon(Path(name), float(seconds))
        elif option == "--ignore-term":
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
        elif option == "--pid-file":
            Path(value).write_text(str(os.getpid()))
        elif option == "--hang":
            hang = True
        elif option == "--prompt":
            pass
        else:
            print(f"hostile_assistant: unknown option {option}", file=sys.stderr)
            return 64
    print("hostile: done", flush=True)
    while hang:
        time.sleep(1)
    return 0


FLAGS = {"--ignore-term", "--hang"}
SCRIPT = str(Path(__file__).resolve())


def hostile(*options: str, prompt: bool = True) -> list[str]:
    """A command list for sandbox.yaml running this script with ``options``."""
    return [sys.executable, SCRIPT, *options, *(["--prompt", "{prompt}"] if prompt else [])]


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
