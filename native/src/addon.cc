// The descend native backend's entry point: registers the kernel groups.
#include "common.h"

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  descend::initGemm(env, exports);
  descend::initElementwise(env, exports);
  descend::initReduce(env, exports);
  descend::initLayout(env, exports);
  return exports;
}

NODE_API_MODULE(descend_native, Init)
