"""The client's address: forwarded headers believed only from TRUSTED_PROXIES and read from
the right, so a client's own entries never count; chains parsed strictly; bad settings refused.
"""

from __future__ import annotations

import logging

import httpx2
import pytest

from kwik.contrib.security.clients import (
    ForwardedElement,
    TrustedProxies,
    UnlistedProxyWarning,
    client_ip,
    find_client,
    parse_forwarded,
    parse_node,
    parse_x_forwarded_for,
)
from kwik.exceptions import ImproperlyConfigured
from tests.contrib.security.headers.conftest import client_of, serving

PROXY = ("10.0.0.5", 4000)
STRANGER = ("192.0.2.50", 4000)
PROXIES = {"TRUSTED_PROXIES": ["10.0.0.0/8", "2001:db8:ffff::/48"]}


@pytest.fixture
def unwarned(monkeypatch: pytest.MonkeyPatch) -> None:
    """A process that has not yet warned about an unlisted proxy."""
    monkeypatch.setattr(UnlistedProxyWarning, "done", False)


@pytest.mark.parametrize(
    ("text", "node"),
    [
        ("192.0.2.43", ("192.0.2.43", 0)),
        ("192.0.2.43:8080", ("192.0.2.43", 8080)),
        ("[2001:db8:cafe::17]:4711", ("2001:db8:cafe::17", 4711)),
        ("[2001:DB8:0:0::17]", ("2001:db8::17", 0)),
        ("[::ffff:192.0.2.1]", ("192.0.2.1", 0)),
        ("unknown", ("unknown", 0)),
        ("_gazonk", ("_gazonk", 0)),
        ("_hidden:_port", ("_hidden", 0)),
    ],
)
def test_nodes_of_a_chain_are_read_and_normalized(text, node):
    assert parse_node(text) == node


@pytest.mark.parametrize(
    "text",
    [
        "",
        "not-an-ip",
        "999.0.0.1",
        "192.0.2.1:99999",
        "192.0.2.1:",
        "[192.0.2.1]",
        "[::1",
        "2001:db8::1",
        "_",
        "192.0.2.1 extra",
    ],
)
def test_malformed_nodes_are_refused(text):
    assert parse_node(text) is None


def test_x_forwarded_for_takes_bare_ipv6_and_marks_garbage():
    assert parse_x_forwarded_for("2001:db8::1, 192.0.2.1:80 , <script>") == [
        ("2001:db8::1", 0),
        ("192.0.2.1", 80),
        None,
    ]


def test_forwarded_is_parsed_as_rfc_7239_writes_it():
    value = (
        'for="_gazonk", For="[2001:db8:cafe::17]:4711";proto=HTTPS, '
        "for=192.0.2.60;proto=http;by=203.0.113.43, for=unknown"
    )

    assert parse_forwarded(value) == [
        ForwardedElement(("_gazonk", 0)),
        ForwardedElement(("2001:db8:cafe::17", 4711), "https"),
        ForwardedElement(("192.0.2.60", 0), "http"),
        ForwardedElement(("unknown", 0)),
    ]


@pytest.mark.parametrize(
    "value",
    ['for="192.0.2.1', "for=192.0.2.1;for=192.0.2.2", "for=192.0.2.1 junk", "for", "for=a b"],
    ids=["unbalanced-quote", "repeated", "trailing-text", "no-value", "space-in-token"],
)
def test_a_malformed_forwarded_header_is_refused_whole(value):
    assert parse_forwarded(value) is None


def test_forwarded_elements_without_a_usable_for_have_no_node():
    assert parse_forwarded("proto=https, for=not-an-ip, ,") == [
        ForwardedElement(None, "https"),
        ForwardedElement(None),
    ]


def _trusted(host: str) -> bool:
    return host.startswith("10.")


