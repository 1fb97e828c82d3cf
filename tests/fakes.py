"""Two fake Bot APIs, both offline: an in-process recording request and a loopback HTTP server.

`FakeBotApi` plugs into PTB at the request seam (handler tests, `Application.process_update`).
`FakeTelegramServer` is a real HTTP server on 127.0.0.1 that PTB long-polls (e2e tests).
Both answer with realistic JSON, record every call, and reject malformed HTML the way
Telegram does ("can't parse entities"), so a test that passes proves the escaping.
"""

from __future__ import annotations

import itertools
import json
import queue
import re
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.parser import BytesParser
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

from telegram.request import BaseRequest, RequestData

BOT_ID = 7_000_000
BOT_USERNAME = "helpdesk_test_bot"
TOKEN = "123456:TEST-not-a-real-token"
Call = tuple[str, dict[str, Any]]

# --- what Telegram accepts ----------------------------------------------------------------

ALLOWED_TAGS = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre",
                "tg-spoiler", "tg-emoji", "blockquote", "span"}  # fmt: skip
ENTITIES = {"lt", "gt", "amp", "quot"}
MAX_TEXT = 4096
MAX_CALLBACK_DATA = 64


class _TelegramHtml(HTMLParser):
    """Telegram's HTML subset: known tags, balanced, no stray < > &, only its entities."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.stack: list[str] = []
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED_TAGS:
            self.problems.append(f"Unsupported start tag {tag!r}")
        if tag == "a" and not dict(attrs).get("href"):
            self.problems.append("<a> without href")
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack.pop() != tag:
            self.problems.append(f"Unexpected end tag {tag!r}")

    def handle_data(self, data: str) -> None:
        for char in "<>&":
            if char in data:
                self.problems.append(f"unescaped {char!r}")

    def handle_entityref(self, name: str) -> None:
        if name not in ENTITIES:
            self.problems.append(f"Unsupported entity &{name};")

    def unknown_decl(self, data: str) -> None:
        self.problems.append("declaration")


def html_problem(text: str) -> str | None:
    """Why Telegram would refuse `text` with parse_mode=HTML, or None when it is fine."""
    parser = _TelegramHtml()
    parser.feed(text)
    parser.close()
    if parser.rawdata:  # an unfinished tag such as "<b"
        parser.problems.append("unfinished tag")
    if parser.stack:
        parser.problems.append(f"Unclosed tag {parser.stack[-1]!r}")
    return parser.problems[0] if parser.problems else None


def message_problem(params: dict[str, Any]) -> str | None:
    """Telegram's checks on an outgoing message: HTML, length, callback_data size."""
    text = params.get("text", params.get("caption"))
    if isinstance(text, str):
        if params.get("parse_mode") == "HTML":
            problem = html_problem(text)
            if problem:
                return f"Bad Request: can't parse entities: {problem}"
        plain = re.sub(r"<[^>]+>", "", text) if params.get("parse_mode") == "HTML" else text
        if len(plain) > MAX_TEXT:
            return "Bad Request: message is too long"
        if not text.strip():
            return "Bad Request: message text is empty"
    markup = params.get("reply_markup")
    if isinstance(markup, str):
        markup = json.loads(markup)
    for row in (markup or {}).get("inline_keyboard", []):
        for button in row:
            if len(str(button.get("callback_data", "")).encode()) > MAX_CALLBACK_DATA:
                return "Bad Request: BUTTON_DATA_INVALID"
    return None


# --- realistic results --------------------------------------------------------------------

BOT_USER = {
    "id": BOT_ID,
    "is_bot": True,
    "first_name": "Helpdesk",
    "username": BOT_USERNAME,
    "can_join_groups": True,
    "can_read_all_group_messages": False,
    "supports_inline_queries": True,
}
TRUE_METHODS = {
    "answerCallbackQuery", "answerInlineQuery", "setMyCommands", "setMyDescription",
    "setMyShortDescription", "deleteMessage", "deleteWebhook", "setWebhook", "close", "logOut",
    "sendChatAction", "deleteMyCommands",
}  # fmt: skip
MESSAGE_METHODS = {"sendMessage", "editMessageText", "editMessageReplyMarkup", "sendDocument"}


