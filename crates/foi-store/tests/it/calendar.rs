//! Calendar years: load, amend, list.

use foi_store::NewCalendarYear;
use serde_json::json;

use crate::common::{TestDb, on_each_backend};
use crate::fixtures::T0;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calendar_years_upsert_and_list() {
    on_each_backend(calendar_years).await;
}

async fn calendar_years(db: TestDb) {
    let s = &db.store;
    let data_2026 = json!({
        "all_off_days": ["2026-01-01", "2026-02-15"],
        "makeup_workdays": ["2026-02-14"],
        "notice_urls": ["https://www.gov.cn/…"],
    });
    let first = s
        .upsert_calendar_year(NewCalendarYear {
            year: 2026,
            data: data_2026.clone(),
            version: "2026-v1".into(),
            loaded_at: T0,
            loaded_by: "seed".into(),
        })
        .await
        .unwrap();
    assert_eq!(first.data, data_2026);
    assert_eq!(first.loaded_at, T0);

    s.upsert_calendar_year(NewCalendarYear {
        year: 2025,
        data: json!({ "all_off_days": [] }),
        version: "2025-v1".into(),
        loaded_at: T0,
        loaded_by: "seed".into(),
    })
    .await
    .unwrap();

    // An amended notice replaces the year.
    let amended = json!({ "all_off_days": ["2026-01-01", "2026-02-15", "2026-02-16"] });
    let second = s
        .upsert_calendar_year(NewCalendarYear {
            year: 2026,
            data: amended.clone(),
            version: "2026-v2".into(),
            loaded_at: T0 + time::Duration::days(30),
            loaded_by: "admin".into(),
        })
        .await
        .unwrap();
    assert_eq!(second.version, "2026-v2");

    let years = s.calendar_years().await.unwrap();
    let summary: Vec<_> = years.iter().map(|y| (y.year, y.version.as_str())).collect();
    assert_eq!(summary, [(2025, "2025-v1"), (2026, "2026-v2")]);
    assert_eq!(years[1].data, amended);
    assert_eq!(years[1].loaded_by, "admin");
}
