//! `ordinal serve-api` over its sockets, as any client of the Kubernetes API meets it: what a real kubectl
//! never asks for (bookmarks an informer takes) and the streams kubectl opens (exec over WebSocket).

use std::io::Read;
use std::time::{Duration, Instant};

mod common;
use common::{repository, Server};

fn serve(name: &str) -> Server {
    let kubeconfig = std::env::temp_dir().join(format!(
        "ordinal-serve-{name}-{}.kubeconfig",
        std::process::id()
    ));
    let server = Server::start(&repository().join("examples/web.yaml"), kubeconfig, &[]);
    server.control("POST", "pause");
    server.control("POST", "step?to=60s");
    server
}

/// A GET whose answer streams until the server ends it (its last, empty chunk): the head and the body as
/// sent (chunked), and how long the stream stayed open.
fn stream(server: &Server, path: &str) -> (String, Duration) {
    let began = Instant::now();
    let mut socket = server.send("GET", path, false);
    socket
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let mut answer = Vec::new();
    let mut buffer = [0; 4096];
    while !answer.ends_with(b"\r\n0\r\n\r\n") {
        let read = socket
            .read(&mut buffer)
            .expect("the stream goes on or ends");
        assert!(read > 0, "closed before its last chunk");
        answer.extend_from_slice(&buffer[..read]);
    }
    (String::from_utf8(answer).unwrap(), began.elapsed())
}

#[test]
fn a_watch_that_takes_bookmarks_is_sent_one_before_it_times_out() {
    let server = serve("bookmarks");
    let (answer, open) = stream(
        &server,
        "/api/v1/namespaces/default/pods?watch=true&allowWatchBookmarks=true&timeoutSeconds=3",
    );
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    let events: Vec<&str> = answer
        .lines()
        .filter(|line| line.starts_with("{\"object\""))
        .collect();
    assert!(events[0].ends_with(",\"type\":\"ADDED\"}"), "{events:#?}");
    let bookmark = events.last().unwrap();
    assert!(
        bookmark.starts_with(
            r#"{"object":{"apiVersion":"v1","kind":"Pod","metadata":{"resourceVersion":""#
        ) && bookmark.ends_with(r#""}},"type":"BOOKMARK"}"#),
        "{events:#?}"
    );
    assert_eq!(
        events.iter().filter(|e| e.contains("BOOKMARK")).count(),
        1,
        "one, two seconds before the end"
    );
    assert!(open >= Duration::from_secs(3), "{open:?}");

    let (answer, _) = stream(
        &server,
        "/api/v1/namespaces/default/pods?watch=true&timeoutSeconds=2",
    );
    assert!(!answer.contains("BOOKMARK"), "none unless asked for");
}

#[test]
fn a_watch_list_stream_sends_the_objects_then_a_bookmark_marking_their_end() {
    let server = serve("watch-list");
    let (answer, _) = stream(
        &server,
        "/api/v1/namespaces/default/pods?watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true&timeoutSeconds=1",
    );
    let events: Vec<&str> = answer
        .lines()
        .filter(|line| line.starts_with("{\"object\""))
        .collect();
    let added = events
        .iter()
        .take_while(|e| e.ends_with(r#""type":"ADDED"}"#))
        .count();
    assert!(added >= 3, "{events:#?}");
    assert!(
        events[added].contains(r#""annotations":{"k8s.io/initial-events-end":"true"}"#)
            && events[added].ends_with(r#""type":"BOOKMARK"}"#),
        "{events:#?}"
    );

    let refused = server.fetch(
        "GET",
        "/api/v1/namespaces/default/pods?watch=true&sendInitialEvents=true",
    );
    assert!(refused.starts_with("HTTP/1.1 422"), "{refused}");
    assert!(
        refused.contains(r#""message":"ListOptions.meta.k8s.io \"\" is invalid: resourceVersionMatch: Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan""#),
        "{refused}"
    );
    let listed = server.fetch(
        "GET",
        "/api/v1/namespaces/default/pods?sendInitialEvents=false",
    );
    assert!(
        listed.contains("sendInitialEvents: Forbidden: sendInitialEvents is forbidden for list"),
        "{listed}"
    );
}
