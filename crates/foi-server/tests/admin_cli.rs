//! `foi admin`: a taken login or agency code is `ALREADY_EXISTS` (exit status 3), told apart
//! from bad input (exit status 2), so that a provisioning script can tell "already there"
//! from a mistake (issue 10, item 9).

mod common;

use common::{CLERK, foi, setup};
use foi_store::testing::TestDatabase;

#[test]
fn a_taken_login_or_agency_code_is_already_exists_with_status_3() {
    let db = TestDatabase::sqlite();
    let dir = db.dir().to_owned();
    setup(db.url(), &dir);
    let agency = foi(
        &[
            "admin",
            "--database-url",
            db.url(),
            "create-agency",
            "--code",
            "youxian",
            "--name",
            "游仙区人民政府",
            "--reconsideration-body",
            "绵阳市人民政府",
        ],
        &dir,
    );
    let stderr = String::from_utf8_lossy(&agency.stderr);
    assert_eq!(agency.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("ALREADY_EXISTS") && stderr.contains("\"youxian\" already exists"), "{stderr}");

    let staff = |login: &str| {
        foi(
            &[
                "admin",
                "--database-url",
                db.url(),
                "create-staff",
                "--login",
                login,
                "--name",
                "王芳",
                "--agency",
                "youxian",
                "--role",
                "clerk",
                "--password",
                "another long test password",
            ],
            &dir,
        )
    };
    let taken = staff(CLERK);
    let stderr = String::from_utf8_lossy(&taken.stderr);
    assert_eq!(taken.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("ALREADY_EXISTS") && stderr.contains("is already taken"), "{stderr}");
    // Bad input stays status 2: a login with a space.
    assert_eq!(staff("two words").status.code(), Some(2));
}
