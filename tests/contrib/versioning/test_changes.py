"""Version changes: declarations, request upgrades, response downgrades, error locations and the
older versions' schemas."""

from __future__ import annotations

import copy
import datetime

import pytest
from openapi_spec_validator import validate
from pydantic import BaseModel

from kwik.contrib.versioning.changes import (
    Change,
    added,
    check_changes,
    downgrade,
    old_location,
    removed,
    renamed,
    upgrade,
)
from kwik.contrib.versioning.schemas import downgrade_schema, prune_components
from kwik.exceptions import ImproperlyConfigured
from kwik.http.openapi import openapi_document
from kwik.http.routing import Route

USER = "#/components/schemas/User"


def user_components() -> dict[str, object]:
    return {
        "User": {
            "type": "object",
            "properties": {
                "id": {"type": "integer"},
                "name": {"type": "string"},
                "nickname": {"anyOf": [{"type": "string"}, {"type": "null"}]},
            },
            "required": ["id", "name", "nickname"],
        }
    }


# Declarations.


def test_renamed_records_the_new_path_and_the_old_name():
    change = renamed("items.full_name", "items.name", since="v2")

    assert change.kind == "renamed"
    assert change.path == ("items", "name")
    assert change.old_name == "full_name"
    assert change.old_path == ("items", "full_name")
    assert change.since == "v2"
    assert change.where == "both"


def test_each_change_describes_itself_in_one_line():
    assert str(renamed("full_name", "name", since="v2")) == "renamed full_name -> name (since v2)"
    assert str(removed("fax", since="v2")) == "removed fax (since v2)"
    assert str(added("a.nickname", since="v3", where="response")) == (
        "added a.nickname (since v3, responses only)"
    )


def test_a_change_applies_to_the_sides_its_where_names():
    both = removed("fax", since="v2")
    requests = removed("fax", since="v2", where="request")
    responses = removed("fax", since="v2", where="response")

    assert [both.applies_to("request"), both.applies_to("response")] == [True, True]
    assert [requests.applies_to("request"), requests.applies_to("response")] == [True, False]
    assert [responses.applies_to("request"), responses.applies_to("response")] == [False, True]


def test_changes_with_different_defaults_can_still_be_hashed():
    first = removed("tags", since="v2", default=[])
    second = removed("tags", since="v2", default=["x"])

    assert first != second
    assert len({first, second}) == 2


def test_a_rename_that_moves_the_field_to_another_parent_is_refused():
    with pytest.raises(ImproperlyConfigured) as caught:
        renamed("items.full_name", "lines.name", since="v2")

    assert str(caught.value) == (
        "renamed('items.full_name', 'lines.name'): the old and new names must share their "
        "parent, not 'items' and 'lines'; rename a parent with its own renamed() change"
    )


def test_a_rename_into_a_nested_object_is_refused():
    with pytest.raises(ImproperlyConfigured, match="not the top level and 'user'"):
        renamed("name", "user.name", since="v2")


def test_a_rename_to_the_same_name_is_refused():
    with pytest.raises(ImproperlyConfigured, match="the old and new names are the same"):
        renamed("name", "name", since="v2")


@pytest.mark.parametrize(
    "path", ["", "items..name", ".name", "name.", "full name", "items[0].name"]
)
def test_a_path_with_an_empty_or_odd_segment_is_refused(path):
    with pytest.raises(ImproperlyConfigured, match=r"is not a field name|path is empty"):
        removed(path, since="v2")


def test_field_names_may_use_digits_dashes_and_json_style_names():
    change = removed("items.2fa-code", since="v2")

    assert change.path == ("items", "2fa-code")


def test_a_field_that_is_not_a_string_is_refused():
    with pytest.raises(ImproperlyConfigured) as caught:
        added(["nickname"], since="v2")  # type: ignore[arg-type]

    assert "not ['nickname']" in str(caught.value)


@pytest.mark.parametrize("since", ["", "  ", None])
def test_since_must_name_a_version(since):
    with pytest.raises(ImproperlyConfigured) as caught:
        removed("fax", since=since)

    assert str(caught.value) == (
        f"removed('fax'): since= must name the version that made the change, such as 'v2', "
        f"not {since!r}"
    )


def test_where_must_be_request_response_or_both():
    with pytest.raises(ImproperlyConfigured) as caught:
        added("nickname", since="v3", where="body")  # type: ignore[arg-type]

    assert str(caught.value) == (
        "added('nickname'): where='body' is not one of 'request', 'response', 'both'"
    )


