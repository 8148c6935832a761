//! The outbox sender against an SMTP server on loopback written here: it speaks just enough
//! SMTP (220, EHLO/HELO 250, MAIL/RCPT 250, DATA 354, `.` 250, QUIT 221), counts the
//! messages it accepted per `Message-ID`, and can be told to drop the connection after the
//! data of a message without answering (a crash mid-send) or to refuse a recipient for good.
//!
//! - killed mid-send: the message is retried after the backoff and accepted exactly once;
//! - a sender that crashed holding a lease: the message goes out once the lease ran out;
//! - a permanent refusal gives up at once; the background loop sends without being asked.
//!
//! On SQLite, and on PostgreSQL when `FOI_TEST_POSTGRES_URL` is set.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration as StdDuration;

use foi_domain::clock::Clock;
use foi_server::mailer::{BackgroundMailer, Mailer, MailerConfig, Round, message_id};
use foi_store::outbox::{Backoff, Delivery, NewNotification, NotificationKind};
use foi_store::testing::TestDatabase;
use foi_store::{Backend, Store, Uuid};
use time::macros::datetime;
use time::{Duration, OffsetDateTime};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

const T0: OffsetDateTime = datetime!(2026-10-20 02:00 UTC);
const FROM: &str = "游仙区政务公开办 <foi@youxian.gov.cn>";

/// What the test server saw.
#[derive(Default)]
struct Seen {
    /// Messages accepted (`250` after the data), per `Message-ID`.
    accepted: HashMap<String, usize>,
    /// Messages whose data arrived, accepted or not, in order.
    data: Vec<String>,
}

struct SmtpServer {
    port: u16,
    seen: Arc<Mutex<Seen>>,
    /// How many more messages to drop after their data, without an answer.
    drop_next: Arc<AtomicUsize>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl SmtpServer {
    async fn start(drop_next: usize) -> SmtpServer {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let seen = Arc::new(Mutex::new(Seen::default()));
        let drop_next = Arc::new(AtomicUsize::new(drop_next));
        let (seen2, drop2) = (seen.clone(), drop_next.clone());
        let task = tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else { return };
                tokio::spawn(session(stream, seen2.clone(), drop2.clone()));
            }
        });
        SmtpServer { port, seen, drop_next, task }
    }

    fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    fn accepted(&self, message_id: &str) -> usize {
        self.seen.lock().unwrap().accepted.get(message_id).copied().unwrap_or(0)
    }

    fn data(&self) -> Vec<String> {
        self.seen.lock().unwrap().data.clone()
    }
}

/// One SMTP session.
async fn session(stream: tokio::net::TcpStream, seen: Arc<Mutex<Seen>>, drop_next: Arc<AtomicUsize>) {
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read).lines();
    if write.write_all(b"220 test.local ESMTP\r\n").await.is_err() {
        return;
    }
    while let Ok(Some(line)) = lines.next_line().await {
        let verb = line.split_whitespace().next().unwrap_or("").to_ascii_uppercase();
        let answer: &[u8] = match verb.as_str() {
            "EHLO" | "HELO" => b"250 test.local\r\n",
            "MAIL" => b"250 2.1.0 OK\r\n",
            // A mailbox that does not exist: refused for good.
            "RCPT" if line.contains("nobody@") => b"550 5.1.1 no such user\r\n",
            "RCPT" => b"250 2.1.5 OK\r\n",
            "RSET" | "NOOP" => b"250 OK\r\n",
            "QUIT" => {
                let _ = write.write_all(b"221 2.0.0 bye\r\n").await;
                return;
            }
            "DATA" => {
                if write.write_all(b"354 end with <CRLF>.<CRLF>\r\n").await.is_err() {
                    return;
                }
                let mut message_id = String::new();
                loop {
                    let Ok(Some(data)) = lines.next_line().await else { return };
                    if data == "." {
                        break;
                    }
                    if let Some((name, value)) = data.split_once(':')
                        && name.eq_ignore_ascii_case("message-id")
                    {
                        message_id = value.trim().to_owned();
                    }
                }
                seen.lock().unwrap().data.push(message_id.clone());
                let dropping = drop_next.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1)).is_ok();
                if dropping {
                    // Killed after the data, before the `250`: the client cannot know.
                    return;
                }
                *seen.lock().unwrap().accepted.entry(message_id).or_default() += 1;
                b"250 2.0.0 queued\r\n"
            }
            _ => b"502 5.5.2 not implemented\r\n",
        };
        if write.write_all(answer).await.is_err() {
            return;
        }
    }
}

