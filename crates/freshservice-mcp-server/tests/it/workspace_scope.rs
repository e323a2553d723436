//! `stdio --workspace 3` against the sandbox with workspaces IT (2), HR (3) and Facilities (4):
//! by-id tools cannot read, change or delete records of other workspaces, and the sandbox's
//! state proves nothing changed; the same calls on records of workspace 3 work.

use freshservice_sandbox::Collection;
use std::sync::Arc;
use std::time::Duration;

use freshservice_sandbox::{Sandbox, WorkspaceMode};
use serde_json::{Value, json};

use crate::harness::StdioServer;

const LIMIT: Duration = Duration::from_secs(30);
/// Text of the records of other workspaces, which no answer may carry.
const SECRET: &str = "Badge reader at the loading dock";

fn refused(response: &Value) -> String {
    let result = &response["result"];
    assert_eq!(result["isError"], true, "expected a refusal: {response}");
    assert!(result.get("structuredContent").is_none(), "{response}");
    assert!(!response.to_string().contains(SECRET), "leaked: {response}");
    result["content"][0]["text"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

fn worked(response: &Value) -> &Value {
    assert!(
        response.get("result").is_some() && response["result"]["isError"] != true,
        "{response}"
    );
    &response["result"]["structuredContent"]
}

fn notes_of(sandbox: &Sandbox, ticket: i64) -> usize {
    sandbox
        .records(Collection::Conversations)
        .iter()
        .filter(|note| note["ticket_id"] == ticket)
        .count()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_server_scoped_to_one_workspace_cannot_touch_records_of_others_by_id() {
    let sandbox = Sandbox::builder()
        .workspaces(WorkspaceMode::MultiWorkspace)
        .start()
        .await;
    // A Facilities ticket (workspace 4) and an HR ticket (workspace 3).
    let facilities = sandbox
        .insert(
            Collection::Tickets,
            json!({"subject": SECRET, "description": format!("<div>{SECRET}</div>"), "status": 2, "priority": 2,
                   "source": 2, "requester_id": 102, "workspace_id": 4}),
        )
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let hr = sandbox
        .insert(
            Collection::Tickets,
            json!({"subject": "Parental leave question", "description": "<div>How many weeks?</div>", "status": 2,
                   "priority": 2, "source": 2, "requester_id": 102, "workspace_id": 3}),
        )
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    // Changes live in IT workspaces: change 1 of the story is in workspace 2. The one in
    // workspace 3 is stored directly (bypassing the sandbox's IT-only rule) so the scope's own
    // check can be seen letting a change of its workspace through.
    let it_change = 1;
    assert_eq!(
        sandbox.get(Collection::Changes, it_change).unwrap()["workspace_id"],
        2
    );
    let hr_change = sandbox
        .insert(
            Collection::Changes,
            json!({"subject": "Move HR portal", "description": "<div>Move it</div>", "change_type": 1, "status": 1,
                   "priority": 1, "impact": 1, "risk": 1, "requester_id": 4, "workspace_id": 3}),
        )
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let before_ticket = sandbox.get(Collection::Tickets, facilities).unwrap();
    let before_change = sandbox.get(Collection::Changes, it_change).unwrap();
    let notes_before = notes_of(&sandbox, facilities);

    let sandbox = Arc::new(sandbox);
    let (uri, key) = (sandbox.uri(), sandbox.api_key().to_owned());
    let state = Arc::clone(&sandbox);
    tokio::task::spawn_blocking(move || {
        let sandbox = state;
        let mut stdio = StdioServer::start(&uri, &key, &["--workspace", "3"]);
        for (name, arguments) in [
            (
                "get_single_freshservice_ticket_by_id",
                json!({"ticket_id": facilities, "include": "conversations"}),
            ),
            (
                "update_a_freshservice_ticket_by_id",
                json!({"ticket_id": facilities, "priority": 4}),
            ),
            (
                "create_a_freshservice_ticket_note",
                json!({"ticket_id": facilities, "body": "<div>Seen</div>"}),
            ),
            (
                "list_all_freshservice_ticket_conversations",
                json!({"ticket_id": facilities}),
            ),
            (
                "delete_a_freshservice_ticket_by_id",
                json!({"ticket_id": facilities}),
            ),
            (
                "get_single_freshservice_change_by_id",
                json!({"change_id": it_change}),
            ),
            (
                "update_a_freshservice_change_by_id",
                json!({"change_id": it_change, "priority": 1}),
            ),
            (
                "delete_a_freshservice_change_by_id",
                json!({"change_id": it_change}),
            ),
        ] {
            let text = refused(&stdio.call(name, arguments, LIMIT));
            assert!(
                text.contains("only in workspace 3") && text.contains("is in workspace"),
                "{name}: {text}"
            );
        }
        assert_eq!(
            sandbox.get(Collection::Tickets, facilities).unwrap(),
            before_ticket
        );
        assert_eq!(
            sandbox.get(Collection::Changes, it_change).unwrap(),
            before_change
        );
        assert_eq!(notes_of(&sandbox, facilities), notes_before);

        // The same tools on records of workspace 3.
        let ticket = worked(&stdio.call(
            "get_single_freshservice_ticket_by_id",
            json!({"ticket_id": hr}),
            LIMIT,
        ))["ticket"]
            .clone();
        assert_eq!(ticket["workspace_id"], 3);
        worked(&stdio.call(
            "update_a_freshservice_ticket_by_id",
            json!({"ticket_id": hr, "priority": 4}),
            LIMIT,
        ));
        assert_eq!(sandbox.get(Collection::Tickets, hr).unwrap()["priority"], 4);
        worked(&stdio.call(
            "create_a_freshservice_ticket_note",
            json!({"ticket_id": hr, "body": "<div>Answered by phone</div>"}),
            LIMIT,
        ));
        assert_eq!(notes_of(&sandbox, hr), 1);
        worked(&stdio.call(
            "list_all_freshservice_ticket_conversations",
            json!({"ticket_id": hr}),
            LIMIT,
        ));
        worked(&stdio.call(
            "get_single_freshservice_change_by_id",
            json!({"change_id": hr_change}),
            LIMIT,
        ));
        worked(&stdio.call(
            "update_a_freshservice_change_by_id",
            json!({"change_id": hr_change, "priority": 3}),
            LIMIT,
        ));
        assert_eq!(
            sandbox.get(Collection::Changes, hr_change).unwrap()["priority"],
            3
        );
        worked(&stdio.call(
            "delete_a_freshservice_ticket_by_id",
            json!({"ticket_id": hr}),
            LIMIT,
        ));
        let deleted = sandbox.get(Collection::Tickets, hr);
        assert!(
            deleted.is_none() || deleted.as_ref().unwrap()["deleted"] == true,
            "{deleted:?}"
        );
    })
    .await
    .unwrap();

    // Nothing but reads reached the records of other workspaces.
    let requests = sandbox.mock_server().received_requests().await.unwrap();
    for request in &requests {
        let path = request.url.path();
        let other = path.starts_with(&format!("/api/v2/tickets/{facilities}"))
            || path.starts_with(&format!("/api/v2/changes/{it_change}"));
        if other {
            assert_eq!(request.method.as_str(), "GET", "{} {path}", request.method);
            assert!(
                path == format!("/api/v2/tickets/{facilities}")
                    || path == format!("/api/v2/changes/{it_change}"),
                "only the records themselves are read: {path}"
            );
        }
    }
}