def test_a_default_json_cannot_carry_is_refused():
    class Colour:
        pass

    with pytest.raises(ImproperlyConfigured) as caught:
        removed("colour", since="v2", default=Colour())

    message = str(caught.value)
    assert message.startswith("removed('colour'): default=")
    assert message.endswith(
        "cannot be written as JSON; give a str, number, bool, None, list or dict"
    )


def test_a_default_is_kept_in_its_json_form():
    change = removed("joined", since="v2", default=datetime.date(2024, 5, 1))

    assert change.default == "2024-05-01"


def test_a_removed_fields_schema_must_be_a_dict():
    with pytest.raises(ImproperlyConfigured, match=r"schema= takes a JSON schema dict"):
        removed("fax", since="v2", schema="string")  # type: ignore[arg-type]


def test_a_kind_other_than_the_three_is_refused():
    with pytest.raises(ImproperlyConfigured, match="Change kind 'moved' is unknown"):
        Change("moved", ("name",), "v2")  # type: ignore[arg-type]


def test_check_changes_returns_the_changes_as_a_tuple():
    changes = [renamed("full_name", "name", since="v2"), removed("fax", since="v2")]

    assert check_changes(changes, "users.create") == tuple(changes)


def test_check_changes_refuses_an_item_that_is_not_a_change():
    with pytest.raises(ImproperlyConfigured) as caught:
        check_changes([removed("fax", since="v2"), 42], "users.create")

    assert str(caught.value) == (
        "Handler users.create: changes= takes renamed()/removed()/added() items, not 42"
    )


def test_check_changes_refuses_a_change_not_in_a_list():
    with pytest.raises(ImproperlyConfigured, match=r"changes= takes a list of .* not Change\("):
        check_changes(removed("fax", since="v2"), "users.create")  # type: ignore[arg-type]


def test_check_changes_refuses_a_field_renamed_twice_at_one_version():
    changes = [renamed("full_name", "name", since="v2"), renamed("full_name", "title", since="v2")]

    with pytest.raises(ImproperlyConfigured) as caught:
        check_changes(changes, "users.create")

    assert str(caught.value) == (
        "Handler users.create: changes= renamed full_name -> name (since v2) and renamed "
        "full_name -> title (since v2) both touch 'full_name' at v2; give each field one change "
        "per version"
    )


def test_check_changes_refuses_two_fields_renamed_to_one_name_at_one_version():
    changes = [renamed("first", "name", since="v2"), renamed("last", "name", since="v2")]

    with pytest.raises(ImproperlyConfigured, match="both touch 'name' at v2"):
        check_changes(changes, "users.create")


def test_check_changes_refuses_a_chain_of_renames_at_one_version():
    changes = [renamed("a", "b", since="v2"), renamed("b", "c", since="v2")]

    with pytest.raises(ImproperlyConfigured, match="both touch 'b' at v2"):
        check_changes(changes, "users.create")


def test_check_changes_refuses_a_change_inside_a_field_removed_at_the_same_version():
    changes = [removed("address", since="v2"), renamed("address.town", "address.city", since="v2")]

    with pytest.raises(ImproperlyConfigured, match="both touch 'address' at v2"):
        check_changes(changes, "users.create")


def test_check_changes_refuses_a_change_under_a_parents_old_name_at_the_same_version():
    changes = [renamed("items", "lines", since="v2"), added("items.sku", since="v2")]

    with pytest.raises(ImproperlyConfigured, match="both touch 'items' at v2"):
        check_changes(changes, "users.create")


def test_check_changes_allows_a_name_freed_and_reused_at_one_version():
    changes = [
        renamed("name", "full_name", since="v2"),
        added("name", since="v2", default=""),
        removed("fax", since="v3"),
        added("fax", since="v3", default={}),
    ]

    assert len(check_changes(changes, "users.create")) == 4


def test_check_changes_allows_one_field_changed_again_at_a_later_version():
    changes = [renamed("a", "b", since="v2"), renamed("b", "c", since="v3")]

    assert len(check_changes(changes, "users.create")) == 2


# Request upgrades and response downgrades.


def test_an_old_clients_request_is_upgraded_to_the_new_name():
    body = upgrade({"full_name": "Ada", "id": 1}, [renamed("full_name", "name", since="v2")])

    assert body == {"name": "Ada", "id": 1}


def test_a_response_is_downgraded_to_the_old_name_in_the_same_position():
    body = downgrade(
        {"id": 1, "name": "Ada", "email": "a@x.org"}, [renamed("full_name", "name", since="v2")]
    )

    assert list(body.items()) == [("id", 1), ("full_name", "Ada"), ("email", "a@x.org")]


