-- The registry's data model (DESIGN.md section 3). Kept column-for-column identical to the SQLite
-- migration of the same name, so one diesel schema serves both backends.

CREATE TABLE forces (
    slug TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    country TEXT NOT NULL,
    nation TEXT,
    region TEXT,
    website TEXT,
    foi_email TEXT,
    foi_url TEXT,
    revision BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX forces_country_nation_idx ON forces (country, nation);

CREATE TABLE authorities (
    slug TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    force_slug TEXT NOT NULL REFERENCES forces (slug),
    foi_law TEXT NOT NULL,
    website TEXT,
    foi_email TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX authorities_force_idx ON authorities (force_slug);

CREATE TABLE tools (
    slug TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    parent_slug TEXT REFERENCES tools (slug),
    aliases TEXT NOT NULL DEFAULT '[]',
    atlas_category TEXT UNIQUE,
    position INTEGER NOT NULL,
    deprecated BOOLEAN NOT NULL DEFAULT FALSE,
    revision BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX tools_parent_idx ON tools (parent_slug);

CREATE TABLE sources (
    id TEXT PRIMARY KEY,
    url TEXT,
    archive_url TEXT,
    title TEXT NOT NULL,
    publisher TEXT,
    kind TEXT NOT NULL,
    published_on DATE,
    retrieved_on DATE,
    sha256 TEXT,
    revision BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX sources_kind_idx ON sources (kind);

CREATE TABLE campaigns (
    slug TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    request_text TEXT NOT NULL,
    started_on DATE NOT NULL,
    law TEXT NOT NULL,
    revision BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE campaign_questions (
    campaign_slug TEXT NOT NULL REFERENCES campaigns (slug) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    question TEXT NOT NULL,
    -- The tools the question asks about, as a JSON list of slugs (one question may name several).
    tool_slugs TEXT NOT NULL DEFAULT '[]',
    PRIMARY KEY (campaign_slug, position)
);

CREATE TABLE deployments (
    id TEXT PRIMARY KEY,
    force_slug TEXT NOT NULL REFERENCES forces (slug),
    tool_slug TEXT NOT NULL REFERENCES tools (slug),
    status TEXT NOT NULL,
    vendors TEXT NOT NULL DEFAULT '[]',
    product TEXT,
    first_known_use DATE,
    last_confirmed DATE,
    ended_on DATE,
    summary TEXT NOT NULL DEFAULT '',
    legal_basis TEXT,
    authorisation TEXT,
    public_consultation TEXT,
    use_policy_url TEXT,
    provenance TEXT NOT NULL,
    verified BOOLEAN NOT NULL DEFAULT FALSE,
    revision BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX deployments_force_tool_idx ON deployments (force_slug, tool_slug);
CREATE INDEX deployments_tool_idx ON deployments (tool_slug, updated_at, id);
CREATE INDEX deployments_status_idx ON deployments (status, updated_at, id);
CREATE INDEX deployments_force_updated_idx ON deployments (force_slug, updated_at, id);
CREATE INDEX deployments_provenance_idx ON deployments (provenance);
CREATE INDEX deployments_updated_idx ON deployments (updated_at, id);

-- Immutable history: one row per write of a deployment, carrying its full state after that write
-- (a delete is a revision too), so any past moment can be read back with plain SQL.
CREATE TABLE deployment_revisions (
    deployment_id TEXT NOT NULL,
    revision BIGINT NOT NULL,
    action TEXT NOT NULL,
    force_slug TEXT NOT NULL REFERENCES forces (slug),
    tool_slug TEXT NOT NULL REFERENCES tools (slug),
    status TEXT NOT NULL,
    vendors TEXT NOT NULL,
    product TEXT,
    first_known_use DATE,
    last_confirmed DATE,
    ended_on DATE,
    summary TEXT NOT NULL,
    legal_basis TEXT,
    authorisation TEXT,
    public_consultation TEXT,
    use_policy_url TEXT,
    provenance TEXT NOT NULL,
    verified BOOLEAN NOT NULL,
    source_ids TEXT NOT NULL DEFAULT '[]',
    actor_role TEXT NOT NULL,
    actor_organisation TEXT NOT NULL,
    recorded_at TIMESTAMP NOT NULL,
    PRIMARY KEY (deployment_id, revision)
);
CREATE INDEX deployment_revisions_recorded_idx ON deployment_revisions (recorded_at);
CREATE INDEX deployment_revisions_force_idx ON deployment_revisions (force_slug, recorded_at);
CREATE INDEX deployment_revisions_tool_idx ON deployment_revisions (tool_slug);

CREATE TABLE deployment_sources (
    deployment_id TEXT NOT NULL REFERENCES deployments (id) ON DELETE CASCADE,
    source_id TEXT NOT NULL REFERENCES sources (id),
    note TEXT,
    PRIMARY KEY (deployment_id, source_id)
);
CREATE INDEX deployment_sources_source_idx ON deployment_sources (source_id);

CREATE TABLE foi_requests (
    id TEXT PRIMARY KEY,
    authority_slug TEXT NOT NULL REFERENCES authorities (slug),
    force_slug TEXT NOT NULL REFERENCES forces (slug),
    campaign_slug TEXT REFERENCES campaigns (slug),
    law TEXT NOT NULL,
    title TEXT NOT NULL,
    reference_numbers TEXT NOT NULL DEFAULT '[]',
    request_text TEXT NOT NULL DEFAULT '',
    sent_on DATE,
    received_on DATE NOT NULL,
    due_on DATE NOT NULL,
    responded_on DATE,
    state TEXT NOT NULL,
    source_url TEXT,
    reply_text TEXT NOT NULL DEFAULT '',
    provenance TEXT NOT NULL,
    revision BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX foi_requests_authority_idx ON foi_requests (authority_slug);
CREATE INDEX foi_requests_force_idx ON foi_requests (force_slug);
CREATE INDEX foi_requests_campaign_idx ON foi_requests (campaign_slug);
CREATE INDEX foi_requests_state_idx ON foi_requests (state);
CREATE INDEX foi_requests_received_idx ON foi_requests (received_on, id);
CREATE INDEX foi_requests_responded_idx ON foi_requests (responded_on);
CREATE INDEX foi_requests_due_idx ON foi_requests (due_on);
CREATE INDEX foi_requests_updated_idx ON foi_requests (updated_at, id);

CREATE TABLE impact_assessments (
    id TEXT PRIMARY KEY,
    force_slug TEXT NOT NULL REFERENCES forces (slug),
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    title TEXT NOT NULL,
    completed_on DATE,
    next_review_due DATE,
    url TEXT,
    summary TEXT NOT NULL DEFAULT '',
    revealed_by_source_id TEXT REFERENCES sources (id),
    revealed_by_foi_request_id TEXT REFERENCES foi_requests (id),
    provenance TEXT NOT NULL,
    revision BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX impact_assessments_force_idx ON impact_assessments (force_slug);
CREATE INDEX impact_assessments_kind_idx ON impact_assessments (kind);
CREATE INDEX impact_assessments_status_idx ON impact_assessments (status);
CREATE INDEX impact_assessments_review_idx ON impact_assessments (next_review_due);
CREATE INDEX impact_assessments_source_idx ON impact_assessments (revealed_by_source_id);
CREATE INDEX impact_assessments_foi_idx ON impact_assessments (revealed_by_foi_request_id);
CREATE INDEX impact_assessments_updated_idx ON impact_assessments (updated_at, id);

CREATE TABLE assessment_deployments (
    impact_assessment_id TEXT NOT NULL REFERENCES impact_assessments (id) ON DELETE CASCADE,
    deployment_id TEXT NOT NULL REFERENCES deployments (id) ON DELETE CASCADE,
    PRIMARY KEY (impact_assessment_id, deployment_id)
);
CREATE INDEX assessment_deployments_deployment_idx ON assessment_deployments (deployment_id);

CREATE TABLE foi_answers (
    id TEXT PRIMARY KEY,
    foi_request_id TEXT NOT NULL REFERENCES foi_requests (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    question TEXT NOT NULL,
    tool_slugs TEXT NOT NULL DEFAULT '[]',
    outcome TEXT NOT NULL,
    answer_text TEXT NOT NULL DEFAULT '',
    redirected_to_authority_slug TEXT REFERENCES authorities (slug),
    UNIQUE (foi_request_id, position)
);
CREATE INDEX foi_answers_outcome_idx ON foi_answers (outcome);
CREATE INDEX foi_answers_redirect_idx ON foi_answers (redirected_to_authority_slug);

-- What each answer is evidence for: `supports` or `contradicts` a deployment or an assessment.
-- One answer can bear on several (the 2019 campaign asked about seven tools in one question).
CREATE TABLE answer_deployments (
    foi_answer_id TEXT NOT NULL REFERENCES foi_answers (id) ON DELETE CASCADE,
    deployment_id TEXT NOT NULL REFERENCES deployments (id) ON DELETE CASCADE,
    relation TEXT NOT NULL,
    PRIMARY KEY (foi_answer_id, deployment_id)
);
CREATE INDEX answer_deployments_deployment_idx ON answer_deployments (deployment_id);

CREATE TABLE answer_assessments (
    foi_answer_id TEXT NOT NULL REFERENCES foi_answers (id) ON DELETE CASCADE,
    impact_assessment_id TEXT NOT NULL REFERENCES impact_assessments (id) ON DELETE CASCADE,
    relation TEXT NOT NULL,
    PRIMARY KEY (foi_answer_id, impact_assessment_id)
);
CREATE INDEX answer_assessments_assessment_idx ON answer_assessments (impact_assessment_id);

CREATE TABLE answer_exemptions (
    foi_answer_id TEXT NOT NULL REFERENCES foi_answers (id) ON DELETE CASCADE,
    section TEXT NOT NULL,
    ncnd BOOLEAN NOT NULL,
    absolute BOOLEAN NOT NULL,
    PRIMARY KEY (foi_answer_id, section)
);
CREATE INDEX answer_exemptions_section_idx ON answer_exemptions (section);

CREATE TABLE foi_stages (
    id TEXT PRIMARY KEY,
    foi_request_id TEXT NOT NULL REFERENCES foi_requests (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    reference TEXT,
    started_on DATE NOT NULL,
    due_on DATE,
    decided_on DATE,
    result TEXT,
    notes TEXT NOT NULL DEFAULT ''
);
CREATE INDEX foi_stages_request_idx ON foi_stages (foi_request_id);
CREATE INDEX foi_stages_kind_idx ON foi_stages (kind);

CREATE TABLE foi_documents (
    id TEXT PRIMARY KEY,
    foi_request_id TEXT NOT NULL REFERENCES foi_requests (id) ON DELETE CASCADE,
    filename TEXT NOT NULL,
    media_type TEXT NOT NULL,
    size_bytes BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    content BLOB NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX foi_documents_request_idx ON foi_documents (foi_request_id);
CREATE INDEX foi_documents_sha256_idx ON foi_documents (sha256);

CREATE TABLE accounts (
    id TEXT PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    organisation TEXT NOT NULL,
    role TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    disabled BOOLEAN NOT NULL DEFAULT FALSE,
    revision BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE account_forces (
    account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    force_slug TEXT NOT NULL REFERENCES forces (slug),
    PRIMARY KEY (account_id, force_slug)
);
CREATE INDEX account_forces_force_idx ON account_forces (force_slug);

-- Append-only log of every write; its id is the public change feed's cursor.
-- Immutable snapshots of every entity other than deployments (which keep typed revisions):
-- FOI requests with their answers and stages, campaigns, ... One row per write, never changed.
CREATE TABLE entity_revisions (
    entity_type TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    revision BIGINT NOT NULL,
    action TEXT NOT NULL,
    snapshot TEXT NOT NULL,
    actor_role TEXT NOT NULL,
    actor_organisation TEXT NOT NULL,
    recorded_at TIMESTAMP NOT NULL,
    PRIMARY KEY (entity_type, entity_id, revision)
);

CREATE TABLE change_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    entity_type TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    action TEXT NOT NULL,
    revision BIGINT NOT NULL,
    force_slug TEXT REFERENCES forces (slug),
    actor_role TEXT NOT NULL,
    actor_organisation TEXT NOT NULL,
    changed_fields TEXT NOT NULL DEFAULT '[]',
    summary TEXT NOT NULL DEFAULT '',
    occurred_at TIMESTAMP NOT NULL
);
CREATE INDEX change_events_entity_idx ON change_events (entity_type, entity_id);
CREATE INDEX change_events_force_idx ON change_events (force_slug, id);

-- One row that every write transaction updates first: it takes the write lock up front on SQLite (no
-- deadlocking lock upgrades) and serialises writers on PostgreSQL, so change-event ids commit in order
-- and a feed reader resuming from an id never skips one. Its counter is the cache validator that every
-- instance sees.
CREATE TABLE write_sequence (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    value BIGINT NOT NULL
);
INSERT INTO write_sequence (id, value) VALUES (1, 0);

-- Full-text search. One row per searchable text (a deployment's summary, an FOI request's reply, an
-- answer, an assessment), kept current by triggers on those tables; `parent_id` is the FOI request
-- of an answer. SQLite indexes it with FTS5 (external content, so the text is stored once).
CREATE TABLE search_documents (
    rowid INTEGER PRIMARY KEY,
    entity_type TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    parent_id TEXT,
    force_slug TEXT,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    UNIQUE (entity_type, entity_id)
);
CREATE INDEX search_documents_force_idx ON search_documents (force_slug);

CREATE VIRTUAL TABLE search_index USING fts5 (
    title, body,
    content = 'search_documents', content_rowid = 'rowid',
    tokenize = 'porter unicode61 remove_diacritics 2'
);
CREATE TRIGGER search_documents_ai AFTER INSERT ON search_documents BEGIN
    INSERT INTO search_index (rowid, title, body) VALUES (NEW.rowid, NEW.title, NEW.body);
END;
CREATE TRIGGER search_documents_ad AFTER DELETE ON search_documents BEGIN
    INSERT INTO search_index (search_index, rowid, title, body)
    VALUES ('delete', OLD.rowid, OLD.title, OLD.body);
END;

CREATE TRIGGER deployments_search_ai AFTER INSERT ON deployments BEGIN
    INSERT INTO search_documents (entity_type, entity_id, force_slug, title, body)
    VALUES ('deployment', NEW.id, NEW.force_slug, NEW.force_slug || ' ' || NEW.tool_slug, NEW.summary);
END;
CREATE TRIGGER deployments_search_au AFTER UPDATE OF summary ON deployments BEGIN
    DELETE FROM search_documents WHERE entity_type = 'deployment' AND entity_id = OLD.id;
    INSERT INTO search_documents (entity_type, entity_id, force_slug, title, body)
    VALUES ('deployment', NEW.id, NEW.force_slug, NEW.force_slug || ' ' || NEW.tool_slug, NEW.summary);
END;
CREATE TRIGGER deployments_search_ad AFTER DELETE ON deployments BEGIN
    DELETE FROM search_documents WHERE entity_type = 'deployment' AND entity_id = OLD.id;
END;

CREATE TRIGGER foi_requests_search_ai AFTER INSERT ON foi_requests BEGIN
    INSERT INTO search_documents (entity_type, entity_id, force_slug, title, body)
    VALUES ('foi_request', NEW.id, NEW.force_slug, NEW.title, NEW.request_text || ' ' || NEW.reply_text);
END;
CREATE TRIGGER foi_requests_search_au AFTER UPDATE OF title, request_text, reply_text ON foi_requests BEGIN
    DELETE FROM search_documents WHERE entity_type = 'foi_request' AND entity_id = OLD.id;
    INSERT INTO search_documents (entity_type, entity_id, force_slug, title, body)
    VALUES ('foi_request', NEW.id, NEW.force_slug, NEW.title, NEW.request_text || ' ' || NEW.reply_text);
END;
CREATE TRIGGER foi_requests_search_ad AFTER DELETE ON foi_requests BEGIN
    DELETE FROM search_documents WHERE entity_type = 'foi_request' AND entity_id = OLD.id;
END;

CREATE TRIGGER foi_answers_search_ai AFTER INSERT ON foi_answers BEGIN
    INSERT INTO search_documents (entity_type, entity_id, parent_id, force_slug, title, body)
    SELECT 'foi_answer', NEW.id, NEW.foi_request_id, r.force_slug, NEW.question, NEW.answer_text
    FROM foi_requests r WHERE r.id = NEW.foi_request_id;
END;
CREATE TRIGGER foi_answers_search_au AFTER UPDATE OF question, answer_text ON foi_answers BEGIN
    DELETE FROM search_documents WHERE entity_type = 'foi_answer' AND entity_id = OLD.id;
    INSERT INTO search_documents (entity_type, entity_id, parent_id, force_slug, title, body)
    SELECT 'foi_answer', NEW.id, NEW.foi_request_id, r.force_slug, NEW.question, NEW.answer_text
    FROM foi_requests r WHERE r.id = NEW.foi_request_id;
END;
CREATE TRIGGER foi_answers_search_ad AFTER DELETE ON foi_answers BEGIN
    DELETE FROM search_documents WHERE entity_type = 'foi_answer' AND entity_id = OLD.id;
END;

CREATE TRIGGER impact_assessments_search_ai AFTER INSERT ON impact_assessments BEGIN
    INSERT INTO search_documents (entity_type, entity_id, force_slug, title, body)
    VALUES ('impact_assessment', NEW.id, NEW.force_slug, NEW.title, NEW.summary);
END;
CREATE TRIGGER impact_assessments_search_au AFTER UPDATE OF title, summary ON impact_assessments BEGIN
    DELETE FROM search_documents WHERE entity_type = 'impact_assessment' AND entity_id = OLD.id;
    INSERT INTO search_documents (entity_type, entity_id, force_slug, title, body)
    VALUES ('impact_assessment', NEW.id, NEW.force_slug, NEW.title, NEW.summary);
END;
CREATE TRIGGER impact_assessments_search_ad AFTER DELETE ON impact_assessments BEGIN
    DELETE FROM search_documents WHERE entity_type = 'impact_assessment' AND entity_id = OLD.id;
END;
