//! The stdio transport: newline-delimited JSON-RPC on stdin and stdout.
//!
//! stdout carries only protocol messages; logs go to stderr. Requests run concurrently, so a
//! slow Freshservice call does not hold up `ping` or a cancellation. The server exits when
//! stdin closes, after letting in-flight calls finish for a short grace period.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use mcp_messages::{
    CancelledParams, ErrorObject, ErrorResponse, Message, RequestId, error_code, method,
};
use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::sync::mpsc;
use tokio::task::{AbortHandle, JoinSet};

use crate::{McpService, Session};

/// The largest message we accept on one line. Tool arguments are small; anything near this is
/// a broken or hostile client, and reading it whole would let it exhaust memory.
pub const MAX_LINE_BYTES: usize = 4 * 1024 * 1024;

/// How long in-flight calls may run after stdin closes.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// Serves `service` on this process's stdin and stdout until stdin closes.
///
/// # Errors
///
/// Only I/O errors on stdin or stdout.
pub async fn serve_stdio(service: McpService) -> std::io::Result<()> {
    serve_io(service, tokio::io::stdin(), tokio::io::stdout()).await
}

/// Serves `service` on any reader and writer pair (stdio, a pipe, a socket, a test buffer).
///
/// # Errors
///
/// Only I/O errors on `reader` or `writer`.
pub async fn serve_io<R, W>(service: McpService, reader: R, writer: W) -> std::io::Result<()>
where
    R: AsyncRead + Unpin + Send + 'static,
    W: AsyncWrite + Unpin + Send + 'static,
{
    // Responses are written as the JSON lines their tasks made; everything else (notifications
    // from running calls, errors about unreadable lines) comes as messages.
    let (outgoing, mut outgoing_rx) = mpsc::unbounded_channel::<Message>();
    let (responses, mut responses_rx) = mpsc::unbounded_channel::<String>();
    let writer_task = tokio::spawn(async move {
        let mut writer = writer;
        let trace = std::env::var_os("FRESHSERVICE_MCP_TRACE").is_some();
        let mut buffer = Vec::new();
        loop {
            buffer.clear();
            tokio::select! {
                biased;
                Some(message) = outgoing_rx.recv() => push_message(&mut buffer, &message, trace),
                Some(line) = responses_rx.recv() => {
                    // A call's notifications were sent before its response, so they are all in
                    // the queue by now: write them first, as the client expects.
                    while let Ok(message) = outgoing_rx.try_recv() {
                        push_message(&mut buffer, &message, trace);
                    }
                    if trace && let Ok(message) = Message::parse(&line) {
                        eprintln!("freshservice-mcp: -> {}", describe(&message));
                    }
                    buffer.extend_from_slice(line.as_bytes());
                    buffer.push(b'\n');
                }
                else => break,
            }
            writer.write_all(&buffer).await?;
            writer.flush().await?;
        }
        Ok::<(), std::io::Error>(())
    });

    // Message tracing names methods and ids only, never params (they may hold personal data).
    let trace = std::env::var_os("FRESHSERVICE_MCP_TRACE").is_some();
    let session = Arc::new(Session::new());
    // The account's form fields arrive or change in the background: a session that listed the
    // tools hears of it at once, not only at its next request.
    let watcher = service.tool_changes().map(|mut changes| {
        let service = service.clone();
        let session = Arc::clone(&session);
        let outgoing = outgoing.clone();
        tokio::spawn(async move {
            while changes.changed().await.is_ok() {
                if let Some(message) = service.list_changed(&session)
                    && outgoing.send(message).is_err()
                {
                    break;
                }
            }
        })
    });
    let in_flight: Arc<Mutex<HashMap<RequestId, AbortHandle>>> = Arc::default();
    let mut tasks = JoinSet::new();
    let mut reader = BufReader::new(reader);
    let read_result = loop {
        let line = match read_bounded_line(&mut reader).await {
            Ok(Some(line)) => line,
            Ok(None) => break Ok(()),
            Err(error) => break Err(error),
        };
        // Reap finished tasks so the set does not grow for the life of the process.
        while tasks.try_join_next().is_some() {}
        let text = match line {
            Line::TooLong => {
                send_error(
                    &outgoing,
                    error_code::INVALID_REQUEST,
                    format!("message too large: the limit is {MAX_LINE_BYTES} bytes per line"),
                );
                continue;
            }
            Line::Text(text) => text,
        };
        let Ok(text) = String::from_utf8(text) else {
            send_error(
                &outgoing,
                error_code::PARSE_ERROR,
                "parse error: the message is not valid UTF-8".into(),
            );
            continue;
        };
        if text.trim().is_empty() {
            continue;
        }
        let message = match Message::parse(&text) {
            Ok(message) => message,
            Err(error) => {
                let _ = outgoing.send(error.into());
                continue;
            }
        };
        if trace {
            eprintln!("freshservice-mcp: <- {}", describe(&message));
        }
        match message {
            Message::Notification(notification) if notification.method == method::CANCELLED => {
                if let Ok(params) =
                    mcp_messages::parse_params::<CancelledParams>(notification.params.as_ref())
                    && let Some(handle) = lock(&in_flight).remove(&params.request_id)
                {
                    // The spec says to send nothing for a cancelled request.
                    handle.abort();
                }
            }
            Message::Request(request) => {
                let id = request.id.clone();
                // The registry lock is held until the task is registered: a fast task must not
                // finish (and find itself unregistered, dropping its response) before then.
                let mut registered = lock(&in_flight);
                if registered.contains_key(&id) {
                    let error = ErrorObject::new(
                        error_code::INVALID_REQUEST,
                        format!("request id {id} is already in use by a request in flight"),
                    );
                    let _ = outgoing.send(ErrorResponse::new(Some(id), error).into());
                    continue;
                }
                let service = service.clone();
                let session = Arc::clone(&session);
                let outgoing = outgoing.clone();
                let responses = responses.clone();
                let registry = Arc::clone(&in_flight);
                let task_id = id.clone();
                let handle = tasks.spawn(async move {
                    let response = service
                        .handle_request_json(&session, request, Some(&outgoing))
                        .await;
                    // Absent means the request was cancelled: the spec says to send nothing.
                    if lock(&registry).remove(&task_id).is_some() {
                        let _ = responses.send(response);
                    }
                });
                registered.insert(id, handle);
            }
            other => {
                let _ = service.handle(&session, other, Some(&outgoing)).await;
            }
        }
    };

    let _ = tokio::time::timeout(SHUTDOWN_GRACE, async {
        while tasks.join_next().await.is_some() {}
    })
    .await;
    tasks.abort_all();
    if let Some(watcher) = watcher {
        watcher.abort();
        // Aborted or finished, the watcher's sender is gone once it is awaited.
        let _ = watcher.await;
    }
    drop(outgoing);
    drop(responses);
    match writer_task.await {
        Ok(write_result) => read_result.and(write_result),
        Err(join_error) => Err(std::io::Error::other(join_error)),
    }
}

