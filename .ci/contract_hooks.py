"""Schemathesis hooks for .ci/contract: API-wide conventions the OpenAPI spec cannot express.

Nothing here names an endpoint. Each rule applies to every operation that has the parameter.
"""

import schemathesis
from schemathesis import GenerationMode

# Query parameters whose values only the server can mint. A list's `cursor` is an opaque keyset
# position signed with the list's filters (README, "API conventions"): no JSON Schema can describe
# which strings are valid, so a string that merely matches `type: string` is not "valid data", and
# the server rightly answers 400. Positive cases therefore leave these parameters out; negative
# cases keep whatever they generate, and the server must still reject bad values with a 4xx.
OPAQUE_QUERY_PARAMETERS = frozenset({"cursor"})


@schemathesis.hook
def map_case(context, case):
    meta = case.meta
    if meta is not None and meta.generation.mode == GenerationMode.POSITIVE and case.query:
        for name in OPAQUE_QUERY_PARAMETERS.intersection(case.query):
            del case.query[name]
    return case
