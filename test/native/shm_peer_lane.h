// The connector's side of the shm lane, written for test/native/shm_peer.cc from the wire format
// alone (native/shm_layout.h), so that the tests can hold ringpoll's side against a second,
// independent reading of it. It is honest by default and checks what ringpoll sends as strictly
// as ringpoll must check what it receives; the hostile modes reach into its region and socket to
// break the rules one at a time.
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "shm_layout.h"

namespace shm_peer {

using namespace ringpoll::shm;

// A failure of the peer itself (a system call that must not fail): the run proves nothing.
[[noreturn]] inline void Die(const char* what) {
  std::printf("{\"peer_error\":\"%s: %s\"}\n", what, std::strerror(errno));
  std::fflush(stdout);
  std::exit(2);
}

inline int ConnectUnix(const char* path) {
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) Die("socket");
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (std::strlen(path) >= sizeof(addr.sun_path)) Die("path too long");
  std::strcpy(addr.sun_path, path);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) Die("connect");
  return fd;
}

constexpr int kMaxSentFds = 16;

// Sends `len` bytes with `nfds` descriptors attached to the first byte (none when nfds is 0).
inline bool SendWithFds(int sock, const void* data, size_t len, const int* fds, int nfds) {
  iovec iov{const_cast<void*>(data), len};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * kMaxSentFds)];
  if (nfds > kMaxSentFds) return false;
  if (nfds > 0) {
    msg.msg_control = control;
    msg.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
    cmsghdr* c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
    std::memcpy(CMSG_DATA(c), fds, sizeof(int) * nfds);
  }
  return sendmsg(sock, &msg, MSG_NOSIGNAL) == static_cast<ssize_t>(len);
}

// The region: a memfd the peer creates, sizes and seals, mapped shared.
struct Region {
  int fd = -1;
  char* base = nullptr;
  Layout layout{};

  Control* control(int d) const { return reinterpret_cast<Control*>(base + layout.control) + d; }
  Descriptor* descs(int d) const { return reinterpret_cast<Descriptor*>(base + layout.descs_at[d]); }
  uint32_t* returns(int d) const { return reinterpret_cast<uint32_t*>(base + layout.returns_at[d]); }
  char* chunk(int d, uint32_t i) const { return base + layout.chunks_at[d] + uint64_t{i} * kChunkSize; }
};

constexpr unsigned kAllSeals = F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL;

// A memfd for `layout` of `size` bytes, sealed with `seals`; mapped later, once accepted.
inline Region MakeRegion(const Layout& layout, uint64_t size, unsigned seals) {
  Region r;
  r.layout = layout;
  r.fd = memfd_create("shm_peer", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (r.fd < 0) Die("memfd_create");
  if (ftruncate(r.fd, static_cast<off_t>(size)) != 0) Die("ftruncate");
  if (seals != 0 && fcntl(r.fd, F_ADD_SEALS, seals) != 0) Die("F_ADD_SEALS");
  return r;
}

inline void MapRegion(Region* r) {
  void* p = mmap(nullptr, r->layout.size, PROT_READ | PROT_WRITE, MAP_SHARED, r->fd, 0);
  if (p == MAP_FAILED) Die("mmap");
  r->base = static_cast<char*>(p);
}

inline Hello MakeHello(uint32_t chunks, uint32_t descs) {
  Hello h{};
  std::memcpy(h.magic, kMagic, sizeof(kMagic));
  h.version = kVersion;
  h.chunks = chunks;
  h.descs = descs;
  h.size = LayoutFor(chunks, descs).size;
  return h;
}

// What the peer saw of the acceptor's reply.
// kEchoed: the acceptor took us for a plain client and an echo server sent our Hello back.
enum class Reply { kAccepted, kRefused, kClosed, kGarbage, kTimeout, kEchoed };

inline const char* ReplyName(Reply r) {
  switch (r) {
    case Reply::kAccepted: return "accepted";
    case Reply::kRefused: return "refused";
    case Reply::kClosed: return "closed";
    case Reply::kGarbage: return "garbage";
    case Reply::kEchoed: return "echoed";
    default: return "timeout";
  }
}

// Reads exactly `len` bytes within `ms`; false on EOF, reset or timeout (`*timed_out` tells which).
inline bool ReadExact(int sock, void* out, size_t len, int ms, bool* timed_out) {
  size_t got = 0;
  *timed_out = false;
  while (got < len) {
    pollfd p{sock, POLLIN, 0};
    int n = poll(&p, 1, ms);
    if (n == 0) {
      *timed_out = true;
      return false;
    }
    if (n < 0) Die("poll");
    ssize_t r = read(sock, static_cast<char*>(out) + got, len - got);
    if (r <= 0) return false;
    got += static_cast<size_t>(r);
  }
  return true;
}

inline Reply ReadAnswer(int sock, const Hello& sent, int ms = 5000) {
  Answer a{};
  bool timed_out = false;
  if (!ReadExact(sock, &a, sizeof(a), ms, &timed_out)) return timed_out ? Reply::kTimeout : Reply::kClosed;
  if (std::memcmp(&a, &sent, sizeof(a)) == 0) return Reply::kEchoed;
  if (std::memcmp(a.magic, kMagic, sizeof(kMagic)) != 0 || a.version != kVersion) return Reply::kGarbage;
  if (a.accepted == 1) return Reply::kAccepted;
  return a.accepted == 0 ? Reply::kRefused : Reply::kGarbage;
}

// True once the acceptor has closed the socket (EOF or reset) within `ms`; bytes that still
// arrive are discarded.
inline bool WaitClosed(int sock, int ms) {
  char scratch[65536];
  for (;;) {
    pollfd p{sock, POLLIN, 0};
    int n = poll(&p, 1, ms);
    if (n == 0) return false;
    if (n < 0) Die("poll");
    ssize_t r = read(sock, scratch, sizeof(scratch));
    if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR)) return true;
  }
}

