//! The floor of "wasm plus one outbound call" on this machine, for the API benchmark
//! (`tests/benches/api.rs`): a minimal wasmtime embedding in the shape wasmtime-wasi-http's own
//! documentation gives — hyper serving HTTP/1.1 with keep-alive, the pooling allocator, a fresh
//! instance of a `wasi:http/proxy` guest per request (`tests/plugins/wasi-http-proxy`), and its
//! outbound requests sent through one keep-alive client pool. It has none of actionhost's work:
//! no token, no validation, no credentials, no limits beyond wasmtime's defaults, no audit.
//!
//! `minimal-embedding <component.wasm> <upstream host:port>`; prints
//! `listening on http://127.0.0.1:PORT` and serves until killed.

use std::sync::Arc;

use http_body_util::BodyExt;
use hyper::server::conn::http1;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use wasmtime::component::{Component, Linker, ResourceTable};
use wasmtime::{
    Config, Enabled, Engine, InstanceAllocationStrategy, PoolingAllocationConfig, Store,
};
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};
use wasmtime_wasi_http::io::TokioIo;
use wasmtime_wasi_http::p2::bindings::ProxyPre;
use wasmtime_wasi_http::p2::bindings::http::types::Scheme;
use wasmtime_wasi_http::p2::body::HyperOutgoingBody;
use wasmtime_wasi_http::{
    Error as HttpError, RequestOptions, WasiBody, WasiHttpCtx, WasiHttpCtxView, WasiHttpHooks,
    WasiHttpView,
};

type Pool = Client<HttpConnector, WasiBody>;

struct Server {
    pre: ProxyPre<State>,
    pool: Pool,
    upstream: String,
}

struct State {
    wasi: WasiCtx,
    http: WasiHttpCtx,
    table: ResourceTable,
    hooks: PooledSend,
}

/// Sends the guest's requests through the shared keep-alive pool.
struct PooledSend(Pool);

impl WasiView for State {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}

impl WasiHttpView for State {
    fn http(&mut self) -> WasiHttpCtxView<'_> {
        WasiHttpCtxView {
            ctx: &mut self.http,
            table: &mut self.table,
            hooks: &mut self.hooks,
        }
    }
}

impl WasiHttpHooks for PooledSend {
    fn send_request(
        &mut self,
        request: http::Request<WasiBody>,
        _options: Option<RequestOptions>,
        _fut: Box<dyn Future<Output = Result<(), HttpError>> + Send>,
    ) -> Box<
        dyn Future<
                Output = Result<
                    (
                        http::Response<WasiBody>,
                        Box<dyn Future<Output = Result<(), HttpError>> + Send>,
                    ),
                    HttpError,
                >,
            > + Send,
    > {
        let pool = self.0.clone();
        Box::new(async move {
            let response = pool
                .request(request)
                .await
                .map_err(|e| HttpError::InternalError(Some(e.to_string())))?;
            let response = response.map(|body| body.map_err(HttpError::from).boxed_unsync());
            Ok((
                response,
                Box::new(async { Ok(()) }) as Box<dyn Future<Output = _> + Send>,
            ))
        })
    }
}

impl Server {
    async fn handle(
        self: Arc<Self>,
        request: hyper::Request<hyper::body::Incoming>,
    ) -> wasmtime::Result<hyper::Response<HyperOutgoingBody>> {
        let mut store = Store::new(
            self.pre.engine(),
            State {
                wasi: WasiCtx::builder().env("UPSTREAM", &self.upstream).build(),
                http: WasiHttpCtx::new(),
                table: ResourceTable::new(),
                hooks: PooledSend(self.pool.clone()),
            },
        );
        let (sender, receiver) = tokio::sync::oneshot::channel();
        let request = store
            .data_mut()
            .http()
            .new_incoming_request(Scheme::Http, request)?;
        let out = store.data_mut().http().new_response_outparam(sender)?;
        let pre = self.pre.clone();
        let task = tokio::spawn(async move {
            let proxy = pre.instantiate_async(&mut store).await?;
            proxy
                .wasi_http_incoming_handler()
                .call_handle(store, request, out)
                .await
        });
        match receiver.await {
            Ok(Ok(response)) => Ok(response),
            Ok(Err(e)) => Err(e.into()),
            Err(_) => match task.await {
                Ok(Err(e)) => Err(e),
                _ => wasmtime::bail!("the guest set no response"),
            },
        }
    }
}

fn main() -> wasmtime::Result<()> {
    let mut args = std::env::args().skip(1);
    let (Some(component), Some(upstream)) = (args.next(), args.next()) else {
        wasmtime::bail!("usage: minimal-embedding <component.wasm> <upstream host:port>");
    };
    let mut config = Config::new();
    // The pooling allocator, with the one setting that matters most per request on these
    // machines, as actionhost sets it (`host/src/runtime/engine.rs`): a slot's memory is reset in
    // place (only the dirtied pages, with PAGEMAP_SCAN) rather than with madvise, whose
    // TLB shootdowns interrupt every core on every request: a floor without it would flatter
    // actionhost.
    let mut pool = PoolingAllocationConfig::default();
    pool.linear_memory_keep_resident(4 * 1024 * 1024)
        .table_keep_resident(64 * 1024)
        .pagemap_scan(Enabled::Auto);
    config.allocation_strategy(InstanceAllocationStrategy::Pooling(pool));
    let engine = Engine::new(&config)?;
    let component = Component::from_file(&engine, &component)?;
    let mut linker = Linker::new(&engine);
    wasmtime_wasi::p2::add_to_linker_async(&mut linker)?;
    wasmtime_wasi_http::p2::add_only_http_to_linker_async(&mut linker)?;
    let pre = ProxyPre::new(linker.instantiate_pre(&component)?)?;
    let pool: Pool = Client::builder(TokioExecutor::new()).build(HttpConnector::new());
    let server = Arc::new(Server {
        pre,
        pool,
        upstream,
    });
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
            println!("listening on http://{}", listener.local_addr()?);
            loop {
                let (client, _) = listener.accept().await?;
                let server = server.clone();
                tokio::spawn(async move {
                    let _ = http1::Builder::new()
                        .keep_alive(true)
                        .serve_connection(
                            TokioIo::new(client),
                            hyper::service::service_fn(move |request| {
                                server.clone().handle(request)
                            }),
                        )
                        .await;
                });
            }
        })
}
