#include "node_host.h"

#include "reactor.h"
#include "slab.h"

namespace ringpoll {

NodeHost* NodeHost::Of(napi_env env) {
  void* data = nullptr;
  return napi_get_instance_data(env, &data) == napi_ok ? static_cast<NodeHost*>(data) : nullptr;
}

NodeHost* NodeHost::Create(napi_env env, napi_value dispatch, BackendChoice preferred) {
  NodeHost* h = new NodeHost(env);
  const char* failure = nullptr;
  uv_loop_t* loop = nullptr;
  if (napi_get_uv_event_loop(env, &loop) != napi_ok) failure = "no event loop";
  if (!failure && napi_create_reference(env, dispatch, 1, &h->dispatch_) != napi_ok) failure = "dispatch";
  napi_value name, resource;
  if (!failure && (napi_create_string_utf8(env, "ringpoll", NAPI_AUTO_LENGTH, &name) != napi_ok ||
                   napi_create_object(env, &resource) != napi_ok ||
                   napi_async_init(env, resource, name, &h->async_context_) != napi_ok)) {
    failure = "async context";
  }
  void* data = nullptr;
  napi_value events;
  if (!failure && (napi_create_arraybuffer(env, Reactor::kMaxBatch * sizeof(Event), &data, &events) != napi_ok ||
                   napi_create_reference(env, events, 1, &h->events_ref_) != napi_ok)) {
    failure = "event buffer";
  }
  h->events_ = static_cast<Event*>(data);
  if (!failure) h->reactor_ = Reactor::Create(h, loop, h->events_, preferred, &failure);
  if (failure) {
    delete h;
    napi_throw_error(env, "ERR_RINGPOLL_INIT", failure);
    return nullptr;
  }
  napi_add_async_cleanup_hook(env, OnCleanup, h, &h->cleanup_);
  // The host frees itself in its async cleanup hook, so the instance data has no finalizer.
  napi_set_instance_data(env, h, nullptr, nullptr);
  return h;
}

NodeHost::~NodeHost() {
  delete reactor_;  // first: its slabs and pins are let go of through this host
  if (async_context_ != nullptr) napi_async_destroy(env_, async_context_);
  if (dispatch_ != nullptr) napi_delete_reference(env_, dispatch_);
  if (events_ref_ != nullptr) napi_delete_reference(env_, events_ref_);
}

// The environment is going away (process exit, worker termination): close the reactor's loop
// handles, and free everything once libuv has let go of them.
void NodeHost::OnCleanup(napi_async_cleanup_hook_handle, void* arg) {
  static_cast<NodeHost*>(arg)->reactor_->Close(
      [](void* arg) {
        NodeHost* h = static_cast<NodeHost*>(arg);
        napi_async_cleanup_hook_handle hook = h->cleanup_;
        delete h;
        napi_remove_async_cleanup_hook(hook);
      },
      arg);
}

napi_value NodeHost::EventsArray() const {
  napi_value buffer = nullptr, array = nullptr;
  napi_get_reference_value(env_, events_ref_, &buffer);
  napi_create_typedarray(env_, napi_int32_array, Reactor::kMaxBatch * kEventInts, buffer, 0, &array);
  return array;
}

napi_value NodeHost::Slab(uint32_t index) const {
  void* slab = reactor_->pool().Slab(index);
  if (slab == nullptr) return nullptr;
  napi_value value = nullptr;
  napi_get_reference_value(env_, static_cast<napi_ref>(slab), &value);
  return value;
}

// ---- memory ---------------------------------------------------------------------------------

void* NodeHost::ExportSlab(char* data, size_t size, void* token) {
  auto finalize = [](napi_env, void*, void* hint) { SlabPool::Collected(hint); };
  napi_value buffer;
  if (napi_create_external_arraybuffer(env_, data, size, finalize, token, &buffer) != napi_ok) {
    SlabPool::Collected(token);  // no object, so no finalizer
    return nullptr;
  }
  napi_ref ref;
  if (napi_create_reference(env_, buffer, 1, &ref) != napi_ok) return nullptr;  // the finalizer will run
  return ref;
}

void NodeHost::ReleaseSlab(void* slab) { napi_delete_reference(env_, static_cast<napi_ref>(slab)); }

void* NodeHost::Pin(void* buffer) {
  napi_ref ref;
  return napi_create_reference(env_, static_cast<napi_value>(buffer), 1, &ref) == napi_ok ? ref : nullptr;
}

bool NodeHost::Holds(void* pin, const char* data, uint32_t len) {
  napi_value view = nullptr;
  napi_typedarray_type type;
  size_t length = 0;
  void* bytes = nullptr;
  if (napi_get_reference_value(env_, static_cast<napi_ref>(pin), &view) != napi_ok || view == nullptr ||
      napi_get_typedarray_info(env_, view, &type, &length, &bytes, nullptr, nullptr) != napi_ok) {
    return false;
  }
  const char* start = static_cast<const char*>(bytes);  // a Uint8Array: length is in bytes
  return start != nullptr && data >= start && data + len <= start + length;
}

void NodeHost::Unpin(void* pin) { napi_delete_reference(env_, static_cast<napi_ref>(pin)); }

// ---- the batch ------------------------------------------------------------------------------

// Through MakeCallback, so that process.nextTick and promise jobs run after each batch as after
// any libuv callback.
void NodeHost::Deliver(uint32_t count) {
  napi_value fn, recv, argv[1], result;
  napi_get_reference_value(env_, dispatch_, &fn);
  napi_get_global(env_, &recv);
  napi_create_uint32(env_, count, &argv[0]);
  if (napi_make_callback(env_, async_context_, recv, fn, 1, argv, &result) == napi_pending_exception) {
    napi_value error;
    napi_get_and_clear_last_exception(env_, &error);
    napi_fatal_exception(env_, error);
  }
}

void NodeHost::Enter() {
  napi_handle_scope scope;
  napi_open_handle_scope(env_, &scope);
  scopes_.push_back(scope);
}

void NodeHost::Leave() {
  napi_close_handle_scope(env_, scopes_.back());
  scopes_.pop_back();
}

}  // namespace ringpoll
