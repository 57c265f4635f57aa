"""The API under fire: schemathesis against our own OpenAPI document, on a live server."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from refdesk.people.services import api_token_create
from tests.factories import AccountFactory, ContactFactory, ReferenceFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_activities_api_fuzz(live_server, program_manager, tmp_path):
    account = AccountFactory(name="Fuzz Ranch", owner=program_manager, products=["Ledger"])
    ReferenceFactory(contact=ContactFactory(account=account))
    _, key = api_token_create(user=program_manager, name="fuzz")
    schemathesis = Path(sys.executable).with_name("schemathesis")
    result = subprocess.run(
        [
            str(schemathesis), "run", f"{live_server.url}/api/openapi.json",
            "--checks", "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance",
            "--header", f"Authorization: Bearer {key}",
            "--max-examples", os.environ.get("SCHEMATHESIS_EXAMPLES", "25"),
            "--seed", "1", "--phases", "examples,fuzzing,stateful", "--no-shrink",
            "--request-timeout", "20", "--warnings", "off", "--include-tag", "activities",
        ],
        capture_output=True, text=True, timeout=600, cwd=tmp_path,
        env={**os.environ, "NO_COLOR": "1", "SCHEMATHESIS_TELEMETRY": "false"},
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
