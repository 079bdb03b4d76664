// The reactor's host under Node (js_host.h): the batch goes to JS through MakeCallback, slabs are
// external ArrayBuffers, linked buffers are pinned with references. One per JS thread, made by
// init(); it owns the thread's Reactor and frees both when the environment goes away.
#pragma once

#include <node_api.h>

#include <vector>

#include "connection.h"
#include "events.h"
#include "js_host.h"

namespace ringpoll {

class Reactor;

class NodeHost final : public ReactorHost {
 public:
  // The thread's host (and reactor), or nullptr before init().
  static NodeHost* Of(napi_env env);
  // Makes the thread's host and reactor; nullptr with a JS exception pending on failure.
  static NodeHost* Create(napi_env env, napi_value dispatch, BackendChoice preferred);
  ~NodeHost();

  Reactor* reactor() const { return reactor_; }
  napi_value EventsArray() const;  // the shared Int32Array of records
  napi_value Slab(uint32_t index) const;  // the slab's ArrayBuffer, or nullptr

  void* ExportSlab(char* data, size_t size, void* token) override;
  void ReleaseSlab(void* slab) override;
  void* Pin(void* buffer) override;
  bool Holds(void* pin, const char* data, uint32_t len) override;
  void Unpin(void* pin) override;
  void Deliver(uint32_t count) override;
  void Enter() override;
  void Leave() override;

 private:
  explicit NodeHost(napi_env env) : env_(env) {}
  static void OnCleanup(napi_async_cleanup_hook_handle handle, void* arg);

  napi_env env_;
  Reactor* reactor_ = nullptr;
  napi_ref dispatch_ = nullptr;
  napi_async_context async_context_ = nullptr;
  napi_ref events_ref_ = nullptr;
  Event* events_ = nullptr;
  napi_async_cleanup_hook_handle cleanup_ = nullptr;
  std::vector<napi_handle_scope> scopes_;  // Enter/Leave may nest
};

}  // namespace ringpoll
