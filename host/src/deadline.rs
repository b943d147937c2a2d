//! Deadlines for calls and upstream requests, kept off tokio's timer wheel.
//!
//! Every plugin call and every upstream request has a limit of seconds, and almost all of them
//! finish long before it. A tokio timer per call costs more than it looks: registering a timer
//! that is earlier than the runtime's next wake-up unparks the I/O driver (an eventfd write),
//! which wakes whichever worker sleeps in `epoll_wait` — two thread wake-ups per request, and on
//! virtual machines waking an idle vCPU is among the most expensive things a request does
//! (docs/performance.md). Here a deadline is an entry in one shared map; a single thread looks
//! at the map every [`TICK`] and wakes the futures whose time is up. Registering and removing
//! an entry takes a short lock and no system call. Deadlines fire up to one tick late.

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, Once, OnceLock};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

/// How often expired deadlines are looked for: the granularity of every limit built on this.
pub const TICK: Duration = Duration::from_millis(10);

/// The future did not finish before its deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Elapsed;

type Key = (Instant, u64);

struct Watch {
    waiting: Mutex<BTreeMap<Key, Waker>>,
    next_id: AtomicU64,
}

fn watch() -> &'static Watch {
    static WATCH: OnceLock<Watch> = OnceLock::new();
    static THREAD: Once = Once::new();
    let watch = WATCH.get_or_init(|| Watch {
        waiting: Mutex::new(BTreeMap::new()),
        next_id: AtomicU64::new(0),
    });
    THREAD.call_once(|| {
        std::thread::Builder::new()
            .name("actionhost-deadlines".into())
            .spawn(move || {
                loop {
                    std::thread::sleep(TICK);
                    watch.wake_expired(Instant::now());
                }
            })
            .expect("spawning the deadline thread");
    });
    watch
}

impl Watch {
    fn wake_expired(&self, now: Instant) {
        let expired: Vec<Waker> = {
            let mut waiting = self.waiting.lock().expect("deadline lock");
            let later = waiting.split_off(&(now, u64::MAX));
            std::mem::replace(&mut *waiting, later)
                .into_values()
                .collect()
        };
        for waker in expired {
            waker.wake();
        }
    }
}

/// Runs `future` until it finishes or `deadline` passes, whichever is first.
pub fn within<F: Future>(deadline: Instant, future: F) -> Within<F> {
    Within {
        future,
        deadline,
        key: None,
    }
}

/// Runs `future` for at most `limit` from now.
pub fn limit<F: Future>(limit: Duration, future: F) -> Within<F> {
    within(Instant::now() + limit, future)
}

/// The future returned by [`within`].
pub struct Within<F> {
    future: F,
    deadline: Instant,
    /// Where this future's waker is registered, once it has waited.
    key: Option<Key>,
}

impl<F> Within<F> {
    fn unregister(&mut self) {
        if let Some(key) = self.key.take() {
            watch().waiting.lock().expect("deadline lock").remove(&key);
        }
    }
}

impl<F: Future> Future for Within<F> {
    type Output = Result<F::Output, Elapsed>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        // SAFETY: `future` is structurally pinned and never moved out; the other fields are
        // plain data that is not pinned.
        let this = unsafe { self.get_unchecked_mut() };
        let future = unsafe { Pin::new_unchecked(&mut this.future) };
        if let Poll::Ready(output) = future.poll(cx) {
            this.unregister();
            return Poll::Ready(Ok(output));
        }
        if Instant::now() >= this.deadline {
            this.unregister();
            return Poll::Ready(Err(Elapsed));
        }
        let watch = watch();
        let mut waiting = watch.waiting.lock().expect("deadline lock");
        match this.key {
            Some(key) => {
                if let Some(waker) = waiting.get_mut(&key)
                    && !waker.will_wake(cx.waker())
                {
                    waker.clone_from(cx.waker());
                }
            }
            None => {
                let key = (this.deadline, watch.next_id.fetch_add(1, Ordering::Relaxed));
                waiting.insert(key, cx.waker().clone());
                this.key = Some(key);
            }
        }
        Poll::Pending
    }
}

impl<F> Drop for Within<F> {
    fn drop(&mut self) {
        self.unregister();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_future_that_finishes_in_time_returns_its_output() {
        let result = limit(Duration::from_secs(5), async {
            tokio::task::yield_now().await;
            7
        })
        .await;
        assert_eq!(result, Ok(7));
    }

    #[tokio::test]
    async fn a_future_that_never_finishes_is_cut_off_at_its_deadline() {
        let started = Instant::now();
        let result = limit(Duration::from_millis(50), std::future::pending::<()>()).await;
        assert_eq!(result, Err(Elapsed));
        let waited = started.elapsed();
        assert!(waited >= Duration::from_millis(50), "{waited:?}");
        assert!(waited < Duration::from_millis(50) + 20 * TICK, "{waited:?}");
    }

    #[tokio::test]
    async fn a_past_deadline_fires_without_waiting_for_a_tick() {
        let result = within(Instant::now(), std::future::pending::<()>()).await;
        assert_eq!(result, Err(Elapsed));
    }

    #[tokio::test]
    async fn finished_and_dropped_futures_leave_no_registration() {
        let deadline = Instant::now() + Duration::from_secs(3600);
        let id_before = watch().next_id.load(Ordering::Relaxed);
        // Waits once (registers), then finishes.
        let (tx, rx) = tokio::sync::oneshot::channel::<u8>();
        let waiting = tokio::spawn(within(deadline, rx));
        tokio::task::yield_now().await;
        tx.send(1).unwrap();
        assert_eq!(waiting.await.unwrap(), Ok(Ok(1)));
        // Waits, then is dropped unfinished.
        let mut dropped = Box::pin(within(deadline, std::future::pending::<()>()));
        assert!(futures_poll_once(dropped.as_mut()).is_pending());
        drop(dropped);
        let id_after = watch().next_id.load(Ordering::Relaxed);
        assert!(id_after > id_before, "both futures registered");
        let left = watch()
            .waiting
            .lock()
            .unwrap()
            .keys()
            .filter(|(at, id)| *at == deadline && (id_before..id_after).contains(id))
            .count();
        assert_eq!(left, 0);
    }

    fn futures_poll_once<F: Future + ?Sized>(future: Pin<&mut F>) -> Poll<F::Output> {
        let waker = Waker::noop();
        future.poll(&mut Context::from_waker(waker))
    }
}
