"""What every benchmark script shares: the machine it ran on, medians, and the fakes served on loopback."""

from __future__ import annotations

import os
import platform
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import httpx

from contracts.transport.targets import ALL_CAPABILITIES, FAKE_LIMITS, Target, http_target
from contracts.values.model import Vendor
from contracts.values.redaction import Secret

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def machine() -> str:
    """One line naming the machine, for the figures in benchmarks/README.md."""
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} cores, {model}, Python {platform.python_version()}, {platform.system()}"


def median_range(values: Sequence[float]) -> str:
    return f"{statistics.median(values):,.1f} ({min(values):,.1f}–{max(values):,.1f})"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def served_fakes(vendors: Sequence[str] = ()) -> Iterator[dict[str, str]]:
    """Run ``contracts serve`` on loopback; yield the environment it prints; stop it by its pid."""
    port = free_port()
    command = [str(BIN / "contracts"), "serve", "--port", str(port), *[f"--vendor={name}" for name in vendors]]
    with tempfile.TemporaryFile("w+") as output:
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT, text=True, cwd=ROOT)
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    httpx.get(f"http://127.0.0.1:{port}/", timeout=1)
                    break
                except httpx.TransportError:
                    if process.poll() is not None or time.monotonic() > deadline:
                        output.seek(0)
                        raise RuntimeError(f"contracts serve did not start: {output.read()[-500:]}") from None
                    time.sleep(0.05)
            output.seek(0)
            yield dict(re.findall(r"^([A-Z_]+)=(.*)$", output.read(), flags=re.MULTILINE))
        finally:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def loopback_target(vendor: Vendor, environment: dict[str, str], max_examples: int) -> Target:
    def env(name: str) -> str | None:
        return environment.get(vendor.env(name))

    restricted = env("RESTRICTED_API_KEY")
    return http_target(
        name="loopback",
        base_url=env("BASE_URL") or "",
        api_key=Secret(env("API_KEY") or ""),
        restricted_key=Secret(restricted) if restricted else None,
        lead_id=env("LEAD_ID"),
        capabilities=ALL_CAPABILITIES,
        variables={
            name.removeprefix(vendor.env("")).lower(): value
            for name, value in environment.items()
            if name.startswith(vendor.env(""))
        },
        limits=FAKE_LIMITS,
    ).with_limits(max_examples=max_examples)
