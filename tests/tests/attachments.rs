//! Attachments over HTTP, on SQLite and PostgreSQL: a PDF uploaded by the clerk and
//! downloaded back byte for byte by the clerk and by the applicant; the size limit checked
//! while streaming (413, nothing kept); types checked by their bytes against the declared
//! `Content-Type` (415); and access: no token 401, another district's clerk 404, the
//! applicant may not upload, an archived case takes no more files.

use std::path::{Path, PathBuf};

use foi_e2e::{Backend, PASSWORD, TestApp, data};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

const PDF: &[u8] = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";
/// 答复书 2026.pdf, percent-encoded for `X-File-Name`.
const FILE_NAME: &str = "%E7%AD%94%E5%A4%8D%E4%B9%A6%202026.pdf";

/// Two districts, a clerk in each, and two applicants; one received case of 张三's.
struct Fixture {
    app: TestApp,
    case_id: String,
}

impl Fixture {
    async fn new(app: TestApp) -> Fixture {
        app.create_agency("youxian", "绵阳市游仙区人民政府", None).await;
        app.create_agency("fucheng", "绵阳市涪城区人民政府", None).await;
        app.create_staff("clerk", "youxian", &["clerk"], PASSWORD).await;
        app.create_staff("other", "fucheng", &["clerk"], PASSWORD).await;
        register(&app, "zhangsan", "11010519491231002X").await;
        register(&app, "lisi", "110105194912310038").await;
        let submitted = app
            .graphql(
                "mutation($i: SubmitApplicationInput!) { submitApplication(input: $i) { id } }",
                json!({"i": {"agencyCode": "youxian", "subject": "仙人路改造工程招标文件",
                    "formWanted": "ELECTRONIC_COPY", "deliveryMethod": "ONLINE_DOWNLOAD"}}),
                Some(&app.sign_in("zhangsan").await),
            )
            .await;
        let case_id = data(&submitted)["submitApplication"]["id"].as_str().unwrap().to_owned();
        let received = app
            .graphql(
                "mutation($i: CaseChangeInput!) { receiveApplication(input: $i) { version } }",
                json!({"i": {"caseId": case_id, "version": 1}}),
                Some(&app.sign_in("clerk").await),
            )
            .await;
        assert_eq!(data(&received)["receiveApplication"]["version"], 2);
        Fixture { app, case_id }
    }

    /// POSTs `bytes` as an attachment of the case.
    async fn upload(&self, login: Option<&str>, content_type: Option<&str>, bytes: &'static [u8]) -> (u16, Value) {
        self.upload_for(login, content_type, None, bytes).await
    }

    /// POSTs `bytes` as an attachment of the case with the purpose header `purpose`.
    async fn upload_for(
        &self,
        login: Option<&str>,
        content_type: Option<&str>,
        purpose: Option<&str>,
        bytes: &'static [u8],
    ) -> (u16, Value) {
        let mut request = self
            .app
            .client()
            .post(self.app.url(&format!("/cases/{}/attachments", self.case_id)))
            .header("X-File-Name", FILE_NAME)
            .body(bytes);
        if let Some(content_type) = content_type {
            request = request.header("Content-Type", content_type);
        }
        if let Some(purpose) = purpose {
            request = request.header("X-Attachment-Purpose", purpose);
        }
        if let Some(login) = login {
            request = request.bearer_auth(self.app.sign_in(login).await);
        }
        let response = request.send().await.expect("POST attachment");
        let status = response.status().as_u16();
        let text = response.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}")))
    }

    async fn download(&self, login: Option<&str>, path: &str) -> reqwest::Response {
        let mut request = self.app.client().get(self.app.url(path));
        if let Some(login) = login {
            request = request.bearer_auth(self.app.sign_in(login).await);
        }
        request.send().await.expect("GET attachment")
    }

    /// The case's attachments, version and history codes, as the clerk sees them.
    async fn case(&self) -> Value {
        let response = self
            .app
            .graphql(
                "query($id: ID!) { case(id: $id) { version
                    attachments { id fileName contentType sizeBytes sha256 uploadedAt uploadedBy downloadUrl }
                    history { code label actor details } } }",
                json!({"id": self.case_id}),
                Some(&self.app.sign_in("clerk").await),
            )
            .await;
        data(&response)["case"].clone()
    }
}

