"""The HTTP surface from /openapi.json: every route, with generated query strings and methods,
never answers with a server error (an equivalent of schemathesis, without its dependencies)."""
import json

from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st

from server.app import create_app
from server.settings import Settings

CLIENT = TestClient(create_app(Settings()))
SPEC = CLIENT.get("/openapi.json").json()
ROUTES = sorted(SPEC["paths"])
junk = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40)


def test_the_spec_lists_the_api():
    assert {"/api/health", "/api/catalog"} <= set(ROUTES)
    assert SPEC["info"]["title"] == "Backprop Lab"


@settings(max_examples=150, deadline=None)
@given(route=st.sampled_from(ROUTES), method=st.sampled_from(["GET", "HEAD", "POST", "PUT", "DELETE"]),
       params=st.dictionaries(st.sampled_from(["reset_lag", "x", "id", ""]), junk, max_size=3))
def test_no_route_answers_with_a_server_error(route, method, params):
    response = CLIENT.request(method, route, params=params)
    assert response.status_code < 500, (method, route, params, response.text)
    if response.status_code == 200 and method == "GET":
        json.loads(response.text)  # strict JSON


@settings(max_examples=60, deadline=None)
@given(path=st.text(st.characters(codec="ascii", min_codepoint=33, max_codepoint=126), max_size=60))
def test_unknown_paths_are_a_clean_404_not_an_error(path):
    response = CLIENT.get("/" + path.lstrip("/"))
    assert response.status_code < 500
    assert "Traceback" not in response.text and "/work/" not in response.text
