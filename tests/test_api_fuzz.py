"""Fuzzing: Schemathesis against the app's own OpenAPI schema, and hypothesis on the API.

Stateless cases per operation, and stateful sequences (create, then read, edit or delete
with the ids the responses gave). A bounded number of examples with a fixed seed
(derandomized), so a run is repeatable; the checks are no 5xx and every response
conforming to the schema.
"""

import atexit
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cm_advisor.web.app import create_app
from helpers.settings import HermeticSettings

FUZZ = settings(
    max_examples=25,
    derandomize=True,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)


# Schemathesis parametrizes the test below at import, from the running app's own schema,
# so the app exists before any fixture could give it a tmp_path. Its data directory is
# removed when the test process exits, whether or not the module's tests ran.
WORKDIR = Path(tempfile.mkdtemp(prefix="cm-fuzz-"))
atexit.register(shutil.rmtree, WORKDIR, ignore_errors=True)
# The store opens itself on first use, so the app needs no lifespan run here.
APP = create_app(HermeticSettings(data_dir=WORKDIR, rate_limit=""))
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


@pytest.fixture(scope="module")
def live_app() -> FastAPI:
    return APP


@schema.parametrize()
@FUZZ
def test_no_server_errors_and_responses_match_the_schema(case: Any) -> None:
    # Tier percentages must add up to 100, which JSON Schema cannot say: a schema-valid
    # population may rightly get a 422, so "positive data is accepted" is not checked.
    case.call_and_validate(excluded_checks=[schemathesis.checks.positive_data_acceptance])


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=20,
)
answer_like = st.dictionaries(
    st.sampled_from(["acuity", "outcomes", "budget", "staffing"]) | st.text(max_size=8),
    json_values,
    max_size=5,
)


@given(body=json_values | st.fixed_dictionaries({"answers": answer_like}))
@settings(max_examples=150, deadline=None)
def test_any_json_body_is_scored_or_refused_with_a_422(live_app: FastAPI, body: Any) -> None:
    with TestClient(live_app) as client:
        response = client.post("/api/v1/score", json=body)
    assert response.status_code in {200, 422}, response.text
    if response.status_code == 422:
        assert all("field" in e and "msg" in e for e in response.json()["detail"])


class APIWorkflow(schema.as_state_machine()):
    """Stateful: sequences that create results and rounds, then read, edit and delete them
    with the ids the responses gave (links Schemathesis infers from the schema). Every
    check runs on every step, less the one the stateless test leaves out, for the same
    reason."""

    def validate_response(
        self, response: Any, case: Any, additional_checks: Any = None, **kwargs: Any
    ) -> None:
        case.validate_response(
            response,
            additional_checks=additional_checks,
            excluded_checks=[schemathesis.checks.positive_data_acceptance],
            transport_kwargs=kwargs or None,
        )


TestStatefulAPI = APIWorkflow.TestCase
TestStatefulAPI.settings = settings(
    FUZZ, max_examples=20, stateful_step_count=6, suppress_health_check=list(HealthCheck)
)
