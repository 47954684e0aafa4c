//! JSON Lines: one JSON object per line. Fields are found by key; a dotted name
//! (`user.id`) that is not itself a key walks nested objects. Ids and times may be
//! strings or numbers. Blank lines are ignored and are not records.

use super::Reader;
use crate::sink::{reason, Field, Record, Sink};
use crate::source::Source;
use crate::{Error, Result};
use serde_json::{Map, Value};

/// JSON Lines reader.
pub(crate) struct JsonLinesReader;

impl Reader for JsonLinesReader {
    fn read(&mut self, src: Source, sink: &mut Sink<'_>) -> Result<()> {
        let file = src.info.name.clone();
        let cols = sink.columns().clone();
        // Required keys, and whether any object had them (to tell a wrong key name
        // from a few incomplete lines).
        let mut required: Vec<(&'static str, &str, bool)> =
            vec![("account", &cols.account, false), ("object", &cols.object, false), ("time", &cols.time, false)];
        if let Some(k) = &cols.kind {
            required.push(("kind", k, false));
        }
        let auto_kind = sink.options().auto_kind_column;
        let mut first_keys: Option<Vec<String>> = None;
        super::for_each_json_line(src, sink, |text, line, sink| {
            let value: Value = match serde_json::from_str(text) {
                Ok(v) => v,
                Err(e) => return sink.reject(line, reason::BAD_JSON, e.to_string()),
            };
            let Value::Object(obj) = &value else {
                return sink.reject(
                    line,
                    reason::BAD_JSON,
                    format!("the line holds {}, not an object", kind_of(&value)),
                );
            };
            if first_keys.is_none() {
                first_keys = Some(obj.keys().cloned().collect());
            }
            for (_, key, seen) in required.iter_mut() {
                if !*seen {
                    *seen = lookup(obj, key).is_some();
                }
            }
            let get = |key: &str| lookup(obj, key).map_or(Field::Missing, field);
            let rec = Record {
                account: get(&cols.account),
                object: get(&cols.object),
                time: get(&cols.time),
                post: cols.post.as_deref().map_or(Field::Missing, get),
                kind: match cols.kind.as_deref() {
                    Some(k) => get(k),
                    None if auto_kind => get(crate::AUTO_KIND_COLUMN),
                    None => Field::Missing,
                },
            };
            sink.accept(line, &rec)
        })?;
        if sink.records() == 0 {
            return Err(Error::Empty { file, what: "no JSON lines" });
        }
        if sink.shares() == 0 {
            if let (Some(keys), Some((role, key, _))) = (first_keys, required.iter().find(|(_, _, seen)| !seen)) {
                return Err(Error::MissingColumn { file, role, column: key.to_string(), available: keys });
            }
        }
        Ok(())
    }
}

/// The value at `key`: the key itself, else a dotted path through objects.
fn lookup<'v>(obj: &'v Map<String, Value>, key: &str) -> Option<&'v Value> {
    if let Some(v) = obj.get(key) {
        return Some(v);
    }
    let mut parts = key.split('.');
    let mut v = obj.get(parts.next()?)?;
    for part in parts {
        v = v.as_object()?.get(part)?;
    }
    Some(v)
}

fn field(v: &Value) -> Field<'_> {
    match v {
        Value::Null => Field::Missing,
        Value::String(s) => Field::Str(s),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                Field::Int(i.into())
            } else if let Some(u) = n.as_u64() {
                Field::Int(u.into())
            } else {
                Field::Float(n.as_f64().unwrap_or(f64::NAN))
            }
        }
        other => Field::Invalid(kind_of(other)),
    }
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn dotted_lookup() {
        let v = json!({"user": {"id": 7, "name": {"first": "A"}}, "a.b": 1});
        let obj = v.as_object().unwrap();
        assert_eq!(lookup(obj, "user.id"), Some(&json!(7)));
        assert_eq!(lookup(obj, "user.name.first"), Some(&json!("A")));
        assert_eq!(lookup(obj, "a.b"), Some(&json!(1)), "a literal dotted key wins");
        assert_eq!(lookup(obj, "user.missing"), None);
        assert_eq!(lookup(obj, "user.id.x"), None);
        assert!(matches!(field(&json!(u64::MAX)), Field::Int(v) if v == u64::MAX as i128));
        assert!(matches!(field(&json!([1])), Field::Invalid("an array")));
        assert!(matches!(field(&json!(null)), Field::Missing));
    }
}