def test_when_an_old_client_sends_both_names_the_new_name_wins():
    body = upgrade({"full_name": "Old", "name": "New"}, [renamed("full_name", "name", since="v2")])

    assert body == {"name": "New"}


def test_a_removed_field_sent_by_an_old_client_is_dropped():
    body = upgrade({"name": "Ada", "fax": "555"}, [removed("fax", since="v2", default="")])

    assert body == {"name": "Ada"}


def test_a_removed_field_reaches_old_clients_with_its_default():
    change = removed("tags", since="v2", default=["none"])

    first = downgrade({"name": "Ada"}, [change])
    first["tags"].append("mutated")
    second = downgrade({"name": "Bob"}, [change])

    assert second == {"name": "Bob", "tags": ["none"]}


def test_a_removed_field_the_handler_still_returns_is_kept():
    body = downgrade({"fax": "555"}, [removed("fax", since="v2", default="")])

    assert body == {"fax": "555"}


def test_an_added_field_is_filled_with_its_default_in_old_requests():
    change = added("nickname", since="v3", default="none")

    assert upgrade({"name": "Ada"}, [change]) == {"name": "Ada", "nickname": "none"}
    assert upgrade({"nickname": "A"}, [change]) == {"nickname": "A"}


def test_each_old_request_gets_its_own_copy_of_an_added_default():
    change = added("tags", since="v2", default=[])

    first = upgrade({}, [change])
    first["tags"].append("mutated")

    assert upgrade({}, [change]) == {"tags": []}


def test_an_added_field_is_dropped_from_old_responses():
    body = downgrade({"name": "Ada", "nickname": None}, [added("nickname", since="v3")])

    assert body == {"name": "Ada"}


def test_a_nested_path_reaches_every_item_of_a_list():
    change = renamed("items.full_name", "items.name", since="v2")

    response = downgrade({"items": [{"name": "a"}, {"name": "b"}], "name": "top"}, [change])
    request = upgrade({"items": [{"full_name": "a"}, {"full_name": "b"}]}, [change])

    assert response == {"items": [{"full_name": "a"}, {"full_name": "b"}], "name": "top"}
    assert request == {"items": [{"name": "a"}, {"name": "b"}]}


def test_a_list_response_is_downgraded_item_by_item():
    body = downgrade(
        [{"id": 1, "nickname": "a"}, {"id": 2, "nickname": "b"}],
        [added("nickname", since="v3"), removed("fax", since="v2", default="")],
    )

    assert body == [{"id": 1, "fax": ""}, {"id": 2, "fax": ""}]


def test_missing_null_and_non_object_parents_are_left_alone():
    change = added("address.zip", since="v2", default="00000")

    assert upgrade({"address": None}, [change]) == {"address": None}
    assert upgrade({"name": "Ada"}, [change]) == {"name": "Ada"}
    assert upgrade({"address": "Main St"}, [change]) == {"address": "Main St"}
    assert upgrade({"address": [{}, None, 3]}, [change]) == {"address": [{"zip": "00000"}, None, 3]}


def test_bodies_that_are_not_objects_pass_through():
    changes = [removed("fax", since="v2", default="")]

    assert downgrade("text", changes) == "text"
    assert downgrade(None, changes) is None
    assert upgrade(7, changes) == 7


def test_a_request_only_change_leaves_responses_alone():
    change = added("nickname", since="v3", default="", where="request")

    assert upgrade({}, [change]) == {"nickname": ""}
    assert downgrade({"nickname": "A"}, [change]) == {"nickname": "A"}


def test_a_response_only_change_leaves_requests_alone():
    change = renamed("full_name", "name", since="v2", where="response")

    assert upgrade({"full_name": "Ada"}, [change]) == {"full_name": "Ada"}
    assert downgrade({"name": "Ada"}, [change]) == {"full_name": "Ada"}


def test_renames_across_versions_are_undone_newest_first():
    changes = [renamed("a", "b", since="v2"), renamed("b", "c", since="v3")]

    assert downgrade({"c": 1}, changes) == {"a": 1}
    assert upgrade({"a": 1}, changes) == {"c": 1}