def test_the_client_is_the_first_untrusted_node_from_the_right():
    chain = ["6.6.6.6", "203.0.113.9", "10.0.0.7", "10.0.0.6"]  # a spoofed entry leftmost

    assert find_client(chain, _trusted) == (1, ("203.0.113.9", 0))


def test_a_chain_of_trusted_proxies_names_its_leftmost():
    assert find_client(["10.0.0.9", "10.0.0.8"], _trusted) == (0, ("10.0.0.9", 0))


def test_a_malformed_entry_stops_the_walk_at_the_last_trusted_proxy():
    assert find_client(["203.0.113.9", "bogus", "10.0.0.7"], _trusted) == (2, ("10.0.0.7", 0))
    assert find_client(["203.0.113.9", "bogus"], _trusted) == (2, None)
    assert find_client([], _trusted) == (0, None)


def test_trusted_proxies_are_addresses_and_networks_of_both_families():
    proxies = TrustedProxies(["10.0.0.0/8", "192.0.2.7", "2001:db8::/32"])

    assert "10.200.1.1" in proxies
    assert "192.0.2.7" in proxies
    assert "::ffff:10.1.1.1" in proxies  # an IPv4 peer seen through a dual-stack socket
    assert "2001:db8:1::5" in proxies
    assert "192.0.2.8" not in proxies
    assert "unknown" not in proxies
    assert not TrustedProxies([])


@pytest.mark.parametrize(
    ("entry", "hint"),
    [("localhost", ""), ("10.0.0.0/33", ""), ("10.0.0.1/8", "did you mean 10.0.0.0/8?")],
)
def test_a_malformed_trusted_proxy_stops_start_up_naming_it(build, entry, hint):
    with pytest.raises(ImproperlyConfigured, match="TRUSTED_PROXIES") as refused:
        build(TRUSTED_PROXIES=["127.0.0.1", entry])

    assert repr(entry) in str(refused.value)
    assert hint in str(refused.value)


def test_client_ip_reads_a_scope_or_a_connection():
    from starlette.requests import Request

    scope = {"type": "http", "client": ("192.0.2.1", 5), "headers": []}

    assert client_ip(scope) == "192.0.2.1"
    assert client_ip(Request(scope)) == "192.0.2.1"
    assert client_ip({"type": "http", "client": None}) == "unknown"


async def test_an_untrusted_peer_cannot_choose_its_address_or_scheme(build):
    async with client_of(build(**PROXIES), peer=STRANGER) as client:
        response = await client.get(
            "/pages/client",
            headers={"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"},
        )

    assert response.json() == {"ip": "192.0.2.50", "scheme": "http"}
    assert "strict-transport-security" not in response.headers


async def test_a_trusted_proxy_names_the_client_and_its_scheme(build):
    async with client_of(build(**PROXIES), peer=PROXY) as client:
        response = await client.get(
            "/pages/client",
            headers={
                "X-Forwarded-For": "6.6.6.6, 203.0.113.9, 10.1.1.1",
                "X-Forwarded-Proto": "https",
            },
        )

    assert response.json() == {"ip": "203.0.113.9", "scheme": "https"}
    assert response.headers["strict-transport-security"] == "max-age=31536000"


async def test_x_forwarded_for_over_several_lines_is_one_chain(build):
    async with client_of(build(**PROXIES), peer=PROXY) as client:
        response = await client.get(
            "/pages/client",
            headers=[("X-Forwarded-For", "203.0.113.9"), ("X-Forwarded-For", "10.1.1.1")],
        )

    assert response.json()["ip"] == "203.0.113.9"


async def test_with_forwarded_chosen_x_forwarded_for_is_not_read(build):
    app = build(**PROXIES, TRUSTED_PROXY_HEADER="Forwarded")
    async with client_of(app, peer=PROXY) as client:
        forwarded = await client.get(
            "/pages/client",
            headers={"Forwarded": 'for="[2001:db8:cafe::17]:4711";proto=https, for=10.0.0.9'},
        )
        spoofed = await client.get("/pages/client", headers={"X-Forwarded-For": "203.0.113.9"})

    assert forwarded.json() == {"ip": "2001:db8:cafe::17", "scheme": "https"}
    assert spoofed.json()["ip"] == "10.0.0.5"


