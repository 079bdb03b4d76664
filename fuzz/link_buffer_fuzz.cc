// libFuzzer target: a LinkBuffer (native/link_buffer.cc) and its SlabPool (native/slab.cc) driven
// by the fuzzer's bytes through every operation the reactor uses, against a plain byte queue.
// Two buffers share one pool, input is linked from one chunk filled for both in turn (as both
// backends read), and the second links ranges of the first's chunks as an echo does, so chunk
// reference counts are exercised as well as the chain itself; a linked buffer detached
// after the write must be caught by HeadLinksIntact. Any difference in bytes or
// length, a chunk or linked buffer still held after Clear(), or an ASan/UBSan report is a crash.
// The JavaScript side is test/native/memory_host.h (no Node-API is involved).
#include <fuzzer/FuzzedDataProvider.h>
#include <sys/uio.h>

#include <cstring>
#include <deque>
#include <vector>

#include "fuzz_check.h"
#include "link_buffer.h"
#include "memory_host.h"
#include "slab.h"

using ringpoll::kChunkSize;
using ringpoll::LinkBuffer;
using ringpoll::SlabPool;
using ringpoll::TestMemoryHost;

namespace {

struct Side {
  LinkBuffer buf;
  std::deque<char> model;
  explicit Side(SlabPool* pool) : buf(pool) {}
};

// Sizes near the edges: empty, small, a chunk give or take one, several chunks.
size_t Size(FuzzedDataProvider& in) {
  switch (in.ConsumeIntegralInRange(0, 4)) {
    case 0: return 0;
    case 1: return in.ConsumeIntegralInRange<size_t>(1, 64);
    case 2: return kChunkSize - 1 + in.ConsumeIntegralInRange<size_t>(0, 2);
    case 3: return in.ConsumeIntegralInRange<size_t>(0, 3 * kChunkSize);
    default: return in.ConsumeIntegralInRange<size_t>(0, 300);
  }
}

std::vector<char> Bytes(FuzzedDataProvider& in, size_t n) {
  std::vector<char> b(n);
  const char seed = static_cast<char>(in.ConsumeIntegral<uint8_t>());
  for (size_t i = 0; i < n; ++i) b[i] = static_cast<char>(seed + static_cast<char>(i * 31));
  return b;
}

constexpr int kMaxIov = 1024;  // IOV_MAX, as the reactor fills them

// The chain, through FillIovecs as the reactor's flush sees it, equals the model.
void CheckContents(const Side& s, int max_iov) {
  CHECK(s.buf.length() == s.model.size());
  static std::vector<struct iovec> iov(kMaxIov);
  const int count = s.buf.FillIovecs(iov.data(), max_iov);
  CHECK(count >= 0 && count <= max_iov);
  size_t at = 0;
  for (int i = 0; i < count; ++i) {
    CHECK(iov[i].iov_len > 0);  // empty segments are never handed to the kernel
    CHECK(at + iov[i].iov_len <= s.model.size());
    const char* p = static_cast<const char*>(iov[i].iov_base);
    for (size_t j = 0; j < iov[i].iov_len; ++j) CHECK(p[j] == s.model[at + j]);
    at += iov[i].iov_len;
  }
  if (count < max_iov) CHECK(at == s.model.size());
}

void Append(Side& s, const char* data, size_t n) { s.model.insert(s.model.end(), data, data + n); }

// The chunk a backend reads into for every connection in turn; it holds one reference.
struct ReadChunk {
  int32_t chunk = -1;
  uint32_t used = 0;
};

void Step(FuzzedDataProvider& in, TestMemoryHost& host, SlabPool& pool, ReadChunk& r, Side& a, Side& b) {
  Side& s = in.ConsumeBool() ? a : b;
  switch (in.ConsumeIntegralInRange(0, 8)) {
    case 0: {  // copy bytes in (a small write, a read)
      const std::vector<char> bytes = Bytes(in, Size(in));
      if (in.ConsumeIntegralInRange(0, 15) == 0) host.FailNextSlab();
      const size_t before = s.buf.length();
      const bool ok = s.buf.Append(bytes.data(), bytes.size());
      const size_t added = s.buf.length() - before;
      CHECK(ok ? added == bytes.size() : added <= bytes.size());
      Append(s, bytes.data(), added);  // on failure, a prefix may have gone in
      break;
    }
    case 1: {  // reserve tail space, fill part of it, commit (writer.malloc)
      const uint32_t min = in.ConsumeIntegralInRange<uint32_t>(1, kChunkSize);
      uint32_t space = 0;
      char* dst = s.buf.TailSpace(min, &space);
      if (dst == nullptr) break;
      CHECK(space >= min && space <= kChunkSize);
      const uint32_t n = in.ConsumeIntegralInRange<uint32_t>(0, space);
      const std::vector<char> bytes = Bytes(in, n);
      if (n > 0) memcpy(dst, bytes.data(), n);
      s.buf.Commit(n);
      Append(s, bytes.data(), n);
      break;
    }
    case 2: {  // link a JS buffer in place (a large write)
      const std::vector<char> bytes = Bytes(in, Size(in) + 1);
      auto* js = new TestMemoryHost::Buffer{bytes};
      s.buf.LinkExternal(js->bytes.data(), static_cast<uint32_t>(bytes.size()), host.Pin(js));
      Append(s, bytes.data(), bytes.size());
      if (in.ConsumeIntegralInRange(0, 7) == 0) {
        // Detached after the write: the check the reactor makes before sending must see it, and
        // closing (Clear) must not touch the freed bytes.
        TestMemoryHost::Detach(js);
        CHECK(!s.buf.HeadLinksIntact(INT32_MAX));
        s.buf.Clear();
        s.model.clear();
      }
      break;
    }
    case 3: {  // forward a range of a's head chunk to b (an echo writes a view of its input)
      struct iovec iov;
      if (a.buf.FillIovecs(&iov, 1) != 1) break;
      const size_t off = in.ConsumeIntegralInRange<size_t>(0, iov.iov_len - 1);
      const size_t n = in.ConsumeIntegralInRange<size_t>(0, iov.iov_len - off);
      const char* p = static_cast<const char*>(iov.iov_base) + off;
      const int32_t chunk = pool.ChunkOf(p, n);
      if (chunk < 0) break;  // a linked JS buffer, not slab memory
      b.buf.LinkChunk(chunk, p, static_cast<uint32_t>(n));
      Append(b, p, n);
      break;
    }
    case 4: {  // drop bytes from the head (the kernel took output, JS released input)
      const size_t n = in.ConsumeIntegralInRange<size_t>(0, s.buf.length());
      s.buf.Consume(n);
      s.model.erase(s.model.begin(), s.model.begin() + static_cast<std::ptrdiff_t>(n));
      break;
    }
    case 5: {  // a read into the shared chunk, linked (successive ranges extend one segment)
      if (r.chunk < 0 || r.used == kChunkSize) {
        if (r.chunk >= 0) pool.Unref(r.chunk);
        if (in.ConsumeIntegralInRange(0, 15) == 0) host.FailNextSlab();
        r.chunk = pool.Alloc();
        r.used = 0;
        if (r.chunk < 0) break;
      }
      const uint32_t n = in.ConsumeIntegralInRange<uint32_t>(1, kChunkSize - r.used);
      const std::vector<char> bytes = Bytes(in, n);
      char* dst = pool.Data(r.chunk) + r.used;
      memcpy(dst, bytes.data(), n);
      r.used += n;
      s.buf.LinkChunk(r.chunk, dst, n);
      Append(s, dst, n);
      break;
    }
    case 6:
      CHECK(s.buf.HeadLinksIntact(INT32_MAX));
      CheckContents(s, in.ConsumeIntegralInRange(1, 8));
      break;
    case 7:
      s.buf.Clear();
      s.model.clear();
      CHECK(s.buf.empty());
      break;
    default:
      CheckContents(s, kMaxIov);
      break;
  }
  CHECK(s.buf.length() == s.model.size());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider in(data, size);
  TestMemoryHost host;
  {
    SlabPool pool(&host);
    {
      Side a(&pool), b(&pool);
      ReadChunk r;
      while (in.remaining_bytes() > 0) Step(in, host, pool, r, a, b);
      if (r.chunk >= 0) pool.Unref(r.chunk);
      CheckContents(a, kMaxIov);
      CheckContents(b, kMaxIov);
      a.buf.Clear();
      b.buf.Clear();
      CHECK(pool.chunks_in_use() == 0);  // every chunk reference was given back
      CHECK(host.live() == static_cast<int>(pool.slabs()));  // linked buffers let go of
    }
  }
  CHECK(host.live() == 0);  // the pool freed its slabs
  return 0;
}
