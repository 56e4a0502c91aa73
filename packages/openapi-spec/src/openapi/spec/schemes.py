"""Security schemes that document and enforce themselves: each finds its credentials in a
request and hands them to the application's ``verify`` callable."""

from __future__ import annotations

import binascii
import hmac
from abc import ABC, abstractmethod
from base64 import b64decode
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Literal

from aiohttp import hdrs, web

Json = dict[str, Any]
#: the principal a ``verify`` callable returns: any object, ``None`` refuses the request
Principal = Any
KeyVerify = Callable[[web.Request, str], Awaitable[Principal]]
BasicVerify = Callable[[web.Request, str, str], Awaitable[Principal]]
ScopedVerify = Callable[[web.Request, str, tuple[str, ...]], Awaitable[Principal]]
ApiKeyLocation = Literal["header", "query", "cookie"]

#: the query parameter a token may use on a websocket handshake (browsers send no headers)
WEBSOCKET_TOKEN_QUERY = "access_token"


@dataclass(frozen=True)
class BasicCredentials:
    """The user and password of an HTTP Basic ``Authorization`` header."""

    user: str
    password: str


class SecurityScheme(ABC):
    """The contract of a scheme: the OpenAPI object it documents, where its credentials
    are, how they are checked, and the ``WWW-Authenticate`` challenge of a refusal."""

    takes_scopes: ClassVar[bool] = False
    """whether a requirement may list scopes for this scheme (OAuth2, OpenID Connect)"""

    def __init__(self, *, description: str = "") -> None:
        self.description = description

    @abstractmethod
    def scheme_object(self) -> Json:
        """The OpenAPI Security Scheme Object, without the description."""

    def document(self) -> Json:
        """The OpenAPI Security Scheme Object."""
        document = self.scheme_object()
        if self.description:
            document["description"] = self.description
        return document

    @abstractmethod
    def credentials(self, request: web.Request) -> Any:
        """The credentials ``request`` carries for this scheme, or None when absent."""

    @abstractmethod
    async def verify_credentials(
        self, request: web.Request, credentials: Any, scopes: tuple[str, ...]
    ) -> Principal:
        """The principal ``credentials`` belong to, or None when they are wrong."""

    @abstractmethod
    def challenge(self, request: web.Request, error: str = "", scopes: tuple[str, ...] = ()) -> str:
        """The ``WWW-Authenticate`` value refusing ``request`` (``error``: RFC 6750 code)."""

    def declared_scopes(self) -> frozenset[str] | None:
        """Scopes a requirement may name (None: any)."""
        return None

    def request_headers(self) -> tuple[str, ...]:
        """The request headers carrying the credentials (allowed across origins by CORS)."""
        return (hdrs.AUTHORIZATION,)


class ApiKey(SecurityScheme):
    """An API key in a header, a query parameter or a cookie named ``name``.

    ``verify(request, key)`` returns the principal or None; :func:`match_keys` builds
    one comparing in constant time.
    """

    def __init__(
        self,
        name: str,
        location: ApiKeyLocation = "header",
        *,
        verify: KeyVerify,
        description: str = "",
    ) -> None:
        if location not in ("header", "query", "cookie"):
            raise ValueError(f"ApiKey location must be header, query or cookie: {location!r}")
        super().__init__(description=description)
        self.name = name
        self.location = location
        self.verify = verify

    def scheme_object(self) -> Json:
        return {"type": "apiKey", "name": self.name, "in": self.location}

    def request_headers(self) -> tuple[str, ...]:
        return (self.name,) if self.location == "header" else ()

    def credentials(self, request: web.Request) -> str | None:
        if self.location == "header":
            found = request.headers.get(self.name)
        elif self.location == "query":
            found = request.query.get(self.name)
        else:
            found = request.cookies.get(self.name)
        return found or None

    async def verify_credentials(
        self, request: web.Request, credentials: str, scopes: tuple[str, ...]
    ) -> Principal:
        return await self.verify(request, credentials)

    def challenge(self, request: web.Request, error: str = "", scopes: tuple[str, ...] = ()) -> str:
        # no registered scheme for API keys: say where the key goes
        return f'ApiKey in="{self.location}", name="{self.name}"'


