//! Helpers shared by the tests that run the real `foi` binary as an operator does: set up an
//! agency and a clerk with `foi admin`, start `foi serve` on a free port and wait for it,
//! sign in, send GraphQL, write cases from several tasks while recording which writes were
//! acknowledged, stop the server with SIGTERM or SIGKILL, and check what the database holds.

#![allow(dead_code)] // Each test file uses its own part of these helpers.

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use foi_store::{Store, Uuid};
use serde_json::{Value, json};

/// The password of the clerk [`setup`] creates.
pub const PASSWORD: &str = "a long test password";
/// The clerk's login.
pub const CLERK: &str = "clerk";

/// A `foi` command with the environment a test controls: no database, interval or mail
/// settings inherited from the shell, and `dir` as its working directory.
pub fn foi_command(args: &[&str], dir: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_foi"));
    command
        .args(args)
        .current_dir(dir)
        .env_remove("FOI_DATABASE_URL")
        .env_remove("FOI_SWEEP_INTERVAL")
        .env_remove("FOI_SMTP_URL")
        .env_remove("FOI_ATTACHMENTS_DIR")
        .env_remove("FOI_ATTACHMENTS_URL")
        .stdin(Stdio::null());
    command
}

/// Runs `foi ARGS` to completion.
pub fn foi(args: &[&str], dir: &Path) -> Output {
    foi_command(args, dir).output().expect("the foi binary runs")
}

/// Runs `foi ARGS`, asserts it succeeded, and returns its standard output.
pub fn foi_ok(args: &[&str], dir: &Path) -> String {
    let out = foi(args, dir);
    assert!(
        out.status.success(),
        "foi {args:?} failed ({}): {}{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8 output")
}

/// Runs `foi ARGS`, asserts it exited with status 2 (bad input), and returns its standard
/// error.
pub fn foi_refuses(args: &[&str], dir: &Path) -> String {
    let out = foi(args, dir);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(2), "foi {args:?} should exit 2: {stderr}");
    stderr
}

/// Creates the agency `youxian` and the clerk [`CLERK`] with `foi admin` (which also
/// creates and migrates the database).
pub fn setup(url: &str, dir: &Path) {
    foi_ok(
        &[
            "admin",
            "--database-url",
            url,
            "create-agency",
            "--code",
            "youxian",
            "--name",
            "游仙区人民政府",
            "--case-prefix",
            "游府信申",
            "--reconsideration-body",
            "绵阳市人民政府",
        ],
        dir,
    );
    let mut child = foi_command(
        &[
            "admin",
            "--database-url",
            url,
            "create-staff",
            "--login",
            CLERK,
            "--name",
            "李明",
            "--agency",
            "youxian",
            "--role",
            "clerk",
            "--password-stdin",
        ],
        dir,
    )
    .stdin(Stdio::piped())
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .spawn()
    .expect("foi admin runs");
    child.stdin.take().unwrap().write_all(format!("{PASSWORD}\n").as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "create-staff failed: {}", String::from_utf8_lossy(&out.stderr));
}

/// A running `foi serve`, killed if the test fails before stopping it.
pub struct Server {
    child: Option<Child>,
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    client: reqwest::Client,
    log: Arc<Mutex<String>>,
}

