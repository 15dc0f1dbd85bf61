"""pytest plugin behind ``benchmarks/bench_make_test.py``: where the time of one pytest run goes.

Load it with ``-p benchmarks.timing_plugin`` and name an output file in ``BENCH_TIMING_OUT`` (without it the
plugin does nothing). At ``pytest_configure`` it wraps the functions that stand for each category, wherever
they are looked up (modules that did ``from contracts.x import f`` hold their own reference, so every loaded
module of ours, of the tests and of schemathesis is scanned for the original):

* spec loading: ``Spec.load`` and ``Spec.__init__`` (YAML, $ref and OpenAPI meta-schema validation), which
  would otherwise hide in "other test code" and collection wherever a test builds a run context;
* HTTP: ``VendorClient.request`` (httpx -> respx -> fake, or loopback) and ``ClientTransport.send`` (the
  bridge that hands schemathesis's requests to it);
* checks: ``check_response``, ``observe`` and schemathesis's ``run_checks`` / ``collect_after_run_failures``;
* case generation: ``run_property`` (Hypothesis drawing cases from schemathesis's strategies, and the
  schemathesis engine's bookkeeping in the stateful unit);
* report writing: ``write_reports``, the three renderers, ``build_report``, ``load_history``,
  ``save_history`` and the contract plugin's ``pytest_sessionfinish``;
* collection and test set-up, call and teardown ("other test code") through hook wrappers.

Time is attributed exclusively: each thread keeps a stack of open frames and a frame's time, less the time
of the frames opened inside it, goes to its category, so nested time counts once, in the innermost category
(HTTP sent by the ``ignored_auth`` check is HTTP; checks inside ``run_property`` are checks). The schemathesis
engine runs stateful cases in worker threads; a thread started inside a frame treats that frame as its parent, so its
HTTP and checks are taken out of the ``run_property`` that waits for it. At ``pytest_unconfigure`` the
figures go to the output file as JSON (the rest of the exit is pytest overhead); an xdist worker writes
``<stem>.<worker id>.json`` beside it.
Subprocesses started by tests are not instrumented: their time is part of the test that waits for them.
"""

from __future__ import annotations

import functools
import importlib
import json
import os
import sys
import threading
import time
from collections.abc import Callable, Generator
from pathlib import Path
from typing import Any

import pytest

ENV_OUT = "BENCH_TIMING_OUT"
"""Where to write the figures (JSON); the plugin is inert without it."""
ENV_LAUNCH = "BENCH_TIMING_LAUNCH"
"""``time.time()`` just before the process was launched."""

IMPORTED_AT = time.time()

CATEGORIES = ("collection", "spec", "generation", "http", "checks", "report", "test")
"""Exclusive-time categories; start-up comes from time stamps and pytest overhead is the remainder."""

TARGETS: tuple[tuple[str, str | None, str, str], ...] = (
    # (module, class or None, attribute, category)
    ("contracts.spec.document", "Spec", "load", "spec"),
    ("contracts.spec.document", "Spec", "__init__", "spec"),
    ("contracts.transport.client", "VendorClient", "request", "http"),
    ("contracts.engine.schemathesis_seam", "ClientTransport", "send", "http"),
    ("contracts.spec.conformance", None, "check_response", "checks"),
    ("contracts.engine.observe", None, "observe", "checks"),
    ("schemathesis.checks", None, "run_checks", "checks"),
    ("schemathesis.checks", None, "collect_after_run_failures", "checks"),
    ("contracts.engine.property", None, "run_property", "generation"),
    ("contracts.report.render", None, "write_reports", "report"),
    ("contracts.report.render", None, "render_json", "report"),
    ("contracts.report.render", None, "render_markdown", "report"),
    ("contracts.report.render", None, "render_html", "report"),
    ("contracts.report.history", None, "build_report", "report"),
    ("contracts.report.history", None, "load_history", "report"),
    ("contracts.report.history", None, "save_history", "report"),
    ("contracts.pytest_plugin", None, "pytest_sessionfinish", "report"),
)
SCANNED_PREFIXES = ("contracts", "tests", "conftest", "schemathesis")
"""Modules searched for references to a wrapped function."""

_PARENT_ATTR = "_bench_timing_parent"


class Frame:
    """One open call of a timed function (or one hook phase)."""

    __slots__ = ("category", "children", "closed", "parent", "started")

    def __init__(self, category: str, parent: Frame | None) -> None:
        self.category = category
        self.parent = parent
        self.children = 0.0
        self.closed = False
        self.started = time.perf_counter()


