"""The hub's OpenAPI document matches what it answers: schemathesis against a real hub on 127.0.0.1,
a bounded number of generated requests per operation; no 5xx, every status, content type, header
and body as documented. Negative check: a document missing a status the hub answers fails."""

from __future__ import annotations

import copy

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (content_type_conformance, not_a_server_error, response_headers_conformance,
                                 response_schema_conformance, status_code_conformance)

from core.hub.app import create_app
from tests.core.sync.harness import make_commune, make_hub, running_hub

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance,
          response_schema_conformance]
EXAMPLES = 25


def _run_operation(operation, url: str) -> None:
    @given(case=operation.as_strategy())
    @settings(max_examples=EXAMPLES, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    def check(case):
        case.call_and_validate(base_url=url, checks=CHECKS, timeout=30)

    check()


@pytest.fixture(scope="module")
def live(tmp_path_factory, hub_database_module):
    root = tmp_path_factory.mktemp("openapi")
    hub = make_hub(root / "hub", hub_database_module)
    commune = make_commune(root / "xa", "21484", hub)
    spec = create_app(hub.paths).openapi()
    with running_hub(hub, max_upload_bytes=64 * 1024) as url:
        yield spec, url
    commune.close()


def test_document_describes_bodies_headers_and_statuses(live):
    spec, _url = live
    upload = spec["paths"]["/api/v1/bundles"]["post"]
    assert "application/zip" in upload["requestBody"]["content"]
    assert {"200", "413", "422", "429", "503"} <= set(upload["responses"])
    download = spec["paths"]["/api/v1/inbox/{bundle_id}"]["get"]
    assert list(download["responses"]["200"]["content"]) == ["application/zip"]
    assert {"401", "404", "422"} <= set(download["responses"])
    headers = {p["name"] for p in download["parameters"] if p["in"] == "header"}
    assert headers == {"X-Motcua-Unit", "X-Motcua-Time", "X-Motcua-Signature"}


def test_every_operation_answers_as_documented(live):
    spec, url = live
    schema = schemathesis.openapi.from_dict(spec)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 7
    for operation in operations:
        _run_operation(operation, url)


def test_a_document_missing_the_401_fails_the_same_check(live):
    spec, url = live
    broken = copy.deepcopy(spec)
    del broken["paths"]["/api/v1/ack"]["get"]["responses"]["401"]
    schema = schemathesis.openapi.from_dict(broken)
    [operation] = [r.ok() for r in schema.get_all_operations() if r.ok().path == "/api/v1/ack"]
    with pytest.raises(BaseException) as failure:  # schemathesis raises an exception group
        _run_operation(operation, url)
    import traceback

    text = "".join(traceback.format_exception(failure.value))
    assert "Undocumented status code" in text and "Received: 401" in text