impl Server {
    /// Starts `foi serve` on a port the system picks (`--listen 127.0.0.1:0`, read back from
    /// the line it prints), without the background sweep, and waits until `/healthz`
    /// answers.
    pub async fn start(url: &str, dir: &Path) -> Server {
        let mut child =
            foi_command(&["serve", "--listen", "127.0.0.1:0", "--sweep-interval", "0", "--database-url", url], dir)
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("foi serve starts");
        // Both pipes are drained for the whole life of the server: a full pipe would block
        // its logging, and so its requests.
        let log = Arc::new(Mutex::new(String::new()));
        let mut stderr = child.stderr.take().unwrap();
        let sink = Arc::clone(&log);
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            while let Ok(n) = stderr.read(&mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock().unwrap().push_str(&String::from_utf8_lossy(&buf[..n]));
            }
        });
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut tx = Some(tx);
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(rest) = line.strip_prefix("foi listening on http://")
                    && let Some(tx) = tx.take()
                {
                    let address = rest.split('/').next().unwrap_or_default().to_owned();
                    tx.send(address).ok();
                }
            }
        });
        let mut server = Server { child: Some(child), base: String::new(), client: reqwest::Client::new(), log };
        // Off the async threads, so that several servers can start at once.
        let waited = tokio::task::spawn_blocking(move || rx.recv_timeout(Duration::from_secs(30))).await.unwrap();
        let address = match waited {
            Ok(address) => address,
            Err(_) => panic!("foi serve did not say where it listens within 30 s: {}", server.log()),
        };
        server.base = format!("http://{address}");
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Ok(response) = server.client.get(format!("{}/healthz", server.base)).send().await
                && response.status() == 200
            {
                break;
            }
            assert!(Instant::now() < deadline, "/healthz did not answer within 30 s: {}", server.log());
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        server
    }

    /// What the server wrote to standard error so far.
    pub fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }

    /// `GET path`: the status and the body, or the transport error.
    pub async fn get(&self, path: &str) -> Result<(u16, String), String> {
        let response = self.client.get(format!("{}{path}", self.base)).send().await.map_err(|e| e.to_string())?;
        let status = response.status().as_u16();
        Ok((status, response.text().await.map_err(|e| e.to_string())?))
    }

    /// Sends one GraphQL operation. `Err` when no complete HTTP answer came back (the
    /// server died): the write may or may not have committed, and the test must not count
    /// it as acknowledged.
    pub async fn graphql(&self, query: &str, variables: Value, token: Option<&str>) -> Result<Value, String> {
        let mut request =
            self.client.post(format!("{}/graphql", self.base)).json(&json!({"query": query, "variables": variables}));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.map_err(|e| e.to_string())?;
        let status = response.status();
        let text = response.text().await.map_err(|e| e.to_string())?;
        assert_eq!(status, 200, "POST /graphql answered {status}: {text}");
        serde_json::from_str(&text).map_err(|e| format!("not JSON ({e}): {text}"))
    }

    /// Signs the clerk in; the bearer token.
    pub async fn sign_in(&self) -> String {
        let response = self
            .graphql(
                "mutation($i: SignInInput!) { signIn(input: $i) { token } }",
                json!({"i": {"login": CLERK, "password": PASSWORD}}),
                None,
            )
            .await
            .expect("the server answers");
        response["data"]["signIn"]["token"].as_str().unwrap_or_else(|| panic!("sign-in refused: {response}")).to_owned()
    }

    /// SIGTERM, as systemd, docker and Kubernetes stop it; its exit status and its log.
    pub fn stop(mut self) -> (ExitStatus, String) {
        let mut child = self.child.take().expect("running");
        let sent = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
        assert!(sent.success());
        let status = child.wait().unwrap();
        (status, self.log())
    }

    /// SIGKILL: no shutdown, no flush, no checkpoint. Takes `&self` so that it can be sent
    /// while writer tasks still hold the server; the process is reaped when it is dropped.
    pub fn sigkill(&self) {
        let pid = self.child.as_ref().expect("running").id();
        let sent = Command::new("kill").args(["-KILL", &pid.to_string()]).status().unwrap();
        assert!(sent.success(), "kill -KILL {pid}");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(child) = self.child.as_mut() {
            child.kill().ok();
            child.wait().ok();
        }
    }
}

/// One write the server acknowledged: an application recorded (and, if asked, the case
/// registered under a number), and when the answer came.
#[derive(Clone, Debug)]
pub struct Ack {
    pub case_id: Uuid,
    /// The version the server said the case reached.
    pub version: i64,
    /// The number the registration answered with.
    pub case_number: Option<String>,
    pub at: Instant,
}