class Timer:
    """Exclusive time per category, over every thread of the process."""

    def __init__(self) -> None:
        self.totals = dict.fromkeys(CATEGORIES, 0.0)
        self.calls = dict.fromkeys(CATEGORIES, 0)
        self.clamped = 0.0
        """Time taken out of a frame beyond its own length: concurrent threads under one frame."""
        self.orphaned = 0.0
        """Time of frames whose parent (in another thread) had already ended: counted twice at most."""
        self._local = threading.local()
        self._lock = threading.Lock()

    def _stack(self) -> list[Frame]:
        stack: list[Frame] | None = getattr(self._local, "stack", None)
        if stack is None:
            stack = self._local.stack = []
        return stack

    def top(self) -> Frame | None:
        """The innermost open frame of this thread, else the frame that was open where the thread started."""
        stack = self._stack()
        if stack:
            return stack[-1]
        parent: Frame | None = getattr(threading.current_thread(), _PARENT_ATTR, None)
        return parent

    def enter(self, category: str) -> Frame:
        frame = Frame(category, self.top())
        self._stack().append(frame)
        return frame

    def exit(self, frame: Frame) -> float:
        """Close ``frame``; returns its inclusive length."""
        elapsed = time.perf_counter() - frame.started
        stack = self._stack()
        if stack and stack[-1] is frame:
            stack.pop()
        elif frame in stack:  # pragma: no cover - a frame left open by an exception in between
            del stack[stack.index(frame) :]
        exclusive = elapsed - frame.children
        with self._lock:
            frame.closed = True
            if exclusive < 0:
                self.clamped -= exclusive
                exclusive = 0.0
            self.totals[frame.category] += exclusive
            self.calls[frame.category] += 1
            parent = frame.parent
            if parent is not None:
                if parent.closed:
                    self.orphaned += elapsed
                else:
                    parent.children += elapsed
        return elapsed


TIMER = Timer()


def timed(category: str, function: Callable[..., Any]) -> Callable[..., Any]:
    """``function``, with its exclusive time counted under ``category``."""

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        frame = TIMER.enter(category)
        try:
            return function(*args, **kwargs)
        finally:
            TIMER.exit(frame)

    wrapper.__bench_timing_original__ = function  # type: ignore[attr-defined]
    return wrapper


_original_thread_start = threading.Thread.start


def _thread_start(self: threading.Thread) -> None:
    setattr(self, _PARENT_ATTR, TIMER.top())
    _original_thread_start(self)


def instrument(config: pytest.Config) -> list[str]:
    """Wrap every target wherever it is referenced; returns what was patched, as ``module.name`` strings."""
    patched: list[str] = []
    for module_name, class_name, attribute, category in TARGETS:
        module = importlib.import_module(module_name)
        owner: Any = getattr(module, class_name, None) if class_name else module
        original = vars(owner).get(attribute) if owner is not None else None
        if original is None:
            patched.append(f"NOT FOUND: {module_name}.{class_name or ''}.{attribute}".replace("..", "."))
            continue
        if hasattr(getattr(original, "__func__", original), "__bench_timing_original__"):
            continue  # already instrumented (a second session in this process)
        wrapped: Any
        if isinstance(original, classmethod | staticmethod):
            wrapped = type(original)(timed(category, original.__func__))
        else:
            wrapped = timed(category, original)
        setattr(owner, attribute, wrapped)
        patched.append(f"{module_name}.{class_name}.{attribute}" if class_name else f"{module_name}.{attribute}")
        if class_name is not None:
            continue  # methods are looked up on the class
        for name, other in list(sys.modules.items()):
            namespace = getattr(other, "__dict__", None)  # sys.modules may hold a None
            if other is module or not name.startswith(SCANNED_PREFIXES) or not isinstance(namespace, dict):
                continue
            for key, value in list(namespace.items()):
                if value is original:
                    setattr(other, key, wrapped)
                    patched.append(f"{name}.{key}")
        # Hooks are bound when the plugin registers: rebind this session's copy too.
        if attribute.startswith("pytest_"):
            for impl in getattr(config.pluginmanager.hook, attribute).get_hookimpls():
                if impl.function is original:
                    impl.function = wrapped
                    patched.append(f"{impl.plugin_name} (registered {attribute} hook)")
    threading.Thread.start = _thread_start  # type: ignore[method-assign]
    patched.append("threading.Thread.start (a thread inherits the frame it was started in)")
    return patched


