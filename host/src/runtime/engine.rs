//! Engine configuration. Pooling allocation makes instantiation cheap (a fresh instance per
//! call), but it reserves address space up front and that can fail on small or restricted
//! machines (Spin hit `mmap failed`, spin#2119, wasmtime#8607): we probe and fall back to
//! on-demand allocation instead of crashing.

use wasmtime::{Config, Enabled, Engine, InstanceAllocationStrategy, PoolingAllocationConfig};

use super::EPOCH_TICK;

/// Largest linear memory any plugin may be allowed (per-plugin limits are at most this).
pub const MAX_PLUGIN_MEMORY: usize = 256 * 1024 * 1024;
/// The bytes a 32-bit memory index can address.
const WASM32_INDEX_SPACE: u64 = 1 << 32;
/// Concurrent plugin instances the pool holds; beyond it, instantiation waits for a slot.
const POOL_INSTANCES: u32 = 1000;
/// Bytes of a pooled linear memory reset in place (not returned to the kernel) after a call:
/// the lowest bytes without PAGEMAP_SCAN, the dirtied pages with it.
const KEEP_RESIDENT: usize = 1024 * 1024;
const KEEP_RESIDENT_SCANNED: usize = 4 * 1024 * 1024;

fn base_config() -> Config {
    let mut config = Config::new();
    config.wasm_component_model(true);
    config.epoch_interruption(true);
    // Deep recursion traps cleanly instead of overflowing the host stack.
    config.max_wasm_stack(1024 * 1024);
    config.async_stack_size(2 * 1024 * 1024);
    // Reserve the whole 32-bit index space (address space only: nothing is committed until a
    // plugin grows into it) so that, with the guard region after it, Cranelift omits the bounds
    // check on every guest load and store: an out-of-bounds index lands in unmapped pages and
    // traps. With a smaller reservation every access is checked explicitly. The memory a plugin
    // may actually use stays capped by the pool's `max_memory_size` and the per-plugin limiter.
    config.memory_reservation(WASM32_INDEX_SPACE);
    config.memory_guard_size(32 * 1024 * 1024);
    // Diagnostics: names plugin functions in `perf` profiles (writes /tmp/perf-<pid>.map).
    if std::env::var_os("ACTIONHOST_WASM_PERFMAP").is_some() {
        config.profiler(wasmtime::ProfilingStrategy::PerfMap);
    }
    config
}

/// Builds the engine; the flag says whether the pooling allocator is in use.
pub fn build() -> Result<(Engine, bool), String> {
    if std::env::var_os("ACTIONHOST_DISABLE_POOLING").is_none() {
        let mut pool = PoolingAllocationConfig::default();
        pool.total_component_instances(POOL_INSTANCES)
            .total_core_instances(POOL_INSTANCES * 4)
            .total_memories(POOL_INSTANCES)
            .total_tables(POOL_INSTANCES * 4)
            .total_stacks(POOL_INSTANCES)
            .max_memory_size(MAX_PLUGIN_MEMORY)
            // Reset a slot's memory with memset instead of madvise: madvise (and the
            // copy-on-write faults that follow it) cost TLB-shootdown interrupts on every core
            // on every call. With PAGEMAP_SCAN (Linux 6.7+) only the pages the call dirtied are
            // reset, up to this many bytes; without it, the lowest bytes are.
            .linear_memory_keep_resident(if PoolingAllocationConfig::is_pagemap_scan_available() {
                KEEP_RESIDENT_SCANNED
            } else {
                KEEP_RESIDENT
            })
            .table_keep_resident(64 * 1024)
            .pagemap_scan(Enabled::Auto);
        let mut config = base_config();
        config.allocation_strategy(InstanceAllocationStrategy::Pooling(pool));
        match Engine::new(&config) {
            Ok(engine) => return Ok((engine, true)),
            Err(e) => tracing::warn!(
                error = %e,
                "the pooling allocator could not reserve its memory; using on-demand allocation"
            ),
        }
    }
    let mut config = base_config();
    config.allocation_strategy(InstanceAllocationStrategy::OnDemand);
    let engine = Engine::new(&config).map_err(|e| format!("cannot create the wasm engine: {e}"))?;
    Ok((engine, false))
}

/// Advances the engine's epoch every tick until the engine is dropped.
pub fn start_epoch_ticker(engine: &Engine) {
    let weak = engine.weak();
    std::thread::Builder::new()
        .name("actionhost-epoch".into())
        .spawn(move || {
            loop {
                std::thread::sleep(EPOCH_TICK);
                match weak.upgrade() {
                    Some(engine) => engine.increment_epoch(),
                    None => break,
                }
            }
        })
        .expect("spawning the epoch thread");
}
