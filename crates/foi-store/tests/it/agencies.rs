//! The agency tree: subtree, ancestry, defaults, unique codes.

use foi_store::{NewAgency, StoreError, constraints, new_id};

use crate::common::{TestDb, on_each_backend};
use crate::fixtures::agency;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn agency_subtree_and_within() {
    on_each_backend(subtree_and_within).await;
}

async fn subtree_and_within(db: TestDb) {
    let s = &db.store;
    let district = agency(s, "youxian", None).await;
    let finance = agency(s, "youxian-czj", Some(district.id)).await;
    let budget = agency(s, "youxian-czj-ys", Some(finance.id)).await;
    let town = agency(s, "youxian-xx", Some(district.id)).await;
    let other = agency(s, "fucheng", None).await;

    assert_eq!(s.agency(budget.id).await.unwrap(), budget);
    assert_eq!(s.agency_by_code("youxian-xx").await.unwrap(), Some(town.clone()));
    assert_eq!(s.agency_by_code("nowhere").await.unwrap(), None);
    assert_eq!(s.agencies().await.unwrap().len(), 5);

    let codes = |v: Vec<foi_store::Agency>| v.into_iter().map(|a| a.code).collect::<Vec<_>>();
    assert_eq!(
        codes(s.agency_subtree(district.id).await.unwrap()),
        ["youxian", "youxian-czj", "youxian-czj-ys", "youxian-xx"]
    );
    assert_eq!(codes(s.agency_subtree(finance.id).await.unwrap()), ["youxian-czj", "youxian-czj-ys"]);
    assert_eq!(codes(s.agency_subtree(budget.id).await.unwrap()), ["youxian-czj-ys"]);
    assert!(matches!(s.agency_subtree(new_id()).await, Err(StoreError::NotFound { .. })));

    assert!(s.is_within(budget.id, district.id).await.unwrap());
    assert!(s.is_within(budget.id, finance.id).await.unwrap());
    assert!(s.is_within(budget.id, budget.id).await.unwrap());
    assert!(!s.is_within(district.id, budget.id).await.unwrap());
    assert!(!s.is_within(town.id, finance.id).await.unwrap());
    assert!(!s.is_within(budget.id, other.id).await.unwrap());
    assert!(!s.is_within(new_id(), district.id).await.unwrap());
    assert!(!s.is_within(new_id(), new_id()).await.unwrap());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn agency_defaults_and_duplicate_code() {
    on_each_backend(defaults_and_duplicate_code).await;
}

async fn defaults_and_duplicate_code(db: TestDb) {
    let s = &db.store;
    let a = agency(s, "youxian", None).await;
    assert_eq!(a.case_number_pattern, "{prefix}〔{year}〕{seq}号");
    assert_eq!(a.case_prefix, "游府信申");
    assert_eq!((a.correction_period_wd, a.due_soon_wd, a.fee_pauses_clock), (15, 5, true));

    let err = s.create_agency(NewAgency::new("youxian", "又一个", "游", "绵阳市人民政府")).await.unwrap_err();
    match err {
        StoreError::UniqueViolation { constraint } => {
            assert_eq!(constraint, constraints::UX_AGENCIES_CODE)
        }
        other => panic!("expected a unique violation, got {other:?}"),
    }

    let err = s.create_agency(NewAgency::new("orphan", "孤儿", "孤", "x").under(new_id())).await.unwrap_err();
    assert!(matches!(err, StoreError::ForeignKeyViolation { .. }), "{err:?}");
    assert_eq!(s.agencies().await.unwrap().len(), 1);
}
