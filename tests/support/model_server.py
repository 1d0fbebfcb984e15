"""A stand-in model service for driving the real assistant CLIs offline, with scripted tool calls.

It answers two APIs on one loopback port:

- the Anthropic Messages API (``POST /v1/messages``, streaming SSE and not), which Claude Code
  calls with ``ANTHROPIC_BASE_URL=<url>`` and ``ANTHROPIC_API_KEY``;
- an OpenAI-compatible chat-completions API (``POST /v1/chat/completions``, streaming and not,
  ``GET /v1/models``), which the Copilot CLI calls in offline provider mode
  (``COPILOT_OFFLINE=true``, ``COPILOT_PROVIDER_BASE_URL=<url>/v1``, ``COPILOT_MODEL``).

A *script* per API says what the model does, step by step: create a file, edit a file, try to write
outside the variant, then finish with a short text. The step is chosen from the conversation the
CLI sends (how many tool calls it already holds), so the server keeps no per-session state and a CLI
that retries a request gets the same answer. Steps name absolute paths; each step becomes the tool
call the CLI offers (Claude: ``Write``, ``Read`` then ``Edit``; Copilot: ``create``, ``view`` then
``edit``), discovered from the request's tool list, so a renamed tool fails loudly in the log.

Requests without file tools (titles, summaries, quota checks) get a short text answer. Usage numbers
are fixed per response, so tests can check that tokens were read, not what they are.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

ANTHROPIC = "anthropic"
OPENAI = "openai"
MODEL_ANTHROPIC = "claude-sonnet-4-5-20250929"
MODEL_OPENAI = "gpt-4.1"
USAGE_INPUT = 120
USAGE_OUTPUT = 30
FINAL_TEXT = "Done: the prototype is updated."


@dataclass(frozen=True)
class Step:
    """One scripted model action: ``create`` (path, content) or ``edit`` (path, old, new)."""

    op: str
    path: str
    content: str = ""
    old: str = ""
    new: str = ""


def create(path: str, content: str) -> Step:
    return Step("create", path, content=content)


def edit(path: str, old: str, new: str) -> Step:
    return Step("edit", path, old=old, new=new)


@dataclass
class ToolCall:
    name: str
    arguments: dict[str, Any]


@dataclass
class _Logged:
    api: str
    path: str
    stream: bool
    tools: list[str]
    answer: str  # the tool called, or "text"


@dataclass
class ModelServer:
    """Start with ``with ModelServer() as server:``; ``server.url`` is the base URL."""

    scripts: dict[str, list[Step]] = field(default_factory=dict)
    log: list[_Logged] = field(default_factory=list)
    fail_status: int | None = None  # answer every model call with this HTTP status
    _server: ThreadingHTTPServer | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        assert self._server is not None, "start the server first"
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def script(self, api: str, steps: list[Step]) -> None:
        self.scripts[api] = list(steps)

    def start(self) -> ModelServer:
        server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True).start()
        self._server = server
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> ModelServer:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    def calls(self, api: str) -> list[str]:
        """The tool names (or "text") this server answered for ``api``, in order."""
        with self._lock:
            return [entry.answer for entry in self.log if entry.api == api]

    def record(self, entry: _Logged) -> None:
        with self._lock:
            self.log.append(entry)

    # --- what the model does next ---------------------------------------------------------------

    def next_call(self, api: str, tools: list[str], done: int) -> ToolCall | None:
        """The tool call after ``done`` calls already in the conversation, or None to finish."""
        calls = [call for step in self.scripts.get(api, []) for call in _expand(api, step, tools)]
        return calls[done] if done < len(calls) else None


def _expand(api: str, step: Step, tools: list[str]) -> list[ToolCall]:
    """A step as the tool calls this CLI needs (an edit reads the file first, as Claude requires)."""
    if api == ANTHROPIC:
        if step.op == "create":
            return [ToolCall("Write", {"file_path": step.path, "content": step.content})]
        return [ToolCall("Read", {"file_path": step.path}),
                ToolCall("Edit", {"file_path": step.path, "old_string": step.old, "new_string": step.new})]
    if step.op == "create":
        name = _first(tools, "create", "write_file", "str_replace_editor")
        return [ToolCall(name, {"path": step.path, "file_text": step.content, "command": "create"})]
    view = _first(tools, "view", "read_file", "str_replace_editor")
    name = _first(tools, "edit", "str_replace", "str_replace_editor")
    return [ToolCall(view, {"path": step.path, "command": "view"}),
            ToolCall(name, {"path": step.path, "old_str": step.old, "new_str": step.new, "command": "str_replace"})]


def _first(tools: list[str], *names: str) -> str:
    return next((name for name in names if name in tools), names[0])


def _anthropic_done(messages: list[Any]) -> int:
    turns = [m["content"] for m in messages
             if isinstance(m, dict) and m.get("role") == "assistant" and isinstance(m.get("content"), list)]
    return sum(1 for content in turns for b in content if isinstance(b, dict) and b.get("type") == "tool_use")


def _openai_done(messages: list[Any]) -> int:
    return sum(len(m.get("tool_calls") or []) for m in messages if isinstance(m, dict) and m.get("role") == "assistant")


def _tool_names(body: dict[str, Any]) -> list[str]:
    names = []
    for tool in body.get("tools") or []:
        if isinstance(tool, dict):
            fn = tool.get("function")
            name = fn.get("name") if isinstance(fn, dict) else tool.get("name")
            if isinstance(name, str):
                names.append(name)
    return names


class _Handler(BaseHTTPRequestHandler):
    """The two APIs; ``model`` is set on a subclass per server."""

    model: ModelServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        if self.path.rstrip("/").endswith("/models"):
            self._json(200, {"object": "list", "data": [
                {"id": MODEL_OPENAI, "object": "model", "created": 0, "owned_by": "stand-in"},
                {"id": MODEL_ANTHROPIC, "type": "model", "display_name": "stand-in"},
            ]})
            return
        self._json(404, {"error": {"message": "not found"}})

    def do_HEAD(self) -> None:
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        try:
            body = json.loads(self.rfile.read(length) or b"{}")
        except ValueError:
            body = {}
        if not isinstance(body, dict):
            body = {}
        path = self.path.split("?", 1)[0].rstrip("/")
        if path.endswith("/messages/count_tokens"):
            self._json(200, {"input_tokens": USAGE_INPUT})
            return
        if self.model.fail_status is not None:
            self._json(self.model.fail_status, {"type": "error", "error": {"type": "overloaded_error",
                                                                    "message": "stand-in failure"}})
            return
        if path.endswith("/messages"):
            self._anthropic(body)
        elif path.endswith("/chat/completions"):
            self._openai(body)
        else:
            self._json(404, {"error": {"message": f"no such endpoint {path}"}})

    # --- Anthropic Messages -------------------------------------------------------------------

    def _anthropic(self, body: dict[str, Any]) -> None:
        tools = _tool_names(body)
        call = self.model.next_call(ANTHROPIC, tools, _anthropic_done(body.get("messages") or [])) \
            if "Write" in tools else None
        stream = bool(body.get("stream"))
        self.model.record(_Logged(ANTHROPIC, self.path, stream, tools, call.name if call else "text"))
        message_id = f"msg_{uuid.uuid4().hex[:20]}"
        usage = {"input_tokens": USAGE_INPUT, "output_tokens": USAGE_OUTPUT,
                 "cache_read_input_tokens": 0, "cache_creation_input_tokens": 0}
        if call is not None:
            block: dict[str, Any] = {"type": "tool_use", "id": f"toolu_{uuid.uuid4().hex[:20]}",
                                     "name": call.name, "input": call.arguments}
            stop = "tool_use"
        else:
            block = {"type": "text", "text": FINAL_TEXT}
            stop = "end_turn"
        message = {"id": message_id, "type": "message", "role": "assistant", "model": body.get("model")
                   or MODEL_ANTHROPIC, "content": [block], "stop_reason": stop, "stop_sequence": None,
                   "usage": usage}
        if not stream:
            self._json(200, message)
            return
        self._sse_start()
        start = {**message, "content": [], "stop_reason": None, "usage": {**usage, "output_tokens": 1}}
        self._sse("message_start", {"type": "message_start", "message": start})
        if block["type"] == "text":
            self._sse("content_block_start", {"type": "content_block_start", "index": 0,
                                              "content_block": {"type": "text", "text": ""}})
            self._sse("content_block_delta", {"type": "content_block_delta", "index": 0,
                                              "delta": {"type": "text_delta", "text": FINAL_TEXT}})
        else:
            self._sse("content_block_start", {"type": "content_block_start", "index": 0, "content_block": {
                "type": "tool_use", "id": block["id"], "name": block["name"], "input": {}}})
            self._sse("content_block_delta", {"type": "content_block_delta", "index": 0, "delta": {
                "type": "input_json_delta", "partial_json": json.dumps(block["input"])}})
        self._sse("content_block_stop", {"type": "content_block_stop", "index": 0})
        self._sse("message_delta", {"type": "message_delta", "delta": {"stop_reason": stop,
                                                                      "stop_sequence": None},
                                    "usage": {"output_tokens": USAGE_OUTPUT}})
        self._sse("message_stop", {"type": "message_stop"})
        self._end_chunks()

    # --- OpenAI chat completions --------------------------------------------------------------

    def _openai(self, body: dict[str, Any]) -> None:
        tools = _tool_names(body)
        has_file_tools = any(name in tools for name in ("create", "edit", "str_replace_editor", "write_file"))
        call = self.model.next_call(OPENAI, tools, _openai_done(body.get("messages") or [])) \
            if has_file_tools else None
        stream = bool(body.get("stream"))
        self.model.record(_Logged(OPENAI, self.path, stream, tools, call.name if call else "text"))
        completion_id = f"chatcmpl-{uuid.uuid4().hex[:20]}"
        usage = {"prompt_tokens": USAGE_INPUT, "completion_tokens": USAGE_OUTPUT,
                 "total_tokens": USAGE_INPUT + USAGE_OUTPUT}
        name = body.get("model") or MODEL_OPENAI
        if call is not None:
            tool_call = {"id": f"call_{uuid.uuid4().hex[:20]}", "type": "function",
                         "function": {"name": call.name, "arguments": json.dumps(call.arguments)}}
            message: dict[str, Any] = {"role": "assistant", "content": None, "tool_calls": [tool_call]}
            finish = "tool_calls"
        else:
            message = {"role": "assistant", "content": FINAL_TEXT}
            finish = "stop"
        if not stream:
            self._json(200, {"id": completion_id, "object": "chat.completion", "created": int(time.time()),
                             "model": name, "choices": [{"index": 0, "message": message,
                                                         "finish_reason": finish}], "usage": usage})
            return
        self._sse_start()
        for delta, reason in _openai_deltas(message, finish):
            self._data({"id": completion_id, "object": "chat.completion.chunk", "created": int(time.time()),
                        "model": name, "choices": [{"index": 0, "delta": delta, "finish_reason": reason}]})
        self._data({"id": completion_id, "object": "chat.completion.chunk", "created": int(time.time()),
                    "model": name, "choices": [], "usage": usage})
        self._chunk(b"data: [DONE]\n\n")
        self._end_chunks()

    # --- wire helpers -------------------------------------------------------------------------

    def _json(self, status: int, data: dict[str, Any]) -> None:
        raw = json.dumps(data).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.send_header("request-id", f"req_{uuid.uuid4().hex[:12]}")
        self.end_headers()
        self.wfile.write(raw)

    def _sse_start(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()

    def _chunk(self, data: bytes) -> None:
        self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
        self.wfile.flush()

    def _end_chunks(self) -> None:
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()

    def _sse(self, event: str, data: dict[str, Any]) -> None:
        self._chunk(f"event: {event}\ndata: {json.dumps(data)}\n\n".encode())

    def _data(self, data: dict[str, Any]) -> None:
        self._chunk(f"data: {json.dumps(data)}\n\n".encode())


def _handler_for(model: ModelServer) -> type[BaseHTTPRequestHandler]:
    return type("Handler", (_Handler,), {"model": model})


def _openai_deltas(message: dict[str, Any], finish: str) -> Iterator[tuple[dict[str, Any], str | None]]:
    """A message cut into the chunks a streaming completion sends."""
    yield {"role": "assistant", "content": ""}, None
    if message.get("tool_calls"):
        call = message["tool_calls"][0]
        yield {"tool_calls": [{"index": 0, "id": call["id"], "type": "function",
                               "function": {"name": call["function"]["name"], "arguments": ""}}]}, None
        yield {"tool_calls": [{"index": 0, "function": {"arguments": call["function"]["arguments"]}}]}, None
    else:
        yield {"content": message["content"]}, None
    yield {}, finish


if __name__ == "__main__":  # a server to try the CLIs by hand: prints its URL, serves until Ctrl-C
    with ModelServer() as running:
        print(running.url, flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass
