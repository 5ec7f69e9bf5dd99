//! What a write changed, field by field, with the value before and after: computed once from the
//! entity's serialised form, so change events, the revision pages and compare views agree.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// One field that differs between two versions of an entity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldChange {
    pub field: String,
    /// `null` when the field was absent or empty before.
    pub old: Value,
    /// `null` when the field is absent or empty after.
    pub new: Value,
}

fn object<T: Serialize>(value: &T) -> Map<String, Value> {
    match serde_json::to_value(value) {
        Ok(Value::Object(map)) => map,
        _ => Map::new(),
    }
}

/// Every top-level field whose value differs, in name order.
pub fn all<T: Serialize>(before: &T, after: &T) -> Vec<FieldChange> {
    let (old, new) = (object(before), object(after));
    let names: std::collections::BTreeSet<&String> = old.keys().chain(new.keys()).collect();
    differing(&old, &new, names.into_iter().map(String::as_str))
}

/// The named fields whose values differ, in the order named: for entities whose serialised form
/// also carries bookkeeping (revision, timestamps) that is not content.
pub fn named<T: Serialize>(before: &T, after: &T, fields: &[&str]) -> Vec<FieldChange> {
    differing(&object(before), &object(after), fields.iter().copied())
}

fn differing<'a>(
    old: &Map<String, Value>,
    new: &Map<String, Value>,
    fields: impl Iterator<Item = &'a str>,
) -> Vec<FieldChange> {
    fields
        .filter_map(|field| {
            let before = old.get(field).cloned().unwrap_or(Value::Null);
            let after = new.get(field).cloned().unwrap_or(Value::Null);
            (before != after).then(|| FieldChange {
                field: field.to_owned(),
                old: before,
                new: after,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn only_differing_fields_in_name_order_with_both_values() {
        let before = json!({"summary": "x", "status": "trial", "vendors": ["A"]});
        let after = json!({"summary": "y", "status": "in_use", "vendors": ["A"]});
        assert_eq!(
            all(&before, &after),
            vec![
                FieldChange {
                    field: "status".into(),
                    old: json!("trial"),
                    new: json!("in_use")
                },
                FieldChange {
                    field: "summary".into(),
                    old: json!("x"),
                    new: json!("y")
                },
            ]
        );
    }

    #[test]
    fn a_field_missing_on_one_side_reads_as_null() {
        let before = json!({"a": 1, "gone": true});
        let after = json!({"a": 1, "added": "z"});
        let changes = all(&before, &after);
        assert_eq!(changes.len(), 2);
        assert_eq!(changes[0].field, "added");
        assert_eq!(
            (changes[0].old.clone(), changes[0].new.clone()),
            (Value::Null, json!("z"))
        );
        assert_eq!(changes[1].field, "gone");
        assert_eq!(
            (changes[1].old.clone(), changes[1].new.clone()),
            (json!(true), Value::Null)
        );
    }

    #[test]
    fn named_ignores_unnamed_fields() {
        let before = json!({"title": "a", "revision": 1});
        let after = json!({"title": "b", "revision": 2});
        let changes = named(&before, &after, &["title"]);
        assert_eq!(changes.len(), 1);
        assert_eq!(changes[0].field, "title");
    }
}
