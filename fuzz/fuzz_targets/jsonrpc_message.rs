//! Bytes as one JSON-RPC message, the way the stdio and HTTP transports read them, then the
//! params readers a request goes through before it reaches a handler.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mcp_messages::{
    CallToolParams, InitializeParams, ListToolsParams, Message, decode_cursor, modern_request_meta,
    parse_params, progress_token,
};
use serde_json::Value;

fuzz_target!(|data: &[u8]| {
    let message = match std::str::from_utf8(data) {
        Ok(text) => Message::parse(text),
        Err(_) => match serde_json::from_slice::<Value>(data) {
            Ok(value) => Message::from_value(value),
            Err(_) => return,
        },
    };
    let message = match message {
        Ok(message) => message,
        Err(error) => {
            // The error response must itself be a message we can send and read back.
            let reply = Message::Error(error);
            assert!(Message::parse(&reply.to_json()).is_ok());
            return;
        }
    };

    // What we write must read back as the same message, on one line.
    let line = message.to_json();
    assert!(!line.contains('\n'), "to_json wrote a newline: {line}");
    assert_eq!(
        Message::parse(&line).as_ref(),
        Ok(&message),
        "round trip of {line}"
    );

    let params = match &message {
        Message::Request(request) => request.params.as_ref(),
        Message::Notification(notification) => notification.params.as_ref(),
        Message::Response(_) | Message::Error(_) => return,
    };
    let _ = modern_request_meta(params);
    let _ = progress_token(params);
    let _ = parse_params::<InitializeParams>(params);
    let _ = parse_params::<CallToolParams>(params);
    if let Ok(list) = parse_params::<ListToolsParams>(params)
        && let Some(cursor) = list.cursor
    {
        let _ = decode_cursor(&cursor);
    }
});
