//! The guest of the benchmark's floor (`tests/src/bin/minimal_embedding.rs`): a `wasi:http/proxy`
//! component that answers each request with one outbound GET to the upstream named by the
//! `UPSTREAM` environment variable (`host:port`), passing its status and body back; under
//! `/local` it answers without the outbound call. Nothing else: no parsing, no validation, no
//! credentials — what "wasm plus one outbound call" costs at least.

use wasip2::http::outgoing_handler;
use wasip2::http::types::{
    Fields, IncomingRequest, OutgoingBody, OutgoingRequest, OutgoingResponse, ResponseOutparam,
    Scheme,
};
use wasip2::io::streams::StreamError;

struct Proxy;

impl wasip2::exports::http::incoming_handler::Guest for Proxy {
    fn handle(request: IncomingRequest, out: ResponseOutparam) {
        let path = request.path_with_query().unwrap_or_default();
        if path.starts_with("/local") {
            respond(out, 200, br#"{"ok":true}"#);
            return;
        }
        match forward() {
            Ok((status, body)) => respond(out, status, &body),
            Err(why) => respond(out, 502, why.as_bytes()),
        }
    }
}

/// One GET to the upstream; its status and whole body.
fn forward() -> Result<(u16, Vec<u8>), String> {
    let upstream = std::env::var("UPSTREAM").map_err(|_| "UPSTREAM is not set".to_string())?;
    let request = OutgoingRequest::new(Fields::new());
    request
        .set_scheme(Some(&Scheme::Http))
        .map_err(|()| "scheme")?;
    request
        .set_authority(Some(&upstream))
        .map_err(|()| "authority")?;
    request
        .set_path_with_query(Some("/repos/o/r"))
        .map_err(|()| "path")?;
    let pending = outgoing_handler::handle(request, None).map_err(|e| format!("{e:?}"))?;
    pending.subscribe().block();
    let response = pending
        .get()
        .ok_or("no response")?
        .map_err(|()| "taken")?
        .map_err(|e| format!("{e:?}"))?;
    let status = response.status();
    let body = response.consume().map_err(|()| "body")?;
    let stream = body.stream().map_err(|()| "stream")?;
    let mut bytes = Vec::new();
    loop {
        match stream.blocking_read(64 * 1024) {
            Ok(chunk) => bytes.extend_from_slice(&chunk),
            Err(StreamError::Closed) => break,
            Err(e) => return Err(format!("{e:?}")),
        }
    }
    drop(stream);
    wasip2::http::types::IncomingBody::finish(body);
    Ok((status, bytes))
}

fn respond(out: ResponseOutparam, status: u16, body: &[u8]) {
    let headers = Fields::from_list(&[("content-type".to_string(), b"application/json".to_vec())])
        .expect("valid header");
    let response = OutgoingResponse::new(headers);
    response.set_status_code(status).expect("valid status");
    let outgoing = response.body().expect("one body");
    ResponseOutparam::set(out, Ok(response));
    let stream = outgoing.write().expect("one stream");
    for chunk in body.chunks(4096) {
        stream.blocking_write_and_flush(chunk).expect("write");
    }
    drop(stream);
    OutgoingBody::finish(outgoing, None).expect("finish");
}

wasip2::http::proxy::export!(Proxy);