def _chat(chat_id: Any) -> dict[str, Any]:
    number = int(chat_id)
    return {"id": number, "type": "private" if number > 0 else "supergroup", "title": None}


class Results:
    """Builds the `result` of each method; message ids count up per instance."""

    def __init__(self) -> None:
        self._ids = itertools.count(5000)

    def __call__(self, method: str, params: dict[str, Any]) -> Any:
        if method == "getMe":
            return BOT_USER
        if method == "getUpdates":
            return []
        if method in TRUE_METHODS:
            return True
        if method in MESSAGE_METHODS:
            return self._message(method, params)
        raise KeyError(method)

    def _message(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        chat = {k: v for k, v in _chat(params.get("chat_id", 1)).items() if v is not None}
        message: dict[str, Any] = {
            "message_id": int(params.get("message_id") or next(self._ids)),
            "date": int(time.time()),
            "chat": chat,
            "from": BOT_USER,
        }
        if "text" in params:
            message["text"] = params["text"]
        if method == "sendDocument":
            message["document"] = {"file_id": "doc-1", "file_unique_id": "doc-u1"}
            message["caption"] = params.get("caption", "")
        return message


# --- in-process fake (handler tests) -----------------------------------------------------


@dataclass
class FakeBotApi(BaseRequest):
    """A PTB request object that answers Bot API calls in-process and records them.

    `fail[method] = (status, description)` makes that method fail (e.g. 400 for setMyCommands);
    unknown methods are answered 404 and listed in `unexpected`, which fixtures assert empty.
    """

    calls: list[Call] = field(default_factory=list)
    files: list[dict[str, Any]] = field(default_factory=list)
    fail: dict[str, tuple[int, str]] = field(default_factory=dict)
    unexpected: list[str] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)
    results: Results = field(default_factory=Results)

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    @property
    def read_timeout(self) -> float | None:
        return 1.0

    async def do_request(
        self, url: str, method: str, request_data: RequestData | None = None, *_: Any, **__: Any
    ) -> tuple[int, bytes]:
        api_method = url.rsplit("/", 1)[-1]
        params = dict(request_data.parameters) if request_data else {}
        self.calls.append((api_method, params))
        if request_data is not None and request_data.contains_files:
            self.files.append({k: v for k, v in request_data.multipart_data.items()})
        return _answer(api_method, params, self.fail, self.results, self.unexpected, self.rejected)

    def called(self, method: str) -> list[dict[str, Any]]:
        return [params for name, params in self.calls if name == method]

    def texts(self, method: str = "sendMessage") -> list[str]:
        return [str(p.get("text", "")) for p in self.called(method)]

    def clear(self) -> None:
        self.calls.clear()
        self.files.clear()


def _answer(
    method: str,
    params: dict[str, Any],
    fail: dict[str, tuple[int, str]],
    results: Results,
    unexpected: list[str],
    rejected: list[str],
) -> tuple[int, bytes]:
    if method in fail:
        status, description = fail[method]
        return status, _error(status, description)
    problem = message_problem(params) if method in MESSAGE_METHODS else None
    if problem:
        rejected.append(problem)
        return 400, _error(400, problem)
    try:
        result = results(method, params)
    except KeyError:
        unexpected.append(method)
        return 404, _error(404, f"Not Found: method {method} is not faked")
    return 200, json.dumps({"ok": True, "result": result}).encode()


def _error(status: int, description: str, retry_after: int | None = None) -> bytes:
    body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
    if retry_after is not None:
        body["parameters"] = {"retry_after": retry_after}
    return json.dumps(body).encode()


# --- loopback HTTP server (e2e tests) ----------------------------------------------------


@dataclass
class Fault:
    status: int
    description: str
    retry_after: int | None = None
    delay: float = 0.0


