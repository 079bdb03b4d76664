// Test hooks of the Node-API shim (napi_shim.cc).
#pragma once

#include <node_api.h>

#include <cstddef>

namespace shim {

// A JS buffer of `size` bytes with no reference yet (napi_create_reference makes one).
napi_value NewBuffer(size_t size, void** data);
// Buffers not freed yet: slabs and linked buffers a LinkBuffer or SlabPool still holds.
int LiveValues();
// Detaches a buffer (as a transfer does): its memory is freed, its length becomes 0.
void Detach(napi_value value);
// The next napi_create_external_arraybuffer fails, as when the JS heap is exhausted.
void FailNextArrayBuffer();

}  // namespace shim
