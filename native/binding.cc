// The N-API surface: argument checks and conversions, then a call into the thread's Reactor.
// This file and node_host.{h,cc} are the only ones that see Node-API.
//
// lib/native.ts is the only caller and validates user input first; every value is checked again
// here, because a wrong length or id reaching the reactor would corrupt memory. A failed check
// throws a TypeError or RangeError; nothing here aborts.
#include <arpa/inet.h>
#include <napi.h>
#include <sys/un.h>

#include <cmath>
#include <cstddef>
#include <cstring>

#include "events.h"
#include "node_host.h"
#include "reactor.h"

namespace ringpoll {
namespace {

constexpr uint32_t kMaxWritevSegments = 1 << 20;

Reactor* GetReactor(const Napi::Env& env) {
  NodeHost* host = NodeHost::Of(env);
  Reactor* r = host != nullptr ? host->reactor() : nullptr;
  if (r == nullptr) Napi::Error::New(env, "ringpoll: init() has not been called").ThrowAsJavaScriptException();
  return r;
}

// An integer argument within [min, max]; sets *ok to false (with a RangeError/TypeError pending).
double IntArg(const Napi::CallbackInfo& info, size_t i, double min, double max, bool* ok) {
  const Napi::Env env = info.Env();
  if (!*ok) return 0;
  if (!info[i].IsNumber()) {
    Napi::TypeError::New(env, "ringpoll: expected a number").ThrowAsJavaScriptException();
    *ok = false;
    return 0;
  }
  const double v = info[i].As<Napi::Number>().DoubleValue();
  if (!(v >= min && v <= max) || std::floor(v) != v) {
    Napi::RangeError::New(env, "ringpoll: number out of range").ThrowAsJavaScriptException();
    *ok = false;
    return 0;
  }
  return v;
}

// A boolean argument, read without coercion: ToBoolean/ToString call into JS (napi_coerce_*),
// which a worker being terminated refuses, and the empty value node-addon-api then hands back
// aborts the process on its next use. lib/ passes real booleans and strings.
bool BoolArg(const Napi::CallbackInfo& info, size_t i) {
  return info[i].IsBoolean() && info[i].As<Napi::Boolean>().Value();
}

std::string StringArg(const Napi::CallbackInfo& info, size_t i) {
  return info[i].IsString() ? info[i].As<Napi::String>().Utf8Value() : std::string();
}

Conn* ConnArg(const Napi::CallbackInfo& info, Reactor* r) {
  bool ok = true;
  const double id = IntArg(info, 0, 0, UINT32_MAX, &ok);
  if (!ok) return nullptr;
  Conn* c = r->FindConn(static_cast<uint32_t>(id));
  if (c == nullptr) Napi::Error::New(info.Env(), "ringpoll: unknown connection id").ThrowAsJavaScriptException();
  return c;
}

// What a write to a connection the reactor has closed returns, its close record still on the way
// to JS (a write from another handler of the same batch): nothing is queued, and JS says false.
constexpr int kClosedConn = -1;

bool BoolProp(const Napi::Object& o, const char* key, bool fallback) {
  const Napi::Value v = o.Get(key);
  return v.IsBoolean() ? v.As<Napi::Boolean>().Value() : fallback;
}

uint32_t UintProp(const Napi::Object& o, const char* key, uint32_t fallback, bool* ok) {
  const Napi::Value v = o.Get(key);
  if (v.IsUndefined()) return fallback;
  const double d = v.IsNumber() ? v.As<Napi::Number>().DoubleValue() : -1;
  if (!(d >= 0 && d <= UINT32_MAX) || std::floor(d) != d) {
    if (*ok) Napi::RangeError::New(o.Env(), std::string("ringpoll: bad option ") + key).ThrowAsJavaScriptException();
    *ok = false;
    return fallback;
  }
  return static_cast<uint32_t>(d);
}

// 'auto' | 'epoll' | 'io_uring'; false with a TypeError/RangeError pending for anything else.
bool BackendOf(const Napi::Value& v, BackendChoice* out) {
  if (!v.IsString()) {
    Napi::TypeError::New(v.Env(), "ringpoll: backend must be a string").ThrowAsJavaScriptException();
    return false;
  }
  const std::string name = v.As<Napi::String>().Utf8Value();
  if (name == "auto") {
    *out = BackendChoice::kAuto;
  } else if (name == "epoll") {
    *out = BackendChoice::kEpoll;
  } else if (name == "io_uring") {
    *out = BackendChoice::kIoUring;
  } else {
    Napi::RangeError::New(v.Env(), "ringpoll: backend must be 'auto', 'epoll' or 'io_uring'").ThrowAsJavaScriptException();
    return false;
  }
  return true;
}

bool OptionsArg(const Napi::CallbackInfo& info, size_t i, ConnOptions* out) {
  if (!info[i].IsObject()) {
    Napi::TypeError::New(info.Env(), "ringpoll: expected an options object").ThrowAsJavaScriptException();
    return false;
  }
  const Napi::Object o = info[i].As<Napi::Object>();
  bool ok = true;
  out->no_delay = BoolProp(o, "noDelay", out->no_delay);
  out->allow_half_open = BoolProp(o, "allowHalfOpen", out->allow_half_open);
  out->high_water_mark = UintProp(o, "highWaterMark", out->high_water_mark, &ok);
  out->max_input = UintProp(o, "maxInput", out->max_input, &ok);
  out->idle_timeout_ms = UintProp(o, "idleTimeout", out->idle_timeout_ms, &ok);
  out->shm = BoolProp(o, "shm", out->shm);  // honoured on Unix sockets only (lib checks the address)
  const Napi::Value backend = o.Get("backend");
  return ok && (backend.IsUndefined() || BackendOf(backend, &out->backend));
}

// (host, port) or (path): the address of a listen or connect call; -errno when it is invalid.
int AddressArgs(const Napi::CallbackInfo& info, SocketAddress* addr, std::string* path, bool* ok) {
  if (info[0].IsString()) {
    *path = info[0].As<Napi::String>().Utf8Value();
    return MakeUnixAddress(*path, addr);
  }
  if (!info[1].IsString()) {
    Napi::TypeError::New(info.Env(), "ringpoll: expected a host or a path").ThrowAsJavaScriptException();
    *ok = false;
    return 0;
  }
  const double port = IntArg(info, 2, 0, 65535, ok);
  if (!*ok) return 0;
  return MakeInetAddress(info[1].As<Napi::String>().Utf8Value(), static_cast<int>(port), addr);
}

// { address, family: 'IPv4' | 'IPv6', port } or { path } for a Unix socket.
Napi::Object AddressToJs(const Napi::Env& env, const SocketAddress& addr) {
  Napi::Object o = Napi::Object::New(env);
  if (addr.family() == AF_UNIX) {
    const auto* un = reinterpret_cast<const sockaddr_un*>(&addr.storage);
    const size_t max = addr.len > offsetof(sockaddr_un, sun_path) ? addr.len - offsetof(sockaddr_un, sun_path) : 0;
    o.Set("path", Napi::String::New(env, un->sun_path, strnlen(un->sun_path, max)));
    return o;
  }
  char text[INET6_ADDRSTRLEN] = "";
  uint16_t port = 0;
  if (addr.family() == AF_INET) {
    const auto* v4 = reinterpret_cast<const sockaddr_in*>(&addr.storage);
    inet_ntop(AF_INET, &v4->sin_addr, text, sizeof text);
    port = ntohs(v4->sin_port);
  } else {
    const auto* v6 = reinterpret_cast<const sockaddr_in6*>(&addr.storage);
    inet_ntop(AF_INET6, &v6->sin6_addr, text, sizeof text);
    port = ntohs(v6->sin6_port);
  }
  o.Set("address", text);
  o.Set("family", addr.family() == AF_INET ? "IPv4" : "IPv6");
  o.Set("port", port);
  return o;
}

// init(dispatch, backend) -> { events: Int32Array, constants }; `backend` is what 'auto' means.
Napi::Value Init(const Napi::CallbackInfo& info) {
  const Napi::Env env = info.Env();
  if (!info[0].IsFunction()) {
    Napi::TypeError::New(env, "ringpoll: init(dispatch) needs a function").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  BackendChoice preferred = BackendChoice::kAuto;
  if (!BackendOf(info[1], &preferred)) return env.Undefined();
  if (NodeHost::Of(env) != nullptr) {
    Napi::Error::New(env, "ringpoll: init() was already called on this thread").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  NodeHost* host = NodeHost::Create(env, info[0], preferred);
  if (host == nullptr) return env.Undefined();
  Napi::Object out = Napi::Object::New(env);
  out.Set("events", Napi::Value(env, host->EventsArray()));
  Napi::Object k = Napi::Object::New(env);
  k.Set("EVENT_INTS", kEventInts);
  k.Set("ACCEPT", static_cast<int>(kEventAccept));
  k.Set("CONNECT", static_cast<int>(kEventConnect));
  k.Set("DATA", static_cast<int>(kEventData));
  k.Set("END", static_cast<int>(kEventEnd));
  k.Set("DRAIN", static_cast<int>(kEventDrain));
  k.Set("CLOSE", static_cast<int>(kEventClose));
  k.Set("SLAB", static_cast<int>(kEventSlab));
  k.Set("CLOSE_LOCAL", static_cast<int>(kCloseLocal));
  k.Set("CLOSE_PEER", static_cast<int>(kClosePeer));
  k.Set("CLOSE_ERROR", static_cast<int>(kCloseError));
  k.Set("CLOSE_TIMEOUT", static_cast<int>(kCloseTimeout));
  k.Set("CLOSE_WRITE_ERROR", static_cast<int>(kCloseWriteError));
  k.Set("CHUNK_SIZE", kChunkSize);
  k.Set("CHUNKS_PER_SLAB", kChunksPerSlab);
  k.Set("TRANSPORT_TCP", static_cast<int>(kTransportTcp));
  k.Set("TRANSPORT_UNIX", static_cast<int>(kTransportUnix));
  k.Set("TRANSPORT_SHM", static_cast<int>(kTransportShm));
  k.Set("PART_RECORDS", Reactor::kPartRecords);
  out.Set("constants", k);
  return out;
}

// getSlab(index) -> ArrayBuffer
Napi::Value GetSlab(const Napi::CallbackInfo& info) {
  Reactor* r = GetReactor(info.Env());
  bool ok = r != nullptr;
  const double index = IntArg(info, 0, 0, UINT32_MAX, &ok);
  if (!ok) return info.Env().Undefined();
  napi_value slab = NodeHost::Of(info.Env())->Slab(static_cast<uint32_t>(index));
  if (slab == nullptr) {
    Napi::RangeError::New(info.Env(), "ringpoll: no such slab").ThrowAsJavaScriptException();
    return info.Env().Undefined();
  }
  return Napi::Value(info.Env(), slab);
}

// listen(path | null, host | null, port, backlog, reusePort, ipv6Only, options) -> id or -errno
Napi::Value Listen(const Napi::CallbackInfo& info) {
  const Napi::Env env = info.Env();
  Reactor* r = GetReactor(env);
  bool ok = r != nullptr;
  SocketAddress addr;
  std::string path;
  int err = ok ? AddressArgs(info, &addr, &path, &ok) : 0;
  const double backlog = IntArg(info, 3, 0, INT32_MAX, &ok);
  ConnOptions opts;
  if (!ok || !OptionsArg(info, 6, &opts)) return env.Undefined();
  if (err == 0) err = r->Listen(addr, static_cast<int>(backlog), BoolArg(info, 4), BoolArg(info, 5), path, opts);
  return Napi::Number::New(env, err);
}

// The listener named by argument 0, or nullptr (an unknown id is not an error: it has closed).
Listener* ListenerArg(const Napi::CallbackInfo& info, Reactor** reactor) {
  *reactor = GetReactor(info.Env());
  bool ok = *reactor != nullptr;
  const double id = IntArg(info, 0, 0, UINT32_MAX, &ok);
  return ok ? (*reactor)->FindListener(static_cast<uint32_t>(id)) : nullptr;
}

// listenerAddress(id) -> { address, family, port } | { path } | null
Napi::Value ListenerAddress(const Napi::CallbackInfo& info) {
  Reactor* r;
  Listener* l = ListenerArg(info, &r);
  if (l == nullptr) return info.Env().Null();
  return AddressToJs(info.Env(), l->addr);
}

// listenerBackend(id) -> 'epoll' | 'io_uring' | null
Napi::Value ListenerBackend(const Napi::CallbackInfo& info) {
  Reactor* r;
  Listener* l = ListenerArg(info, &r);
  if (l == nullptr) return info.Env().Null();
  return Napi::String::New(info.Env(), l->io->name());
}

// closeListener(id)
Napi::Value CloseListener(const Napi::CallbackInfo& info) {
  Reactor* r;
  Listener* l = ListenerArg(info, &r);
  if (l != nullptr) r->CloseListener(l);
  return info.Env().Undefined();
}

// connect(path | null, host | null, port, timeoutMs, options) -> id or -errno
Napi::Value Connect(const Napi::CallbackInfo& info) {
  const Napi::Env env = info.Env();
  Reactor* r = GetReactor(env);
  bool ok = r != nullptr;
  SocketAddress addr;
  std::string path;
  int err = ok ? AddressArgs(info, &addr, &path, &ok) : 0;
  const double timeout = IntArg(info, 3, 0, UINT32_MAX, &ok);
  ConnOptions opts;
  if (!ok || !OptionsArg(info, 4, &opts)) return env.Undefined();
  if (err == 0) err = r->Connect(addr, opts, static_cast<uint32_t>(timeout));
  return Napi::Number::New(env, err);
}

Napi::Value OutOfMemory(const Napi::Env& env) {
  Napi::Error e = Napi::Error::New(env, "ringpoll: out of memory for output");
  e.Set("code", "ENOMEM");
  e.ThrowAsJavaScriptException();
  return env.Undefined();
}

// reserve(id, n, out: Int32Array(2)) -> bufferedAmount (or kClosedConn); out = [chunk, offset] of
// n writable bytes
Napi::Value Reserve(const Napi::CallbackInfo& info) {
  const Napi::Env env = info.Env();
  Reactor* r = GetReactor(env);
  Conn* c = r ? ConnArg(info, r) : nullptr;
  bool ok = c != nullptr;
  const double n = IntArg(info, 1, 1, kChunkSize, &ok);
  if (!ok) return env.Undefined();
  if (!info[2].IsTypedArray() || info[2].As<Napi::TypedArray>().TypedArrayType() != napi_int32_array ||
      info[2].As<Napi::Int32Array>().ElementLength() < 2) {
    Napi::TypeError::New(env, "ringpoll: reserve needs an Int32Array(2)").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  if (c->life.closed()) return Napi::Number::New(env, kClosedConn);
  int32_t chunk = 0;
  uint32_t offset = 0;
  if (r->Reserve(c, static_cast<uint32_t>(n), &chunk, &offset) == nullptr) return OutOfMemory(env);
  Napi::Int32Array out = info[2].As<Napi::Int32Array>();
  out[0] = chunk;
  out[1] = static_cast<int32_t>(offset);
  return Napi::Number::New(env, static_cast<double>(c->OutputLength()));
}

// A Uint8Array's bytes, or false with a TypeError pending.
bool BytesOf(const Napi::Value& v, char** data, size_t* len) {
  // One napi_get_typedarray_info call: this is on the path of every write.
  bool is_typed = false;
  napi_typedarray_type type = napi_int8_array;
  void* ptr = nullptr;
  if (napi_is_typedarray(v.Env(), v, &is_typed) != napi_ok || !is_typed ||
      napi_get_typedarray_info(v.Env(), v, &type, len, &ptr, nullptr, nullptr) != napi_ok || type != napi_uint8_array) {
    Napi::TypeError::New(v.Env(), "ringpoll: expected a Uint8Array").ThrowAsJavaScriptException();
    return false;
  }
  *data = static_cast<char*>(ptr);
  if (*len > INT32_MAX) {
    Napi::RangeError::New(v.Env(), "ringpoll: a single write is limited to 2 GiB").ThrowAsJavaScriptException();
    return false;
  }
  return true;
}

// write(id, Uint8Array) -> bufferedAmount, or kClosedConn
Napi::Value Write(const Napi::CallbackInfo& info) {
  const Napi::Env env = info.Env();
  Reactor* r = GetReactor(env);
  Conn* c = r ? ConnArg(info, r) : nullptr;
  char* data = nullptr;
  size_t len = 0;
  if (c == nullptr || !BytesOf(info[1], &data, &len)) return env.Undefined();
  if (c->life.closed()) return Napi::Number::New(env, kClosedConn);
  if (!r->Write(c, static_cast<napi_value>(info[1]), data, len)) return OutOfMemory(env);
  return Napi::Number::New(env, static_cast<double>(c->OutputLength()));
}

// writev(id, Uint8Array[]) -> bufferedAmount, or kClosedConn. Every element is checked before any
// is queued.
Napi::Value Writev(const Napi::CallbackInfo& info) {
  const Napi::Env env = info.Env();
  Reactor* r = GetReactor(env);
  Conn* c = r ? ConnArg(info, r) : nullptr;
  if (c == nullptr) return env.Undefined();
  if (!info[1].IsArray()) {
    Napi::TypeError::New(env, "ringpoll: writev needs an array").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  Napi::Array list = info[1].As<Napi::Array>();
  const uint32_t count = list.Length();
  if (count > kMaxWritevSegments) {
    Napi::RangeError::New(env, "ringpoll: writev takes at most 1048576 buffers").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  struct Item {
    napi_value value;
    char* data;
    size_t len;
  };
  std::vector<Item> items(count);
  for (uint32_t i = 0; i < count; ++i) {
    Napi::Value v = list.Get(i);
    items[i].value = v;
    if (!BytesOf(v, &items[i].data, &items[i].len)) return env.Undefined();
  }
  if (c->life.closed()) return Napi::Number::New(env, kClosedConn);
  for (const Item& item : items) {
    if (!r->Write(c, item.value, item.data, item.len)) return OutOfMemory(env);
  }
  return Napi::Number::New(env, static_cast<double>(c->OutputLength()));
}

// bufferedAmount(id)
Napi::Value Buffered(const Napi::CallbackInfo& info) {
  Reactor* r = GetReactor(info.Env());
  Conn* c = r ? ConnArg(info, r) : nullptr;
  if (c == nullptr) return info.Env().Undefined();
  return Napi::Number::New(info.Env(), static_cast<double>(c->OutputLength()));
}

// The operations that take only an id.
template <void (Reactor::*Op)(Conn*)>
Napi::Value ConnOp(const Napi::CallbackInfo& info) {
  Reactor* r = GetReactor(info.Env());
  Conn* c = r ? ConnArg(info, r) : nullptr;
  if (c != nullptr) (r->*Op)(c);
  return info.Env().Undefined();
}

// release(id, n): n must not exceed the unreleased input.
Napi::Value Release(const Napi::CallbackInfo& info) {
  Reactor* r = GetReactor(info.Env());
  Conn* c = r ? ConnArg(info, r) : nullptr;
  bool ok = c != nullptr;
  const double n = ok ? IntArg(info, 1, 0, static_cast<double>(c->in.length()), &ok) : 0;
  if (ok) r->Release(c, static_cast<size_t>(n));
  return info.Env().Undefined();
}

// pause(id, paused)
Napi::Value Pause(const Napi::CallbackInfo& info) {
  Reactor* r = GetReactor(info.Env());
  Conn* c = r ? ConnArg(info, r) : nullptr;
  if (c != nullptr) r->SetPaused(c, BoolArg(info, 1));
  return info.Env().Undefined();
}

// ref(id, on): whether the connection keeps the event loop alive
Napi::Value Ref(const Napi::CallbackInfo& info) {
  Reactor* r = GetReactor(info.Env());
  Conn* c = r ? ConnArg(info, r) : nullptr;
  if (c != nullptr) r->SetConnRef(c, BoolArg(info, 1));
  return info.Env().Undefined();
}

// refListener(id, on): whether the listener keeps the event loop alive
Napi::Value RefListener(const Napi::CallbackInfo& info) {
  Reactor* r;
  Listener* l = ListenerArg(info, &r);
  if (l != nullptr) r->SetListenerRef(l, BoolArg(info, 1));
  return info.Env().Undefined();
}

// setIdleTimeout(id, ms)
Napi::Value SetIdleTimeout(const Napi::CallbackInfo& info) {
  Reactor* r = GetReactor(info.Env());
  Conn* c = r ? ConnArg(info, r) : nullptr;
  bool ok = c != nullptr;
  const double ms = IntArg(info, 1, 0, UINT32_MAX, &ok);
  if (ok) r->SetIdleTimeout(c, static_cast<uint32_t>(ms));
  return info.Env().Undefined();
}

// setSocketOption(id, 'noDelay' | 'keepAlive', on, keepAliveSeconds) -> 0 or -errno
Napi::Value SetSocketOption(const Napi::CallbackInfo& info) {
  const Napi::Env env = info.Env();
  Reactor* r = GetReactor(env);
  Conn* c = r ? ConnArg(info, r) : nullptr;
  bool ok = c != nullptr;
  const double seconds = IntArg(info, 3, 0, INT32_MAX, &ok);
  if (!ok) return env.Undefined();
  if (c->fd < 0 || c->peer.family() == AF_UNIX) return Napi::Number::New(env, 0);
  const std::string name = StringArg(info, 1);
  const bool on = BoolArg(info, 2);
  int err = -EINVAL;
  if (name == "noDelay") err = SetNoDelay(c->fd, on);
  if (name == "keepAlive") err = SetKeepAlive(c->fd, on, static_cast<int>(seconds));
  return Napi::Number::New(env, err);
}

// address(id, peer) -> { address, family, port } | { path } | null once closed
Napi::Value Address(const Napi::CallbackInfo& info) {
  const Napi::Env env = info.Env();
  Reactor* r = GetReactor(env);
  Conn* c = r ? ConnArg(info, r) : nullptr;
  if (c == nullptr) return env.Undefined();
  if (BoolArg(info, 1)) return AddressToJs(env, c->peer);
  SocketAddress local;
  if (c->fd < 0 || LocalAddress(c->fd, &local) != 0) return env.Null();
  return AddressToJs(env, local);
}

Napi::Value Stats(const Napi::CallbackInfo& info) {
  const Napi::Env env = info.Env();
  Reactor* r = GetReactor(env);
  if (r == nullptr) return env.Undefined();
  Napi::Object o = Napi::Object::New(env);
  o.Set("backend", r->default_backend());
  o.Set("connections", r->connection_count());
  o.Set("listeners", r->listener_count());
  o.Set("slabs", r->pool().slabs());
  o.Set("slabsPeak", r->pool().peak_slabs());
  o.Set("slabsFreed", static_cast<double>(r->pool().freed_slabs()));
  o.Set("chunks", r->pool().chunks());
  o.Set("chunksInUse", r->chunks_in_use());
  o.Set("chunksReserved", r->chunks_reserved());
  o.Set("uringBuffers", r->uring_buffers());
  o.Set("bytesRead", static_cast<double>(r->stats().bytes_read));
  o.Set("bytesWritten", static_cast<double>(r->stats().bytes_written));
  o.Set("readCalls", static_cast<double>(r->stats().read_calls));
  o.Set("writeCalls", static_cast<double>(r->stats().write_calls));
  o.Set("accepts", static_cast<double>(r->stats().accepts));
  o.Set("wakeups", static_cast<double>(r->stats().wakeups));
  o.Set("dispatches", static_cast<double>(r->stats().dispatches));
  o.Set("submits", static_cast<double>(r->stats().submits));
  o.Set("shmLanes", r->lane_count());
  o.Set("shmHandshakes", r->handshake_count());
  o.Set("shmSlabs", r->pool().lane_slabs());
  o.Set("shmMappedBytes", static_cast<double>(r->pool().lane_mapped_bytes()));
  o.Set("shmRefused", static_cast<double>(r->stats().shm_refused));
  return o;
}

Napi::Object Module(Napi::Env env, Napi::Object exports) {
  exports.Set("init", Napi::Function::New<Init>(env, "init"));
  exports.Set("getSlab", Napi::Function::New<GetSlab>(env, "getSlab"));
  exports.Set("listen", Napi::Function::New<Listen>(env, "listen"));
  exports.Set("listenerAddress", Napi::Function::New<ListenerAddress>(env, "listenerAddress"));
  exports.Set("listenerBackend", Napi::Function::New<ListenerBackend>(env, "listenerBackend"));
  exports.Set("closeListener", Napi::Function::New<CloseListener>(env, "closeListener"));
  exports.Set("connect", Napi::Function::New<Connect>(env, "connect"));
  exports.Set("reserve", Napi::Function::New<Reserve>(env, "reserve"));
  exports.Set("write", Napi::Function::New<Write>(env, "write"));
  exports.Set("writev", Napi::Function::New<Writev>(env, "writev"));
  exports.Set("bufferedAmount", Napi::Function::New<Buffered>(env, "bufferedAmount"));
  exports.Set("flush", Napi::Function::New<ConnOp<&Reactor::Flush>>(env, "flush"));
  exports.Set("end", Napi::Function::New<ConnOp<&Reactor::End>>(env, "end"));
  exports.Set("close", Napi::Function::New<ConnOp<&Reactor::Close>>(env, "close"));
  exports.Set("reset", Napi::Function::New<ConnOp<&Reactor::Reset>>(env, "reset"));
  exports.Set("release", Napi::Function::New<Release>(env, "release"));
  exports.Set("pause", Napi::Function::New<Pause>(env, "pause"));
  exports.Set("ref", Napi::Function::New<Ref>(env, "ref"));
  exports.Set("refListener", Napi::Function::New<RefListener>(env, "refListener"));
  exports.Set("endSeen", Napi::Function::New<ConnOp<&Reactor::EndSeen>>(env, "endSeen"));
  exports.Set("setIdleTimeout", Napi::Function::New<SetIdleTimeout>(env, "setIdleTimeout"));
  exports.Set("setSocketOption", Napi::Function::New<SetSocketOption>(env, "setSocketOption"));
  exports.Set("address", Napi::Function::New<Address>(env, "address"));
  exports.Set("stats", Napi::Function::New<Stats>(env, "stats"));
  return exports;
}

}  // namespace
}  // namespace ringpoll

static Napi::Object InitModule(Napi::Env env, Napi::Object exports) { return ringpoll::Module(env, exports); }

NODE_API_MODULE(ringpoll, InitModule)
