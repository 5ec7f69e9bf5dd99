//! Spec examples shared by views: a view's example is read from its schema, so wrappers, generic
//! views and views that extend another show the same entity and cannot drift apart.

/// The `example` written on `T`'s schema (`null` when it has none). The examples of wrappers and
/// of generic types (`Revision<T>`, `ListResponse<T>`) are built from it, so they show one entity.
pub fn schema_example<T: utoipa::PartialSchema>() -> serde_json::Value {
    serde_json::to_value(T::schema())
        .ok()
        .and_then(|mut schema| schema.get_mut("example").map(serde_json::Value::take))
        .unwrap_or_default()
}

/// `T`'s example with `changes` applied: each key of `changes` set (or, when null, removed). For
/// views that extend or reshape another view, so their examples cannot drift apart.
pub fn example_with<T: utoipa::PartialSchema>(changes: serde_json::Value) -> serde_json::Value {
    let mut example = schema_example::<T>();
    if let (Some(fields), serde_json::Value::Object(changes)) = (example.as_object_mut(), changes) {
        for (key, value) in changes {
            if value.is_null() {
                fields.remove(&key);
            } else {
                fields.insert(key, value);
            }
        }
    }
    example
}
