"""Who is calling: the client's address, decided in one place.

Behind a reverse proxy the socket's peer is the proxy, and the client is named in a header the
proxy appends to (TRUSTED_PROXY_HEADER: `X-Forwarded-For` with `X-Forwarded-Proto`, or RFC 7239
`Forwarded`). Anyone can send those headers, so they are believed only when the peer is one of
TRUSTED_PROXIES, and then read from the right: each trusted proxy appended the address it saw,
so the first address from the right that is not a trusted proxy is the client. Entries further
left were written by the client itself and are ignored, so a spoofed `X-Forwarded-For: 1.2.3.4`
changes nothing, even through a trusted proxy.

`SecurityMiddleware` (outermost) does this once per request and rewrites `scope["client"]` (and
`scope["scheme"]` from the proxy's protocol); `client_ip()` then only reads the scope, so rate
limits, logs and CSRF all see the same client.
"""

from __future__ import annotations

import ipaddress
import logging
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from kwik.exceptions import ImproperlyConfigured

if TYPE_CHECKING:
    from starlette.requests import HTTPConnection
    from starlette.types import Scope

__all__ = [
    "ClientResolver",
    "ForwardedElement",
    "Hop",
    "TrustedProxies",
    "UnlistedProxyWarning",
    "check_trusted_proxies",
    "client_ip",
    "find_client",
    "parse_forwarded",
    "parse_node",
    "parse_x_forwarded_for",
    "warn_unlisted_proxy",
]

logger = logging.getLogger("kwik.contrib.security")

Hop = tuple[str, int]
"""A node of a forwarding chain: a normalized IP address (`203.0.113.9`, `2001:db8::1`), an
obfuscated identifier (`_hidden`) or `unknown`, and its port (0 when not given)."""

PEER_KEY = "kwik.peer"
"""Where the socket's peer is kept when `scope["client"]` is rewritten to the forwarded client."""

_OBFUSCATED = re.compile(r"_[A-Za-z0-9._-]+")
_PORT = re.compile(r"[0-9]{1,5}")
_TOKEN = r"[!#$%&'*+.^_`|~0-9A-Za-z-]+"
_QUOTED = r'"(?:[^"\\\x00-\x1f\x7f]|\\[\t\x20-\x7e])*"'
_PAIR = re.compile(rf"[ \t]*(?:({_TOKEN})=({_TOKEN}|{_QUOTED}))?[ \t]*")
_ESCAPE = re.compile(r"\\(.)")
_SCHEMES = {"http": ("http", "ws"), "https": ("https", "wss")}
_KNOWN_HOSTS = 4096


def client_ip(connection: Scope | HTTPConnection) -> str:
    """The client's address (a request, WebSocket or ASGI scope), or `"unknown"`.

    Behind trusted proxies this is the forwarded client, once `SecurityMiddleware` resolved it;
    use it wherever a client must be told apart (rate limits, logs, audit trails).

    Example:
        logger.info("login failed for %s from %s", email, client_ip(request))
    """
    client = connection.get("client")
    return str(client[0]) if client and client[0] else "unknown"


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped  # a dual-stack socket's view of an IPv4 peer
    return address


class TrustedProxies:
    """TRUSTED_PROXIES parsed once: addresses and networks, IPv4 and IPv6.

    Example:
        proxies = TrustedProxies(["10.0.0.0/8", "2001:db8::1"])
        assert "10.1.2.3" in proxies and "192.0.2.1" not in proxies
    """

    def __init__(self, entries: Iterable[str], *, setting: str = "TRUSTED_PROXIES") -> None:
        networks: list[ipaddress.IPv4Network | ipaddress.IPv6Network] = []
        for entry in entries:
            try:
                networks.append(ipaddress.ip_network(entry.strip(), strict=True))
            except ValueError as exc:
                hint = ""
                if "host bits set" in str(exc):
                    hint = f" (did you mean {ipaddress.ip_network(entry.strip(), strict=False)}?)"
                raise ImproperlyConfigured(
                    f"{setting}: {entry!r} is not an IP address or CIDR network{hint}; list "
                    "the proxies in front of the application, such as '10.0.0.0/8' or "
                    "'127.0.0.1'"
                ) from None
        self.networks = tuple(networks)
        self._known: dict[str, bool] = {}

    def __bool__(self) -> bool:
        return bool(self.networks)

    def __contains__(self, host: object) -> bool:
        return isinstance(host, str) and self.trusts(host)

    def trusts(self, host: str) -> bool:
        """Whether `host` (an address as the server reports it) is a trusted proxy; answers
        are remembered, since a server sees the same few proxies over and over."""
        known = self._known.get(host)
        if known is None:
            if len(self._known) >= _KNOWN_HOSTS:
                self._known.clear()  # many different peers: start again rather than grow
            known = self._known[host] = self._lookup(host)
        return known

    def _lookup(self, host: str) -> bool:
        address = _address(host)
        if address is None:
            return False
        return any(address in network for network in self.networks)

    def __repr__(self) -> str:
        return f"TrustedProxies({[str(network) for network in self.networks]})"