/// A clock the test moves.
struct TestClock(Mutex<OffsetDateTime>);

impl TestClock {
    fn set(&self, now: OffsetDateTime) {
        *self.0.lock().unwrap() = now;
    }
}

impl Clock for TestClock {
    fn now(&self) -> OffsetDateTime {
        *self.0.lock().unwrap()
    }
}

fn config(server: &SmtpServer) -> MailerConfig {
    let mut config = MailerConfig::new(&server.url(), FROM).unwrap();
    config.smtp_timeout = StdDuration::from_secs(5);
    config.backoff = Backoff { base: Duration::seconds(30), max: Duration::minutes(10), max_attempts: 5 };
    config.poll_interval = StdDuration::from_millis(50);
    config
}

async fn notify(store: &Store, emails: &[&str]) -> Vec<Uuid> {
    let txn = store.begin().await.unwrap();
    let mut ids = Vec::new();
    for email in emails {
        let new = NewNotification {
            case_id: None,
            recipient_id: None,
            email: Some((*email).to_owned()),
            kind: NotificationKind::Received,
            subject: "政府信息公开申请已签收（游府信申〔2026〕17号）".into(),
            body: "您好：\n\n您的政府信息公开申请已于2026年10月9日签收。\n.\n..以点开头的行\n".into(),
        };
        ids.push(txn.insert_notification(new, T0).await.unwrap());
    }
    txn.commit().await.unwrap();
    ids
}

fn mid(id: Uuid) -> String {
    message_id(id, &FROM.parse().unwrap())
}

async fn killed_mid_send(url: String) {
    let store = Store::connect(&url).await.unwrap();
    let ids = notify(&store, &["wang@example.cn", "li@example.cn"]).await;
    let server = SmtpServer::start(1).await;
    let clock = Arc::new(TestClock(Mutex::new(T0)));
    let mailer = Mailer::new(store.clone(), config(&server), clock.clone()).unwrap();

    // The first message's connection dies after its data; the second goes through.
    let round = mailer.run_once().await.unwrap();
    assert_eq!(round, Round { claimed: 2, sent: 1, retrying: 1, gave_up: 0, left: 0 });
    assert_eq!((server.accepted(&mid(ids[0])), server.accepted(&mid(ids[1]))), (0, 1));
    let first = store.notification(ids[0]).await.unwrap();
    assert_eq!((first.delivery, first.attempts), (Delivery::Pending, 1));
    assert_eq!(first.next_attempt_at, T0 + Duration::seconds(30));
    assert_eq!(store.notification(ids[1]).await.unwrap().delivery, Delivery::Sent);

    // Not before the backoff; then retried with the same Message-ID, and accepted once.
    clock.set(T0 + Duration::seconds(29));
    assert_eq!(mailer.run_once().await.unwrap().claimed, 0);
    clock.set(T0 + Duration::seconds(30));
    assert_eq!(mailer.run_once().await.unwrap(), Round { claimed: 1, sent: 1, ..Round::default() });
    assert_eq!(server.data(), [mid(ids[0]), mid(ids[1]), mid(ids[0])], "the resend is the same message");
    for id in &ids {
        assert_eq!(server.accepted(&mid(*id)), 1, "each message accepted exactly once");
        let n = store.notification(*id).await.unwrap();
        assert_eq!(n.delivery, Delivery::Sent);
        assert_eq!(n.claimed_until, None);
    }
    clock.set(T0 + Duration::days(1));
    assert_eq!(mailer.run_once().await.unwrap().claimed, 0, "nothing sent twice");
    assert_eq!(server.drop_next.load(Ordering::SeqCst), 0);
}

