-- Answer-level FOI filters, late/overdue filters, and the FOI list's sorts.

-- The tools each answer asks about, one row per tool, so that `answer_tool` is an indexed lookup.
-- `foi_answers.tool_slugs` keeps them in the order written; this table is its index, written in
-- the same place (store::foi_requests::write).
CREATE TABLE answer_tools (
    foi_answer_id TEXT NOT NULL REFERENCES foi_answers (id) ON DELETE CASCADE,
    tool_slug TEXT NOT NULL REFERENCES tools (slug),
    PRIMARY KEY (foi_answer_id, tool_slug)
);
CREATE INDEX answer_tools_tool_idx ON answer_tools (tool_slug, foi_answer_id);
INSERT INTO answer_tools (foi_answer_id, tool_slug)
    SELECT DISTINCT foi_answers.id, json_each.value
    FROM foi_answers, json_each(foi_answers.tool_slugs);

-- The campaign question an answer replies to (its position in the campaign), so that progress
-- matches answers to questions by this link rather than by the answer's place in the reply.
-- Existing answers of campaign requests replied to the question at their own position.
ALTER TABLE foi_answers ADD COLUMN campaign_question INTEGER;
UPDATE foi_answers SET campaign_question = position
WHERE EXISTS (
    SELECT 1 FROM foi_requests
    JOIN campaign_questions ON campaign_questions.campaign_slug = foi_requests.campaign_slug
    WHERE foi_requests.id = foi_answers.foi_request_id
      AND campaign_questions.position = foi_answers.position
);

-- Sorts: each sortable column with the id as tie-break (nulls first ascending, as SQLite orders).
DROP INDEX foi_requests_due_idx;
DROP INDEX foi_requests_responded_idx;
DROP INDEX foi_requests_authority_idx;
DROP INDEX foi_requests_force_idx;
CREATE INDEX foi_requests_due_idx ON foi_requests (due_on, id);
CREATE INDEX foi_requests_responded_idx ON foi_requests (responded_on, id);
CREATE INDEX foi_requests_authority_idx ON foi_requests (authority_slug, id);
CREATE INDEX foi_requests_force_idx ON foi_requests (force_slug, id);
CREATE INDEX foi_requests_sent_idx ON foi_requests (sent_on, id);

-- `late` and `overdue`: replies after their due date, and requests still unanswered.
CREATE INDEX foi_requests_late_idx ON foi_requests (received_on, id) WHERE responded_on > due_on;
CREATE INDEX foi_requests_unanswered_idx ON foi_requests (due_on) WHERE responded_on IS NULL;
