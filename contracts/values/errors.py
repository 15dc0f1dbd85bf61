"""Errors raised by the suite, in two families that must never be confused.

Problems in *our* setup (a broken spec, bad configuration, a missing key) are
``ContractSuiteError``s: the run cannot say anything about the vendor.
Problems with the *vendor's availability* (timeouts, resets, 5xx and 429 that
outlast the retries) are ``VendorFault``s: they make a result inconclusive.
What the vendor gets *wrong* is neither: it is a ``Finding`` (see findings.py).
A bug in the suite itself is none of these: it propagates as the exception it is,
with its traceback, and the CLI exits 4.

* ContractSuiteError
  - SpecError              a spec file is unreadable, invalid or has a dangling $ref
  - ConfigError            bad or missing configuration (env vars, CLI options)
    - MissingCredentials   a vendor has no API key configured
    - IncompatibleDependency  an installed library is outside the range the suite supports
  - CredentialsRejected    the guard request was refused: the key is wrong, not the vendor
  - UnsafeRequest          a live request would cause real-world side effects
* VendorFault
  - VendorUnreachable      timeout, reset or refused connection after retries
  - VendorUnhealthy        5xx or 429 after retries
  - BudgetExhausted        the run's request or time budget for the vendor is spent
  - ResponseTooLarge       the body exceeded the configured cap
"""

from __future__ import annotations


class _VendorMessage(Exception):
    """A one-line message, prefixed with the vendor it concerns when there is one."""

    def __init__(self, message: str, *, vendor: str | None = None) -> None:
        super().__init__(message)
        self.vendor = vendor
        self.message = message

    def __str__(self) -> str:
        prefix = f"{self.vendor}: " if self.vendor else ""
        return f"{prefix}{self.message}"


class ContractSuiteError(_VendorMessage):
    """Our setup is wrong; nothing can be concluded about the vendor."""


class SpecError(ContractSuiteError):
    """A spec file cannot be loaded, does not validate, or has an unresolvable $ref."""

    def __init__(self, message: str, *, path: str, pointer: str = "") -> None:
        super().__init__(message)
        self.path = path
        self.pointer = pointer

    def __str__(self) -> str:
        where = f"{self.path}#{self.pointer}" if self.pointer else self.path
        return f"spec error in {where}: {self.message}"


class ConfigError(ContractSuiteError):
    """Configuration is invalid or incomplete."""


class MissingCredentials(ConfigError):
    """A vendor has no API key; its live tests are skipped, naming the variables to set."""

    def __init__(self, vendor: str, variables: tuple[str, ...]) -> None:
        super().__init__(f"not configured: set {', '.join(variables)}", vendor=vendor)
        self.variables = variables


class IncompatibleDependency(ConfigError):
    """An installed library (schemathesis) is outside the version range whose internals the suite relies on."""


class CredentialsRejected(ContractSuiteError):
    """The guard request failed, so every other result would be a vacuous wall of 401s."""


class UnsafeRequest(ContractSuiteError):
    """A request that could trigger real-world side effects was about to be sent to a live vendor."""


class VendorFault(_VendorMessage):
    """The vendor could not be reached or did not answer usefully; results are inconclusive."""


class VendorUnreachable(VendorFault):
    """Connecting or reading timed out, or the connection was reset, after all retries."""


class VendorUnhealthy(VendorFault):
    """The vendor kept answering 5xx or 429 after all retries."""

    def __init__(self, message: str, *, vendor: str | None = None, status_code: int) -> None:
        super().__init__(message, vendor=vendor)
        self.status_code = status_code


class BudgetExhausted(VendorFault):
    """The per-run request budget or time budget for this vendor is spent."""


class ResponseTooLarge(VendorFault):
    """The response body exceeded the configured cap and was not read further."""

    def __init__(self, message: str, *, vendor: str | None = None, limit: int) -> None:
        super().__init__(message, vendor=vendor)
        self.limit = limit
