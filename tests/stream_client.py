"""A Streamlit session driven over a raw websocket, the way a browser tab (or a hostile page) does.

Speaks Streamlit's own protocol (protobuf BackMsg / ForwardMsg on ``/_stcore/stream``) with the
``websockets`` client that Streamlit itself depends on. Used by the origin tests and by the load
benchmark; no browser involved, so a test can set any Origin and Host header and replay messages.

    with StreamSession(url, origin=url) as s:
        s.rerun("select=port-a")            # returns when the script run has finished
        save = s.widget("button", "Save")
        s.rerun("select=port-a", [s.text("Name", "New name"), s.trigger(save)])
"""

from __future__ import annotations

import socket
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState
from websockets.sync.client import ClientConnection, connect

RUN_TIMEOUT_S = 60.0


@dataclass
class Widget:
    kind: str  # the element's type in Streamlit's protocol: "button", "text_input", ...
    id: str
    label: str
    form_id: str


@dataclass
class RunResult:
    widgets: list[Widget] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)  # markdown, captions, alerts, html and code shown by the run
    exception: str | None = None
    messages: int = 0


class StreamSession:
    """One session of the app at ``base_url``, connected with the given Origin and Host headers.

    ``host`` defaults to the URL's own; a different one is sent as the Host header while the
    connection still goes to the URL's address (as a page under a rebound DNS name would)."""

    def __init__(self, base_url: str, origin: str | None = None, host: str | None = None, timeout: float = 10.0):
        parts = urlsplit(base_url)
        sock = socket.create_connection((parts.hostname, parts.port), timeout=timeout)
        uri = f"ws://{host or parts.netloc}/_stcore/stream"
        self._connection = connect(uri, sock=sock, origin=origin, subprotocols=["streamlit"],
                                   open_timeout=timeout, max_size=None, compression=None)
        self.ws: ClientConnection = self._connection.__enter__()
        self.last = RunResult()
        self.sent: list[bytes] = []  # every BackMsg sent, for replaying elsewhere

    def __enter__(self) -> StreamSession:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self._connection.__exit__(None, None, None)

    def send_raw(self, data: bytes, timeout: float = RUN_TIMEOUT_S) -> RunResult:
        """Send one serialized BackMsg (e.g. recorded in another session) and read up to the run's end."""
        self.sent.append(data)
        self.ws.send(data)
        self.last = self._read_run(timeout)
        return self.last

    def rerun(self, query: str = "", widgets: list[WidgetState] | None = None, timeout: float = RUN_TIMEOUT_S) -> RunResult:
        msg = BackMsg()
        msg.rerun_script.query_string = query
        msg.rerun_script.widget_states.widgets.extend(widgets or [])
        return self.send_raw(msg.SerializeToString(), timeout)

    def widget(self, kind: str, label: str) -> Widget:
        """The one widget of the last run with this type and label."""
        found = [w for w in self.last.widgets if w.kind == kind and w.label == label]
        if len(found) != 1:
            raise LookupError(f"{len(found)} {kind} widget(s) labelled {label!r} in the last run")
        return found[0]

    def text(self, label: str, value: str) -> WidgetState:
        return self.value(self.widget("text_input", label), value)

    @staticmethod
    def value(widget: Widget, text: str) -> WidgetState:
        return WidgetState(id=widget.id, string_value=text)

    @staticmethod
    def trigger(widget: Widget) -> WidgetState:
        return WidgetState(id=widget.id, trigger_value=True)

    def _read_run(self, timeout: float) -> RunResult:
        """Forward messages up to the end of a script run (a run ended early for a rerun goes on)."""
        result = RunResult()
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"no script_finished within {timeout} s ({result.messages} messages)")
            fwd = ForwardMsg()
            fwd.ParseFromString(self.ws.recv(timeout=remaining))
            result.messages += 1
            kind = fwd.WhichOneof("type")
            if kind == "delta":
                _collect(fwd, result)
            elif kind == "script_finished":
                if fwd.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                    return result


def _collect(fwd: ForwardMsg, result: RunResult) -> None:
    delta = fwd.delta
    if delta.WhichOneof("type") != "new_element":
        return
    element = delta.new_element
    kind = element.WhichOneof("type")
    proto = getattr(element, kind) if kind else None
    if kind == "exception":
        result.exception = f"{proto.type}: {proto.message}"
    elif kind in ("markdown", "alert", "html"):
        result.texts.append(proto.body)
    elif kind == "code":
        result.texts.append(proto.code_text)
    elif proto is not None and hasattr(proto, "id") and proto.id:
        result.widgets.append(Widget(kind, proto.id, getattr(proto, "label", ""), getattr(proto, "form_id", "")))
