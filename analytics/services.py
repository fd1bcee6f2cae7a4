"""Analytics' own writes (the costs live in analytics.costs)."""

from django.db import transaction

from analytics.models import Scenario
from analytics.whatif import WhatIfInputs
from customers.models import User


@transaction.atomic
def scenario_save(*, name: str, inputs: WhatIfInputs, by: User | None) -> Scenario:
    """Save the what-if inputs under `name`; saving under a name already used replaces its inputs."""
    scenario, _created = Scenario.objects.update_or_create(
        name=name.strip(), defaults={"inputs": inputs.as_json(), "created_by": by}
    )
    return scenario
