// The native backend's threads: helpers that split one kernel's work with the calling thread. OpenBLAS
// runs on one thread inside each share; descend splits the product itself. (OpenBLAS's own threads, woken
// and put back to sleep around every call, made a 128x128x256 product 2x slower on two threads here.)
#pragma once
#include <cstdint>
#include <functional>

namespace descend {

// Threads asked for (1: everything on the calling thread).
int poolThreads();
void setPoolThreads(int n);

// Runs job(share, shares) for share = 0 .. shares-1 (shares <= poolThreads()), share 0 on the caller, and
// returns when all are done. Another call already in flight (a second JS thread) runs every share itself.
void parallelFor(int shares, const std::function<void(int, int)>& job);

// [begin, end) of share `s` of `n` items split `shares` ways.
inline void shareRange(int64_t n, int s, int shares, int64_t& begin, int64_t& end) {
  begin = n * s / shares;
  end = n * (s + 1) / shares;
}

}  // namespace descend