class FakeTelegramServer:
    """A Bot API on 127.0.0.1:<free port>: getUpdates long-polls a queue; calls are recorded."""

    def __init__(self) -> None:
        self.calls: list[Call] = []  # answered with success: what Telegram delivered
        self.attempts: list[Call] = []  # every call, failed ones included
        self.faults: dict[str, list[Fault]] = {}
        self.rejected: list[str] = []
        self.unexpected: list[str] = []
        self.delay = 0.0
        self._updates: queue.Queue[dict[str, Any]] = queue.Queue()
        self._changed = threading.Condition()
        self._results = Results()
        self._ids = itertools.count(1)
        self._server = _QuietServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    # --- driving -----------------------------------------------------------------------

    def push(self, update: dict[str, Any]) -> int:
        """Queue an update for the bot's next getUpdates; returns its update_id."""
        update = {**update, "update_id": next(self._ids)}
        self._updates.put(update)
        return int(update["update_id"])

    def inject(self, method: str, fault: Fault, times: int = 1) -> None:
        """The next `times` calls of `method` fail (or are delayed) like Telegram would."""
        self.faults.setdefault(method, []).extend([fault] * times)

    def wait_for(
        self, done: Callable[[list[Call]], bool], timeout: float = 5.0, *, attempts: bool = False
    ) -> list[Call]:
        """Block until `done(calls)` holds (or fail after `timeout`); returns the calls.

        With `attempts=True` it watches every call, failed ones included.
        """
        deadline = time.monotonic() + timeout
        with self._changed:
            while not done(self.attempts if attempts else self.calls):
                left = deadline - time.monotonic()
                if left <= 0:
                    names = [name for name, _ in self.calls][-15:]
                    raise TimeoutError(f"bot did not do it in {timeout}s; last calls: {names}")
                self._changed.wait(left)
            return list(self.attempts if attempts else self.calls)

    def called(self, method: str) -> list[dict[str, Any]]:
        with self._changed:
            return [params for name, params in self.calls if name == method]

    # --- serving -----------------------------------------------------------------------

    def _handle(self, method: str, params: dict[str, Any]) -> tuple[int, bytes]:
        if method == "getUpdates":
            return 200, json.dumps({"ok": True, "result": self._poll(params)}).encode()
        fault = self._take_fault(method)
        if self.delay or (fault and fault.delay):
            time.sleep(fault.delay if fault and fault.delay else self.delay)  # server thread only
        if fault and fault.status:
            status, body = fault.status, _error(fault.status, fault.description, fault.retry_after)
        else:
            status, body = _answer(
                method, params, {}, self._results, self.unexpected, self.rejected
            )
        with self._changed:
            self.attempts.append((method, params))
            if status == 200:
                self.calls.append((method, params))
            self._changed.notify_all()
        return status, body

    def _take_fault(self, method: str) -> Fault | None:
        with self._changed:
            pending = self.faults.get(method)
            return pending.pop(0) if pending else None

    def _poll(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        timeout = min(float(params.get("timeout", 0) or 0), 5.0)
        try:
            first = self._updates.get(timeout=timeout) if timeout else self._updates.get_nowait()
        except queue.Empty:
            return []
        batch = [first]
        while True:
            try:
                batch.append(self._updates.get_nowait())
            except queue.Empty:
                return batch

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                method = self.path.rsplit("/", 1)[-1]
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                params = decode(self.headers.get("Content-Type", ""), body)
                status, payload = server._handle(method, params)
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format: str, *args: Any) -> None:
                return None  # keep test output clean (and never print a token)

        return Handler


def decode(content_type: str, body: bytes) -> dict[str, Any]:
    """PTB's form fields (values JSON-encoded when not plain strings) or multipart uploads."""
    if content_type.startswith("multipart/form-data"):
        message = BytesParser().parsebytes(
            b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + body
        )
        fields: dict[str, Any] = {}
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            payload = part.get_payload(decode=True)
            if part.get_filename():
                fields[str(name)] = {"filename": part.get_filename(), "content": payload}
            else:
                fields[str(name)] = _value(payload.decode() if payload else "")
        return fields
    return {key: _value(value) for key, value in parse_qsl(body.decode())}


def _value(raw: str) -> Any:
    if raw[:1] in "[{":
        try:
            return json.loads(raw)
        except ValueError:
            return raw
    return raw


class _QuietServer(ThreadingHTTPServer):
    """Polls cut short at shutdown are expected: no tracebacks for a closed connection."""

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


@contextmanager
def fake_telegram_server() -> Iterator[FakeTelegramServer]:
    """Start a FakeTelegramServer for the duration of a block, then shut it down."""
    server = FakeTelegramServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()
