"""Telemetry capture per run, opt-in: the CLIs' own OpenTelemetry, reduced into the run event.

Both CLIs can report what the model service billed, call by call. Claude Code exports OTLP over
HTTP/JSON (``CLAUDE_CODE_ENABLE_TELEMETRY=1`` with OTLP logs and metrics exporters) to a loopback
receiver started here; the Copilot CLI writes its spans and metrics as JSON lines to a file
(``COPILOT_OTEL_FILE_EXPORTER_PATH``) under ``.sandbox/runs/``. Each run is tagged with
``OTEL_RESOURCE_ATTRIBUTES=sandbox.run_id=<id>``, so parallel runs never mix.

Only numbers and names are kept: per model call the model, tokens, cost and duration; per tool
decision accept or reject. Prompt and file content is never captured: the variables that would
add it are removed from the assistant's environment, the receiver drops every other attribute
(it keeps a reduced tally per run, never the payload), and the Copilot file is deleted once read.
The console exporters are not used: they are not JSON and would mix into the output we parse.

Opt in with ``telemetry: true`` in ``sandbox.yaml`` or ``sandbox run --telemetry``.
"""

from __future__ import annotations

import contextlib
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from sandbox.assistants.formats.summary import Summary, add_tokens, json_objects, mapping, number, text, tokens

RUN_ATTRIBUTE = "sandbox.run_id"
MAX_BODY = 8 << 20
MAX_FILE = 64 << 20
# Variables that would make a CLI export prompt, response or tool-argument content.
CONTENT_VARIABLES = ("OTEL_LOG_USER_PROMPTS", "OTEL_LOG_TOOL_DETAILS", "OTEL_LOG_TOOL_CONTENT",
                     "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT")
CLAUDE = "otlp"
COPILOT = "file"


def kind_for(result_format: str) -> str | None:
    """How a CLI with this output format reports telemetry (None: it cannot, as far as we know)."""
    if result_format.startswith("claude") or result_format == "json":
        return CLAUDE
    if result_format.startswith("copilot"):
        return COPILOT
    return None


@dataclass
class Tally:
    """What the telemetry of one run adds up to (numbers only)."""

    models: list[str] = field(default_factory=list)
    tokens: dict[str, int] | None = None
    cost_usd: float | None = None
    api_ms: float | None = None
    calls: int = 0
    accepted: int = 0
    rejected: int = 0
    turns: int | None = None
    lines_added: int | None = None

    def summary(self, cost_unit: str = "usd") -> Summary:
        found = Summary(models=list(dict.fromkeys(self.models)), tokens=self.tokens,
                        api_seconds=self.api_ms / 1000 if self.api_ms is not None else None, turns=self.turns)
        if self.cost_usd is not None:
            found.cost = {"amount": round(self.cost_usd, 6), "unit": cost_unit}
        if self.accepted or self.rejected:
            found.accepted, found.denied = self.accepted, self.rejected
        found.answered = self.calls > 0
        return found


def _value(attr: Any) -> Any:
    """An OTLP JSON AnyValue as Python (only scalars; arrays and maps are not kept)."""
    if not isinstance(attr, dict):
        return None
    for key in ("stringValue", "boolValue", "doubleValue"):
        if key in attr:
            return attr[key]
    if "intValue" in attr:
        with contextlib.suppress(TypeError, ValueError):
            return int(attr["intValue"])
    return None


def _attributes(items: Any) -> dict[str, Any]:
    if not isinstance(items, list):
        return {}
    return {str(a.get("key")): _value(a.get("value")) for a in items if isinstance(a, dict)}


