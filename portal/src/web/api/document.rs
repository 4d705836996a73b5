//! The OpenAPI document as served: what poem-openapi derives from the
//! operations, completed with the answers every operation of a kind can give
//! besides its own — so that the document tells the truth about every status
//! (schemathesis checks it in CI):
//!
//! - 400 when the request does not parse (path, query, body);
//! - 401 and 403 for operations behind a bearer token (missing or unknown
//!   token; a role the operation is not for, e.g. the ERP account's limits);
//! - 404 where a path names a record (another company's record is 404 too);
//! - 409 and 422 where a request changes something (a state that does not
//!   allow it; a value the domain refuses), 422 also on queries it refuses;
//! - 413 and 415 where there is a body (over `web::limits`; another content type);
//! - 503 everywhere (the database out of reach, with `Retry-After`).
//!
//! Each of these answers is the JSON error body (`ApiError`). The document is
//! committed as an insta snapshot (`snapshots/` beside this file); a test fails
//! when it changes unreviewed.

use std::sync::OnceLock;

use serde_json::{json, Map, Value};

/// The completed document (built once).
pub fn document() -> &'static str {
    static DOCUMENT: OnceLock<String> = OnceLock::new();
    DOCUMENT.get_or_init(|| {
        let mut spec: Value = serde_json::from_str(&super::service().spec()).unwrap_or(Value::Null);
        complete(&mut spec);
        serde_json::to_string_pretty(&spec).unwrap_or_default()
    })
}

/// The interactive docs page, showing the completed document.
pub fn swagger_html() -> String {
    let service = super::service();
    service.swagger_ui_html().replace(&service.spec(), document())
}

fn error_response(description: &str) -> Value {
    json!({
        "description": description,
        "content": { "application/json; charset=utf-8": { "schema": { "$ref": "#/components/schemas/ApiError" } } }
    })
}

/// Operations whose 200 answer is JSON or, with `format=xlsx`, a
/// spreadsheet: poem-openapi keeps one content per status, so the JSON
/// schema is put back beside the spreadsheet here.
const JSON_OR_SPREADSHEET: &[(&str, &str)] = &[("/v1/reports/sales", "SalesOut")];

/// Adds the common answers to every operation that can give them.
pub fn complete(spec: &mut Value) {
    let Some(paths) = spec.get_mut("paths").and_then(Value::as_object_mut) else { return };
    for (path, schema) in JSON_OR_SPREADSHEET {
        if let Some(content) = paths
            .get_mut(*path)
            .and_then(|item| item.pointer_mut("/get/responses/200/content"))
            .and_then(Value::as_object_mut)
        {
            let json = json!({ "schema": { "$ref": format!("#/components/schemas/{schema}") } });
            content.insert("application/json; charset=utf-8".into(), json);
        }
    }
    for (path, item) in paths.iter_mut() {
        let Some(item) = item.as_object_mut() else { continue };
        for (method, operation) in item.iter_mut() {
            let Some(operation) = operation.as_object_mut() else { continue };
            let common = common_answers(path, method, operation);
            let responses = operation.entry("responses").or_insert_with(|| Value::Object(Map::new()));
            let Some(responses) = responses.as_object_mut() else { continue };
            for (status, description) in common {
                responses.entry(status).or_insert_with(|| error_response(description));
            }
        }
    }
}

fn common_answers(path: &str, method: &str, operation: &Map<String, Value>) -> Vec<(&'static str, &'static str)> {
    let has_parameters = operation.get("parameters").and_then(Value::as_array).is_some_and(|p| !p.is_empty());
    let has_body = operation.contains_key("requestBody");
    let secured = operation.get("security").and_then(Value::as_array).is_some_and(|s| !s.is_empty());
    let changes = matches!(method, "post" | "put" | "patch" | "delete");
    let mut answers = Vec::new();
    if has_parameters || has_body {
        answers.push(("400", "The request does not parse: a parameter or the body is malformed."));
    }
    if secured {
        answers.push(("401", "A missing, unknown or expired token."));
        answers.push(("403", "The token's user may not do this."));
    }
    if path.contains('{') {
        answers.push(("404", "No such record, or not one of the user's."));
    }
    if changes {
        answers.push(("409", "The record's state does not allow this now."));
    }
    if changes || has_parameters {
        answers.push(("422", "A value is not acceptable; the message says which."));
    }
    if has_body {
        answers.push(("413", "The request body is over its limit."));
        answers.push(("415", "The body is not of the documented content type."));
    }
    answers.push(("503", "The service is briefly unavailable; retry after `Retry-After` seconds."));
    answers
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_answers_are_added_and_own_ones_kept() {
        let mut spec = json!({ "paths": {
            "/v1/orders/{id}": { "get": {
                "parameters": [{ "name": "id", "in": "path" }],
                "security": [{ "BearerAuth": [] }],
                "responses": { "200": { "description": "the order" }, "404": { "description": "own words" } }
            }},
            "/v1/auth/token": { "post": { "requestBody": {}, "responses": { "200": { "description": "token" } } } }
        }});
        complete(&mut spec);
        let get = &spec["paths"]["/v1/orders/{id}"]["get"]["responses"];
        for status in ["200", "400", "401", "403", "404", "422", "503"] {
            assert!(get.get(status).is_some(), "GET misses {status}");
        }
        assert_eq!(get["404"]["description"], "own words");
        assert!(get.get("409").is_none() && get.get("413").is_none());
        let post = &spec["paths"]["/v1/auth/token"]["post"]["responses"];
        for status in ["400", "409", "413", "415", "422", "503"] {
            assert!(post.get(status).is_some(), "POST misses {status}");
        }
        assert!(post.get("401").is_none(), "no token, no 401");
    }

    /// The served document is the committed snapshot
    /// (`snapshots/portal__web__api__document__tests__openapi.snap`): a change
    /// to the API fails here and shows in review as a diff of that file. After
    /// reviewing, accept it with `cargo insta review`, or write it with
    /// `INSTA_UPDATE=always cargo test -p portal openapi`.
    #[test]
    fn openapi_document_matches_the_committed_one() {
        insta::assert_snapshot!("openapi", document());
    }
}