class HttpBasic(SecurityScheme):
    """HTTP Basic authentication; ``verify(request, user, password)`` returns the principal
    or None (:func:`match_users` builds one comparing in constant time).

    A 401 to a script of a web page (``Sec-Fetch-Mode`` other than ``navigate``, or
    ``X-Requested-With: XMLHttpRequest``) challenges with ``xBasic``: browsers open their
    login dialog over the page for ``Basic``, and hold the request until it is answered.
    """

    def __init__(self, *, verify: BasicVerify, realm: str = "api", description: str = "") -> None:
        super().__init__(description=description)
        self.verify = verify
        self.realm = realm

    def scheme_object(self) -> Json:
        return {"type": "http", "scheme": "basic"}

    def credentials(self, request: web.Request) -> BasicCredentials | None:
        encoded = _authorization(request, "basic")
        if encoded is None:
            return None
        try:
            user, sep, password = b64decode(encoded, validate=True).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError, ValueError):
            return None
        return BasicCredentials(user, password) if sep else None

    async def verify_credentials(
        self, request: web.Request, credentials: BasicCredentials, scopes: tuple[str, ...]
    ) -> Principal:
        return await self.verify(request, credentials.user, credentials.password)

    def challenge(self, request: web.Request, error: str = "", scopes: tuple[str, ...] = ()) -> str:
        # a page's script gets no browser login dialog over it (Swagger UI, single-page apps)
        scheme = "xBasic" if _from_page_script(request) else "Basic"
        return f'{scheme} realm="{self.realm}", charset="UTF-8"'


class _TokenScheme(SecurityScheme):
    """A bearer token in the ``Authorization`` header; on a websocket handshake also in
    the ``websocket_query`` query parameter, since browsers cannot set headers there."""

    def __init__(
        self,
        *,
        realm: str,
        websocket_query: str | None,
        description: str,
    ) -> None:
        super().__init__(description=description)
        self.realm = realm
        self.websocket_query = websocket_query

    def credentials(self, request: web.Request) -> str | None:
        token = _authorization(request, "bearer")
        if token is None and self.websocket_query and is_websocket_handshake(request):
            token = request.query.get(self.websocket_query) or None
        return token

    def challenge(self, request: web.Request, error: str = "", scopes: tuple[str, ...] = ()) -> str:
        parts = [f'Bearer realm="{self.realm}"']
        if error:
            parts.append(f'error="{error}"')
        if scopes:
            parts.append(f'scope="{" ".join(scopes)}"')
        return ", ".join(parts)


class HttpBearer(_TokenScheme):
    """A bearer token (``Authorization: Bearer ...``); ``verify(request, token)`` returns
    the principal or None. :class:`openapi.spec.jwt_bearer.JwtVerifier` checks JWTs."""

    def __init__(
        self,
        *,
        verify: KeyVerify,
        bearer_format: str | None = None,
        realm: str = "api",
        websocket_query: str | None = WEBSOCKET_TOKEN_QUERY,
        description: str = "",
    ) -> None:
        super().__init__(realm=realm, websocket_query=websocket_query, description=description)
        self.verify = verify
        self.bearer_format = bearer_format

    def scheme_object(self) -> Json:
        document: Json = {"type": "http", "scheme": "bearer"}
        if self.bearer_format:
            document["bearerFormat"] = self.bearer_format
        return document

    async def verify_credentials(
        self, request: web.Request, credentials: str, scopes: tuple[str, ...]
    ) -> Principal:
        return await self.verify(request, credentials)


class _ScopedTokenScheme(_TokenScheme):
    """A token scheme whose requirements list scopes, handed to ``verify``."""

    takes_scopes = True

    def __init__(
        self, *, verify: ScopedVerify, realm: str, websocket_query: str | None, description: str
    ) -> None:
        super().__init__(realm=realm, websocket_query=websocket_query, description=description)
        self.verify = verify

    async def verify_credentials(
        self, request: web.Request, credentials: str, scopes: tuple[str, ...]
    ) -> Principal:
        return await self.verify(request, credentials, scopes)