def check_trusted_proxies() -> None:
    """Refuse a malformed TRUSTED_PROXIES at start-up, naming the entry."""
    from kwik.conf import settings

    TrustedProxies(settings.TRUSTED_PROXIES)


def _port(text: str) -> int | None:
    if _OBFUSCATED.fullmatch(text):
        return 0
    if _PORT.fullmatch(text) and int(text) <= 65535:
        return int(text)
    return None


def parse_node(text: str, *, bare_ipv6: bool = False) -> Hop | None:
    """One node of a chain (`192.0.2.1`, `192.0.2.1:8080`, `[2001:db8::1]:4711`, `unknown`,
    `_hidden`), or None when it is none of these. `bare_ipv6` also accepts `2001:db8::1` without
    brackets, as X-Forwarded-For writes it."""
    text = text.strip()
    if text.startswith("["):
        inside, bracket, rest = text[1:].partition("]")
        address = _address(inside) if bracket and ":" in inside else None
        if address is None:
            return None  # brackets hold an IPv6 address, and only that
        if not rest:
            return (str(address), 0)
        port = _port(rest[1:]) if rest.startswith(":") else None
        return None if port is None else (str(address), port)
    if bare_ipv6 and text.count(":") > 1:
        address = _address(text)
        return None if address is None else (str(address), 0)
    name, colon, port_text = text.partition(":")
    port = _port(port_text) if colon else 0
    if port is None:
        return None
    if name.lower() == "unknown":
        return ("unknown", port)
    if _OBFUSCATED.fullmatch(name):
        return (name, port)
    address = _address(name)
    if address is None or address.version != 4:
        return None
    return (str(address), port)


def parse_x_forwarded_for(value: str) -> list[Hop | None]:
    """`X-Forwarded-For`'s entries, left to right; None for an entry that is not an address."""
    return [parse_node(entry, bare_ipv6=True) for entry in value.split(",")]


@dataclass(frozen=True, slots=True)
class ForwardedElement:
    """One proxy's entry in `Forwarded`: the node it received the request from, and over
    which protocol. `node` is None when `for=` is missing or malformed."""

    node: Hop | None
    proto: str | None = None


def _unquote(value: str) -> str:
    if value.startswith('"'):
        return _ESCAPE.sub(r"\1", value[1:-1])
    return value


def parse_forwarded(value: str) -> list[ForwardedElement] | None:
    """RFC 7239 `Forwarded` (all its lines joined with commas), element by element, left to
    right; None when the header is malformed (unbalanced quotes, a repeated parameter, text
    that is not `name=value`)."""
    elements: list[ForwardedElement] = []
    params: dict[str, str] = {}
    position = 0
    end = len(value)
    while True:
        match = _PAIR.match(value, position)
        assert match is not None  # every part of the pattern is optional
        position = match.end()
        if match[1] is not None:
            name = match[1].lower()
            if name in params:
                return None
            params[name] = _unquote(match[2])
        if position < end and value[position] == ";":
            position += 1
            continue
        if position < end and value[position] != ",":
            return None
        if params:
            node = parse_node(params["for"]) if "for" in params else None
            proto = params.get("proto")
            elements.append(ForwardedElement(node, proto.lower() if proto else None))
            params = {}
        if position >= end:
            return elements
        position += 1


