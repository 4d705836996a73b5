//! Property filters (facets) on the demo catalog: every count beside a value
//! equals the length of the list that choosing it gives, alone and under
//! another property's choice; numeric ranges; malformed filters; the page.

use crate::support::{spawn_app, TestApp, BUYER};

async fn category_id(app: &TestApp, token: &str, name: &str) -> i64 {
    let (_, categories) = app.api_get(token, "/api/v1/catalog/categories").await;
    categories.as_array().expect("list").iter().find(|c| c["name"] == name).expect("category")["id"]
        .as_i64()
        .expect("id")
}

fn query(filters: &[String]) -> String {
    filters.iter().map(|f| format!("&filter={}", urlencoding::encode(f))).collect()
}

async fn total(app: &TestApp, token: &str, base: &str, filters: &[String]) -> i64 {
    let (status, page) = app.api_get(token, &format!("{base}{}", query(filters))).await;
    assert_eq!(status, 200, "{page}");
    page["total"].as_i64().expect("total")
}

#[tokio::test(flavor = "multi_thread")]
async fn facet_counts_equal_the_filtered_lists() {
    let app = spawn_app().await;
    let token = app.token(BUYER.0, BUYER.1).await;
    let fasteners = category_id(&app, &token, "Крепёж").await;
    let base = format!("/api/v1/catalog/products?category={fasteners}&per_page=1");
    let (_, page) = app.api_get(&token, &format!("{base}&facets=true")).await;
    let facets = page["facets"].as_array().expect("facets").clone();
    let named = |name: &str| facets.iter().find(|f| f["property"] == name).cloned().expect(name);
    let class = named("Класс прочности");
    assert!(class["numeric"].as_bool().expect("numeric"), "{class}");
    let coating = named("Покрытие");
    assert!(coating["values"].as_array().expect("values").len() >= 2, "{coating}");

    // Alone: each value's count is the list it gives.
    for facet in [&class, &coating] {
        for value in facet["values"].as_array().expect("values") {
            let filter = format!("{}:{}", facet["property"].as_str().expect("p"), value["value"].as_str().expect("v"));
            assert_eq!(
                total(&app, &token, &base, std::slice::from_ref(&filter)).await,
                value["count"].as_i64().expect("count"),
                "{filter}"
            );
        }
    }
    // Under another property's choice: the class counts are those with zinc.
    let zinc = vec!["Покрытие:цинк".to_string()];
    let (_, narrowed) = app.api_get(&token, &format!("{base}&facets=true{}", query(&zinc))).await;
    let class_under_zinc = narrowed["facets"]
        .as_array()
        .expect("facets")
        .iter()
        .find(|f| f["property"] == "Класс прочности")
        .cloned()
        .expect("class under zinc");
    let coating_under_zinc = narrowed["facets"]
        .as_array()
        .expect("facets")
        .iter()
        .find(|f| f["property"] == "Покрытие")
        .cloned()
        .expect("coating");
    assert_eq!(coating_under_zinc, coating, "a property's own counts ignore its own choice");
    for value in class_under_zinc["values"].as_array().expect("values") {
        let filters = vec![zinc[0].clone(), format!("Класс прочности:{}", value["value"].as_str().expect("v"))];
        assert_eq!(total(&app, &token, &base, &filters).await, value["count"].as_i64().expect("count"), "{filters:?}");
    }
    // Two values of one property are alternatives.
    let both: Vec<String> = class["values"]
        .as_array()
        .expect("values")
        .iter()
        .map(|v| format!("Класс прочности:{}", v["value"].as_str().expect("v")))
        .collect();
    let sum: i64 = class["values"].as_array().expect("values").iter().map(|v| v["count"].as_i64().expect("c")).sum();
    assert_eq!(total(&app, &token, &base, &both).await, sum);

    // A numeric range: "Длина" values such as "60 мм" read as numbers.
    let length = named("Длина");
    assert!(length["numeric"].as_bool().expect("numeric") && length["min"].as_f64().is_some(), "{length}");
    let in_range: i64 = length["values"]
        .as_array()
        .expect("values")
        .iter()
        .filter(|v| {
            let n: f64 = v["value"].as_str().expect("v").split(' ').next().expect("n").parse().expect("number");
            (40.0..=60.0).contains(&n)
        })
        .map(|v| v["count"].as_i64().expect("c"))
        .sum();
    assert!(in_range > 0);
    assert_eq!(total(&app, &token, &base, &["Длина:40..60".to_string()]).await, in_range);

    // Malformed filters are refused with a reason; unknown ones find nothing.
    let (status, error) = app.api_get(&token, &format!("{base}&filter=no-colon")).await;
    assert_eq!(status, 400);
    assert!(error["error"].as_str().expect("error").contains("no-colon"), "{error}");
    assert_eq!(total(&app, &token, &base, &["Цвет:малиновый".to_string()]).await, 0);

    // The page: checkboxes with counts; a shared URL with a choice lists exactly that.
    let browser = app.login(BUYER.0, BUYER.1).await;
    let html = browser
        .get(app.url(&format!("/catalog?category={fasteners}")))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("html");
    assert!(html.contains("Класс прочности") && html.contains("name=\"filter\""), "{html}");
    let ten_nine = class["values"].as_array().expect("values").iter().find(|v| v["value"] == "10.9").expect("10.9")
        ["count"]
        .clone();
    let chosen = browser
        .get(app.url(&format!("/catalog?category={fasteners}&filter={}", urlencoding::encode("Класс прочности:10.9"))))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("html");
    assert!(chosen.contains(&format!("Найдено: {ten_nine}")), "the page lists what the count promised");
    assert!(chosen.contains("checked"), "the chosen value stays ticked");
    assert!(chosen.contains("VNT-7991"), "10.9 is the countersunk screws");
    assert!(!chosen.contains("BLT-933"), "8.8 bolts are filtered out");
}