async def test_with_x_forwarded_for_chosen_a_forwarded_header_is_not_read(build):
    async with client_of(build(**PROXIES), peer=PROXY) as client:
        response = await client.get("/pages/client", headers={"Forwarded": "for=203.0.113.9"})

    assert response.json()["ip"] == "10.0.0.5"


async def test_a_malformed_chain_from_a_trusted_proxy_leaves_the_proxy_as_the_client(build):
    app = build(**PROXIES, TRUSTED_PROXY_HEADER="Forwarded")
    async with client_of(app, peer=PROXY) as client:
        response = await client.get("/pages/client", headers={"Forwarded": 'for="203.0.113.9'})

    assert response.json()["ip"] == "10.0.0.5"


def test_the_websocket_handshake_gets_the_forwarded_client_too(build):
    from starlette.testclient import TestClient

    app = build(**PROXIES)

    async def with_peer(scope, receive, send):
        await app({**scope, "client": PROXY}, receive, send)

    with (
        TestClient(with_peer) as browser,
        browser.websocket_connect(
            "/pages/ws", headers={"X-Forwarded-For": "203.0.113.9"}
        ) as socket,
    ):
        assert socket.receive_json() == {"client": "203.0.113.9"}


async def test_forwarded_headers_with_no_trusted_proxies_are_warned_about_once(
    build, caplog, unwarned
):
    caplog.set_level(logging.WARNING, logger="kwik.contrib.security")
    async with client_of(build(), peer=PROXY) as client:
        await client.get("/pages/json")
        assert not caplog.records
        for _ in range(40):
            response = await client.get("/pages/client", headers={"X-Forwarded-For": "1.2.3.4"})
            assert response.json()["ip"] == "10.0.0.5"

    warnings = [record.getMessage() for record in caplog.records]
    assert len(warnings) == 1
    assert "TRUSTED_PROXIES is empty" in warnings[0]
    assert "10.0.0.5" in warnings[0]


async def test_listed_proxies_are_not_warned_about(build, caplog, unwarned):
    caplog.set_level(logging.WARNING, logger="kwik.contrib.security")
    async with client_of(build(**PROXIES), peer=STRANGER) as client:
        await client.get("/pages/client", headers={"X-Forwarded-For": "1.2.3.4"})

    assert not caplog.records


@pytest.mark.slow
@pytest.mark.parametrize(
    "uvicorn_options",
    [{}, {"proxy_headers": False}],
    ids=["uvicorn-defaults", "no-proxy-headers"],
)
def test_a_spoofed_x_forwarded_for_over_a_real_socket_is_ignored(build, uvicorn_options):
    app = build(TRUSTED_PROXIES=["127.0.0.1"])
    spoof = {"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"}
    stranger = httpx2.HTTPTransport(local_address="127.0.0.2")  # an untrusted peer
    with serving(app, **uvicorn_options) as base_url, httpx2.Client(transport=stranger) as http:
        response = http.get(f"{base_url}/pages/client", headers=spoof)

    assert response.json() == {"ip": "127.0.0.2", "scheme": "http"}
    assert "strict-transport-security" not in response.headers


@pytest.mark.slow
def test_a_trusted_proxy_over_a_real_socket_is_believed_from_the_right(build):
    app = build(TRUSTED_PROXIES=["127.0.0.1"])
    chain = {"X-Forwarded-For": "6.6.6.6, 203.0.113.9", "X-Forwarded-Proto": "https"}
    with serving(app, proxy_headers=False) as base_url:
        response = httpx2.get(f"{base_url}/pages/client", headers=chain)

    assert response.json() == {"ip": "203.0.113.9", "scheme": "https"}
    assert response.headers["strict-transport-security"] == "max-age=31536000"
