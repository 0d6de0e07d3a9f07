// The descend native backend's entry point: registers the kernel groups.
#include "common.h"
#include <cstdlib>
#include <string>
#ifdef __GLIBC__
#include <malloc.h>
#endif

Napi::Object Init(Napi::Env env, Napi::Object exports) {
#ifdef __GLIBC__
  // Tensors are freed by the garbage collector in bursts and reallocated at once at the same sizes. With
  // glibc's defaults every buffer above its mmap threshold is a fresh mapping (a page fault per 4 KiB on
  // first touch) and freed heap tops are trimmed back to the OS; keeping up to 256 MiB in the heap lets
  // the next step reuse warm memory (about 2x on an MLP's training step). Set DESCEND_MALLOC_TUNE=0 to
  // keep glibc's defaults.
  const char* tune = std::getenv("DESCEND_MALLOC_TUNE");
  if (!tune || std::string(tune) != "0") {
    mallopt(M_MMAP_THRESHOLD, 64 << 20);
    mallopt(M_TRIM_THRESHOLD, 256 << 20);
    mallopt(M_TOP_PAD, 16 << 20);
  }
#endif
  descend::initGemm(env, exports);
  descend::initElementwise(env, exports);
  descend::initReduce(env, exports);
  descend::initLayout(env, exports);
  descend::initOptim(env, exports);
  descend::initIndexing(env, exports);
  descend::initConv(env, exports);
  descend::initSoftmax(env, exports);
  return exports;
}

NODE_API_MODULE(descend_native, Init)
