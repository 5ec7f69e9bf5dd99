"""Schemathesis hooks for .ci/contract: API-wide conventions the OpenAPI spec cannot express.

Nothing here names an endpoint. Each rule is keyed on a parameter or header name, or on a status
code and its documented meaning, and applies to every operation it fits; each says why it exists.

1. `cursor` (query) is opaque: positive cases leave it out.
   A list's `cursor` is a keyset position signed with the list's filters (README, "API
   conventions"): no JSON Schema can say which strings are valid, so a string that merely matches
   `type: string` is not "valid data", and the server rightly answers 400. Negative cases keep
   whatever they generate, and the server must still reject bad values with a 4xx.

2. `If-Match` (header) carries the target's current ETag.
   Every write to an existing resource needs `If-Match` with the ETag of the revision it is based
   on (428 without it, 412 when it is stale). Only the server mints ETags, and `type: string` is all
   a schema can say, so a drawn value (`*`, `W/"x"`, ...) can only test the 412 path. Before a case
   that sends `If-Match` is called, the hooks read the same path (GET, with the run's headers) and
   put the ETag of that answer in the header, so the write itself is tested: its status, headers
   and body, and in the stateful phase what later calls see. A case whose header is the negated
   component keeps its drawn value. When the target has no current representation (GET is not a
   200 with an ETag) the drawn value is kept: the documented answer is then the operation's 404.

3. A missing `If-Match` answers 428, not 400.
   428 Precondition Required is the status RFC 6585 defines for a request that lacks a required
   precondition header, and each such operation documents it ("`If-Match` is missing").
   Schemathesis's missing_required_header check only expects 400/401/403/406/415/422, so its
   failure is dropped when the missing header is `If-Match` and the answer is 428; any other status
   still fails.

4. A schema-valid body may break a rule that depends on what the registry holds: 400.
   A body names other entities by slug or id (a force, tool, authority, campaign, source,
   deployment, FOI request); a random slug or id is schema-valid but names nothing, and the server
   answers 400 naming the field. Some fields are fixed once the entity exists (a deployment's force
   and tool, an FOI request's force, a campaign's slug, which must also match the path), a link
   must stay within one force, a tool may not become its own ancestor, and an account's `forces`
   depends on its role (non-empty for force_staff, empty for admins and editors; for PATCH, on the
   role already stored). Dates of one body must be in order (a reply not before the request was
   received, a decision not before its stage started), a claim still in use, on trial or planned
   cannot have ended in the past, and a redirected answer must name where it redirects. JSON
   Schema states what each field looks like on its own: it cannot compare two fields, nor a field
   with stored data. Likewise a date
   from which no statutory deadline can be computed: the shipped bank-holiday calendar covers 2005
   to 2030 (each such field says so), and whether a date late in 2030 still works depends on the
   holidays of the weeks after it, which no schema can state. And two items of one list may not
   name the same thing (an answer's exemption sections, its links, its claims' tools), which
   `uniqueItems` cannot say because it compares whole items. Schemathesis's
   positive_data_acceptance failure for a 400 is dropped when *every* `errors` entry of the
   problem+json answer is one of these rules (STATE_DEPENDENT_ERRORS). Fail-closed: any other
   400 (a format the schema could have stated, an unknown message) still fails the run.

5. History survives deletion.
   A deletion is itself a revision (each DELETE documents it): `.../revisions` of a deleted entity,
   and a read `as_of` a time before the deletion, stay 200 by design. Schemathesis's use_after_free
   check expects 404 from every read below a deleted path, so its failure is dropped when the read
   is such a history read (a `revisions` path, or any `as_of`: the hooks do not compare times); any
   other read of a deleted entity must still be 404.

6. An uploaded file's rows are data, checked like data.
   `POST /imports` takes a whole file (CSV or NDJSON) as its body: its schema can say only that it
   is text. Whether the text is one of the recognised formats, and whether each row parses and
   refers to what the registry holds, is the import's job: it answers 400 with one `errors` entry
   per bad row (field `line <n>`) or one for the whole body (field `body`, "is not a registry
   export ..."). Schemathesis's positive_data_acceptance failure for such a 400 is dropped when
   *every* entry is of that form; any other 400 still fails.

7. A raw file body is bytes, whatever JSON type it would parse as.
   Document uploads and imports take the file itself as the body (`text/plain`, `image/png`,
   `text/csv`, ...; not JSON), described as a non-empty string. Schemathesis's negative mode can
   "violate" that by sending an object or array serialised as JSON text, which is still a
   non-empty file and rightly stored. Its negative_data_rejection failure is dropped when the
   request's content type is not JSON and the only violation is the body's `type`; an empty body
   must still be refused.

8. A document's bytes are what its media type says.
   An uploaded PDF must start like a PDF, an image like its format, text must be UTF-8, and
   nothing but a declared web page may hold HTML or SVG markup (which a browser would run). A
   schema can state the media type, not the bytes behind it; the server answers 400 naming `body`.
   Those messages are listed with rule 4's.

With CONTRACT_HOOKS_LOG set, every filled-in ETag and dropped failure is logged there.
"""

