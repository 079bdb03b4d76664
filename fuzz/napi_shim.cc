// The five Node-API functions that native/slab.cc and native/link_buffer.cc call, without Node:
// a value is collected as soon as its last reference is deleted, as if by the GC at once: a linked
// buffer's malloc'd block is freed, and a slab's external ArrayBuffer has its finalizer called. So
// AddressSanitizer catches any use of slab or linked-buffer memory after it was let go of.
#include <node_api.h>

#include <cstdlib>

#include "napi_shim.h"

namespace {

struct Value {
  void* data;
  size_t size;
  int refs;
  napi_finalize finalize;  // external memory: called on collection instead of free()
  void* hint;
};

int live_values = 0;
bool fail_next_arraybuffer = false;

}  // namespace

namespace shim {

napi_value NewBuffer(size_t size, void** data) {
  Value* v = new Value{malloc(size == 0 ? 1 : size), size, 0, nullptr, nullptr};
  live_values++;
  *data = v->data;
  return reinterpret_cast<napi_value>(v);
}

int LiveValues() { return live_values; }

void Detach(napi_value value) {
  Value* v = reinterpret_cast<Value*>(value);
  free(v->data);  // moved to a new owner that was collected at once
  v->data = nullptr;
  v->size = 0;
}
void FailNextArrayBuffer() { fail_next_arraybuffer = true; }

}  // namespace shim

extern "C" {

napi_status napi_create_external_arraybuffer(napi_env, void* data, size_t byte_length, napi_finalize finalize_cb,
                                             void* finalize_hint, napi_value* result) {
  if (fail_next_arraybuffer) {
    fail_next_arraybuffer = false;
    return napi_generic_failure;
  }
  live_values++;
  *result = reinterpret_cast<napi_value>(new Value{data, byte_length, 0, finalize_cb, finalize_hint});
  return napi_ok;
}

napi_status napi_create_reference(napi_env, napi_value value, uint32_t initial_refcount, napi_ref* result) {
  Value* v = reinterpret_cast<Value*>(value);
  v->refs += static_cast<int>(initial_refcount);
  *result = reinterpret_cast<napi_ref>(v);
  return napi_ok;
}

napi_status napi_delete_reference(napi_env, napi_ref ref) {
  Value* v = reinterpret_cast<Value*>(ref);
  if (--v->refs == 0) {
    if (v->finalize != nullptr) {
      v->finalize(nullptr, v->data, v->hint);
    } else {
      free(v->data);
    }
    delete v;
    live_values--;
  }
  return napi_ok;
}

napi_status napi_get_typedarray_info(napi_env, napi_value typedarray, napi_typedarray_type* type, size_t* length,
                                     void** data, napi_value* arraybuffer, size_t* byte_offset) {
  const Value* v = reinterpret_cast<const Value*>(typedarray);
  if (type != nullptr) *type = napi_uint8_array;
  if (length != nullptr) *length = v->size;
  if (data != nullptr) *data = v->data;
  if (arraybuffer != nullptr) *arraybuffer = typedarray;
  if (byte_offset != nullptr) *byte_offset = 0;
  return napi_ok;
}

napi_status napi_get_reference_value(napi_env, napi_ref ref, napi_value* result) {
  *result = reinterpret_cast<napi_value>(ref);
  return napi_ok;
}

}  // extern "C"