/// Records applications (and registers each when `register`) until `stop` is set or the
/// server stops answering, pushing every acknowledged write to `acks`.
pub async fn write_until(
    server: Arc<Server>,
    token: String,
    register: bool,
    stop: Arc<AtomicBool>,
    acks: Arc<Mutex<Vec<Ack>>>,
) {
    const RECORD: &str = "mutation($i: RecordApplicationInput!) { recordApplication(input: $i) { id version } }";
    const REGISTER: &str = "mutation($i: CaseChangeInput!) { registerCase(input: $i) { id version caseNumber } }";
    while !stop.load(Ordering::SeqCst) {
        let input = json!({"i": {
            "channel": "IN_PERSON", "applicantName": "张三", "applicantKind": "NATURAL_PERSON",
            "subject": "2026年区级部门预算", "formWanted": "PAPER", "deliveryMethod": "POST",
        }});
        let Ok(response) = server.graphql(RECORD, input, Some(&token)).await else { return };
        let case = &response["data"]["recordApplication"];
        let case_id: Uuid = case["id"].as_str().unwrap_or_else(|| panic!("refused: {response}")).parse().unwrap();
        let version = case["version"].as_i64().unwrap();
        acks.lock().unwrap().push(Ack { case_id, version, case_number: None, at: Instant::now() });
        if !register {
            continue;
        }
        let input = json!({"i": {"caseId": case_id.to_string(), "version": version}});
        let Ok(response) = server.graphql(REGISTER, input, Some(&token)).await else { return };
        let case = &response["data"]["registerCase"];
        let number = case["caseNumber"].as_str().unwrap_or_else(|| panic!("refused: {response}")).to_owned();
        let version = case["version"].as_i64().unwrap();
        acks.lock().unwrap().push(Ack { case_id, version, case_number: Some(number), at: Instant::now() });
    }
}

/// Asserts that the database holds every acknowledged write (each case at least at the
/// version acknowledged, with the number acknowledged), that every case's event log is
/// complete (events 1..=version, a receipt first, a registration for each numbered case),
/// and that the case numbers are 1, 2, 3, … without a gap. Returns how many cases there are.
pub async fn assert_holds(store: &Store, acks: &[Ack]) -> usize {
    for ack in acks {
        let case = store
            .load_case(ack.case_id)
            .await
            .unwrap_or_else(|e| panic!("acknowledged case {} is missing: {e}", ack.case_id));
        assert!(
            case.version >= ack.version,
            "case {} at version {} < acknowledged {}",
            case.id,
            case.version,
            ack.version
        );
        if let Some(number) = &ack.case_number {
            assert_eq!(case.case_number.as_ref(), Some(number), "case {}", case.id);
        }
    }
    let cases = foi_store::testing::all_cases(store).await;
    let mut numbers = Vec::new();
    for case in &cases {
        let events = store.case_events(case.id).await.unwrap();
        let seqs: Vec<i64> = events.iter().map(|e| e.seq).collect();
        assert_eq!(
            seqs,
            (1..=case.version).collect::<Vec<_>>(),
            "case {} at version {}: events {seqs:?}",
            case.id,
            case.version
        );
        assert_eq!(events[0].kind, "RECEIVED", "case {}", case.id);
        let registered = events.iter().any(|e| e.kind == "REGISTERED");
        assert_eq!(
            registered,
            case.case_number.is_some(),
            "case {}: number {:?}, events {events:?}",
            case.id,
            case.case_number
        );
        if let Some(number) = &case.case_number {
            numbers.push(sequence_of(number));
        }
    }
    numbers.sort_unstable();
    assert_eq!(numbers, (1..=numbers.len() as u64).collect::<Vec<_>>(), "case numbers with a gap or a repeat");
    cases.len()
}

/// 17 from `游府信申〔2026〕17号`.
fn sequence_of(number: &str) -> u64 {
    let after = number.rsplit_once('〕').map_or(number, |(_, rest)| rest);
    after.trim_end_matches('号').parse().unwrap_or_else(|_| panic!("not a case number: {number}"))
}
