// LinkBuffer and SlabPool (native/link_buffer.cc, native/slab.cc) without Node: copies, links
// and forwarded views, chunk references, pinned JS buffers, and slabs that fail to be made or go
// back. The fuzz target covers the same operations at random; these are the cases by name.
#include <sys/uio.h>

#include <cstring>
#include <string>
#include <vector>

#include "check.h"
#include "link_buffer.h"
#include "memory_host.h"
#include "slab.h"

using ringpoll::kChunkSize;
using ringpoll::kChunksPerSlab;
using ringpoll::kSlabFloor;
using ringpoll::kSlabIdleMs;
using ringpoll::LinkBuffer;
using ringpoll::SlabPool;
using ringpoll::TestMemoryHost;

namespace {

std::string Contents(const LinkBuffer& b) {
  std::vector<iovec> iov(b.segments());
  const int n = b.FillIovecs(iov.data(), static_cast<int>(iov.size()));
  std::string s;
  for (int i = 0; i < n; ++i) s.append(static_cast<const char*>(iov[i].iov_base), iov[i].iov_len);
  return s;
}

void CopiesAcrossChunksAndGivesThemBack() {
  TestMemoryHost host;
  SlabPool pool(&host);
  {
    LinkBuffer b(&pool);
    const std::string bytes(kChunkSize + 100, 'x');
    CHECK(b.Append(bytes.data(), bytes.size()));
    CHECK(b.length() == bytes.size() && b.segments() == 2);
    CHECK(pool.chunks_in_use() == 2);
    CHECK(Contents(b) == bytes);
    b.Consume(kChunkSize);  // the first chunk empties and goes back
    CHECK(pool.chunks_in_use() == 1 && b.length() == 100);
    b.Consume(100);
    CHECK(b.empty() && pool.chunks_in_use() == 0);
  }
  CHECK(host.live() == 1);  // the slab, until the pool goes
}

void SuccessiveRangesOfAChunkExtendOneSegment() {
  TestMemoryHost host;
  SlabPool pool(&host);
  const int32_t chunk = pool.Alloc();  // a backend's read chunk
  char* data = pool.Data(chunk);
  memcpy(data, "helloworld", 10);
  {
    LinkBuffer in(&pool);
    in.LinkChunk(chunk, data, 5);
    in.LinkChunk(chunk, data + 5, 5);
    CHECK(in.segments() == 1 && Contents(in) == "helloworld");
    CHECK(pool.refs(chunk) == 2);  // the backend's and the chain's
    LinkBuffer other(&pool);
    other.LinkChunk(chunk, data + 2, 3);  // an echo forwards a view
    CHECK(pool.refs(chunk) == 3 && Contents(other) == "llo");
  }
  CHECK(pool.refs(chunk) == 1);
  pool.Unref(chunk);
  CHECK(pool.chunks_in_use() == 0);
}

void AForwardedViewIsNeverWritten() {
  TestMemoryHost host;
  SlabPool pool(&host);
  LinkBuffer in(&pool), out(&pool);
  CHECK(in.Append("abc", 3));
  struct iovec iov;
  CHECK(in.FillIovecs(&iov, 1) == 1);
  const char* p = static_cast<const char*>(iov.iov_base);
  out.LinkChunk(pool.ChunkOf(p, 3), p, 3);
  CHECK(out.Append("def", 3));  // goes to a chunk of its own
  CHECK(out.segments() == 2 && Contents(out) == "abcdef" && Contents(in) == "abc");
  uint32_t space = 0;
  char* tail = out.TailSpace(1, &space);
  CHECK(tail != nullptr && pool.ChunkOf(tail, 1) != pool.ChunkOf(p, 1));
}

void PinnedBuffersAreCheckedAndLetGo() {
  TestMemoryHost host;
  SlabPool pool(&host);
  LinkBuffer out(&pool);
  auto* js = new TestMemoryHost::Buffer{std::vector<char>(20000, 'j')};
  out.LinkExternal(js->bytes.data(), 20000, host.Pin(js));
  CHECK(host.live() == 1 && out.HeadLinksIntact(1));
  CHECK(Contents(out) == std::string(20000, 'j'));
  out.Consume(19999);
  CHECK(host.live() == 1 && out.HeadLinksIntact(1));
  TestMemoryHost::Detach(js);  // transferred after the write
  CHECK(!out.HeadLinksIntact(1));
  out.Clear();
  CHECK(host.live() == 0 && out.empty());
}

void ASlabThatCannotBeMadeIsNoLeak() {
  TestMemoryHost host;
  {
    SlabPool pool(&host);
    host.FailNextSlab();
    CHECK(pool.Alloc() == -1 && pool.slabs() == 0);
    LinkBuffer b(&pool);
    host.FailNextSlab();
    CHECK(!b.Append("x", 1) && b.empty());
    CHECK(b.Append("x", 1) && pool.slabs() == 1);
  }
  CHECK(host.live() == 0);
}

void IdleSlabsGoBackAboveTheFloor() {
  TestMemoryHost host;
  SlabPool pool(&host);
  std::vector<int32_t> chunks;
  for (uint32_t i = 0; i < (kSlabFloor + 2) * kChunksPerSlab; ++i) chunks.push_back(pool.Alloc());
  CHECK(pool.slabs() == kSlabFloor + 2);
  for (int32_t c : chunks) pool.Unref(c);
  std::vector<int32_t> freed;
  CHECK(pool.Shrink(1, &freed) && freed.empty());  // idle from now on
  CHECK(!pool.Shrink(1 + kSlabIdleMs, &freed));    // at the floor after this
  CHECK(freed.size() == 2 && pool.slabs() == kSlabFloor && pool.freed_slabs() == 2);
  CHECK(pool.Slab(static_cast<uint32_t>(freed[0])) == nullptr);
  CHECK(host.live() == static_cast<int>(kSlabFloor));
  // A freed slab's index is not reused until JS has seen it go (Reusable).
  const auto index = [&](size_t i) { return static_cast<uint32_t>(freed[i]); };
  chunks.clear();
  for (uint32_t i = 0; i < (kSlabFloor + 1) * kChunksPerSlab; ++i) chunks.push_back(pool.Alloc());
  CHECK(pool.slabs() == kSlabFloor + 1);
  CHECK(pool.Slab(index(0)) == nullptr && pool.Slab(index(1)) == nullptr);
  pool.Reusable(index(0));
  for (uint32_t i = 0; i < kChunksPerSlab; ++i) chunks.push_back(pool.Alloc());
  CHECK(pool.Slab(index(0)) != nullptr && pool.Slab(index(1)) == nullptr);
  for (int32_t c : chunks) pool.Unref(c);
  CHECK(pool.chunks_in_use() == 0);
}

}  // namespace

int main() {
  CopiesAcrossChunksAndGivesThemBack();
  SuccessiveRangesOfAChunkExtendOneSegment();
  AForwardedViewIsNeverWritten();
  PinnedBuffersAreCheckedAndLetGo();
  ASlabThatCannotBeMadeIsNoLeak();
  IdleSlabsGoBackAboveTheFloor();
  return check::Failures() != 0;
}