def test_a_parent_and_its_child_renamed_at_one_version_work_in_either_declared_order():
    parent = renamed("items", "lines", since="v2")
    child = renamed("lines.full_name", "lines.name", since="v2")

    for changes in ([parent, child], [child, parent]):
        assert upgrade({"items": [{"full_name": "a"}]}, changes) == {"lines": [{"name": "a"}]}
        assert downgrade({"lines": [{"name": "a"}]}, changes) == {"items": [{"full_name": "a"}]}


def test_a_field_replaced_at_one_version_works_in_either_declared_order():
    gone = removed("price", since="v2", default=0)
    new = added("price", since="v2", default={"amount": 0, "currency": "EUR"})

    for changes in ([gone, new], [new, gone]):
        assert upgrade({"price": 5}, changes) == {"price": {"amount": 0, "currency": "EUR"}}
        assert downgrade({"price": {"amount": 5, "currency": "EUR"}}, changes) == {"price": 0}


# Validation error locations.


def test_an_error_location_names_the_field_as_the_old_client_sent_it():
    location = old_location(("body", "name"), [renamed("full_name", "name", since="v2")])

    assert location == ("body", "full_name")


def test_an_error_location_skips_list_indexes():
    change = renamed("items.full_name", "items.name", since="v2")

    assert old_location(("body", "items", 3, "name"), [change]) == ("body", "items", 3, "full_name")
    assert old_location(("body", 0, "items", 1, "name"), [change]) == (
        "body",
        0,
        "items",
        1,
        "full_name",
    )


def test_an_error_location_inside_a_renamed_parent_uses_the_old_parent_name():
    change = renamed("items", "lines", since="v2")

    assert old_location(("body", "lines", 0, "sku"), [change]) == ("body", "items", 0, "sku")


def test_an_error_location_follows_renames_across_versions():
    changes = [renamed("a", "b", since="v2"), renamed("b", "c", since="v3")]

    assert old_location(["body", "c"], changes) == ("body", "a")


def test_error_locations_outside_the_renamed_field_are_unchanged():
    changes = [renamed("full_name", "name", since="v2")]

    assert old_location(("query", "name"), changes) == ("query", "name")
    assert old_location(("body", "email"), changes) == ("body", "email")
    assert old_location(("body", "address", "name"), changes) == ("body", "address", "name")
    assert old_location((), changes) == ()


def test_an_error_location_ignores_response_only_renames():
    change = renamed("full_name", "name", since="v2", where="response")

    assert old_location(("body", "name"), [change]) == ("body", "name")


# Schemas.


def test_a_renamed_property_is_written_into_a_suffixed_copy_of_the_component():
    components = user_components()
    original = copy.deepcopy(components)

    schema = downgrade_schema(
        {"$ref": USER},
        [renamed("full_name", "name", since="v2")],
        components,
        side="response",
        suffix="_v1",
    )

    assert schema == {"$ref": "#/components/schemas/User_v1"}
    assert components["User"] == original["User"]
    copied = components["User_v1"]
    assert list(copied["properties"]) == ["id", "full_name", "nickname"]
    assert copied["required"] == ["id", "full_name", "nickname"]


def test_a_removed_property_comes_back_with_its_schema_and_default_but_not_required():
    components = user_components()

    downgrade_schema(
        {"$ref": USER},
        [removed("fax", since="v2", default="", schema={"type": "string"})],
        components,
        side="response",
        suffix="_v1",
    )

    copied = components["User_v1"]
    assert copied["properties"]["fax"] == {"type": "string", "default": ""}
    assert "fax" not in copied["required"]


def test_a_removed_property_without_a_schema_accepts_any_value():
    components = user_components()

    downgrade_schema(
        {"$ref": USER}, [removed("fax", since="v2")], components, side="request", suffix="_v1"
    )

    assert components["User_v1"]["properties"]["fax"] == {"default": None}


def test_an_added_property_is_dropped_from_properties_and_required():
    components = user_components()

    downgrade_schema(
        {"$ref": USER}, [added("nickname", since="v3")], components, side="response", suffix="_v1"
    )

    copied = components["User_v1"]
    assert list(copied["properties"]) == ["id", "name"]
    assert copied["required"] == ["id", "name"]


def test_an_empty_required_list_is_dropped():
    schema = {"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"]}

    result = downgrade_schema(schema, [added("a", since="v2")], {}, side="request", suffix="_v1")

    assert result == {"type": "object", "properties": {}}


def test_an_array_of_refs_is_downgraded_through_its_items():
    components = user_components()

    schema = downgrade_schema(
        {"type": "array", "items": {"$ref": USER}},
        [added("nickname", since="v3")],
        components,
        side="response",
        suffix="_v2",
    )

    assert schema == {"type": "array", "items": {"$ref": "#/components/schemas/User_v2"}}
    assert "nickname" not in components["User_v2"]["properties"]