import os
import re

import requests
import schemathesis
from schemathesis import GenerationMode
from schemathesis.core.parameters import ParameterLocation

# Rule 1.
OPAQUE_QUERY_PARAMETERS = frozenset({"cursor"})

# Rule 2 (and 3): the header whose value only the server can mint.
PRECONDITION_HEADER = "If-Match"

# Rule 5: a read of an entity's history, which outlives the entity.
HISTORY_PATH_SEGMENT = "revisions"
HISTORY_QUERY_PARAMETER = "as_of"

# Rule 4: `errors[].message` of a 400 that depends on stored data, not on the request alone.
# These are the server's own words; a reworded message fails the run until it is added here.
STATE_DEPENDENT_ERRORS = tuple(
    re.compile(pattern)
    for pattern in (
        # A reference to an entity that does not exist.
        r"^(`\w+`: )?no [\w ]+ has the (slug|id) `",
        r"\b(names|links to) an? [\w ]+ that does not exist$",
        # A field fixed once the entity exists.
        r"^is fixed once an? \w+ exists",
        r"^answers for `[^`]+`, but this request belongs to `[^`]+`",
        # Two fields of one body that contradict each other: dates out of order, a claim still
        # going on that has ended, a redirected answer that names no authority.
        r"^is before `\w+`$",
        r"^must not be before `\w+`$",
        r"^must not be after \w+$",
        r"^is in the past, but the status `\w+` says the deployment goes on: use `discontinued`$",
        r"^is required when the outcome is `redirected`: name the authority asked to answer$",
        # A link between entities of different forces, or a cycle among tools.
        r"^names an? \w+ of another force$",
        r"^names an FOI request about another force$",
        # A document's bytes must be what its media type says (rule 8).
        r"^the bytes are not an? [\w/+.-]+ document$",
        r"^the bytes are a web page or SVG image, not [\w/+.-]+; upload web pages as text/html$",
        r"^would make the tool its own ancestor$",
        # Two items of one list naming the same thing (an exemption's section, a link's target, a
        # claim's tool): JSON Schema's uniqueItems compares whole items, not one field of them.
        r"^is cited twice in this answer$",
        r"^is linked twice$",
        r"^is claimed twice$",
        # An answer's campaign question: the request's campaign must have it, name it once, and
        # the request must belong to a campaign.
        r"^`campaign_question`: campaign `[^`]+` has no question \d+$",
        r"^`campaign_question`: two answers reply to question \d+$",
        r"^`campaign_question` links an answer to a campaign's question, and this request belongs to no campaign$",
        # A value that must be unique among tools.
        r"^`[^`]+` already maps onto the tool `[^`]+`$",
        # An account's forces against its (stored or sent) role.
        r"^a force_staff account must list at least one force$",
        r"^must be empty for the role \w+, which may write every force$",
        # A date the deadline arithmetic's calendar does not reach.
        r"^\d{4}-\d{2}-\d{2} is outside the bank holiday calendar \(2005-01-01 to 2030-12-31\)$",
    )
)


def _log(*fields):
    """One tab-separated line per decision in $CONTRACT_HOOKS_LOG, to audit what the rules did."""
    path = os.environ.get("CONTRACT_HOOKS_LOG")
    if path:
        with open(path, "a", encoding="utf-8") as log:
            print(*fields, sep="\t", file=log)


# Schemathesis reads URLs out of response bodies to find links between operations. A stored web
# address the API rightly keeps as text (say "http://[", which no one can dereference) makes
# urllib raise inside that scan and aborts the whole run; such a value is simply not a link here.
from schemathesis.engine import observations as _observations

_same_origin_path = _observations._same_origin_path


def _same_origin_path_or_none(value, origin):
    try:
        return _same_origin_path(value, origin)
    except ValueError:
        return None


_observations._same_origin_path = _same_origin_path_or_none

# File bodies: schemathesis serialises text and a few image types itself; these media types are
# files of text or bytes too, sent as they are.
for _media_type in ("application/pdf", "image/tiff", "application/x-ndjson"):
    schemathesis.serializer.alias(_media_type, "text/plain")


@schemathesis.hook
def map_case(context, case):
    meta = case.meta
    if meta is not None and meta.generation.mode == GenerationMode.POSITIVE and case.query:
        for name in OPAQUE_QUERY_PARAMETERS.intersection(case.query):
            del case.query[name]
    return case


def _header_key(headers, name):
    """The key under which `headers` holds `name` (header names are case-insensitive)."""
    for key in headers or ():
        if key.lower() == name.lower():
            return key
    return None