async fn register(app: &TestApp, login: &str, id_number: &str) {
    let response = app
        .graphql(
            "mutation($i: RegisterApplicantInput!) { registerApplicant(input: $i) { login message } }",
            json!({"i": {"login": login, "password": PASSWORD, "name": login, "kind": "NATURAL_PERSON",
                "idNumber": id_number}}),
            None,
        )
        .await;
    data(&response);
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// Every file below `dir`.
fn files_below(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut dirs = vec![dir.to_owned()];
    while let Some(d) = dirs.pop() {
        for entry in std::fs::read_dir(d).into_iter().flatten().flatten() {
            if entry.path().is_dir() {
                dirs.push(entry.path());
            } else {
                out.push(entry.path());
            }
        }
    }
    out
}

foi_e2e::on_both_backends! {
    /// The clerk uploads a PDF; it is listed on the case with an audit event, and the clerk
    /// and the applicant download it back byte for byte.
    async fn a_pdf_round_trips(app: TestApp) {
        let f = Fixture::new(app).await;
        let (status, uploaded) = f.upload(Some("clerk"), Some("application/pdf"), PDF).await;
        assert_eq!(status, 201, "{uploaded}");
        let sha = sha256_hex(PDF);
        assert_eq!(uploaded["fileName"], "答复书 2026.pdf");
        assert_eq!(uploaded["contentType"], "application/pdf");
        assert_eq!(uploaded["sizeBytes"], PDF.len());
        assert_eq!(uploaded["sha256"], sha.as_str());
        let id = uploaded["id"].as_str().unwrap();
        let stored = f.app.attachments.local_path(&sha).unwrap();
        assert_eq!(std::fs::read(&stored).unwrap(), PDF, "stored under its SHA-256");

        let case = f.case().await;
        assert_eq!(case["version"], 3, "the upload is a change of the case");
        let listed = &case["attachments"][0];
        assert_eq!(listed["id"], id);
        assert_eq!(listed["downloadUrl"], format!("/attachments/{id}"));
        assert_eq!(listed["sha256"], sha.as_str());
        assert_eq!(listed["uploadedBy"], "clerk (clerk)");
        let event = case["history"].as_array().unwrap().last().unwrap().clone();
        assert_eq!((event["code"].as_str(), event["label"].as_str()), (Some("ATTACHMENT_ADDED"), Some("上传附件")));
        let details: Value = serde_json::from_str(event["details"].as_str().unwrap()).unwrap();
        assert_eq!(
            details,
            json!({"attachment_id": id, "file_name": "答复书 2026.pdf", "size": PDF.len(), "sha256": sha, "purpose": "DISCLOSURE"})
        );
        assert_eq!(uploaded["purpose"], "DISCLOSURE", "a staff upload is disclosed unless it says otherwise");

        for login in ["clerk", "zhangsan"] {
            let response = f.download(Some(login), &format!("/attachments/{id}")).await;
            assert_eq!(response.status(), 200, "{login}");
            let headers = response.headers().clone();
            assert_eq!(headers["content-type"], "application/pdf");
            assert_eq!(
                headers["content-disposition"],
                format!("attachment; filename=\"___ 2026.pdf\"; filename*=UTF-8''{FILE_NAME}")
            );
            assert_eq!(headers["cache-control"], "private, no-store");
            let body = response.bytes().await.unwrap();
            assert_eq!(&body[..], PDF, "{login} gets the very bytes");
            assert_eq!(sha256_hex(&body), sha);
        }
    }

    /// Who may do what: no token 401; another district's clerk 404 both ways; another
    /// applicant 404; unknown ids 404. The applicant uploads a proof of identity (Reg. 29),
    /// not a disclosure (403); the office's working files are hidden from the applicant.
    async fn access_follows_the_case(app: TestApp) {
        let f = Fixture::new(app).await;
        let (_, uploaded) = f.upload(Some("clerk"), Some("application/pdf"), PDF).await;
        let path = format!("/attachments/{}", uploaded["id"].as_str().unwrap());

        let response = f.download(None, &path).await;
        assert_eq!(response.status(), 401);
        assert_eq!(response.headers()["www-authenticate"], "Bearer");
        assert_eq!(response.json::<Value>().await.unwrap()["code"], "UNAUTHENTICATED");
        for login in ["other", "lisi"] {
            let response = f.download(Some(login), &path).await;
            assert_eq!(response.status(), 404, "{login}");
            assert_eq!(response.json::<Value>().await.unwrap()["code"], "NOT_FOUND");
        }
        for missing in ["/attachments/not-an-id", "/attachments/5a0f1c2e-0000-4000-8000-000000000000"] {
            assert_eq!(f.download(Some("clerk"), missing).await.status(), 404, "{missing}");
        }

        let (status, body) = f.upload(None, Some("application/pdf"), PDF).await;
        assert_eq!((status, body["code"].as_str()), (401, Some("UNAUTHENTICATED")));
        let (status, body) = f.upload(Some("other"), Some("application/pdf"), PDF).await;
        assert_eq!((status, body["code"].as_str()), (404, Some("NOT_FOUND")), "another district's clerk");
        let (status, body) = f.upload_for(Some("zhangsan"), Some("application/pdf"), Some("DISCLOSURE"), PDF).await;
        assert_eq!((status, body["code"].as_str()), (403, Some("FORBIDDEN")), "the applicant discloses nothing");
        let (status, body) = f.upload_for(Some("clerk"), Some("application/pdf"), Some("MEMO"), PDF).await;
        assert_eq!((status, body["field"].as_str()), (400, Some("X-Attachment-Purpose")), "{body}");
        assert_eq!(f.case().await["attachments"].as_array().unwrap().len(), 1, "only the clerk's upload");

        // The applicant's proof of identity (the default of an applicant's upload).
        let (status, proof) = f.upload(Some("zhangsan"), Some("image/png"), PNG).await;
        assert_eq!((status, proof["purpose"].as_str()), (201, Some("IDENTITY_PROOF")), "{proof}");
        let proof_path = format!("/attachments/{}", proof["id"].as_str().unwrap());
        assert_eq!(f.download(Some("clerk"), &proof_path).await.status(), 200);
        assert_eq!(f.download(Some("lisi"), &proof_path).await.status(), 404);
        // A working file of the office: not for the applicant, listed or downloaded.
        let (status, memo) = f.upload_for(Some("clerk"), Some("application/pdf"), Some("internal"), PDF).await;
        assert_eq!((status, memo["purpose"].as_str()), (201, Some("INTERNAL")), "{memo}");
        let memo_path = format!("/attachments/{}", memo["id"].as_str().unwrap());
        assert_eq!(f.download(Some("zhangsan"), &memo_path).await.status(), 404);
        assert_eq!(f.download(Some("clerk"), &memo_path).await.status(), 200);
        let listed = f
            .app
            .graphql(
                "query($id: ID!) { case(id: $id) { attachments { purpose } } }",
                json!({"id": f.case_id}),
                Some(&f.app.sign_in("zhangsan").await),
            )
            .await;
        // Uploaded at the same instant of the test clock: their order is the ids'.
        let mut purposes: Vec<String> = data(&listed)["case"]["attachments"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["purpose"].as_str().unwrap().to_owned())
            .collect();
        purposes.sort();
        assert_eq!(purposes, ["DISCLOSURE", "IDENTITY_PROOF"]);
        assert_eq!(f.case().await["attachments"].as_array().unwrap().len(), 3, "the clerk sees all three");

        // Once the application is concluded, the applicant adds nothing.
        let withdrawn = f
            .app
            .graphql(
                "mutation($i: CaseChangeInput!) { withdrawApplication(input: $i) { version } }",
                json!({"i": {"caseId": f.case_id, "version": f.case().await["version"]}}),
                Some(&f.app.sign_in("zhangsan").await),
            )
            .await;
        data(&withdrawn);
        let (status, body) = f.upload_for(Some("zhangsan"), Some("application/pdf"), Some("CORRECTION"), PDF).await;
        assert_eq!((status, body["code"].as_str()), (409, Some("RULE_VIOLATION")), "{body}");
    }

    /// The declared type must be allowed and agree with the bytes; refused uploads leave
    /// no row and no file.
    async fn types_are_checked_by_their_bytes(app: TestApp) {
        let f = Fixture::new(app).await;
        let (status, body) = f.upload(Some("clerk"), Some("application/pdf"), PNG).await;
        assert_eq!((status, body["code"].as_str()), (415, Some("UNSUPPORTED_MEDIA_TYPE")), "{body}");
        let message = body["message"].as_str().unwrap();
        assert!(message.contains("application/pdf") && message.contains("image/png"), "names both: {message}");

        let (status, body) = f.upload(Some("clerk"), Some("image/png"), b"GIF89a\x01\x00\x01\x00\x80\x00\x00").await;
        assert_eq!((status, body["code"].as_str()), (415, Some("UNSUPPORTED_MEDIA_TYPE")), "unknown content: {body}");
        let (status, body) = f.upload(Some("clerk"), Some("application/zip"), b"PK\x03\x04").await;
        assert_eq!((status, body["code"].as_str()), (415, Some("UNSUPPORTED_MEDIA_TYPE")), "unknown type: {body}");
        assert!(body["message"].as_str().unwrap().contains("application/pdf, image/png"), "lists the allowed: {body}");
        let (status, body) = f.upload(Some("clerk"), None, PDF).await;
        assert_eq!((status, body["code"].as_str()), (415, Some("UNSUPPORTED_MEDIA_TYPE")), "no type: {body}");
        let (status, body) = f.upload(Some("clerk"), Some("application/pdf"), b"").await;
        assert_eq!((status, body["code"].as_str()), (400, Some("VALIDATION")), "empty: {body}");
        let (status, body) = f.upload(Some("clerk"), Some("text/plain; charset=gbk"), "答复".as_bytes()).await;
        assert_eq!((status, body["code"].as_str()), (415, Some("UNSUPPORTED_MEDIA_TYPE")), "not UTF-8: {body}");

        let case = f.case().await;
        assert_eq!(case["attachments"], json!([]));
        assert_eq!(case["version"], 2);
        assert!(files_below(f.app.attachments.staging_dir()).is_empty());

        let (status, body) = f.upload(Some("clerk"), Some("text/plain; charset=utf-8"), "答复：已公开。\n".as_bytes()).await;
        assert_eq!(status, 201, "{body}");
        assert_eq!(body["contentType"], "text/plain; charset=utf-8");
        let (status, body) = f.upload(Some("clerk"), Some("image/png"), PNG).await;
        assert_eq!((status, body["contentType"].as_str()), (201, Some("image/png")), "{body}");
    }

    /// An archived case is kept unchanged: no more attachments.
    async fn an_archived_case_takes_no_attachments(app: TestApp) {
        let f = Fixture::new(app).await;
        let applicant = f.app.sign_in("zhangsan").await;
        let withdrawn = f.app.graphql(
            "mutation($i: CaseChangeInput!) { withdrawApplication(input: $i) { version } }",
            json!({"i": {"caseId": f.case_id, "version": 2}}),
            Some(&applicant),
        ).await;
        data(&withdrawn);
        let archived = f.app.graphql(
            "mutation($i: CaseChangeInput!) { archiveCase(input: $i) { stage } }",
            json!({"i": {"caseId": f.case_id, "version": 3}}),
            Some(&f.app.sign_in("clerk").await),
        ).await;
        assert_eq!(data(&archived)["archiveCase"]["stage"], "ARCHIVED");
        let (status, body) = f.upload(Some("clerk"), Some("application/pdf"), PDF).await;
        assert_eq!((status, body["code"].as_str()), (409, Some("RULE_VIOLATION")), "{body}");
    }
}

/// Sends `chunks` as a chunked upload (no `Content-Length`, so the limit can only be
/// checked while streaming) and returns the status line and body of the answer.
async fn chunked_upload(f: &Fixture, token: &str, chunks: &[&[u8]]) -> (String, Value) {
    let address = f.app.address.trim_start_matches("http://").to_owned();
    let mut stream = tokio::net::TcpStream::connect(&address).await.unwrap();
    let head = format!(
        "POST /cases/{}/attachments HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/pdf\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n",
        f.case_id
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    for chunk in chunks {
        stream.write_all(format!("{:x}\r\n", chunk.len()).as_bytes()).await.unwrap();
        stream.write_all(chunk).await.unwrap();
        stream.write_all(b"\r\n").await.unwrap();
    }
    stream.write_all(b"0\r\n\r\n").await.unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await.unwrap();
    let answer = String::from_utf8_lossy(&answer).into_owned();
    let status = answer.lines().next().unwrap_or_default().to_owned();
    let body = answer.split_once("\r\n\r\n").map(|(_, b)| b).unwrap_or_default();
    // The JSON body may itself be chunked: take the object between its outer braces.
    let json = body.find('{').zip(body.rfind('}')).map_or("null", |(a, b)| &body[a..=b]);
    (status, serde_json::from_str(json).unwrap_or_else(|e| panic!("not JSON ({e}): {answer}")))
}

/// A file over the (lowered) limit is refused with 413, whether it says its length up front
/// or not, and leaves no row and no file, not even a temporary one.
async fn oversize_uploads_leave_nothing(backend: Backend) {
    let Some(app) = TestApp::spawn_with_attachment_limit(backend, 128).await else { return };
    let f = Fixture::new(app).await;
    let big: &'static [u8] = Box::leak([PDF, &[b' '; 200][..]].concat().into_boxed_slice());
    let (status, body) = f.upload(Some("clerk"), Some("application/pdf"), big).await;
    assert_eq!((status, body["code"].as_str()), (413, Some("PAYLOAD_TOO_LARGE")), "{body}");

    let token = f.app.sign_in("clerk").await;
    let (status, body) = chunked_upload(&f, &token, &[&big[..40], &big[40..100], &big[100..]]).await;
    assert!(status.starts_with("HTTP/1.1 413"), "{status}");
    assert_eq!(body["code"], "PAYLOAD_TOO_LARGE");

    let case = f.case().await;
    assert_eq!(case["attachments"], json!([]), "no row");
    assert_eq!(case["version"], 2, "no event");
    assert!(!f.app.attachments.local_path(&sha256_hex(big)).unwrap().exists(), "no final file");
    assert!(files_below(f.app.attachments.staging_dir()).is_empty(), "no temporary file");

    // Within the limit, streamed the same way, it is taken.
    let (status, body) = chunked_upload(&f, &token, &[&PDF[..10], &PDF[10..]]).await;
    assert!(status.starts_with("HTTP/1.1 201"), "{status} {body}");
    assert_eq!(body["sha256"], sha256_hex(PDF));
}

mod oversize_uploads_leave_nothing {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        super::oversize_uploads_leave_nothing(foi_e2e::Backend::Sqlite).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        super::oversize_uploads_leave_nothing(foi_e2e::Backend::Postgres).await;
    }
}
