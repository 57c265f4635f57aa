import os, subprocess, sys
from pathlib import Path
import pytest
from refdesk.people.services import api_token_create
from tests.factories import AccountFactory, ContactFactory, ReferenceFactory

pytestmark = pytest.mark.django_db(transaction=True)

def test_fuzz_rewards(live_server, program_manager, tmp_path):
    from refdesk.rewards import services
    from refdesk.activities.models import Activity
    from django.utils import timezone
    account = AccountFactory(name="Fuzz Ranch", owner=program_manager, products=["Ledger"])
    ref = ReferenceFactory(contact=ContactFactory(account=account))
    a = Activity.objects.create(reference=ref, activity_type="case_study", status="completed", occurred_at=timezone.now())
    services.reward_credit_for_activity(activity_id=a.pk)
    item = services.catalogue_item_create(actor=program_manager, name="Card", kind="gift_card", points_cost=100, value="10")
    services.reward_redeem(actor=None, reference_id=ref.pk, item_id=item.pk)
    _, key = api_token_create(user=program_manager, name="fuzz")
    schemathesis = Path(sys.executable).with_name("schemathesis")
    result = subprocess.run(
        [str(schemathesis), "run", f"{live_server.url}/api/openapi.json",
         "--checks", "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance",
         "--header", f"Authorization: Bearer {key}", "--include-path-regex", "/rewards",
         "--max-examples", "40", "--seed", "2", "--phases", "examples,fuzzing,stateful", "--no-shrink",
         "--request-timeout", "20", "--warnings", "off"],
        capture_output=True, text=True, timeout=900, cwd=tmp_path,
        env={**os.environ, "NO_COLOR": "1", "SCHEMATHESIS_TELEMETRY": "false"})
    print(result.stdout[-8000:])
    assert result.returncode == 0, result.stdout[-8000:] + result.stderr[-2000:]