// The byte at `i` of the peer's test stream.
inline char StreamByte(uint64_t i) { return static_cast<char>((i * 131) ^ (i >> 9)); }

// One accepted lane, connector's side: writes direction 0, reads direction 1.
class Lane {
 public:
  Lane(int sock, Region region) : sock_(sock), r_(region) {
    fcntl(sock_, F_SETFL, fcntl(sock_, F_GETFL) | O_NONBLOCK);
    for (uint32_t i = r_.layout.chunks; i-- > 0;) free_.push_back(i);
    out_.resize(r_.layout.chunks, false);
  }

  Region& region() { return r_; }
  int sock() const { return sock_; }
  bool closed() const { return closed_; }
  const std::string& fault() const { return fault_; }
  const std::vector<char>& received() const { return received_; }
  uint64_t sent() const { return sent_; }
  uint32_t held() const { return held_; }
  uint32_t spilled() const { return spilled_; }
  // Keeps every chunk ringpoll sends (never returns one).
  void set_never_release(bool v) { never_release_ = v; }
  uint32_t next_desc() const { return desc_tail_; }
  uint32_t next_return() const { return ret_tail_; }

  // Publishes `d` as the next descriptor of direction 0 as it is, and wakes the reader if it sleeps.
  void PublishRaw(const Descriptor& d) {
    Descriptor* slot = &r_.descs(0)[desc_tail_ & (r_.layout.descs - 1)];
    __atomic_store_n(&slot->kind, d.kind, __ATOMIC_RELAXED);
    __atomic_store_n(&slot->chunk, d.chunk, __ATOMIC_RELAXED);
    __atomic_store_n(&slot->offset, d.offset, __ATOMIC_RELAXED);
    __atomic_store_n(&slot->length, d.length, __ATOMIC_RELAXED);
    StoreRelease(&r_.control(0)->desc_tail.value, ++desc_tail_);
    WakeReader();
  }
  void SetDescTail(uint32_t v) {
    desc_tail_ = v;
    StoreRelease(&r_.control(0)->desc_tail.value, v);
  }
  // Appends `index` to direction 1's return ring as it is, and wakes the writer if it waits.
  void ReturnRaw(uint32_t index) {
    r_.returns(1)[ret_tail_ % r_.layout.chunks] = index;
    StoreRelease(&r_.control(1)->ret_tail.value, ++ret_tail_);
    WakeWriter();
  }
  void SetRetTail(uint32_t v) {
    ret_tail_ = v;
    StoreRelease(&r_.control(1)->ret_tail.value, v);
  }
  uint32_t last_chunk_seen() const { return last_chunk_; }

  bool SendFrame(uint8_t kind, uint32_t length, const void* payload = nullptr, size_t payload_len = 0) {
    Frame f{kind, {0, 0, 0}, length};
    std::vector<char> b(sizeof(f) + payload_len);
    std::memcpy(b.data(), &f, sizeof(f));
    if (payload_len) std::memcpy(b.data() + sizeof(f), payload, payload_len);
    return SendAll(b.data(), b.size());
  }
  bool SendWake() { return SendFrame(kFrameWake, 0); }

