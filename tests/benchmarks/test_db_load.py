"""An endpoint loaded at several paths: wrk sends each in turn, every path under the prefix."""

from __future__ import annotations

from benchmarks.db.endpoints import DETAIL_IDS, ENDPOINTS
from benchmarks.harness.endpoints import Endpoint
from benchmarks.harness.load import script_for, script_for_all

DETAIL = Endpoint("detail", "GET /products/{id}", "GET", "/products/1", more_paths=("/products/2",))


def test_an_endpoint_with_more_paths_is_one_request_per_path():
    assert [e.path for e in DETAIL.each()] == ["/products/1", "/products/2"]
    assert all(not e.more_paths for e in DETAIL.each())


def test_its_wrk_script_sends_each_path_in_turn():
    script = script_for(DETAIL)
    assert "[====[/products/1]====]" in script
    assert "[====[/products/2]====]" in script
    assert "i = i % #requests + 1" in script


def test_a_prefix_applies_to_every_path():
    assert [e.path for e in DETAIL.under("/v2").each()] == ["/v2/products/1", "/v2/products/2"]


def test_a_single_path_endpoint_is_still_a_static_request():
    static = Endpoint("list", "GET /products", "GET", "/products")
    assert static.each() == (static,)
    assert "request = function" not in script_for(static)


def test_the_warm_up_sends_every_detail_id_and_the_list():
    script = script_for_all(ENDPOINTS)
    assert script.count("wrk.format(") == 1 + len(DETAIL_IDS)
    assert "/products?limit=20&offset=40" in script
