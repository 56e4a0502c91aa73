"""``JwtVerifier``: the ``verify`` of a bearer, OAuth2 or OpenID Connect scheme for JSON
Web Tokens, on PyJWT (``pip install "aio-openapi-spec[jwt]"``)."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Mapping, Sequence
from typing import Any

import aiohttp
from aiohttp import web

try:
    import jwt
except ImportError as exc:  # the optional extra is missing: say which
    raise ImportError('JwtVerifier needs PyJWT: pip install "aio-openapi-spec[jwt]"') from exc

from .errors import ApiError, InsufficientScope

logger = logging.getLogger("openapi.spec")

Claims = dict[str, Any]
DEFAULT_ALGORITHMS = ("RS256",)
KEYS_UNAVAILABLE = "The token signing keys cannot be fetched"


class JwtVerifier:
    """Checks a JWT and returns its claims as the principal, or None to refuse it.

    One of ``key`` (a public key: PEM text or a ``cryptography`` key object; or the
    secret of an HMAC algorithm), ``jwks`` (a
    JWKS document as a dict or JSON text) or ``jwks_url`` (fetched by the application on
    first use, again when a token names a key it does not know, at most every
    ``refresh_interval`` seconds). The signature must use one of ``algorithms``; ``exp``
    is required and, with ``nbf``, checked with ``leeway`` seconds; ``audience`` and
    ``issuer`` are checked when given. The token's scopes come from its ``scope`` claim
    (space separated) or ``scp`` (a list or a string); a token lacking a scope the
    operation requires raises :class:`~openapi.spec.InsufficientScope` (403).

    Use it as ``HttpBearer(verify=verifier)`` or ``OAuth2(flows, verify=verifier)``.
    """

    def __init__(
        self,
        *,
        key: Any = None,
        jwks: Mapping[str, Any] | str | None = None,
        jwks_url: str | None = None,
        algorithms: Sequence[str] = DEFAULT_ALGORITHMS,
        audience: str | Sequence[str] | None = None,
        issuer: str | None = None,
        leeway: float = 0.0,
        required_claims: Sequence[str] = ("exp",),
        refresh_interval: float = 60.0,
        fetch_timeout: float = 10.0,
    ) -> None:
        if sum(source is not None for source in (key, jwks, jwks_url)) != 1:
            raise ValueError("JwtVerifier needs one of key, jwks or jwks_url")
        if not algorithms or any(a.lower() == "none" for a in algorithms):
            raise ValueError("JwtVerifier needs signature algorithms ('none' is refused)")
        self.key = key
        self.jwks_url = jwks_url
        self.algorithms = list(algorithms)
        self.audience = audience
        self.issuer = issuer
        self.leeway = leeway
        self.required_claims = list(required_claims)
        self.refresh_interval = refresh_interval
        self.fetch_timeout = fetch_timeout
        self._keys: dict[str | None, jwt.PyJWK] = {}
        self._fetched_at: float | None = None
        self._fetching = asyncio.Lock()
        if jwks is not None:
            self._keys = _keys_of(json.loads(jwks) if isinstance(jwks, str) else dict(jwks))

    async def __call__(
        self, request: web.Request, token: str, scopes: tuple[str, ...] = ()
    ) -> Claims | None:
        claims = await self.claims(token)
        if claims is None:
            return None
        granted = token_scopes(claims)
        missing = [scope for scope in scopes if scope not in granted]
        if missing:
            raise InsufficientScope(missing)
        return claims

    async def claims(self, token: str) -> Claims | None:
        """The verified claims of ``token``, None when it is not valid."""
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            return None
        kid = header.get("kid")
        if kid is not None and not isinstance(kid, str):
            return None
        key = await self._signing_key(kid)
        if key is None:
            return None
        try:
            claims: Claims = jwt.decode(
                token,
                key,
                algorithms=self.algorithms,
                audience=self.audience,
                issuer=self.issuer,
                leeway=self.leeway,
                options={"require": self.required_claims},
            )
        except jwt.PyJWTError as exc:
            logger.debug("JWT refused: %s", exc)
            return None
        return claims

    async def _signing_key(self, kid: str | None) -> Any:
        if self.key is not None:
            return self.key
        if self.jwks_url is not None and (kid not in self._keys or self._fetched_at is None):
            await self._refresh()
        if kid in self._keys:
            return self._keys[kid]
        # a token without kid is accepted when the set holds one key only
        if kid is None and len(self._keys) == 1:
            return next(iter(self._keys.values()))
        return None

    async def _refresh(self) -> None:
        assert self.jwks_url is not None
        async with self._fetching:
            now = time.monotonic()
            if self._fetched_at is not None and now - self._fetched_at < self.refresh_interval:
                return  # fetched lately: an unknown kid is a bad token, not a rotation
            try:
                timeout = aiohttp.ClientTimeout(total=self.fetch_timeout)
                async with aiohttp.ClientSession(timeout=timeout) as session:
                    async with session.get(self.jwks_url) as response:
                        response.raise_for_status()
                        document = await response.json(content_type=None)
                keys = _keys_of(document)
            except (aiohttp.ClientError, TimeoutError, ValueError, jwt.PyJWTError) as exc:
                logger.warning("cannot fetch the JWKS at %s: %s", self.jwks_url, exc)
                if not self._keys:
                    raise ApiError(KEYS_UNAVAILABLE, status=503) from None
                return
            self._keys = keys
            self._fetched_at = now


def token_scopes(claims: Mapping[str, Any]) -> frozenset[str]:
    """The scopes a token grants: its ``scope`` claim (space separated) or ``scp``."""
    found = claims.get("scope", claims.get("scp"))
    if isinstance(found, str):
        return frozenset(found.split())
    if isinstance(found, list):
        return frozenset(str(scope) for scope in found)
    return frozenset()


def _keys_of(document: Any) -> dict[str | None, jwt.PyJWK]:
    if not isinstance(document, dict):
        raise ValueError("a JWKS document is a JSON object")
    return {key.key_id: key for key in jwt.PyJWKSet.from_dict(document).keys}
