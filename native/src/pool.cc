// Helper threads that spin briefly for the next job (a training step calls kernels every few
// microseconds) and then sleep, so an idle process burns no CPU.
#include "pool.h"
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>
#if defined(__x86_64__) || defined(_M_X64)
#include <immintrin.h>
#define DESCEND_PAUSE() _mm_pause()
#else
#define DESCEND_PAUSE() std::this_thread::yield()
#endif

namespace descend {

namespace {

constexpr auto kSpin = std::chrono::microseconds(300);

// A job's shares are claimed one at a time from `claim`, which holds the job's generation (high 32
// bits), its share count (bits 16-31) and the next share (low 16): whoever comes first runs a share, the
// caller included. A claim whose generation is current belongs to a job still running, so the job it
// reads is the right one. A
// helper that is asleep when a job arrives (waking one took up to 1.7 ms on a KVM guest) is never
// waited for: the caller runs the shares nobody claimed, so a late helper costs nothing.
struct Pool {
  std::atomic<uint64_t> claim{0};
  std::atomic<int> done{0};
  const std::function<void(int, int)>* job = nullptr;
  int helpers = 0;  // started so far; they live as long as the process
  int want = 1;
  std::mutex sleepMutex;
  std::condition_variable wake;
  std::mutex busy;  // one caller at a time

  // Runs shares of generation `gen` until none is left unclaimed.
  void work(uint64_t gen) {
    uint64_t c = claim.load(std::memory_order_acquire);
    while ((c >> 32) == gen && (c & 0xffff) < ((c >> 16) & 0xffff)) {
      if (!claim.compare_exchange_weak(c, c + 1, std::memory_order_acq_rel)) continue;
      (*job)(int(c & 0xffff), int((c >> 16) & 0xffff));
      done.fetch_add(1, std::memory_order_acq_rel);
      c = claim.load(std::memory_order_acquire);
    }
  }

  void helper() {
    uint64_t seen = claim.load(std::memory_order_acquire) >> 32;
    for (;;) {
      auto since = std::chrono::steady_clock::now();
      uint64_t g;
      for (int spins = 0; (g = claim.load(std::memory_order_acquire) >> 32) == seen; spins++) {
        // Yielding, not pausing: V8's own helper threads (garbage collection, compilers) need this core
        // between kernels.
        std::this_thread::yield();
        if ((spins & 15) == 15 && std::chrono::steady_clock::now() - since > kSpin) {
          std::unique_lock<std::mutex> lock(sleepMutex);
          wake.wait(lock, [&] { return (claim.load(std::memory_order_acquire) >> 32) != seen; });
          since = std::chrono::steady_clock::now();
        }
      }
      seen = g;
      work(g);
    }
  }

  void ensureHelpers(int n) {
    while (helpers < n - 1) {
      helpers++;
      std::thread([this] { helper(); }).detach();
    }
  }
};

// Never destroyed: detached helpers may still read it while the process exits.
Pool& pool() {
  static Pool* p = new Pool();
  return *p;
}

}  // namespace

int poolThreads() { return pool().want; }

void setPoolThreads(int n) {
  Pool& p = pool();
  std::lock_guard<std::mutex> lock(p.busy);
  p.want = n < 1 ? 1 : n;
  p.ensureHelpers(p.want);
}

void parallelFor(int shares, const std::function<void(int, int)>& job) {
  Pool& p = pool();
  if (shares > p.want) shares = p.want;
  if (shares > 0xffff) shares = 0xffff;
  if (shares <= 1 || !p.busy.try_lock()) {
    for (int s = 0; s < shares; s++) job(s, shares);
    if (shares < 1) job(0, 1);
    return;
  }
  p.job = &job;
  p.done.store(0, std::memory_order_relaxed);
  const uint64_t gen = ((p.claim.load(std::memory_order_relaxed) >> 32) + 1) & 0xffffffff;
  {
    std::lock_guard<std::mutex> lock(p.sleepMutex);
    p.claim.store(gen << 32 | uint64_t(shares) << 16, std::memory_order_release);
  }
  p.wake.notify_all();
  p.work(gen);
  // Only shares a helper claimed can be outstanding here.
  while (p.done.load(std::memory_order_acquire) != shares) DESCEND_PAUSE();
  p.busy.unlock();
}

}  // namespace descend
