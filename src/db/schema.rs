//! Diesel's view of the tables; the same for both backends (see `migrations/`).

diesel::table! {
    forces (slug) {
        slug -> Text,
        name -> Text,
        kind -> Text,
        country -> Text,
        nation -> Nullable<Text>,
        region -> Nullable<Text>,
        website -> Nullable<Text>,
        foi_email -> Nullable<Text>,
        foi_url -> Nullable<Text>,
        revision -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    authorities (slug) {
        slug -> Text,
        name -> Text,
        kind -> Text,
        force_slug -> Text,
        foi_law -> Text,
        website -> Nullable<Text>,
        foi_email -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    tools (slug) {
        slug -> Text,
        name -> Text,
        description -> Text,
        parent_slug -> Nullable<Text>,
        aliases -> Text,
        atlas_category -> Nullable<Text>,
        position -> Integer,
        deprecated -> Bool,
        revision -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    sources (id) {
        id -> Text,
        url -> Nullable<Text>,
        archive_url -> Nullable<Text>,
        title -> Text,
        publisher -> Nullable<Text>,
        kind -> Text,
        published_on -> Nullable<Date>,
        retrieved_on -> Nullable<Date>,
        sha256 -> Nullable<Text>,
        revision -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        locator -> Nullable<Text>,
        statement -> Nullable<Text>,
    }
}

diesel::table! {
    campaigns (slug) {
        slug -> Text,
        title -> Text,
        description -> Text,
        request_text -> Text,
        started_on -> Date,
        law -> Text,
        revision -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    campaign_questions (campaign_slug, position) {
        campaign_slug -> Text,
        position -> Integer,
        question -> Text,
        tool_slugs -> Text,
    }
}

diesel::table! {
    deployments (id) {
        id -> Text,
        force_slug -> Text,
        tool_slug -> Text,
        status -> Text,
        vendors -> Text,
        product -> Nullable<Text>,
        first_known_use -> Nullable<Date>,
        last_confirmed -> Nullable<Date>,
        ended_on -> Nullable<Date>,
        summary -> Text,
        legal_basis -> Nullable<Text>,
        authorisation -> Nullable<Text>,
        public_consultation -> Nullable<Text>,
        use_policy_url -> Nullable<Text>,
        provenance -> Text,
        verified -> Bool,
        revision -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    /// Deployments per force, tool and status, kept by triggers (see its migration).
    deployment_cells (force_slug, tool_slug, status) {
        force_slug -> Text,
        tool_slug -> Text,
        status -> Text,
        deployments -> BigInt,
    }
}

diesel::table! {
    deployment_revisions (deployment_id, revision) {
        deployment_id -> Text,
        revision -> BigInt,
        action -> Text,
        force_slug -> Text,
        tool_slug -> Text,
        status -> Text,
        vendors -> Text,
        product -> Nullable<Text>,
        first_known_use -> Nullable<Date>,
        last_confirmed -> Nullable<Date>,
        ended_on -> Nullable<Date>,
        summary -> Text,
        legal_basis -> Nullable<Text>,
        authorisation -> Nullable<Text>,
        public_consultation -> Nullable<Text>,
        use_policy_url -> Nullable<Text>,
        provenance -> Text,
        verified -> Bool,
        source_ids -> Text,
        actor_role -> Text,
        actor_organisation -> Text,
        recorded_at -> Timestamp,
    }
}

diesel::table! {
    deployment_sources (deployment_id, source_id) {
        deployment_id -> Text,
        source_id -> Text,
        note -> Nullable<Text>,
    }
}

diesel::table! {
    foi_requests (id) {
        id -> Text,
        authority_slug -> Text,
        force_slug -> Text,
        campaign_slug -> Nullable<Text>,
        law -> Text,
        title -> Text,
        reference_numbers -> Text,
        request_text -> Text,
        sent_on -> Nullable<Date>,
        received_on -> Date,
        due_on -> Date,
        responded_on -> Nullable<Date>,
        state -> Text,
        source_url -> Nullable<Text>,
        reply_text -> Text,
        provenance -> Text,
        revision -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    impact_assessments (id) {
        id -> Text,
        force_slug -> Text,
        kind -> Text,
        status -> Text,
        title -> Text,
        completed_on -> Nullable<Date>,
        next_review_due -> Nullable<Date>,
        url -> Nullable<Text>,
        summary -> Text,
        revealed_by_source_id -> Nullable<Text>,
        revealed_by_foi_request_id -> Nullable<Text>,
        provenance -> Text,
        revision -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    assessment_deployments (impact_assessment_id, deployment_id) {
        impact_assessment_id -> Text,
        deployment_id -> Text,
    }
}

diesel::table! {
    foi_answers (id) {
        id -> Text,
        foi_request_id -> Text,
        position -> Integer,
        question -> Text,
        tool_slugs -> Text,
        outcome -> Text,
        answer_text -> Text,
        redirected_to_authority_slug -> Nullable<Text>,
        campaign_question -> Nullable<Integer>,
    }
}

diesel::table! {
    answer_tools (foi_answer_id, tool_slug) {
        foi_answer_id -> Text,
        tool_slug -> Text,
    }
}

diesel::table! {
    answer_deployments (foi_answer_id, deployment_id) {
        foi_answer_id -> Text,
        deployment_id -> Text,
        relation -> Text,
    }
}

diesel::table! {
    answer_assessments (foi_answer_id, impact_assessment_id) {
        foi_answer_id -> Text,
        impact_assessment_id -> Text,
        relation -> Text,
    }
}

diesel::table! {
    entity_revisions (entity_type, entity_id, revision) {
        entity_type -> Text,
        entity_id -> Text,
        revision -> BigInt,
        action -> Text,
        snapshot -> Text,
        actor_role -> Text,
        actor_organisation -> Text,
        recorded_at -> Timestamp,
    }
}

diesel::table! {
    answer_exemptions (foi_answer_id, section) {
        foi_answer_id -> Text,
        section -> Text,
        ncnd -> Bool,
        absolute -> Bool,
    }
}

diesel::table! {
    foi_stages (id) {
        id -> Text,
        foi_request_id -> Text,
        kind -> Text,
        reference -> Nullable<Text>,
        started_on -> Date,
        due_on -> Nullable<Date>,
        decided_on -> Nullable<Date>,
        result -> Nullable<Text>,
        notes -> Text,
    }
}

diesel::table! {
    foi_documents (id) {
        id -> Text,
        foi_request_id -> Text,
        filename -> Text,
        media_type -> Text,
        size_bytes -> BigInt,
        sha256 -> Text,
        content -> Binary,
        created_at -> Timestamp,
        text -> Nullable<Text>,
    }
}

diesel::table! {
    accounts (id) {
        id -> Text,
        username -> Text,
        display_name -> Text,
        organisation -> Text,
        role -> Text,
        password_hash -> Text,
        disabled -> Bool,
        revision -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    account_forces (account_id, force_slug) {
        account_id -> Text,
        force_slug -> Text,
    }
}

diesel::table! {
    change_events (id) {
        id -> BigInt,
        entity_type -> Text,
        entity_id -> Text,
        action -> Text,
        revision -> BigInt,
        force_slug -> Nullable<Text>,
        actor_role -> Text,
        actor_organisation -> Text,
        changed_fields -> Text,
        summary -> Text,
        occurred_at -> Timestamp,
        changes -> Text,
    }
}

diesel::table! {
    write_sequence (id) {
        id -> Integer,
        value -> BigInt,
    }
}

diesel::joinable!(authorities -> forces (force_slug));
diesel::joinable!(account_forces -> accounts (account_id));
diesel::joinable!(account_forces -> forces (force_slug));
diesel::joinable!(answer_exemptions -> foi_answers (foi_answer_id));
diesel::joinable!(answer_tools -> foi_answers (foi_answer_id));
diesel::joinable!(answer_deployments -> foi_answers (foi_answer_id));
diesel::joinable!(answer_deployments -> deployments (deployment_id));
diesel::joinable!(answer_assessments -> foi_answers (foi_answer_id));
diesel::joinable!(answer_assessments -> impact_assessments (impact_assessment_id));
diesel::joinable!(assessment_deployments -> deployments (deployment_id));
diesel::joinable!(assessment_deployments -> impact_assessments (impact_assessment_id));
diesel::joinable!(campaign_questions -> campaigns (campaign_slug));
diesel::joinable!(deployment_sources -> deployments (deployment_id));
diesel::joinable!(deployment_sources -> sources (source_id));
diesel::joinable!(deployments -> forces (force_slug));
diesel::joinable!(deployments -> tools (tool_slug));
diesel::joinable!(foi_answers -> foi_requests (foi_request_id));
diesel::joinable!(foi_documents -> foi_requests (foi_request_id));
diesel::joinable!(foi_requests -> authorities (authority_slug));
diesel::joinable!(foi_stages -> foi_requests (foi_request_id));
diesel::joinable!(impact_assessments -> forces (force_slug));
diesel::joinable!(deployment_cells -> forces (force_slug));

diesel::table! {
    /// The write sequence's value at the latest write of each scope (see its migration).
    write_scopes (scope) {
        scope -> Text,
        marker -> BigInt,
    }
}

diesel::allow_tables_to_appear_in_same_query!(
    forces,
    authorities,
    tools,
    sources,
    campaigns,
    campaign_questions,
    deployments,
    deployment_cells,
    deployment_revisions,
    deployment_sources,
    foi_requests,
    impact_assessments,
    assessment_deployments,
    foi_answers,
    answer_exemptions,
    answer_tools,
    answer_deployments,
    answer_assessments,
    entity_revisions,
    foi_stages,
    foi_documents,
    accounts,
    account_forces,
    change_events,
    write_sequence,
    write_scopes,
);
