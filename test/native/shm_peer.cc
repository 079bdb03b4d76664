// A shm-lane peer that ringpoll must not trust: `shm_peer MODE PATH [BYTES]` connects to a
// ringpoll shm listener (an echo server) at the Unix path PATH and plays MODE, one honest baseline
// or one broken rule of native/shm_layout.h, then prints one JSON line of what it saw:
//   reply     the acceptor's answer to the Hello (accepted, refused, closed, garbage, timeout)
//   closed    whether the acceptor closed the socket afterwards (within a bound)
//   echoed    bytes that came back; intact: whether they are the bytes sent, in order
//   fault     a rule ringpoll broke, as this peer reads shm_layout.h (empty when none)
// and mode-specific fields. Exit status 0 means the peer did what MODE asks; 2 means a system
// call of its own failed (the run proves nothing). The tap tests (test/shm-hostile.test.mjs)
// judge ringpoll's behaviour from the output and from the server's side.
#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstring>
#include <functional>
#include <map>
#include <string>
#include <thread>

#include "shm_peer_lane.h"

using namespace shm_peer;

namespace {

// The JSON line, in the order fields were added.
class Report {
 public:
  void Add(const char* key, const std::string& value) {
    std::string quoted;
    for (char c : value) {
      if (c == '"' || c == '\\') quoted += '\\';
      quoted += c;
    }
    Raw(key, "\"" + quoted + "\"");
  }
  void Add(const char* key, const char* value) { Add(key, std::string(value)); }
  void Add(const char* key, uint64_t value) { Raw(key, std::to_string(value)); }
  void Add(const char* key, bool value) { Raw(key, value ? "true" : "false"); }
  void Print() const { std::printf("{%s}\n", body_.c_str()); }

