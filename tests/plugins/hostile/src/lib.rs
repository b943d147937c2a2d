//! A deliberately hostile provider for the sandbox tests: each action attacks one limit or
//! boundary of the host. `HOSTILE_FETCH` is the well-behaved action.

use actionhost_sdk::prelude::*;

#[derive(Deserialize, JsonSchema)]
struct Nothing {}

#[derive(Deserialize, JsonSchema)]
struct Target {
    /// URL to request.
    url: String,
}

#[derive(Deserialize, JsonSchema)]
struct Size {
    /// Bytes of output to produce.
    bytes: usize,
}

#[derive(Deserialize, JsonSchema)]
struct Sleep {
    /// Milliseconds to sleep without using the CPU.
    millis: u64,
}

#[derive(Deserialize, JsonSchema)]
struct Poke {
    /// Byte to touch, counted from the end of the linear memory (-1 is its last byte).
    from_end: Option<i64>,
    /// Byte to touch, as an address.
    address: Option<u32>,
    /// Writes the byte instead of reading it.
    #[serde(default)]
    write: bool,
}

/// The size of the linear memory in bytes.
#[cfg(target_arch = "wasm32")]
fn memory_end() -> Result<i64, Error> {
    Ok(core::arch::wasm32::memory_size(0) as i64 * 65536)
}

/// Built natively (for the workspace's tests) there is no linear memory.
#[cfg(not(target_arch = "wasm32"))]
fn memory_end() -> Result<i64, Error> {
    Err(Error::internal(
        "from_end needs a linear memory: run this plugin as wasm",
    ))
}

/// Reads or writes one byte wherever it is told, inside the linear memory or not.
fn poke(input: Poke, _: &Context) -> Result<Value, Error> {
    let address = match (input.from_end, input.address) {
        (Some(from_end), None) => (memory_end()? + from_end) as u32,
        (None, Some(address)) => address,
        _ => return Err(Error::invalid_input("give from_end or address")),
    };
    let pointer = address as usize as *mut u8;
    // SAFETY: none; touching bytes outside the linear memory is the attack, and the host's
    // sandbox must trap it.
    let byte = unsafe {
        if input.write {
            core::ptr::write_volatile(pointer, 0xAA);
        }
        core::ptr::read_volatile(pointer)
    };
    Ok(json!({"address": address, "byte": byte}))
}

fn spin_forever(_: Nothing, _: &Context) -> Result<Value, Error> {
    let mut counter: u64 = 0;
    loop {
        counter = std::hint::black_box(counter.wrapping_add(1));
    }
}

fn eat_memory(_: Nothing, _: &Context) -> Result<Value, Error> {
    let mut hoard: Vec<Vec<u8>> = Vec::new();
    loop {
        hoard.push(vec![1u8; 1024 * 1024]);
        std::hint::black_box(&hoard);
    }
}

// Recursing without end is the attack: the host must stop it.
#[allow(unconditional_recursion)]
fn recurse(depth: u64) -> u64 {
    let padding = std::hint::black_box([depth; 16]);
    recurse(depth + 1) + padding[3]
}

fn recurse_deeply(_: Nothing, _: &Context) -> Result<Value, Error> {
    Ok(json!(recurse(0)))
}

fn panic_now(_: Nothing, _: &Context) -> Result<Value, Error> {
    panic!("deliberate panic in the hostile plugin");
}

fn huge_output(input: Size, _: &Context) -> Result<Value, Error> {
    Ok(Value::String("x".repeat(input.bytes)))
}

/// Counts the calls this instance has served and says who the call is for: a fresh instance per
/// call always answers 1, and never another user's id.
fn remember(_: Nothing, context: &Context) -> Result<Value, Error> {
    static CALLS: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let calls = CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
    Ok(json!({ "calls": calls, "user": context.user_id }))
}

fn fetch(input: Target, _: &Context) -> Result<Value, Error> {
    let response = Request::get(input.url).send()?;
    Ok(json!({ "status": response.status(), "body": response.text() }))
}

fn set_authorization(input: Target, _: &Context) -> Result<Value, Error> {
    let response = Request::get(input.url)
        .header("Authorization", "Bearer stolen")
        .send()?;
    Ok(json!({ "status": response.status() }))
}