fn push_message(buffer: &mut Vec<u8>, message: &Message, trace: bool) {
    if trace {
        eprintln!("freshservice-mcp: -> {}", describe(message));
    }
    buffer.extend_from_slice(message.to_json().as_bytes());
    buffer.push(b'\n');
}

fn describe(message: &Message) -> String {
    match message {
        Message::Request(request) => format!("request {} {}", request.id, request.method),
        Message::Notification(notification) => format!("notification {}", notification.method),
        Message::Response(response) => format!("response {}", response.id),
        Message::Error(error) => format!(
            "error {} {}",
            error
                .id
                .as_ref()
                .map_or_else(|| "null".to_owned(), ToString::to_string),
            error.error.code
        ),
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn send_error(outgoing: &mpsc::UnboundedSender<Message>, code: i32, message: String) {
    let _ = outgoing.send(ErrorResponse::new(None, ErrorObject::new(code, message)).into());
}

enum Line {
    Text(Vec<u8>),
    TooLong,
}

/// Reads one line without ever holding more than [`MAX_LINE_BYTES`]; the rest of an oversized
/// line is skipped.
async fn read_bounded_line<R: AsyncBufRead + Unpin>(
    reader: &mut R,
) -> std::io::Result<Option<Line>> {
    let mut line = Vec::new();
    let mut too_long = false;
    loop {
        let buffer = reader.fill_buf().await?;
        if buffer.is_empty() {
            return Ok(match (line.is_empty() && !too_long, too_long) {
                (true, _) => None,
                (false, true) => Some(Line::TooLong),
                (false, false) => Some(Line::Text(line)),
            });
        }
        let (chunk, found_newline) = match buffer.iter().position(|byte| *byte == b'\n') {
            Some(position) => (&buffer[..position], Some(position)),
            None => (buffer, None),
        };
        if !too_long {
            if line.len() + chunk.len() > MAX_LINE_BYTES {
                too_long = true;
                line = Vec::new();
            } else {
                line.extend_from_slice(chunk);
            }
        }
        let consumed = found_newline.map_or(buffer.len(), |position| position + 1);
        reader.consume(consumed);
        if found_newline.is_some() {
            return Ok(Some(if too_long {
                Line::TooLong
            } else {
                Line::Text(line)
            }));
        }
    }
}