  // Sends `len` bytes of the test stream: through chunks, or (via_socket) as a kDescSocket
  // descriptor and an inline frame. Waits for chunks and descriptor slots as long as `ms` allows.
  bool Send(uint32_t len, bool via_socket, int ms = 5000) {
    while (len > 0) {
      uint32_t n = via_socket ? len : std::min(len, kChunkSize);
      if (!WaitRoom(via_socket, ms)) return false;
      std::vector<char> bytes(n);
      for (uint32_t i = 0; i < n; ++i) bytes[i] = StreamByte(sent_ + i);
      if (via_socket) {
        if (!SendFrame(kFrameInline, n, bytes.data(), n)) return Closed();
        PublishRaw({kDescSocket, 0, 0, n});
      } else {
        uint32_t c = free_.back();
        free_.pop_back();
        out_[c] = true;
        std::memcpy(r_.chunk(0, c), bytes.data(), n);
        PublishRaw({kDescChunk, c, 0, n});
      }
      sent_ += n;
      len -= n;
    }
    return true;
  }

  // Runs the lane until `want` bytes have arrived, the socket closes or `ms` pass.
  bool ReceiveUntil(uint64_t want, int ms) { return Run([&] { return received_.size() >= want; }, ms); }

  // Runs the lane (reading, returning, taking returns) until `done()` or a close or a fault.
  template <typename Done>
  bool Run(Done done, int ms) {
    const int64_t deadline = Now() + ms;
    while (!done()) {
      if (closed_ || !fault_.empty() || Now() > deadline) return false;
      if (Step()) continue;
      Sleep(deadline);
    }
    return true;
  }

  // Runs the lane until a descriptor slot of direction 0 is free.
  bool WaitDescRoom(int ms) {
    return Run([&] { return desc_tail_ - LoadAcquire(&r_.control(0)->desc_head.value) < r_.layout.descs; }, ms);
  }

  // Ends our direction and waits for the acceptor to close.
  bool FinishAndWaitClose(int ms) {
    shutdown(sock_, SHUT_WR);
    if (!fault_.empty()) return closed_ || WaitClosed(sock_, ms);  // the lane no longer runs
    Run([] { return false; }, ms);
    return closed_;
  }

 private:
  static int64_t Now() {
    timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return int64_t{ts.tv_sec} * 1000 + ts.tv_nsec / 1000000;
  }

  bool Closed() {
    closed_ = true;
    return false;
  }
  void Fault(const std::string& what) {
    if (fault_.empty()) fault_ = what;
  }

  bool SendAll(const char* p, size_t n) {
    while (n > 0) {
      ssize_t w = send(sock_, p, n, MSG_NOSIGNAL);
      if (w < 0 && errno == EINTR) continue;
      if (w < 0 && errno == EAGAIN) {
        pollfd pf{sock_, POLLOUT, 0};
        poll(&pf, 1, 100);
        Step();
        continue;
      }
      if (w <= 0) return Closed();
      p += w;
      n -= static_cast<size_t>(w);
    }
    return true;
  }

  void WakeReader() {
    FullFence();
    if (Exchange(&r_.control(0)->reader_sleeping.value, 0) == 1) SendWake();
  }
  void WakeWriter() {
    FullFence();
    if (Exchange(&r_.control(1)->writer_waiting.value, 0) == 1) SendWake();
  }

  bool WaitRoom(bool via_socket, int ms) {
    auto room = [&] {
      TakeReturns();
      const uint32_t used = desc_tail_ - LoadAcquire(&r_.control(0)->desc_head.value);
      return used < r_.layout.descs && (via_socket || !free_.empty());
    };
    return Run(room, ms);
  }

  // One pass over everything that may have changed; true if anything did.
  bool Step() {
    bool progress = ReadSocket();
    progress |= ReadDescriptors();
    progress |= TakeReturns();
    return progress;
  }

  // Waits for a frame, telling the acceptor first that we sleep (the flag rule of shm_layout.h).
  void Sleep(int64_t deadline) {
    StoreRelease(&r_.control(1)->reader_sleeping.value, 1);
    StoreRelease(&r_.control(0)->writer_waiting.value, 1);
    FullFence();
    if (!Step()) {
      pollfd p{sock_, POLLIN, 0};
      int64_t left = deadline - Now();
      // The timeout only bounds a lost wake-up; the flags make the acceptor wake us.
      poll(&p, 1, static_cast<int>(std::max<int64_t>(0, std::min<int64_t>(left, 50))));
    }
    StoreRelease(&r_.control(1)->reader_sleeping.value, 0);
    StoreRelease(&r_.control(0)->writer_waiting.value, 0);
  }