@schemathesis.hook
def before_call(context, case, kwargs):
    """Rule 2: the current ETag of the target in `If-Match`, just before the request is sent."""
    key = _header_key(case.headers, PRECONDITION_HEADER)
    # Probes with a method the path does not have (unsupported_method) expect 405 whatever they send.
    if key is None or case.method.upper() != case.operation.method.upper():
        return
    meta = case.meta
    if meta is not None and meta.is_negative_at(ParameterLocation.HEADER):
        return
    operation = case.operation
    headers = dict(operation.schema.config.headers_for(operation=operation))
    url = operation.schema.get_base_url().rstrip("/") + case.formatted_path
    try:
        current = requests.get(url, headers=headers, timeout=10, allow_redirects=False)
    except requests.RequestException as exc:
        _log("if-match", case.method, case.formatted_path, "GET failed", repr(exc))
        return  # the request itself will show what is wrong
    etag = current.headers.get("ETag")
    if current.status_code == 200 and etag:
        _log("if-match", case.method, case.formatted_path, case.headers[key], "->", etag)
        case.headers[key] = etag
    else:
        _log(
            "if-match", case.method, case.formatted_path, case.headers[key], "kept: GET", current.status_code
        )


def _problem_errors(response):
    try:
        body = response.json()
    except ValueError:  # not JSON
        return None
    errors = body.get("errors") if isinstance(body, dict) else None
    if not isinstance(errors, list) or not errors:
        return None
    return errors


# Rule 6: `errors[]` of a 400 that judges an uploaded file's content.
FILE_CONTENT_FIELD = re.compile(r"^line \d+$")
FILE_FORMAT_ERROR = ("body", re.compile(r"^is not a registry export "))


def _is_file_content(error):
    if not isinstance(error, dict):
        return False
    field, message = error.get("field"), error.get("message")
    if not isinstance(field, str) or not isinstance(message, str):
        return False
    return bool(FILE_CONTENT_FIELD.match(field)) or (
        field == FILE_FORMAT_ERROR[0] and bool(FILE_FORMAT_ERROR[1].match(message))
    )


def _is_raw_file_body(case):
    """Rule 7: a negative case whose only violation is a non-JSON body's JSON `type`."""
    media_type = (case.media_type or "").split(";")[0].strip().lower()
    if not media_type or media_type == "application/json" or media_type.endswith("+json"):
        return False
    meta = case.meta
    if meta is None or not meta.is_negative_at(ParameterLocation.BODY):
        return False
    if any(meta.is_negative_at(location) for location in meta.components if location != ParameterLocation.BODY):
        return False
    data = meta.phase.data
    mutations = getattr(data, "mutations", ()) or ()
    if mutations:
        return all(
            m.parameter_location == ParameterLocation.BODY and tuple(m.keywords) == ("type",) for m in mutations
        )
    description = (getattr(data, "description", "") or "").lower()
    return description.startswith("violates `type`") or description == "incorrect type"


def _is_state_dependent(error):
    message = error.get("message") if isinstance(error, dict) else None
    return isinstance(message, str) and any(p.search(message) for p in STATE_DEPENDENT_ERRORS)


@schemathesis.hook
def filter_failure(context, failure, case, response):
    """Rules 3 to 6: drop exactly the failures described above; keep every other one."""
    code = getattr(failure, "code", None)
    status = getattr(response, "status_code", None)
    # Rule 3.
    if code == "ST203" and status == 428:
        header = getattr(failure, "header_name", "") or ""
        if header.lower() == PRECONDITION_HEADER.lower():
            _log("dropped", code, status, case.method, case.formatted_path, "missing " + header)
            return False
    # Rule 4.
    if code == "ST202" and status == 400:
        errors = _problem_errors(response)
        if errors is not None and all(_is_state_dependent(error) for error in errors):
            messages = "; ".join(f"{e.get('field')}: {e.get('message')}" for e in errors)
            _log("dropped", code, status, case.method, case.formatted_path, messages)
            return False
    # Rule 6.
    if code == "ST202" and status == 400:
        errors = _problem_errors(response)
        if errors is not None and all(_is_file_content(error) for error in errors):
            _log("dropped", code, status, case.method, case.formatted_path, "file content")
            return False
    # Rule 7.
    if code == "ST201" and _is_raw_file_body(case):
        _log("dropped", code, status, case.method, case.formatted_path, "raw body type")
        return False
    # Rule 5.
    if code == "ST301":
        history = case.path.rstrip("/").rsplit("/", 1)[-1] == HISTORY_PATH_SEGMENT
        if history or HISTORY_QUERY_PARAMETER in (case.query or {}):
            _log("dropped", code, status, case.method, case.formatted_path, getattr(failure, "free", ""))
            return False
    return True