def test_a_nullable_ref_is_downgraded_through_any_of():
    components = user_components()

    schema = downgrade_schema(
        {"anyOf": [{"$ref": USER}, {"type": "null"}]},
        [removed("fax", since="v2", default="")],
        components,
        side="response",
        suffix="_v1",
    )

    assert schema == {"anyOf": [{"$ref": "#/components/schemas/User_v1"}, {"type": "null"}]}
    assert "fax" in components["User_v1"]["properties"]


def test_an_inline_object_is_downgraded_in_the_returned_copy():
    schema = {"type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"]}

    result = downgrade_schema(
        schema, [renamed("full_name", "name", since="v2")], {}, side="request", suffix="_v1"
    )

    assert result["properties"] == {"full_name": {"type": "string"}}
    assert result["required"] == ["full_name"]
    assert schema["required"] == ["name"]


def test_a_nested_change_copies_only_the_components_on_its_path():
    address = {"type": "object", "properties": {"city": {"type": "string"}}}
    components = {
        "Address": address,
        "Customer": {
            "type": "object",
            "properties": {
                "address": {"anyOf": [{"$ref": "#/components/schemas/Address"}, {"type": "null"}]},
                "billing": {"$ref": "#/components/schemas/Address"},
            },
        },
    }

    downgrade_schema(
        {"$ref": "#/components/schemas/Customer"},
        [renamed("address.town", "address.city", since="v2")],
        components,
        side="response",
        suffix="_v1",
    )

    customer = components["Customer_v1"]["properties"]
    assert customer["address"]["anyOf"][0] == {"$ref": "#/components/schemas/Address_v1"}
    assert customer["billing"] == {"$ref": "#/components/schemas/Address"}
    assert components["Address_v1"]["properties"] == {"town": {"type": "string"}}
    assert components["Address"]["properties"] == {"city": {"type": "string"}}


def test_a_recursive_component_is_copied_to_the_depth_of_the_change():
    tree = "#/components/schemas/Tree"
    components = {
        "Tree": {
            "type": "object",
            "properties": {
                "name": {"type": "string"},
                "children": {"type": "array", "items": {"$ref": tree}},
            },
        }
    }

    schema = downgrade_schema(
        {"$ref": tree},
        [renamed("children.label", "children.name", since="v2")],
        components,
        side="response",
        suffix="_v1",
    )

    top = components[schema["$ref"].rsplit("/", 1)[1]]
    child_ref = top["properties"]["children"]["items"]["$ref"]
    child = components[child_ref.rsplit("/", 1)[1]]
    assert sorted(components) == ["Tree", "Tree_v1", "Tree_v1_2"]
    assert list(top["properties"]) == ["name", "children"]
    assert list(child["properties"]) == ["label", "children"]
    assert child["properties"]["children"]["items"] == {"$ref": tree}


def test_operations_with_the_same_changes_share_one_copy():
    components = user_components()
    changes = [added("nickname", since="v3")]

    first = downgrade_schema({"$ref": USER}, changes, components, side="response", suffix="_v1")
    second = downgrade_schema(
        {"type": "array", "items": {"$ref": USER}},
        changes,
        components,
        side="response",
        suffix="_v1",
    )

    assert first == {"$ref": "#/components/schemas/User_v1"}
    assert second["items"] == first
    assert sorted(components) == ["User", "User_v1"]


def test_different_changes_to_one_component_get_a_counter():
    components = user_components()

    first = downgrade_schema(
        {"$ref": USER}, [added("nickname", since="v3")], components, side="response", suffix="_v1"
    )
    second = downgrade_schema(
        {"$ref": USER}, [removed("fax", since="v2")], components, side="response", suffix="_v1"
    )

    assert first == {"$ref": "#/components/schemas/User_v1"}
    assert second == {"$ref": "#/components/schemas/User_v1_2"}
    assert "nickname" not in components["User_v1"]["properties"]
    assert "fax" in components["User_v1_2"]["properties"]


def test_changes_that_find_nothing_to_change_keep_the_original_ref():
    components = user_components()

    schema = downgrade_schema(
        {"$ref": USER},
        [renamed("handle", "missing", since="v2"), added("address.zip", since="v2")],
        components,
        side="response",
        suffix="_v1",
    )

    assert schema == {"$ref": USER}
    assert sorted(components) == ["User"]