class OAuth2(_ScopedTokenScheme):
    """OAuth 2 access tokens, sent as bearer tokens. ``flows`` is OpenAPI's OAuth Flows
    Object (each flow lists its ``scopes``); ``verify(request, token, scopes)`` gets the
    scopes the operation requires, returns the principal or None, and raises
    :class:`~openapi.spec.InsufficientScope` when the token lacks some."""

    def __init__(
        self,
        flows: Mapping[str, Mapping[str, Any]],
        *,
        verify: ScopedVerify,
        realm: str = "api",
        websocket_query: str | None = WEBSOCKET_TOKEN_QUERY,
        description: str = "",
    ) -> None:
        if not flows:
            raise ValueError("OAuth2 needs at least one flow")
        super().__init__(
            verify=verify, realm=realm, websocket_query=websocket_query, description=description
        )
        self.flows = {name: dict(flow) for name, flow in flows.items()}

    def scheme_object(self) -> Json:
        return {"type": "oauth2", "flows": self.flows}

    def declared_scopes(self) -> frozenset[str]:
        return frozenset(
            scope for flow in self.flows.values() for scope in (flow.get("scopes") or {})
        )


class OpenIdConnect(_ScopedTokenScheme):
    """OpenID Connect: tokens of the provider described at ``url``, sent as bearer tokens;
    ``verify(request, token, scopes)`` as for :class:`OAuth2`."""

    def __init__(
        self,
        url: str,
        *,
        verify: ScopedVerify,
        realm: str = "api",
        websocket_query: str | None = WEBSOCKET_TOKEN_QUERY,
        description: str = "",
    ) -> None:
        super().__init__(
            verify=verify, realm=realm, websocket_query=websocket_query, description=description
        )
        self.url = url

    def scheme_object(self) -> Json:
        return {"type": "openIdConnect", "openIdConnectUrl": self.url}


# verifiers comparing secrets in constant time


def secret_equals(given: str, expected: str) -> bool:
    """Whether two secrets are equal, in a time that does not depend on where they differ."""
    return hmac.compare_digest(given.encode(), expected.encode())


def match_keys(keys: Mapping[str, Principal]) -> KeyVerify:
    """A ``verify`` for :class:`ApiKey` or :class:`HttpBearer`: the principal of the
    matching key. Every key is compared, in constant time, whichever matches."""
    known = [(key, principal) for key, principal in keys.items()]

    async def verify(request: web.Request, given: str) -> Principal:
        found = None
        for key, principal in known:
            if secret_equals(given, key):
                found = principal
        return found

    return verify


def match_users(
    users: Mapping[str, str], principals: Mapping[str, Principal] | None = None
) -> BasicVerify:
    """A ``verify`` for :class:`HttpBasic` from passwords by user name: the principal is
    ``principals[user]`` (default: the user name). Names and passwords are compared in
    constant time, every user whichever matches."""
    known = list(users.items())
    named = dict(principals or {})

    async def verify(request: web.Request, user: str, password: str) -> Principal:
        found = None
        for name, expected in known:
            # both comparisons always run: `and` would leak which half matched
            if secret_equals(user, name) & secret_equals(password, expected):
                found = named.get(name, name)
        return found

    return verify


def _authorization(request: web.Request, scheme: str) -> str | None:
    value = request.headers.get(hdrs.AUTHORIZATION, "")
    kind, _, credentials = value.strip().partition(" ")
    credentials = credentials.strip()
    if kind.lower() != scheme or not credentials:
        return None
    return credentials


def _from_page_script(request: web.Request) -> bool:
    mode = request.headers.get("Sec-Fetch-Mode")
    if mode is not None:
        return mode not in ("navigate", "websocket")
    return request.headers.get("X-Requested-With", "").lower() == "xmlhttprequest"


def is_websocket_handshake(request: web.Request) -> bool:
    """Whether ``request`` asks to open a websocket."""
    return request.headers.get(hdrs.UPGRADE, "").lower() == "websocket"
