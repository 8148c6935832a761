//! Attachments: the row and its `ATTACHMENT_ADDED` event are written together or not at all.

use foi_store::attachments::ATTACHMENT_ADDED;
use foi_store::{Actor, NewAttachment, StoreError, new_id};

use crate::common::{TestDb, on_each_backend};
use crate::fixtures::{D0, T0, agency, event, new_case};

fn attachment(case_id: foi_store::Uuid) -> NewAttachment {
    NewAttachment {
        id: new_id(),
        case_id,
        file_name: "答复书.pdf".into(),
        content_type: "application/pdf".into(),
        size_bytes: 42,
        sha256: "a".repeat(64),
        storage_key: "a".repeat(64),
        purpose: "DISCLOSURE".into(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_attachment_is_recorded_with_its_event() {
    on_each_backend(recorded_with_event).await;
}

async fn recorded_with_event(db: TestDb) {
    let s = &db.store;
    let a = agency(s, "youxian", None).await;
    let case = new_case(a.id, None);
    s.insert_case(case.clone(), event("submitted")).await.unwrap();
    let clerk = Actor { account_id: None, label: "李明 (clerk)".into() };

    let new = attachment(case.id);
    let (record, after) = s.add_attachment(new.clone(), 1, &clerk, D0, T0).await.unwrap();
    assert_eq!((record.id, record.file_name.as_str(), record.size_bytes), (new.id, "答复书.pdf", 42));
    assert_eq!(record.uploaded_by, "李明 (clerk)");
    assert_eq!(after.version, 2);
    assert_eq!(s.attachment(new.id).await.unwrap(), record);
    assert_eq!(s.attachments_of(case.id).await.unwrap(), vec![record.clone()]);
    let events = s.case_events(case.id).await.unwrap();
    let last = events.last().unwrap();
    assert_eq!((last.kind.as_str(), last.occurred_on), (ATTACHMENT_ADDED, D0));
    assert_eq!(last.payload["attachment_id"], new.id.to_string());
    assert_eq!(last.payload["sha256"], "a".repeat(64));

    // A stale version writes neither the row nor the event.
    let stale = attachment(case.id);
    let err = s.add_attachment(stale.clone(), 1, &clerk, D0, T0).await.unwrap_err();
    assert!(matches!(err, StoreError::Conflict { expected: 1, actual: 2 }), "{err:?}");
    assert!(matches!(s.attachment(stale.id).await, Err(StoreError::NotFound { .. })));
    assert_eq!(db.count("SELECT COUNT(*) FROM attachments").await, 1);
    assert_eq!(db.count("SELECT COUNT(*) FROM case_events").await, 2);

    // An unknown case is NotFound, and nothing is written.
    let orphan = attachment(new_id());
    assert!(matches!(s.add_attachment(orphan, 1, &clerk, D0, T0).await, Err(StoreError::NotFound { .. })));
    assert_eq!(db.count("SELECT COUNT(*) FROM attachments").await, 1);
}
