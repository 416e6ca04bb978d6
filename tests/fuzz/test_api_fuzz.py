"""Property-based fuzzing of the JSON API from its own OpenAPI document (schemathesis, in-process over WSGI).

Each operation gets FUZZ_EXAMPLES generated requests, valid and invalid, with generated ids or ids of things
that exist, each sent as one of eight identities (two per role). Every response must: not be a 5xx, have a
status the document lists for the operation, match the documented schema and content type, refuse invalid
input with a 4xx, and (replayed without the token) refuse anyone anonymous.
"""

from __future__ import annotations

import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode

from tests.fuzz.conftest import EXAMPLES, IDENTITIES, known_ids, operation_labels

pytestmark = pytest.mark.fuzz


def _cases(operation, world):
    known = known_ids(world)
    names = [p.name for p in operation.path_parameters]
    combos = [dict(zip(names, values, strict=True)) for values in itertools.product(*(known[n] for n in names))]
    strategies = [operation.as_strategy(mode) for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)]
    if names:
        strategies.append(
            st.sampled_from(combos).flatmap(
                lambda ids: operation.as_strategy(GenerationMode.POSITIVE, path_parameters=ids)
            )
        )
    return st.one_of(strategies)


@pytest.mark.parametrize("label", operation_labels())
def test_every_operation_holds_its_contract(label, api_schema, world):
    """Generated requests as any identity: no 5xx, only documented statuses and shapes, no anonymous access."""
    operation = api_schema.find_operation_by_label(label)
    assert operation is not None, label

    @given(case=_cases(operation, world), who=st.sampled_from(IDENTITIES))
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def run(case, who):
        case.call_and_validate(headers=world.headers(who))

    run()
