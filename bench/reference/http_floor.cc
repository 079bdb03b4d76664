// The "Node floor" for the HTTP hello-world bench: a Node addon serving the same keep-alive hello
// world as reference/http_epoll.c, from inside a Node process, on libuv's own loop. Each variant
// adds one of the costs a Node network addon pays on a wake-up, so that the rows split ringpoll's
// distance to C and Bun into parts (bench/README.md, "The Node floor"):
//   direct   one uv_poll_t per socket on libuv's loop; read, count "\r\n\r\n", write, all in C++;
//   nested   one epoll fd of its own watched by a single uv_poll_t (ringpoll's epoll backend's
//            shape): libuv's epoll_wait, then this one's, per wake-up;
//   callback direct, plus one napi_make_callback into an empty JS function per loop iteration that
//            had events (from a uv_check_t, which runs right after the poll phase);
//   js       callback, but JS does the responder's minimal work: it reads each ready connection's
//            request count from a shared Int32Array and calls the native respond(fd, count).
// Plain Node-API plus libuv (which Node exports); compiled by bench/lib/reference.mjs on each run.
// Errors end the process: this is a bench fixture, never loaded by the library.
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <node_api.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <uv.h>

#include "http_hello.h"

namespace {

constexpr int kMaxFds = 65536;
constexpr int kMaxReady = 1024;  // entries of the shared array handed to JS (fd, count pairs)

enum class Variant { kDirect, kNested, kCallback, kJs };

struct Conn {
  uv_poll_t poll;  // first: a uv_poll_t* is a Conn* (direct variants)
  int fd;
  unsigned matched;  // how many bytes of a possible "\r\n\r\n" ended the previous read
};

Variant variant;
uv_loop_t* loop;
napi_env env;
int listener = -1;
int epfd = -1;  // nested only
uv_poll_t listen_poll;  // direct variants: the listener; nested: the epoll fd
uv_check_t check;
bool had_events = false;
napi_ref js_fn = nullptr;
napi_ref js_ready = nullptr;  // the shared Int32Array (js variant)
napi_async_context async_context;
int32_t* ready = nullptr;  // its data: fd, count, fd, count, ...
int ready_count = 0;
Conn* conns[kMaxFds];
char in_buf[65536];
char out_buf[65536];

[[noreturn]] void Die(const char* what) {
  perror(what);
  abort();
}

void Respond(int fd, int requests) { write_responses(fd, out_buf, sizeof out_buf, requests); }

void FreeConn(uv_handle_t* handle) { delete reinterpret_cast<Conn*>(handle); }

void CloseConn(Conn* c) {
  conns[c->fd] = nullptr;
  if (variant == Variant::kNested) {
    close(c->fd);  // also leaves the epoll set
    delete c;
    return;
  }
  uv_poll_stop(&c->poll);
  close(c->fd);
  uv_close(reinterpret_cast<uv_handle_t*>(&c->poll), FreeConn);
}

// One readable connection: read once, count, answer in C++ (or queue the count for JS).
void OnReadable(Conn* c) {
  const ssize_t r = read(c->fd, in_buf, sizeof in_buf);
  if (r <= 0) {
    if (r < 0 && errno == EAGAIN) return;
    CloseConn(c);
    return;
  }
  const int requests = count_requests(&c->matched, in_buf, r);
  had_events = true;
  if (variant != Variant::kJs) {
    Respond(c->fd, requests);
  } else if (requests > 0 && ready_count < kMaxReady) {
    ready[2 * ready_count] = c->fd;
    ready[2 * ready_count + 1] = requests;
    ready_count++;
  } else if (requests > 0) {
    Respond(c->fd, requests);  // more ready connections than the array holds: not in the bench
  }
}

void OnConnPoll(uv_poll_t* handle, int status, int) {
  Conn* c = reinterpret_cast<Conn*>(handle);
  if (status < 0) {
    CloseConn(c);
    return;
  }
  OnReadable(c);
}

void Accept() {
  const int one = 1;
  int fd;
  while ((fd = accept4(listener, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
    if (fd >= kMaxFds) {
      close(fd);
      continue;
    }
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    Conn* c = new Conn{};
    c->fd = fd;
    conns[fd] = c;
    if (variant == Variant::kNested) {
      epoll_event ev{};
      ev.events = EPOLLIN | EPOLLRDHUP;
      ev.data.ptr = c;
      if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) != 0) Die("epoll_ctl");
    } else {
      if (uv_poll_init(loop, &c->poll, fd) != 0) Die("uv_poll_init");
      uv_poll_start(&c->poll, UV_READABLE, OnConnPoll);
    }
  }
}

void OnListenPoll(uv_poll_t*, int, int) { Accept(); }

// nested: libuv saw the epoll fd readable; this epoll_wait collects what is ready inside it.
void OnEpollPoll(uv_poll_t*, int, int) {
  static epoll_event events[1024];
  const int n = epoll_wait(epfd, events, 1024, 0);
  for (int i = 0; i < n; i++) {
    if (events[i].data.ptr == nullptr) {
      Accept();
    } else {
      OnReadable(static_cast<Conn*>(events[i].data.ptr));
    }
  }
}

// After the poll phase: one call into JS if any connection had input this iteration.
void OnCheck(uv_check_t*) {
  if (!had_events) return;
  had_events = false;
  napi_handle_scope scope;
  napi_open_handle_scope(env, &scope);
  napi_value fn, recv, argv[1], result;
  napi_get_reference_value(env, js_fn, &fn);
  napi_get_global(env, &recv);  // napi_make_callback wants an object
  napi_create_int32(env, ready_count, &argv[0]);
  if (napi_make_callback(env, async_context, recv, fn, 1, argv, &result) != napi_ok) {
    fprintf(stderr, "http_floor: the call into JS failed\n");
    abort();
  }
  ready_count = 0;
  napi_close_handle_scope(env, scope);
}

int Listen(int port) {
  listener = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  const int one = 1;
  setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || listen(listener, 511) != 0) {
    Die("listen");
  }
  socklen_t len = sizeof addr;
  getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len);
  return ntohs(addr.sin_port);
}