def process_start_time() -> float:
    """``time.time()`` when this process started (Linux /proc, 10 ms resolution), else when this plugin loaded."""
    try:
        fields = Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()
        start_ticks = int(fields[19])  # field 22 of stat(5); fields[0] is field 3
        uptime = float(Path("/proc/uptime").read_text().split()[0])
        return time.time() - (uptime - start_ticks / os.sysconf("SC_CLK_TCK"))
    except (OSError, ValueError, IndexError):
        return IMPORTED_AT


class TimingPlugin:
    def __init__(self, out: Path) -> None:
        self.out = out
        self.stamps: dict[str, float] = {"imported": IMPORTED_AT, "process_start": process_start_time()}
        launch = os.environ.get(ENV_LAUNCH)
        self.launch = float(launch) if launch else None
        self.tests: dict[str, float] = {}
        """Node id -> seconds in set-up, call and teardown."""
        self.tests_own: dict[str, float] = {}
        """Node id -> the part of it that is "other test code" (not in another category)."""
        self.patched: list[str] = []
        self.role = "main"
        self.worker_id: str | None = None

    def configure(self, config: pytest.Config) -> None:
        self.stamps["configure_start"] = time.time()
        workerinput = getattr(config, "workerinput", None)
        if workerinput is not None:
            self.role, self.worker_id = "worker", str(workerinput.get("workerid"))
            self.out = self.out.with_name(f"{self.out.stem}.{self.worker_id}.json")
        self.patched = instrument(config)
        self.stamps["instrumented"] = time.time()

    @pytest.hookimpl(tryfirst=True)
    def pytest_sessionstart(self, session: pytest.Session) -> None:
        self.stamps["session_start"] = time.time()
        if self.role == "main" and session.config.pluginmanager.has_plugin("dsession"):
            self.role = "controller"

    @pytest.hookimpl(wrapper=True, tryfirst=True)
    def pytest_collection(self, session: pytest.Session) -> Generator[None, object, object]:
        self.stamps["collection_start"] = time.time()
        frame = TIMER.enter("collection")
        try:
            return (yield)
        finally:
            TIMER.exit(frame)
            self.stamps["collection_finish"] = time.time()

    def _phase(self, item: pytest.Item) -> Generator[None, None, None]:
        frame = TIMER.enter("test")
        try:
            yield
        finally:
            elapsed = TIMER.exit(frame)
            self.stamps["last_test_end"] = time.time()
            self.tests[item.nodeid] = self.tests.get(item.nodeid, 0.0) + elapsed
            self.tests_own[item.nodeid] = self.tests_own.get(item.nodeid, 0.0) + max(elapsed - frame.children, 0.0)

    @pytest.hookimpl(wrapper=True, tryfirst=True)
    def pytest_runtest_setup(self, item: pytest.Item) -> Generator[None, None, None]:
        return (yield from self._phase(item))

    @pytest.hookimpl(wrapper=True, tryfirst=True)
    def pytest_runtest_call(self, item: pytest.Item) -> Generator[None, None, None]:
        return (yield from self._phase(item))

    @pytest.hookimpl(wrapper=True, tryfirst=True)
    def pytest_runtest_teardown(self, item: pytest.Item) -> Generator[None, None, None]:
        return (yield from self._phase(item))

    @pytest.hookimpl(tryfirst=True)
    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        self.stamps["session_finish"] = time.time()

    @pytest.hookimpl(tryfirst=True)
    def pytest_unconfigure(self, config: pytest.Config) -> None:
        # First, not last: a later plugin's unconfigure may raise (e.g. an unraisable-exception warning).
        self.stamps["unconfigure"] = time.time()
        data = {
            "role": self.role,
            "worker_id": self.worker_id,
            "pid": os.getpid(),
            "launch": self.launch,
            "stamps": self.stamps,
            "totals": TIMER.totals,
            "calls": TIMER.calls,
            "clamped": TIMER.clamped,
            "orphaned": TIMER.orphaned,
            "tests": self.tests,
            "tests_own": self.tests_own,
            "patched": self.patched,
        }
        self.out.parent.mkdir(parents=True, exist_ok=True)
        self.out.write_text(json.dumps(data, indent=1))


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    out = os.environ.get(ENV_OUT)
    if not out or config.pluginmanager.has_plugin("bench-timing"):
        return
    plugin = TimingPlugin(Path(out))
    plugin.configure(config)
    config.pluginmanager.register(plugin, "bench-timing")