def find_client(
    nodes: Sequence[str | Hop | None],
    trusted: Callable[[str], bool],
    parse: Callable[[str], Hop | None] = parse_node,
) -> tuple[int, Hop | None]:
    """Walk a chain from the right: skip trusted proxies; the first other node is the client.

    Returns its index and node, or `(len(nodes), None)` when the chain names no client (it is
    empty, or its rightmost entry is malformed: then the peer is the client). A malformed entry
    further left stops the walk at the last trusted proxy, which is the farthest hop known; a
    chain of trusted proxies only names its leftmost as the client. Entries are parsed from the
    right and only as far as needed, so a long spoofed chain costs nothing.
    """
    index, found = len(nodes), None
    for position in range(len(nodes) - 1, -1, -1):
        node = nodes[position]
        hop = parse(node) if isinstance(node, str) else node
        if hop is None:
            break
        index, found = position, hop
        if not trusted(hop[0]):
            break
    return index, found


def _parse_xff_entry(text: str) -> Hop | None:
    return parse_node(text, bare_ipv6=True)


class UnlistedProxyWarning:
    """The once-per-process warning about forwarded headers with no TRUSTED_PROXIES: `done`
    once said (the middleware then stops looking)."""

    done = False


def warn_unlisted_proxy(peer: str) -> None:
    """Say once per process that forwarded headers arrive but nothing trusts them: most
    likely the application runs behind a proxy that TRUSTED_PROXIES does not list, and every
    client then shares the proxy's address (in rate limits, too)."""
    if UnlistedProxyWarning.done:
        return
    UnlistedProxyWarning.done = True
    logger.warning(
        "A request from %s carries X-Forwarded-For/Forwarded headers, but TRUSTED_PROXIES is "
        "empty, so they are ignored and the client is %s. Behind a reverse proxy, list its "
        "address in TRUSTED_PROXIES (this is said once per process).",
        peer,
        peer,
    )


class ClientResolver:
    """Rewrites a scope's client and scheme from a trusted proxy's forwarded headers.

    Built once per application from TRUSTED_PROXIES and TRUSTED_PROXY_HEADER; the middleware
    calls `resolve` only for requests whose peer is trusted and that carry the header.
    """

    def __init__(self, proxies: TrustedProxies, header: str = "X-Forwarded-For") -> None:
        self.proxies = proxies
        self.uses_forwarded = header.lower() == "forwarded"
        self.header = b"forwarded" if self.uses_forwarded else b"x-forwarded-for"
        self.proto_header = None if self.uses_forwarded else b"x-forwarded-proto"
        # The answer depends on the two header values only (the peer is known to be trusted),
        # and a proxy sends the same few values again and again: parsing addresses with
        # `ipaddress` costs microseconds, a cache hit a dictionary lookup.
        self._read = lru_cache(maxsize=4096)(self._read_headers)

    def trusts(self, scope: Scope) -> bool:
        """Whether the request's peer is a trusted proxy."""
        client = scope.get("client")
        return bool(client) and self.proxies.trusts(str(client[0]))

    def resolve(self, scope: Scope, forwarded: bytes | None, proto: bytes | None) -> None:
        """Set `scope["client"]` to the forwarded client, keeping the peer at `kwik.peer`, and
        `scope["scheme"]` to the protocol the client used, when the proxies say so."""
        hop, scheme = self._read(forwarded, proto)
        if hop is not None:
            scope[PEER_KEY] = scope.get("client")
            scope["client"] = hop
        if scheme is not None:
            scope["scheme"] = scheme[1] if scope["type"] == "websocket" else scheme[0]

    def _read_headers(
        self, forwarded: bytes | None, proto: bytes | None
    ) -> tuple[Hop | None, tuple[str, str] | None]:
        """The client and its scheme (HTTP and WebSocket names) the headers name, if any."""
        trusted = self.proxies.trusts
        scheme: str | None = None
        if self.uses_forwarded:
            elements = parse_forwarded(forwarded.decode("latin-1")) if forwarded else []
            if not elements:
                return None, None  # absent or malformed: nothing a proxy said can be relied on
            index, hop = find_client([each.node for each in elements], trusted)
            scheme = elements[min(index, len(elements) - 1)].proto
        else:
            entries = forwarded.decode("latin-1").split(",") if forwarded else []
            index, hop = find_client(entries, trusted, _parse_xff_entry)
            if proto:
                protos = proto.decode("latin-1").split(",")
                aligned = len(protos) == len(entries) and index < len(entries)
                scheme = (protos[index] if aligned else protos[-1]).strip().lower()
        return hop, _SCHEMES.get(scheme) if scheme else None