fn read_secrets(_: Nothing, _: &Context) -> Result<Value, Error> {
    let file = match std::fs::read_to_string("/etc/passwd") {
        Ok(text) => format!("read {} bytes", text.len()),
        Err(e) => format!("error: {e}"),
    };
    let root = match std::fs::read_dir("/") {
        Ok(entries) => format!("listed {} entries", entries.count()),
        Err(e) => format!("error: {e}"),
    };
    let env: Vec<String> = std::env::vars().map(|(k, _)| k).collect();
    let args: Vec<String> = std::env::args().collect();
    let socket = match std::net::TcpStream::connect("127.0.0.1:1") {
        Ok(_) => "connected".to_string(),
        Err(e) => format!("error: {e}"),
    };
    Ok(json!({ "file": file, "root": root, "env": env, "args": args, "socket": socket }))
}

fn sleep(input: Sleep, _: &Context) -> Result<Value, Error> {
    std::thread::sleep(std::time::Duration::from_millis(input.millis));
    Ok(json!({ "slept": input.millis }))
}

#[derive(Deserialize, JsonSchema)]
struct Record {
    /// Title of the record.
    title: String,
}

fn create_record(input: Record, _: &Context) -> Result<Value, Error> {
    Ok(json!({ "created": input.title }))
}

/// Adds the account's custom fields (from the provider) to the static schema.
fn custom_fields(mut schema: Value, _: &Context) -> Result<Value, Error> {
    let fields: Value = Request::get("https://api.hostile.test/fields")
        .send()?
        .json()?;
    for field in fields.as_array().cloned().unwrap_or_default() {
        let name = field["name"].as_str().unwrap_or_default().to_string();
        schema["properties"][&name] = json!({ "type": field["type"].clone() });
        if field["required"] == true {
            schema["required"]
                .as_array_mut()
                .expect("required list")
                .push(json!(name));
        }
    }
    Ok(schema)
}

pub fn provider() -> Provider {
    Provider::new("hostile", "Hostile")
        .version("6.6.6")
        .description("Attacks the sandbox; for tests only.")
        .categories(&["testing"])
        .auth(Auth::ApiKey(ApiKey::header("X-Api-Key")))
        .origin("https://api.hostile.test")
        // Pre-signed download hosts it cannot name in advance: never given the API key.
        .origin_without_credentials("https://*.cdn.hostile.test")
        .action(Action::new(
            "HOSTILE_SPIN_FOREVER",
            "Loops forever.",
            spin_forever,
        ))
        .action(Action::new(
            "HOSTILE_EAT_MEMORY",
            "Allocates until it fails.",
            eat_memory,
        ))
        .action(Action::new(
            "HOSTILE_RECURSE_DEEPLY",
            "Recurses without end.",
            recurse_deeply,
        ))
        .action(Action::new("HOSTILE_PANIC", "Panics.", panic_now))
        .action(Action::new(
            "HOSTILE_POKE",
            "Reads or writes one byte at any address.",
            poke,
        ))
        .action(Action::new(
            "HOSTILE_REMEMBER",
            "Counts the calls its instance has served.",
            remember,
        ))
        .action(Action::new(
            "HOSTILE_HUGE_OUTPUT",
            "Returns a string of the given size.",
            huge_output,
        ))
        .action(Action::new(
            "HOSTILE_FETCH",
            "GETs a URL and returns status and body.",
            fetch,
        ))
        .action(Action::new(
            "HOSTILE_SET_AUTHORIZATION",
            "Sends its own Authorization header.",
            set_authorization,
        ))
        .action(Action::new(
            "HOSTILE_READ_SECRETS",
            "Tries files, environment, arguments and sockets.",
            read_secrets,
        ))
        .action(Action::new(
            "HOSTILE_SLEEP",
            "Sleeps without using the CPU.",
            sleep,
        ))
        .action(
            Action::new(
                "HOSTILE_CREATE_RECORD",
                "Creates a record with the account's custom fields.",
                create_record,
            )
            .dynamic(custom_fields),
        )
}

actionhost_sdk::export_provider!(provider);
