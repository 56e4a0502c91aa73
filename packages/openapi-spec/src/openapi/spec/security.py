"""``Security``: the application's schemes and default requirement, checked on requests.

A requirement has OpenAPI's shape: a list of alternatives, each mapping scheme names to
the scopes it needs (``[{"apiKey": []}, {"oauth2": ["tasks:write"]}]`` = either one);
``[]`` is public; None means the application's default.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from .docstring import docstring_yaml
from .errors import InsufficientScope, InvalidSpecError, Unauthorized
from .operation import operation_of
from .schemes import Principal, SecurityScheme

Requirement = Sequence[Mapping[str, Sequence[str]]]
Json = dict[str, Any]

#: ``request[PRINCIPAL_KEY]``: the principal of an authenticated request, for middlewares
PRINCIPAL_KEY: web.RequestKey[Any] = web.RequestKey("principal", object)
#: the key of the ``Sockets`` manager of openapi.ws, whose ``authenticate`` hook is filled
WEBSOCKETS_KEY = "web_sockets"
MISSING_MESSAGE = "Missing credentials"
INVALID_MESSAGE = "Invalid credentials"


@dataclass(frozen=True)
class Alternative:
    """One alternative of a requirement: every scheme it names must accept the request."""

    schemes: tuple[tuple[str, tuple[str, ...]], ...]

    def document(self) -> dict[str, list[str]]:
        return {name: list(scopes) for name, scopes in self.schemes}


Compiled = tuple[Alternative, ...]


class Security:
    """Security schemes by name, and the requirement of operations that state none.

    Scheme objects (:class:`~openapi.spec.ApiKey`, ...) are documented and enforced;
    plain mappings are OpenAPI Security Scheme Objects, documented only (their optional
    ``scopes`` go to the default requirement). The default requirement is ``default``,
    else any one of the schemes.
    """

    def __init__(
        self,
        schemes: Mapping[str, SecurityScheme | Mapping[str, Any]] | None = None,
        default: Requirement | None = None,
    ) -> None:
        self.schemes: dict[str, SecurityScheme] = {}
        self.documents: dict[str, Json] = {}
        default_scopes: dict[str, list[str]] = {}
        for name, scheme in (schemes or {}).items():
            if isinstance(scheme, SecurityScheme):
                self.schemes[name] = scheme
                self.documents[name] = scheme.document()
                default_scopes[name] = []
            else:
                self.documents[name] = {k: v for k, v in scheme.items() if k != "scopes"}
                default_scopes[name] = list(scheme.get("scopes", ()))
        if default is None:
            default = [{name: default_scopes[name]} for name in sorted(default_scopes)]
        self.default = self.compile(default, "the default security")
        self._compiled: dict[Any, Compiled] = {}

    def __bool__(self) -> bool:
        return bool(self.documents)

    # declarations

    def compile(self, requirement: Any, where: str) -> Compiled:
        """Check a requirement against the schemes: one clear error for a mistake."""
        if not isinstance(requirement, Sequence) or isinstance(requirement, str):
            raise InvalidSpecError(f"{where}: a requirement is a list, not {requirement!r}")
        alternatives = []
        for alternative in requirement:
            if not isinstance(alternative, Mapping):
                raise InvalidSpecError(f"{where}: {alternative!r} is not a mapping")
            schemes = []
            for name, scopes in alternative.items():
                if name not in self.documents:
                    known = ", ".join(sorted(self.documents)) or "none"
                    raise InvalidSpecError(
                        f"{where}: unknown security scheme {name!r} (known: {known})"
                    )
                if isinstance(scopes, str) or not isinstance(scopes, Sequence):
                    raise InvalidSpecError(f"{where}: scopes of {name!r} must be a list")
                scheme = self.schemes.get(name)
                if scheme is not None and scopes:
                    if not scheme.takes_scopes:
                        raise InvalidSpecError(
                            f"{where}: {name!r} takes no scopes: only oauth2 and "
                            f"openIdConnect requirements list scopes"
                        )
                    declared = scheme.declared_scopes()
                    unknown = [s for s in scopes if declared is not None and s not in declared]
                    if unknown:
                        raise InvalidSpecError(
                            f"{where}: scopes {unknown} are not declared by the flows of {name!r}"
                        )
                schemes.append((str(name), tuple(str(scope) for scope in scopes)))
            alternatives.append(Alternative(tuple(schemes)))
        return tuple(alternatives)

    def requirement(self, owner: Any, declared: Requirement | None, where: str) -> Compiled:
        """The compiled requirement of ``owner`` (a view method or a websocket view):
        ``declared``, or the default when None; compiled once per owner."""
        compiled = self._compiled.get(owner)
        if compiled is None:
            compiled = self.default if declared is None else self.compile(declared, where)
            self._compiled[owner] = compiled
        return compiled

    def operation_requirement(self, handler: Any, where: str) -> Compiled:
        """The requirement of a view method: ``@op(security=...)``, else its docstring's
        ``security``, else the default."""
        compiled = self._compiled.get(handler)
        if compiled is None:
            compiled = self.requirement(handler, declared_security(handler), where)
        return compiled

    # requests

    async def authenticate(
        self, request: web.Request, requirement: Requirement | None = None
    ) -> Principal:
        """The principal of ``request`` under ``requirement`` (None: the default), also
        stored at ``request["principal"]``; raises :class:`Unauthorized` (401 with
        ``WWW-Authenticate``) or :class:`InsufficientScope` (403)."""
        if requirement is None:
            return await self.check(request, self.default)
        return await self.check(request, self.compile(requirement, request.path))

    async def check(self, request: web.Request, alternatives: Compiled) -> Principal:
        """:meth:`authenticate` with a compiled requirement."""
        if not alternatives:
            return None
        challenges: dict[str, None] = {}
        forbidden: InsufficientScope | None = None
        invalid = False
        for alternative in alternatives:
            principal = None
            accepted = True
            for name, scopes in alternative.schemes:
                scheme = self.schemes.get(name)
                if scheme is None:
                    continue  # a documentation-only scheme
                credentials = scheme.credentials(request)
                if credentials is None:
                    challenges[scheme.challenge(request)] = None
                    accepted = False
                    break
                try:
                    found = await scheme.verify_credentials(request, credentials, scopes)
                except InsufficientScope as exc:
                    if forbidden is None:
                        challenge = scheme.challenge(request, "insufficient_scope", exc.scopes)
                        forbidden = InsufficientScope(exc.scopes, exc.message)
                        forbidden.headers = {"WWW-Authenticate": challenge}
                    accepted = False
                    break
                if found is None:
                    invalid = True
                    challenges[scheme.challenge(request, "invalid_token")] = None
                    accepted = False
                    break
                if principal is None:
                    principal = found
            if accepted:
                request[PRINCIPAL_KEY] = principal
                return principal
        if forbidden is not None:
            raise forbidden
        raise Unauthorized(
            INVALID_MESSAGE if invalid else MISSING_MESSAGE,
            headers={"WWW-Authenticate": ", ".join(challenges)},
        )

    # the websocket hook of openapi.ws

    def protect_websockets(self, app: web.Application) -> None:
        """The ``Sockets`` of openapi.ws at ``app["web_sockets"]`` authenticate websocket
        handshakes with these schemes, unless given their own ``authenticate``."""
        sockets = app.get(WEBSOCKETS_KEY)
        if sockets is not None and getattr(sockets, "authenticate", False) is None:
            sockets.authenticate = self.authenticate_websocket

    async def authenticate_websocket(
        self, request: web.Request, requirement: Requirement | None
    ) -> Principal:
        """The ``authenticate`` hook of openapi.ws: the websocket view's requirement,
        compiled at startup, checked at the handshake."""
        handler = request.match_info.handler
        compiled = self._compiled.get(handler)
        if compiled is None:
            return await self.authenticate(request, requirement)
        return await self.check(request, compiled)


#: ``app[SECURITY_KEY]``: the :class:`Security` of an application set up by ``setup``
SECURITY_KEY: web.AppKey[Security] = web.AppKey("openapi_security", Security)


def declared_security(handler: Any) -> Requirement | None:
    """The requirement a view method declares: ``@op(security=...)``, else the
    ``security`` of its docstring, else None."""
    operation = operation_of(handler)
    if operation is not None and operation.security is not None:
        return operation.security
    doc = docstring_yaml(handler)
    found = doc.get("security")
    return found if "security" in doc else None


def principal_of(request: web.Request) -> Principal:
    """The principal of an authenticated request (None when public or not yet checked)."""
    return request.get(PRINCIPAL_KEY)