def test_schema_changes_are_filtered_by_side():
    components = user_components()
    changes = [added("nickname", since="v3", where="response")]

    request = downgrade_schema({"$ref": USER}, changes, components, side="request", suffix="_v1")
    response = downgrade_schema({"$ref": USER}, changes, components, side="response", suffix="_v1")

    assert request == {"$ref": USER}
    assert response == {"$ref": "#/components/schemas/User_v1"}


def test_schema_renames_across_versions_are_undone_newest_first():
    schema = {"type": "object", "properties": {"c": {"type": "integer"}}}
    changes = [renamed("a", "b", since="v2"), renamed("b", "c", since="v3")]

    result = downgrade_schema(schema, changes, {}, side="response", suffix="_v1")

    assert result["properties"] == {"a": {"type": "integer"}}


def test_downgrade_schema_needs_a_suffix():
    with pytest.raises(ValueError, match="non-empty suffix"):
        downgrade_schema({"$ref": USER}, [], user_components(), side="response", suffix="")


def test_prune_components_keeps_schemas_referenced_directly_or_through_others():
    document = {
        "paths": {"/a": {"get": {"responses": {"200": {"$ref": "#/components/responses/A"}}}}},
        "components": {
            "responses": {
                "A": {
                    "description": "A",
                    "content": {"application/json": {"schema": {"$ref": USER}}},
                }
            },
            "schemas": {
                "User": {"properties": {"address": {"$ref": "#/components/schemas/Address"}}},
                "Address": {"properties": {"city": {"$ref": "#/components/schemas/City"}}},
                "City": {"type": "string"},
                "Unused": {"properties": {"city": {"$ref": "#/components/schemas/City"}}},
                "Loop": {"properties": {"next": {"$ref": "#/components/schemas/Loop"}}},
            },
        },
    }

    prune_components(document)

    assert sorted(document["components"]["schemas"]) == ["Address", "City", "User"]


def test_prune_components_removes_empty_schemas_and_components():
    document = {"paths": {}, "components": {"schemas": {"Unused": {"type": "string"}}}}

    prune_components(document)

    assert document == {"paths": {}}


def test_prune_components_leaves_a_document_without_schemas_alone():
    document = {"paths": {}, "components": {"securitySchemes": {"key": {"type": "http"}}}}

    prune_components(document)

    assert document == {"paths": {}, "components": {"securitySchemes": {"key": {"type": "http"}}}}


class Address(BaseModel):
    city: str


class UserIn(BaseModel):
    name: str
    nickname: str | None = None
    address: Address | None = None


class UserOut(BaseModel):
    id: int
    name: str
    nickname: str | None
    addresses: list[Address]


async def create(user: UserIn) -> UserOut:
    raise NotImplementedError


def test_a_downgraded_openapi_document_is_valid_and_its_originals_untouched():
    document = openapi_document([Route("/users", create, methods=["POST"])], title="t", version="1")
    components = document["components"]["schemas"]
    originals = copy.deepcopy(components)
    changes = [
        renamed("full_name", "name", since="v2"),
        renamed("addresses.town", "addresses.city", since="v2"),
        removed("fax", since="v2", default="", schema={"type": "string"}),
        added("nickname", since="v3"),
    ]
    operation = document["paths"]["/users"]["post"]
    request = operation["requestBody"]["content"]["application/json"]
    response = operation["responses"]["200"]["content"]["application/json"]

    request["schema"] = downgrade_schema(
        request["schema"], changes, components, side="request", suffix="_v1"
    )
    response["schema"] = downgrade_schema(
        response["schema"], changes, components, side="response", suffix="_v1"
    )
    prune_components(document)
    validate(document)

    schemas = document["components"]["schemas"]
    assert request["schema"] == {"$ref": "#/components/schemas/UserIn_v1"}
    assert response["schema"] == {"$ref": "#/components/schemas/UserOut_v1"}
    assert "UserIn" not in schemas
    assert "UserOut" not in schemas
    assert schemas["Address"] == originals["Address"]
    assert list(schemas["UserIn_v1"]["properties"]) == ["full_name", "address", "fax"]
    assert schemas["UserIn_v1"]["required"] == ["full_name"]
    assert list(schemas["UserOut_v1"]["properties"]) == ["id", "full_name", "addresses", "fax"]
    town = schemas["UserOut_v1"]["properties"]["addresses"]["items"]
    assert town == {"$ref": "#/components/schemas/Address_v1"}
    assert list(schemas["Address_v1"]["properties"]) == ["town"]
