"""Drives the API through a client generated from its own OpenAPI spec (see .ci/contract).

Usage: python .ci/contract_client.py BASE_URL   (the `registry_client` package must be installed)

Every call goes through the generated code, so a spec that lies about a status code, a field's type
or an enum value makes this script fail even where the server's JSON looks fine to a human.
It reads forces, tools, a force's profile, pages through a force's deployments, reads the 2019
Cambridgeshire FOI reply and its campaign, and searches.
"""

import sys
from http import HTTPStatus

from registry_client import Client
from registry_client.api.deployments import get_deployment, list_deployments
from registry_client.api.foi import get_campaign, get_foi_request, list_foi_requests
from registry_client.api.forces import force_profile, get_force, list_forces
from registry_client.api.search import search_registry
from registry_client.api.tools import get_tool, list_tools
from registry_client.types import UNSET

EXPECTED_FORCES = 46


def ok(response, what):
    """The parsed body of a 200, or exit naming the call that failed."""
    if response.status_code != HTTPStatus.OK:
        sys.exit(f"{what}: HTTP {response.status_code}: {response.content[:500]!r}")
    return response.parsed


def page_through(endpoint, client, what, limit=10, **filters):
    """Every item of a list, following `next_cursor` until it is null."""
    items, cursor, pages = [], UNSET, 0
    while True:
        page = ok(endpoint.sync_detailed(client=client, limit=limit, cursor=cursor, **filters), what)
        pages += 1
        if len(page.items) > limit:
            sys.exit(f"{what}: page {pages} has {len(page.items)} items, limit was {limit}")
        items.extend(page.items)
        if not page.next_cursor:
            if page.next_url:
                sys.exit(f"{what}: next_url {page.next_url!r} without next_cursor")
            return items, pages
        if pages > 1000:
            sys.exit(f"{what}: more than 1000 pages; is next_cursor advancing?")
        cursor = page.next_cursor


def main(base_url):
    client = Client(base_url=base_url, raise_on_unexpected_status=True)

    forces, pages = page_through(list_forces, client, "GET /forces")
    slugs = [f.slug for f in forces]
    if len(slugs) != EXPECTED_FORCES or len(set(slugs)) != len(slugs):
        sys.exit(f"GET /forces: {len(slugs)} forces ({len(set(slugs))} distinct), expected {EXPECTED_FORCES}")
    if slugs != sorted(slugs):
        sys.exit("GET /forces: not in slug order across pages")
    print(f"forces: {len(forces)} in {pages} pages")

    force = ok(get_force.sync_detailed("cambridgeshire", client=client), "GET /forces/cambridgeshire")
    if force.slug != "cambridgeshire" or not force.authorities:
        sys.exit(f"GET /forces/cambridgeshire: unexpected {force.to_dict()}")
    print(f"force: {force.slug} ({force.name}), {len(force.authorities)} FOI authorities")

    tools, pages = page_through(list_tools, client, "GET /tools")
    if not tools:
        sys.exit("GET /tools: no tools")
    print(f"tools: {len(tools)} in {pages} pages")

    tool = ok(get_tool.sync_detailed(tools[0].slug, client=client), f"GET /tools/{tools[0].slug}")
    if tool.to_dict() != tools[0].to_dict():
        sys.exit(f"GET /tools/{tools[0].slug} differs from its list entry")
    print(f"tool: {tool.slug} ({tool.name})")

    profile = ok(force_profile.sync_detailed("cambridgeshire", client=client), "GET /forces/cambridgeshire/profile")
    statuses = {entry.tool: entry.status for entry in profile.tools}
    if len(profile.tools) != len(tools) or str(statuses.get("body-worn-video")) != "in_use":
        sys.exit("GET /forces/cambridgeshire/profile: the 2019 reply's body-worn video is not in use")
    print(f"profile: {len(profile.tools)} tools, body-worn video {statuses['body-worn-video']}")

    deployments, pages = page_through(list_deployments, client, "GET /deployments", limit=50, force="cambridgeshire")
    if len({d.id for d in deployments}) != len(deployments) or not deployments:
        sys.exit("GET /deployments?force=cambridgeshire: empty or repeated items across pages")
    print(f"deployments of cambridgeshire: {len(deployments)} in {pages} pages")
    detail = ok(get_deployment.sync_detailed(deployments[0].id, client=client), f"GET /deployments/{deployments[0].id}")
    if detail.id != deployments[0].id or detail.force != "cambridgeshire":
        sys.exit(f"GET /deployments/{deployments[0].id}: unexpected {detail.to_dict()}")
    print(f"deployment: {detail.id} with {len(detail.evidence)} sources")

    replies, _ = page_through(list_foi_requests, client, "GET /foi-requests",
                              campaign="2019-surveillance-tools", authority="cambridgeshire-pcc")
    if len(replies) != 1:
        sys.exit(f"GET /foi-requests?campaign=2019-surveillance-tools: {len(replies)} requests, expected the 2019 reply")
    reply = ok(get_foi_request.sync_detailed(replies[0].id, client=client), f"GET /foi-requests/{replies[0].id}")
    outcomes = [str(a.outcome) for a in reply.answers]
    if reply.reference_numbers != ["FOI/OPCC/19-026-037", "19-040-043"] or str(reply.due_on) != "2019-07-11" \
            or outcomes != ["partially_disclosed", "not_held", "not_valid"] or reply.late:
        sys.exit(f"GET /foi-requests/{reply.id}: not the letter of 4 July 2019: {reply.to_dict()}")
    print(f"FOI reply: {', '.join(reply.reference_numbers)}, due {reply.due_on}, "
          f"{reply.working_days_taken} working days, answers {outcomes}")

    campaign = ok(get_campaign.sync_detailed("2019-surveillance-tools", client=client), "GET /campaigns/2019-surveillance-tools")
    if campaign.totals.answered != 1:
        sys.exit(f"GET /campaigns/2019-surveillance-tools: {campaign.totals.to_dict()}")
    print(f"campaign: {campaign.title!r}, {campaign.totals.answered} of {campaign.totals.requests} answered")

    found = ok(search_registry.sync_detailed(client=client, q="body worn video"), "GET /search?q=body worn video")
    if not any(str(hit.entity_type) == "foi_answer" for hit in found.items):
        sys.exit("GET /search?q=body worn video: the 2019 answer is not found")
    print(f"search: {len(found.items)} hits for 'body worn video'")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1].rstrip("/"))