class Receiver:
    """A loopback OTLP/HTTP JSON receiver that keeps a tally per tagged run."""

    def __init__(self) -> None:
        self._tallies: dict[str, Tally] = {}
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.2},
                                        daemon=True)
        self._thread.start()

    @property
    def endpoint(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def take(self, run_id: str) -> Tally | None:
        """The run's tally, forgotten here (None when nothing arrived for it)."""
        with self._lock:
            return self._tallies.pop(run_id, None)

    def receive(self, path: str, body: dict[str, Any]) -> None:
        with self._lock:
            if path.endswith("/v1/logs"):
                for resource_logs in body.get("resourceLogs") or []:
                    self._logs(resource_logs)
            elif path.endswith("/v1/metrics"):
                for resource_metrics in body.get("resourceMetrics") or []:
                    self._metrics(resource_metrics)

    def _tally(self, resource: Any) -> Tally | None:
        attrs = _attributes(resource.get("attributes") if isinstance(resource, dict) else None)
        run_id = attrs.get(RUN_ATTRIBUTE)
        if not isinstance(run_id, str):
            return None  # not tagged by us: not kept
        return self._tallies.setdefault(run_id, Tally())

    def _logs(self, resource_logs: Any) -> None:
        if not isinstance(resource_logs, dict):
            return
        tally = self._tally(resource_logs.get("resource"))
        if tally is None:
            return
        for scope in resource_logs.get("scopeLogs") or []:
            for record in (scope.get("logRecords") or []) if isinstance(scope, dict) else []:
                if isinstance(record, dict):
                    _claude_event(tally, _attributes(record.get("attributes")))

    def _metrics(self, resource_metrics: Any) -> None:
        # Claude's api_request events already carry tokens and cost; metrics would count them twice.
        if isinstance(resource_metrics, dict):
            self._tally(resource_metrics.get("resource"))


def _claude_event(tally: Tally, attrs: dict[str, Any]) -> None:
    name = attrs.get("event.name")
    if name == "api_request":
        tally.calls += 1
        model = text(attrs.get("model"))
        if model:
            tally.models.append(model)
        tally.tokens = add_tokens(tally.tokens, tokens(number(attrs.get("input_tokens")),
                                                       number(attrs.get("output_tokens")),
                                                       number(attrs.get("cache_read_tokens")),
                                                       number(attrs.get("cache_creation_tokens"))))
        cost, ms = number(attrs.get("cost_usd")), number(attrs.get("duration_ms"))
        if cost is not None:
            tally.cost_usd = (tally.cost_usd or 0.0) + cost
        if ms is not None:
            tally.api_ms = (tally.api_ms or 0.0) + ms
    elif name == "tool_decision":
        if attrs.get("decision") == "accept":
            tally.accepted += 1
        else:
            tally.rejected += 1


def _handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_BODY:
                self._answer(413)
                return
            raw = self.rfile.read(length)
            if "json" not in (self.headers.get("Content-Type") or ""):
                self._answer(415)  # protobuf: we asked for http/json
                return
            try:
                body = json.loads(raw or b"{}")
            except (ValueError, RecursionError):  # deep nesting: not JSON we read
                self._answer(400)
                return
            if isinstance(body, dict):
                receiver.receive(self.path.split("?", 1)[0], body)
            self._answer(200)

        def _answer(self, status: int) -> None:
            payload = b"{}"
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

    return Handler


_receiver: Receiver | None = None
_receiver_lock = threading.Lock()


def receiver() -> Receiver:
    """The process's one receiver, started on first use (runs in parallel share it, tagged apart)."""
    global _receiver
    with _receiver_lock:
        if _receiver is None:
            _receiver = Receiver()
        return _receiver


def base_env(env: dict[str, str]) -> dict[str, str]:
    """``env`` without the variables that would export content."""
    return {k: v for k, v in env.items() if k not in CONTENT_VARIABLES}


def claude_env(endpoint: str, run_id: str) -> dict[str, str]:
    """Variables that make Claude Code export its telemetry to ``endpoint``, tagged with the run."""
    return {
        "CLAUDE_CODE_ENABLE_TELEMETRY": "1",
        "OTEL_METRICS_EXPORTER": "otlp",
        "OTEL_LOGS_EXPORTER": "otlp",
        "OTEL_TRACES_EXPORTER": "none",
        "OTEL_EXPORTER_OTLP_PROTOCOL": "http/json",
        "OTEL_EXPORTER_OTLP_ENDPOINT": endpoint,
        "OTEL_LOGS_EXPORT_INTERVAL": "2000",
        "OTEL_METRIC_EXPORT_INTERVAL": "10000",
        "OTEL_RESOURCE_ATTRIBUTES": f"{RUN_ATTRIBUTE}={run_id}",
    }


def copilot_env(path: Path, run_id: str) -> dict[str, str]:
    """Variables that make the Copilot CLI write its telemetry to ``path``, tagged with the run."""
    return {
        "COPILOT_OTEL_FILE_EXPORTER_PATH": str(path),
        "COPILOT_OTEL_EXPORTER_TYPE": "file",
        "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT": "false",
        "OTEL_RESOURCE_ATTRIBUTES": f"{RUN_ATTRIBUTE}={run_id}",
    }


def read_copilot_file(path: Path, run_id: str, *, remove: bool = True) -> Tally | None:
    """The tally of Copilot's telemetry file for ``run_id``; the file is removed after reading."""
    try:
        if path.stat().st_size > MAX_FILE:
            return None
        lines = path.read_text("utf-8", "replace").splitlines()
    except OSError:
        return None
    finally:
        if remove:
            with contextlib.suppress(OSError):
                path.unlink()
    tally = Tally()
    for record in json_objects(lines):
        resource = mapping(record.get("resource"))
        tagged = mapping(resource.get("attributes"))
        if tagged.get(RUN_ATTRIBUTE) not in (None, run_id):
            continue
        _copilot_record(tally, record)
    return tally


def _copilot_record(tally: Tally, record: dict[str, Any]) -> None:
    attrs = mapping(record.get("attributes"))
    if record.get("type") == "span" and attrs.get("gen_ai.operation.name") == "chat":
        tally.calls += 1
        model = text(attrs.get("gen_ai.response.model")) or text(attrs.get("gen_ai.request.model"))
        if model:
            tally.models.append(model)
        tally.tokens = add_tokens(tally.tokens, tokens(
            number(attrs.get("gen_ai.usage.input_tokens")), number(attrs.get("gen_ai.usage.output_tokens")),
            number(attrs.get("gen_ai.usage.cache_read.input_tokens")),
            number(attrs.get("gen_ai.usage.cache_creation.input_tokens"))))
        start, end = _seconds(record.get("startTime")), _seconds(record.get("endTime"))
        if start is not None and end is not None:
            tally.api_ms = (tally.api_ms or 0.0) + max(0.0, end - start) * 1000
    elif record.get("type") == "metric" and record.get("name") == "github.copilot.tool.call.count":
        for point in record.get("dataPoints") or []:
            if not isinstance(point, dict):
                continue
            count = int(number(point.get("value")) or 0)
            ok = (point.get("attributes") or {}).get("success") is not False
            tally.accepted += count if ok else 0
            tally.rejected += 0 if ok else count
    elif record.get("type") == "metric" and record.get("name") == "github.copilot.agent.turn.count":
        for point in record.get("dataPoints") or []:
            value = point.get("value") if isinstance(point, dict) else None
            total = number(value.get("sum")) if isinstance(value, dict) else None
            if total is not None:
                tally.turns = (tally.turns or 0) + int(total)


def _seconds(stamp: Any) -> float | None:
    if isinstance(stamp, list) and len(stamp) == 2 and all(isinstance(x, int) for x in stamp):
        return float(stamp[0]) + float(stamp[1]) / 1e9
    return None
