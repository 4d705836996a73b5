//! The OpenAPI document: served, well-formed, complete, and every reference
//! resolves.

use serde_json::Value;

use crate::support::spawn_app;

fn refs<'a>(value: &'a Value, out: &mut Vec<&'a str>) {
    match value {
        Value::Object(map) => {
            for (key, v) in map {
                if key == "$ref" {
                    if let Some(r) = v.as_str() {
                        out.push(r);
                    }
                }
                refs(v, out);
            }
        }
        Value::Array(items) => items.iter().for_each(|v| refs(v, out)),
        _ => {}
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn openapi_document_is_valid_and_complete() {
    let app = spawn_app().await;
    let response = reqwest::get(app.url("/api/openapi.json")).await.expect("spec");
    assert_eq!(response.status(), 200);
    let spec: Value = response.json().await.expect("json");
    assert!(spec["openapi"].as_str().expect("version").starts_with("3."));
    assert_eq!(spec["info"]["title"], "Optovik API");
    assert_eq!(spec["servers"][0]["url"], "/api");
    let paths = spec["paths"].as_object().expect("paths");
    for path in
        ["/v1/auth/token", "/v1/me", "/v1/catalog/categories", "/v1/catalog/products", "/v1/catalog/products/{id}"]
    {
        assert!(paths.contains_key(path), "{path} missing");
    }
    for (path, item) in paths {
        for (method, op) in item.as_object().expect("path item") {
            assert!(op["responses"].as_object().is_some_and(|r| !r.is_empty()), "{method} {path} has no responses");
        }
    }
    assert_eq!(spec["components"]["securitySchemes"]["BearerAuth"]["scheme"], "bearer");

    let mut all = Vec::new();
    refs(&spec, &mut all);
    assert!(!all.is_empty());
    for r in all {
        let pointer = r.strip_prefix('#').expect("local reference");
        assert!(spec.pointer(pointer).is_some(), "unresolved reference {r}");
    }

    let docs = reqwest::get(app.url("/api/docs")).await.expect("docs");
    assert_eq!(docs.status(), 200);
    assert!(docs.text().await.expect("body").contains("swagger"));
}