 private:
  void Raw(const char* key, const std::string& value) {
    if (!body_.empty()) body_ += ',';
    body_ += "\"" + std::string(key) + "\":" + value;
  }
  std::string body_;
};

// How a Hello is made and sent; the defaults are an honest one.
struct HelloPlan {
  Hello hello = MakeHello(kDefaultChunks, kDefaultDescs);
  uint64_t memfd_size = hello.size;
  unsigned seals = kAllSeals;
  enum Attach { kMemfd, kNone, kTwoMemfds, kManyMemfds, kPipe, kRegularFile } attach = kMemfd;
  size_t send_len = sizeof(Hello);  // less: the Hello is cut and the peer sends its FIN
  bool split = false;               // the Hello in two sends, the fd with the first half
};

struct Connected {
  int sock;
  Region region;
  Reply reply;
};

int RegularFile(uint64_t size) {
  int fd = open("/tmp", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  if (fd < 0) Die("open O_TMPFILE");
  if (ftruncate(fd, static_cast<off_t>(size)) != 0) Die("ftruncate file");
  return fd;
}

Connected Handshake(const char* path, const HelloPlan& plan) {
  const Layout layout = LayoutFor(plan.hello.chunks, plan.hello.descs);
  Region region = MakeRegion(layout, plan.memfd_size, 0);
  if (plan.memfd_size >= sizeof(Hello) && pwrite(region.fd, &plan.hello, sizeof(Hello), 0) != sizeof(Hello)) {
    Die("pwrite header");
  }
  if (plan.seals != 0 && fcntl(region.fd, F_ADD_SEALS, plan.seals) != 0) Die("F_ADD_SEALS");
  int sock = ConnectUnix(path);
  int fds[kMaxSentFds] = {region.fd};
  int nfds = 1;
  int pipe_fds[2] = {-1, -1};
  switch (plan.attach) {
    case HelloPlan::kMemfd: break;
    case HelloPlan::kNone: nfds = 0; break;
    case HelloPlan::kTwoMemfds: {
      fds[1] = MakeRegion(layout, plan.memfd_size, plan.seals).fd;
      nfds = 2;
      break;
    }
    case HelloPlan::kManyMemfds:
      for (nfds = 1; nfds < kMaxSentFds; ++nfds) fds[nfds] = MakeRegion(layout, plan.memfd_size, plan.seals).fd;
      break;
    case HelloPlan::kPipe:
      if (pipe2(pipe_fds, O_CLOEXEC) != 0) Die("pipe2");
      fds[0] = pipe_fds[0];
      break;
    case HelloPlan::kRegularFile: fds[0] = RegularFile(plan.memfd_size); break;
  }
  const size_t first = plan.split ? plan.send_len / 2 : plan.send_len;
  if (!SendWithFds(sock, &plan.hello, first, fds, nfds)) return {sock, region, Reply::kClosed};
  if (plan.split) {
    usleep(50 * 1000);
    const char* rest = reinterpret_cast<const char*>(&plan.hello) + first;
    if (send(sock, rest, plan.send_len - first, MSG_NOSIGNAL) != static_cast<ssize_t>(plan.send_len - first)) {
      return {sock, region, Reply::kClosed};
    }
  }
  if (plan.send_len < sizeof(Hello)) shutdown(sock, SHUT_WR);
  return {sock, region, ReadAnswer(sock, plan.hello)};
}

// A refused lane goes on as a plain Unix socket: an echo of a few bytes proves it.
bool PlainEcho(int sock) {
  const char ping[] = "plain ping";
  if (send(sock, ping, sizeof(ping), MSG_NOSIGNAL) != sizeof(ping)) return false;
  char back[sizeof(ping)];
  bool timed_out = false;
  return ReadExact(sock, back, sizeof(back), 5000, &timed_out) && std::memcmp(back, ping, sizeof(ping)) == 0;
}

bool Intact(const Lane& lane) {
  const auto& got = lane.received();
  for (size_t i = 0; i < got.size(); ++i) {
    if (got[i] != StreamByte(i)) return false;
  }
  return true;
}

void ReportLane(Report& out, const Lane& lane) {
  out.Add("echoed", uint64_t{lane.received().size()});
  out.Add("intact", Intact(lane));
  out.Add("fault", lane.fault());
}

// Handshake modes: a broken Hello; the peer reports the reply and what followed it.
int RunHelloMode(const char* path, const HelloPlan& plan, Report& out) {
  Connected c = Handshake(path, plan);
  out.Add("reply", ReplyName(c.reply));
  if (c.reply == Reply::kRefused) out.Add("plain_echo", PlainEcho(c.sock));
  if (c.reply == Reply::kAccepted && plan.seals == 0) {
    // ringpoll mapped a region we can still shrink: its next read of the chunks would fault.
    out.Add("shrunk", ftruncate(c.region.fd, 0) == 0);
  }
  // Closed by the acceptor, or (refused, or accepted by mistake) after our FIN, as an echo does.
  if (c.reply != Reply::kClosed) shutdown(c.sock, SHUT_WR);
  out.Add("closed", WaitClosed(c.sock, 5000));
  return 0;
}

std::map<std::string, std::function<void(HelloPlan&)>> HelloModes() {
  return {
      {"hello-no-fd", [](HelloPlan& p) { p.attach = HelloPlan::kNone; }},
      {"hello-two-fds", [](HelloPlan& p) { p.attach = HelloPlan::kTwoMemfds; }},
      {"hello-many-fds", [](HelloPlan& p) { p.attach = HelloPlan::kManyMemfds; }},
      {"hello-split", [](HelloPlan& p) { p.split = true; }},
      {"hello-pipe", [](HelloPlan& p) { p.attach = HelloPlan::kPipe; }},
      {"hello-file", [](HelloPlan& p) { p.attach = HelloPlan::kRegularFile; }},
      {"hello-unsealed", [](HelloPlan& p) { p.seals = 0; }},
      {"hello-no-shrink-seal", [](HelloPlan& p) { p.seals = F_SEAL_GROW | F_SEAL_SEAL; }},
      {"hello-small-memfd", [](HelloPlan& p) { p.memfd_size = p.hello.size / 2; }},
      {"hello-size-mismatch",
       [](HelloPlan& p) {
         p.hello.size += kPage;
         p.memfd_size = p.hello.size;
       }},
      {"hello-bad-magic", [](HelloPlan& p) { p.hello.magic[7] ^= 0xff; }},
      {"hello-bad-version", [](HelloPlan& p) { p.hello.version = kVersion + 1; }},
      {"hello-chunks-not-64", [](HelloPlan& p) { p.hello = MakeHello(100, kDefaultDescs); }},
      {"hello-chunks-not-pow2", [](HelloPlan& p) { p.hello = MakeHello(192, kDefaultDescs); }},
      {"hello-too-few-chunks", [](HelloPlan& p) { p.hello = MakeHello(kMinChunks / 2, kDefaultDescs); }},
      {"hello-too-many-chunks", [](HelloPlan& p) { p.hello = MakeHello(kMaxChunks * 2, kDefaultDescs); }},
      {"hello-descs-not-pow2", [](HelloPlan& p) { p.hello = MakeHello(kDefaultChunks, 1000); }},
      {"hello-truncated", [](HelloPlan& p) { p.send_len = sizeof(Hello) / 2; }},
  };
}

// Lane modes: an accepted lane, a short honest echo that proves it, then one broken rule.
// Each returns whether the acceptor is expected to notice without more traffic (else the peer
// keeps an echo going, as an application would, until the acceptor closes).
using Lie = std::function<void(Lane&)>;

void Flip(Lane& lane, std::atomic<bool>& stop) {
  Descriptor* ring = lane.region().descs(0);
  const uint32_t n = lane.region().layout.descs;
  uint32_t x = 0x9e3779b9;
  while (!stop.load(std::memory_order_relaxed)) {
    x ^= x << 13, x ^= x >> 17, x ^= x << 5;
    Descriptor* d = &ring[x & (n - 1)];
    __atomic_store_n(&d->chunk, (x & 1) ? x : 0, __ATOMIC_RELAXED);
    __atomic_store_n(&d->offset, (x & 2) ? x >> 3 : 0, __ATOMIC_RELAXED);
    __atomic_store_n(&d->length, (x & 4) ? x >> 5 : 1, __ATOMIC_RELAXED);
    __atomic_store_n(&d->kind, (x & 8) ? x >> 7 : kDescChunk, __ATOMIC_RELAXED);
  }
}

std::map<std::string, std::pair<bool, Lie>> LaneLies() {
  const uint32_t chunks = kDefaultChunks, descs = kDefaultDescs;
  return {
      {"desc-chunk-range", {true, [=](Lane& l) { l.PublishRaw({kDescChunk, chunks, 0, 10}); }}},
      {"desc-chunk-max", {true, [](Lane& l) { l.PublishRaw({kDescChunk, 0xffffffffu, 0, 10}); }}},
      {"desc-offset-past", {true, [](Lane& l) { l.PublishRaw({kDescChunk, 0, kChunkSize - 10, 11}); }}},
      {"desc-offset-wrap", {true, [](Lane& l) { l.PublishRaw({kDescChunk, 0, 0xfffffff0u, 0x20}); }}},
      {"desc-length-zero", {true, [](Lane& l) { l.PublishRaw({kDescChunk, 0, 0, 0}); }}},
      {"desc-length-huge", {true, [](Lane& l) { l.PublishRaw({kDescChunk, 0, 0, 0xffffffffu}); }}},
      {"desc-socket-huge", {true, [](Lane& l) { l.PublishRaw({kDescSocket, 0, 0, kMaxInline + 1}); }}},
      {"desc-kind-unknown", {true, [](Lane& l) { l.PublishRaw({7, 0, 0, 10}); }}},
      {"desc-kind-zero", {true, [](Lane& l) { l.PublishRaw({0, 0, 0, 10}); }}},
      {"desc-tail-far",
       {true,
        [=](Lane& l) {
          l.SetDescTail(l.next_desc() + descs + 1);
          l.SendWake();
        }}},
      {"desc-tail-behind",
       {true,
        [](Lane& l) {
          l.SetDescTail(l.next_desc() - 2);
          l.SendWake();
        }}},
      {"desc-socket-fin",
       {true,
        [](Lane& l) {
          l.PublishRaw({kDescSocket, 0, 0, 100});
          shutdown(l.sock(), SHUT_WR);
        }}},
      {"desc-socket-short-fin",
       {true,
        [](Lane& l) {
          char half[50] = {};
          l.SendFrame(kFrameInline, sizeof(half), half, sizeof(half));
          l.PublishRaw({kDescSocket, 0, 0, 100});
          shutdown(l.sock(), SHUT_WR);
        }}},
      {"frame-kind-unknown", {true, [](Lane& l) { l.SendFrame(9, 0); }}},
      {"frame-inline-zero", {true, [](Lane& l) { l.SendFrame(kFrameInline, 0); }}},
      {"frame-inline-huge", {true, [](Lane& l) { l.SendFrame(kFrameInline, kMaxInline + 1); }}},
      {"frame-cut-fin",
       {true,
        [](Lane& l) {
          const Frame f{kFrameInline, {0, 0, 0}, 100};
          send(l.sock(), &f, 5, MSG_NOSIGNAL);
          shutdown(l.sock(), SHUT_WR);
        }}},
      {"return-unpublished", {false, [](Lane& l) { l.ReturnRaw((l.last_chunk_seen() + 1) % kDefaultChunks); }}},
      {"return-twice", {false, [](Lane& l) { l.ReturnRaw(l.last_chunk_seen()); }}},
      {"return-out-of-range", {false, [=](Lane& l) { l.ReturnRaw(chunks + 7); }}},
      {"ret-tail-far", {false, [=](Lane& l) { l.SetRetTail(l.next_return() + chunks + 1); }}},
  };
}

// Keeps an echo going until the acceptor closes or `ms` pass; true if it closed.
bool EchoUntilClosed(Lane& lane, int ms) {
  for (int waited = 0; waited < ms && !lane.closed(); waited += 100) {
    if (lane.Send(4096, false, 100)) lane.ReceiveUntil(lane.sent(), 100);
  }
  return lane.closed() || lane.FinishAndWaitClose(1000);
}

bool Accept(const char* path, Report& out, Connected* c) {
  *c = Handshake(path, HelloPlan{});
  out.Add("reply", ReplyName(c->reply));
  if (c->reply != Reply::kAccepted) return false;
  MapRegion(&c->region);
  return true;
}

int RunLaneLie(const char* path, bool noticed_at_once, const Lie& lie, Report& out) {
  Connected c;
  if (!Accept(path, out, &c)) return 1;
  Lane lane(c.sock, c.region);
  out.Add("warm_up", lane.Send(1000, false) && lane.ReceiveUntil(1000, 5000) && Intact(lane));
  lie(lane);
  bool closed = noticed_at_once ? (lane.Run([] { return false; }, 5000), lane.closed())
                                : EchoUntilClosed(lane, 5000);
  out.Add("closed", closed);
  return 0;
}

// The honest baseline: BYTES (default 1 MiB) through the lane in pieces of every size, every
// fourth piece as a kDescSocket descriptor with an inline frame; the echo must come back whole.
int RunEcho(const char* path, uint64_t total, Report& out, bool never_release) {
  Connected c;
  if (!Accept(path, out, &c)) return 1;
  Lane lane(c.sock, c.region);
  lane.set_never_release(never_release);
  static const uint32_t kPieces[] = {1, 100, kChunkSize, 5000, 3 * kChunkSize + 7, kChunkSize - 1, 64, 40000};
  for (uint32_t i = 0; lane.sent() < total && !lane.closed() && lane.fault().empty(); ++i) {
    const uint32_t n = static_cast<uint32_t>(std::min<uint64_t>(kPieces[i % 8], total - lane.sent()));
    if (!lane.Send(n, !never_release && i % 4 == 3, 10000)) break;
  }
  lane.ReceiveUntil(total, 20000);
  ReportLane(out, lane);
  out.Add("sent", lane.sent());
  out.Add("spilled_frames", uint64_t{lane.spilled()});
  out.Add("held_chunks", uint64_t{lane.held()});
  out.Add("closed", lane.FinishAndWaitClose(5000));
  return 0;
}

// The seals are what keeps a mapping safe: with them the peer cannot shrink (or grow) the region.
int RunTruncateAfter(const char* path, Report& out) {
  Connected c;
  if (!Accept(path, out, &c)) return 1;
  errno = 0;
  const bool shrunk = ftruncate(c.region.fd, 0) == 0;
  out.Add("shrink_errno", std::string(shrunk ? "none" : strerrorname_np(errno)));
  const bool grown = ftruncate(c.region.fd, static_cast<off_t>(c.region.layout.size * 2)) == 0;
  out.Add("grow_errno", std::string(grown ? "none" : strerrorname_np(errno)));
  Lane lane(c.sock, c.region);
  out.Add("warm_up", lane.Send(1000, false) && lane.ReceiveUntil(1000, 5000) && Intact(lane));
  out.Add("closed", lane.FinishAndWaitClose(5000));
  return 0;
}

// A writer that rewrites descriptors while (and after) publishing them: whatever ringpoll reads
// must be checked once and used as checked.
int RunToctou(const char* path, Report& out) {
  Connected c;
  if (!Accept(path, out, &c)) return 1;
  Lane lane(c.sock, c.region);
  out.Add("warm_up", lane.Send(1000, false) && lane.ReceiveUntil(1000, 5000) && Intact(lane));
  // The chunks named below are not taken from the free list: their returns are faults to this
  // peer's bookkeeping, not ringpoll's, and are not reported.
  std::atomic<bool> stop{false};
  std::thread flipper(Flip, std::ref(lane), std::ref(stop));
  for (uint32_t i = 0; i < 20000 && lane.WaitDescRoom(1000); ++i) {
    lane.PublishRaw({kDescChunk, i % kDefaultChunks, 0, 1 + i % kChunkSize});
  }
  stop = true;
  flipper.join();
  out.Add("closed", lane.closed() || lane.FinishAndWaitClose(5000));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: shm_peer MODE PATH [BYTES]\n");
    return 64;
  }
  signal(SIGPIPE, SIG_IGN);
  const std::string mode = argv[1];
  const char* path = argv[2];
  const uint64_t bytes = argc > 3 ? std::strtoull(argv[3], nullptr, 10) : (1u << 20);
  Report out;
  out.Add("mode", mode);
  int status = 64;
  auto hello = HelloModes();
  auto lies = LaneLies();
  if (mode == "first-chunk") {
    // One message in one chunk, nothing on the socket but its wake-up (if the reader's flag asks
    // for one): the region as created has every flag clear, so the acceptor must say it sleeps.
    status = RunLaneLie(path, true, [](Lane& l) { l.FinishAndWaitClose(5000); }, out);
  } else if (mode == "echo") {
    status = RunEcho(path, bytes, out, false);
  } else if (mode == "never-release") {
    status = RunEcho(path, bytes, out, true);
  } else if (mode == "truncate-after") {
    status = RunTruncateAfter(path, out);
  } else if (mode == "toctou") {
    status = RunToctou(path, out);
  } else if (auto h = hello.find(mode); h != hello.end()) {
    HelloPlan plan;
    h->second(plan);
    status = RunHelloMode(path, plan, out);
  } else if (auto l = lies.find(mode); l != lies.end()) {
    status = RunLaneLie(path, l->second.first, l->second.second, out);
  } else {
    std::fprintf(stderr, "unknown mode %s\n", mode.c_str());
  }
  out.Print();
  return status;
}