  bool ReadSocket() {
    char buf[65536];
    bool progress = false;
    for (;;) {
      ssize_t n = recv(sock_, buf, sizeof(buf), MSG_DONTWAIT);
      if (n < 0 && (errno == EAGAIN || errno == EINTR)) break;
      if (n <= 0) {
        closed_ = true;
        break;
      }
      progress = true;
      frames_.insert(frames_.end(), buf, buf + n);
    }
    size_t at = 0;
    while (frames_.size() - at >= sizeof(Frame)) {
      Frame f;
      std::memcpy(&f, frames_.data() + at, sizeof(f));
      if (f.kind == kFrameWake && f.length == 0) {
        at += sizeof(f);
      } else if (f.kind == kFrameInline && f.length >= 1 && f.length <= kMaxInline) {
        if (frames_.size() - at - sizeof(f) < f.length) break;
        inline_.insert(inline_.end(), frames_.begin() + at + sizeof(f), frames_.begin() + at + sizeof(f) + f.length);
        at += sizeof(f) + f.length;
        spilled_++;
      } else {
        Fault("bad frame from ringpoll");
        break;
      }
    }
    frames_.erase(frames_.begin(), frames_.begin() + at);
    return progress;
  }

  bool ReadDescriptors() {
    const uint32_t tail = LoadAcquire(&r_.control(1)->desc_tail.value);
    if (tail - desc_head_ > r_.layout.descs) {
      Fault("ringpoll's desc_tail is past its capacity");
      return false;
    }
    bool progress = false;
    while (desc_head_ != tail) {
      const Descriptor d = LoadDescriptor(&r_.descs(1)[desc_head_ & (r_.layout.descs - 1)]);
      if (d.kind == kDescChunk) {
        if (d.chunk >= r_.layout.chunks || d.length == 0 || d.offset > kChunkSize ||
            d.length > kChunkSize - d.offset) {
          Fault("bad chunk descriptor from ringpoll");
          return progress;
        }
        const char* p = r_.chunk(1, d.chunk) + d.offset;
        received_.insert(received_.end(), p, p + d.length);
        last_chunk_ = d.chunk;
        if (never_release_) {
          // a line for a test that kills the peer while it holds chunks (the report comes last)
          if (++held_ == r_.layout.chunks / 2) std::printf("holding %u\n", held_), std::fflush(stdout);
        } else {
          ReturnRaw(d.chunk);
        }
      } else if (d.kind == kDescSocket) {
        if (d.length == 0 || d.length > kMaxInline) {
          Fault("bad socket descriptor from ringpoll");
          return progress;
        }
        if (inline_.size() - inline_at_ < d.length) return progress;  // the bytes are on their way
        received_.insert(received_.end(), inline_.begin() + inline_at_, inline_.begin() + inline_at_ + d.length);
        inline_at_ += d.length;
        if (inline_at_ == inline_.size()) inline_.clear(), inline_at_ = 0;
      } else {
        Fault("unknown descriptor kind from ringpoll");
        return progress;
      }
      StoreRelease(&r_.control(1)->desc_head.value, ++desc_head_);
      progress = true;
    }
    if (progress) WakeWriter();  // descriptor room, for a writer that waits for it
    return progress;
  }

  bool TakeReturns() {
    const uint32_t tail = LoadAcquire(&r_.control(0)->ret_tail.value);
    if (tail - ret_head_ > r_.layout.chunks) {
      Fault("ringpoll's ret_tail is past its capacity");
      return false;
    }
    bool progress = false;
    while (ret_head_ != tail) {
      const uint32_t c = LoadAcquire(&r_.returns(0)[ret_head_ % r_.layout.chunks]);
      if (c >= r_.layout.chunks || !out_[c]) {
        Fault("ringpoll returned a chunk that was not out");
        return progress;
      }
      out_[c] = false;
      free_.push_back(c);
      StoreRelease(&r_.control(0)->ret_head.value, ++ret_head_);
      progress = true;
    }
    return progress;
  }

  int sock_;
  Region r_;
  // Direction 0 (ours to write).
  std::vector<uint32_t> free_;
  std::vector<bool> out_;
  uint32_t desc_tail_ = 0, ret_head_ = 0;
  uint64_t sent_ = 0;
  // Direction 1 (ours to read).
  uint32_t desc_head_ = 0, ret_tail_ = 0, held_ = 0, spilled_ = 0, last_chunk_ = 0;
  std::vector<char> frames_, inline_, received_;
  size_t inline_at_ = 0;
  bool never_release_ = false, closed_ = false;
  std::string fault_;
};

}  // namespace shm_peer
