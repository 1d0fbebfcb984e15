"""A stand-in AI assistant for tests: edits files, prints a Claude-Code-shaped JSON result, can hang or fail.

Configured per workspace through ``sandbox.yaml`` (``assistants.<id>.headless`` or ``.command``)
as ``[python, fake_assistant.py, ...options..., --prompt, "{prompt}"]``. Options, applied in order:

  --write PATH=TEXT     write TEXT (``\\n`` becomes a newline) to PATH, relative to the cwd
  --append PATH=TEXT    append TEXT to PATH
  --delete PATH         delete PATH
  --sleep S             pause S seconds (between edits, so parallel runs overlap)
  --hook                after each edit, run the PostToolUse hooks of .claude/settings.json with
                        Claude Code's JSON payload on stdin, as Claude Code does
  --spawn-child FILE    start a child process that sleeps forever; write its pid to FILE
  --hang                after the edits, sleep forever (the sandbox must kill us at the timeout)
  --kill-parent         after the edits, SIGKILL our parent (simulates the sandbox crashing)
  --json                print a Claude Code ``--output-format json`` result on stdout
  --noise N             print N stream-json progress lines on stdout first (a long session)
  --cost X              total_cost_usd in that result (default 0.0123)
  --emit SHAPE          print output of a hostile shape on stdout (issue 12), in the --format given
                        before it: ``deep`` (JSON nested 100,000 deep), ``huge`` (one 50 MB line),
                        ``binary`` (random bytes), ``bad-utf8`` (a result line with invalid UTF-8),
                        ``wrong-types`` (a result line whose every field has the wrong type)
  --format F            the output format --emit speaks: claude-json (default), claude-stream-json,
                        copilot-jsonl
  --stderr TEXT         print TEXT on stderr
  --exit N              exit with code N
  --env-file FILE       write SANDBOX_* environment variables to FILE as JSON
  --pid-file FILE       write our own pid to FILE (to check that we were stopped)
  --prompt TEXT         the task (use "{prompt}" in sandbox.yaml; read before the other options)
  --prompt-file FILE    write the prompt (--prompt, or stdin when none was given) to FILE
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path


def run_hooks(tool: str, path: Path) -> None:
    settings = Path(".claude/settings.json")
    if not settings.is_file():
        return
    config = json.loads(settings.read_text())
    import re

    for group in config.get("hooks", {}).get("PostToolUse", []):
        if not re.fullmatch(group.get("matcher") or ".*", tool):
            continue
        for hook in group.get("hooks", []):
            payload = {
                "session_id": "fake-session",
                "transcript_path": "/dev/null",
                "cwd": os.getcwd(),
                "hook_event_name": "PostToolUse",
                "tool_name": tool,
                "tool_input": {"file_path": str(path.resolve()), "content": "..."},
                "tool_response": {"success": True},
            }
            subprocess.run(hook["command"], shell=True, input=json.dumps(payload), text=True, timeout=30,
                           env={**os.environ, "CLAUDE_PROJECT_DIR": os.getcwd()})


# A result line of each format whose fields all have the wrong type (strings for numbers, lists
# for objects, numbers for strings): the reader must treat each as absent, never crash.
WRONG_TYPES = {
    "claude-json": {"type": "result", "subtype": 7, "is_error": "no", "duration_ms": "long", "duration_api_ms": [],
                    "num_turns": {"n": 1}, "result": {"text": 1}, "session_id": 42, "total_cost_usd": "free",
                    "usage": "lots", "modelUsage": ["opus"], "permission_denials": "none",
                    "api_error_status": "401"},
    "claude-stream-json": {"type": "result", "subtype": [], "is_error": 1.5, "num_turns": "3",
                           "usage": [1, 2], "modelUsage": {"m": "x"}, "permission_denials": {"a": 1},
                           "session_id": [], "total_cost_usd": {}, "result": 9},
    "copilot-jsonl": {"type": "result", "sessionId": 5, "exitCode": "zero", "usage": "none",
                      "codeChanges": 3},
}
# Stream lines of the wrong shape that come before a result line in the streaming formats.
WRONG_STREAM = {
    "claude-stream-json": [{"type": "assistant", "message": "hello"},
                           {"type": "assistant", "message": {"content": "text", "model": 3}},
                           {"type": "assistant", "message": {"content": [{"type": "tool_use", "input": "x"}, 5]}},
                           {"type": "user", "message": {"content": [{"type": "tool_result", "tool_use_id": []}]}},
                           {"type": "system", "subtype": "api_retry", "retry_delay_ms": "soon", "attempt": []},
                           {"type": "system", "subtype": "init", "model": {}, "claude_code_version": 1}],
    "copilot-jsonl": [{"type": "assistant.message", "data": "hi"},
                      {"type": "tool.execution_start", "data": {"arguments": "x", "toolCallId": []}},
                      {"type": "tool.execution_complete", "data": {"success": False, "error": "denied",
                                                                   "fileEdits": "all"}},
                      {"type": "tool.execution_complete", "data": {"fileEdits": [1, {"path": 2}]}},
                      {"type": "session.error", "data": {"message": ["x"]}},
                      {"type": "session.tools_updated", "data": {"model": 5}}],
}


def emit(shape: str, output_format: str) -> None:
    """Print output of a hostile ``shape`` (see the module's --emit) as raw bytes on stdout."""
    out = sys.stdout.buffer
    sys.stdout.flush()
    if shape == "deep":
        out.write(b"[" * 100_000 + b"\n")
        out.write(b'{"type": "result", "a": ' + b"[" * 100_000 + b"]" * 100_000 + b"}\n")
    elif shape == "huge":
        out.write(b'{"type": "result", "result": "')
        chunk = b"x" * (1 << 20)  # in pieces: the stand-in's own memory stays small, so a test measures ours
        for _ in range(50):
            out.write(chunk)
        out.write(b'"}\n')
    elif shape == "binary":
        out.write(os.urandom(1 << 20))
        out.write(b"\n\x00\xff{\x00}\n")
    elif shape == "bad-utf8":
        out.write(b'{"type": "result", "result": "caf\xe9 \xff\xfe", "session_id": "\xc3\x28"}\n')
    elif shape == "wrong-types":
        for line in WRONG_STREAM.get(output_format, []):
            out.write(json.dumps(line).encode() + b"\n")
        out.write(json.dumps(WRONG_TYPES[output_format]).encode() + b"\n")
    else:
        raise SystemExit(f"fake_assistant: unknown --emit shape {shape}")
    out.flush()


def main(argv: list[str]) -> int:  # noqa: C901 - one branch per scripted option, run in the order given
    started = time.monotonic()
    args = list(argv)
    prompt: str | None = args[args.index("--prompt") + 1] if "--prompt" in args[:-1] else None
    hook = json_out = hang = kill_parent = False
    cost, exit_code, turns = 0.0123, 0, 0
    output_format = "claude-json"
    i = 0
    while i < len(args):
        option = args[i]
        value = args[i + 1] if i + 1 < len(args) else ""
        i += 1 if option in FLAGS else 2
        if option == "--hook":
            hook = True
        elif option == "--json":
            json_out = True
        elif option == "--hang":
            hang = True
        elif option == "--kill-parent":
            kill_parent = True
        elif option in ("--write", "--append"):
            name, _, text = value.partition("=")
            path = Path(name)
            path.parent.mkdir(parents=True, exist_ok=True)
            with open(path, "a" if option == "--append" else "w") as handle:
                handle.write(text.replace("\\n", "\n"))
            turns += 1
            if hook:
                run_hooks("Edit" if option == "--append" else "Write", path)
        elif option == "--delete":
            Path(value).unlink()
            turns += 1
        elif option == "--sleep":
            time.sleep(float(value))
        elif option == "--spawn-child":
            child = subprocess.Popen([sys.executable, "-c", "import time\nwhile True: time.sleep(1)"])
            Path(value).write_text(str(child.pid))
        elif option == "--prompt":
            pass  # read up front
        elif option == "--cost":
            cost = float(value)
        elif option == "--stderr":
            print(value, file=sys.stderr, flush=True)
        elif option == "--exit":
            exit_code = int(value)
        elif option == "--env-file":
            Path(value).write_text(json.dumps({k: v for k, v in os.environ.items() if k.startswith("SANDBOX_")}))
        elif option == "--noise":
            for n in range(int(value)):
                print(json.dumps({"type": "assistant", "message": {"content": f"step {n} " + "." * 80}}))
            sys.stdout.flush()
        elif option == "--format":
            output_format = value
        elif option == "--emit":
            emit(value, output_format)
        elif option == "--pid-file":
            Path(value).write_text(str(os.getpid()))
        elif option == "--prompt-file":
            text = prompt if prompt is not None else sys.stdin.read()
            Path(value).write_text(text)
        else:
            print(f"fake_assistant: unknown option {option}", file=sys.stderr)
            return 64
    print("working...", flush=True)
    if kill_parent:
        os.kill(os.getppid(), signal.SIGKILL)
    if hang:
        while True:
            time.sleep(1)
    if json_out:
        result = {
            "type": "result",
            "subtype": "success" if exit_code == 0 else "error_during_execution",
            "is_error": exit_code != 0,
            "duration_ms": int((time.monotonic() - started) * 1000),
            "duration_api_ms": 1234,
            "num_turns": turns,
            "result": "Done: the prototype is ready.",
            "session_id": "11111111-2222-3333-4444-555555555555",
            "total_cost_usd": cost,
            "usage": {"input_tokens": 100, "output_tokens": 50, "cache_read_input_tokens": 0},
        }
        print(json.dumps(result), flush=True)
    return exit_code


FLAGS = {"--hook", "--json", "--hang", "--kill-parent"}

SCRIPT = str(Path(__file__).resolve())


def fake(*options: str, prompt: bool = True) -> list[str]:
    """A command list for sandbox.yaml running this script with ``options``."""
    return [sys.executable, SCRIPT, *options, *(["--prompt", "{prompt}"] if prompt else [])]


def configure(
    workspace_root: Path, assistants: dict[str, dict[str, object]], *, confinement: object = None,
    writable: list[Path] | None = None,
) -> None:
    """Write the workspace's sandbox.yaml ``assistants:`` section (JSON is valid YAML).

    ``writable``: folders outside the variant the stand-in may write (its pid and env files), as
    ``confinement: {writable: [...]}``; ``confinement``: the whole section instead ("off", ...).
    """
    settings: dict[str, object] = {"assistants": assistants}
    if writable:
        settings["confinement"] = {"writable": [str(path) for path in writable]}
    if confinement is not None:
        settings["confinement"] = confinement
    (workspace_root / "sandbox.yaml").write_text(json.dumps(settings, indent=1))


def env_with_sandbox() -> dict[str, str]:
    """Environment in which hook commands find ``sandbox`` (the venv's entry point) on PATH."""
    bindir = str(Path(sys.executable).parent)
    return {"PATH": bindir + os.pathsep + os.environ.get("PATH", "")}

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