async fn restart_after_a_crash(url: String) {
    let store = Store::connect(&url).await.unwrap();
    let ids = notify(&store, &["wang@example.cn"]).await;
    let server = SmtpServer::start(0).await;
    let config = config(&server);
    let lease = config.lease();
    // A sender claimed the row and crashed before sending it.
    assert_eq!(store.claim_notifications(T0, lease, 10).await.unwrap().len(), 1);

    // Restarted: nothing while the dead sender's lease runs, then the message goes out.
    let clock = Arc::new(TestClock(Mutex::new(T0 + Duration::minutes(1))));
    let mailer = Mailer::new(store.clone(), config, clock.clone()).unwrap();
    assert_eq!(mailer.run_once().await.unwrap().claimed, 0);
    assert_eq!(server.accepted(&mid(ids[0])), 0);
    clock.set(T0 + lease);
    assert_eq!(mailer.run_once().await.unwrap(), Round { claimed: 1, sent: 1, ..Round::default() });
    assert_eq!(server.accepted(&mid(ids[0])), 1);
    assert_eq!(store.notification(ids[0]).await.unwrap().delivery, Delivery::Sent);
}

async fn refused_and_background(url: String) {
    let store = Store::connect(&url).await.unwrap();
    let server = SmtpServer::start(0).await;
    // A refused recipient gives up at once; an unparsable address is never attempted.
    let ids = notify(&store, &["nobody@example.cn", "not an address"]).await;
    let clock = Arc::new(TestClock(Mutex::new(T0)));
    let mailer = Mailer::new(store.clone(), config(&server), clock).unwrap();
    assert_eq!(mailer.run_once().await.unwrap(), Round { claimed: 2, gave_up: 2, ..Round::default() });
    for id in &ids {
        let n = store.notification(*id).await.unwrap();
        assert_eq!((n.delivery, n.attempts), (Delivery::Failed, 1));
    }
    assert!(store.notification(ids[0]).await.unwrap().last_error.unwrap().contains("550"));
    assert!(server.data().is_empty());

    // The background loop sends what arrives, on the real clock.
    let running = BackgroundMailer::start(
        Mailer::new(store.clone(), config(&server), Arc::new(foi_domain::clock::SystemClock)).unwrap(),
    );
    let id = notify(&store, &["zhao@example.cn"]).await[0];
    let deadline = std::time::Instant::now() + StdDuration::from_secs(20);
    while store.notification(id).await.unwrap().delivery != Delivery::Sent {
        assert!(std::time::Instant::now() < deadline, "not sent within 20 s");
        tokio::time::sleep(StdDuration::from_millis(50)).await;
    }
    running.stop(StdDuration::from_secs(5)).await;
    assert_eq!(server.accepted(&mid(id)), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_mid_send_is_retried_and_delivered_once() {
    on_each_backend(killed_mid_send).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crashed_senders_lease_runs_out_and_the_message_goes() {
    on_each_backend(restart_after_a_crash).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refusals_give_up_and_the_loop_sends_on_its_own() {
    on_each_backend(refused_and_background).await;
}

/// Runs `test` on a fresh SQLite file, then on a fresh PostgreSQL database if configured.
async fn on_each_backend<F, Fut>(test: F)
where
    F: Fn(String) -> Fut,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let Some(db) = TestDatabase::create(backend).await else { continue };
        let outcome = tokio::spawn(test(db.url().to_owned())).await;
        drop(db);
        if let Err(e) = outcome {
            std::panic::resume_unwind(e.into_panic());
        }
    }
}