napi_value Throw(napi_env e, const char* message) {
  napi_throw_type_error(e, nullptr, message);
  return nullptr;
}

// start(port, variant, fn?) -> the port listened on. fn is called once per iteration with events
// (callback, js variants) with the number of (fd, count) pairs in the shared array (js only).
napi_value Start(napi_env e, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  napi_get_cb_info(e, info, &argc, argv, nullptr, nullptr);
  int32_t port = 0;
  char name[16] = {0};
  size_t name_len = 0;
  if (argc < 2 || napi_get_value_int32(e, argv[0], &port) != napi_ok ||
      napi_get_value_string_utf8(e, argv[1], name, sizeof name, &name_len) != napi_ok) {
    return Throw(e, "start(port, variant, fn?)");
  }
  if (strcmp(name, "direct") == 0) variant = Variant::kDirect;
  else if (strcmp(name, "nested") == 0) variant = Variant::kNested;
  else if (strcmp(name, "callback") == 0) variant = Variant::kCallback;
  else if (strcmp(name, "js") == 0) variant = Variant::kJs;
  else return Throw(e, "variant: direct, nested, callback or js");
  env = e;
  napi_get_uv_event_loop(e, &loop);
  const int bound = Listen(port);
  if (variant == Variant::kNested) {
    epfd = epoll_create1(EPOLL_CLOEXEC);
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.ptr = nullptr;
    if (epfd < 0 || epoll_ctl(epfd, EPOLL_CTL_ADD, listener, &ev) != 0) Die("epoll");
    uv_poll_init(loop, &listen_poll, epfd);
    uv_poll_start(&listen_poll, UV_READABLE, OnEpollPoll);
  } else {
    uv_poll_init(loop, &listen_poll, listener);
    uv_poll_start(&listen_poll, UV_READABLE, OnListenPoll);
  }
  if (variant == Variant::kCallback || variant == Variant::kJs) {
    napi_valuetype type;
    if (argc < 3 || napi_typeof(e, argv[2], &type) != napi_ok || type != napi_function) {
      return Throw(e, "fn: a function");
    }
    if (variant == Variant::kJs && ready == nullptr) return Throw(e, "js: call ready() first");
    napi_create_reference(e, argv[2], 1, &js_fn);
    napi_value resource, resource_name;
    napi_create_object(e, &resource);
    napi_create_string_utf8(e, "http_floor", NAPI_AUTO_LENGTH, &resource_name);
    napi_async_init(e, resource, resource_name, &async_context);
    uv_check_init(loop, &check);
    uv_check_start(&check, OnCheck);
    uv_unref(reinterpret_cast<uv_handle_t*>(&check));
  }
  napi_value result;
  napi_create_int32(e, bound, &result);
  return result;
}

// The shared array of (fd, count) pairs the js variant reads; created once.
napi_value Ready(napi_env e, napi_callback_info) {
  napi_value array;
  if (js_ready == nullptr) {
    napi_value buffer;
    void* data;
    napi_create_arraybuffer(e, 2 * kMaxReady * sizeof(int32_t), &data, &buffer);
    ready = static_cast<int32_t*>(data);
    napi_create_typedarray(e, napi_int32_array, 2 * kMaxReady, buffer, 0, &array);
    napi_create_reference(e, array, 1, &js_ready);
  }
  napi_get_reference_value(e, js_ready, &array);
  return array;
}

// respond(fd, count): the one native write of the js variant.
napi_value RespondJs(napi_env e, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(e, info, &argc, argv, nullptr, nullptr);
  int32_t fd = -1, count = 0;
  if (argc < 2 || napi_get_value_int32(e, argv[0], &fd) != napi_ok ||
      napi_get_value_int32(e, argv[1], &count) != napi_ok || fd < 0 || fd >= kMaxFds ||
      conns[fd] == nullptr || count < 0) {
    return Throw(e, "respond(fd, count): an open connection and a count >= 0");
  }
  Respond(fd, count);
  return nullptr;
}

// loops() -> [loop iterations, events libuv handed out]: uv_metrics_info, for wake-ups per request.
napi_value Loops(napi_env e, napi_callback_info) {
  uv_metrics_t metrics{};
  uv_metrics_info(loop, &metrics);
  napi_value result, count, events;
  napi_create_array_with_length(e, 2, &result);
  napi_create_double(e, static_cast<double>(metrics.loop_count), &count);
  napi_create_double(e, static_cast<double>(metrics.events), &events);
  napi_set_element(e, result, 0, count);
  napi_set_element(e, result, 1, events);
  return result;
}

napi_value Init(napi_env e, napi_value exports) {
  const napi_property_descriptor props[] = {
      {"start", nullptr, Start, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"ready", nullptr, Ready, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"respond", nullptr, RespondJs, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"loops", nullptr, Loops, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_define_properties(e, exports, sizeof props / sizeof props[0], props);
  return exports;
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
