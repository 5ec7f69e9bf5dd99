ALTER TABLE deployment_revisions
    ADD CONSTRAINT deployment_revisions_force_slug_fkey FOREIGN KEY (force_slug) REFERENCES forces (slug),
    ADD CONSTRAINT deployment_revisions_tool_slug_fkey FOREIGN KEY (tool_slug) REFERENCES tools (slug);
ALTER TABLE change_events
    ADD CONSTRAINT change_events_force_slug_fkey FOREIGN KEY (force_slug) REFERENCES forces (slug);
