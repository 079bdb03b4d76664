// The shm lane (native/shm_lane.cc, native/shm_region.cc) without Node or sockets: two lanes over
// two mappings of one memfd, as two processes would have them, each with its own pool; the
// socket between them is a byte string handed over by hand. Order, returns, spills when the area
// is full (and waits when the reader is only behind), the checks of a lying peer, and that every mapping goes at the end.
#include <errno.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cstring>
#include <string>
#include <vector>

#include "check.h"
#include "link_buffer.h"
#include "memory_host.h"
#include "shm_lane.h"
#include "shm_region.h"
#include "slab.h"

using namespace ringpoll;

namespace {

std::string Drain(LinkBuffer* b) {
  std::vector<iovec> iov(b->segments());
  const int n = b->FillIovecs(iov.data(), static_cast<int>(iov.size()));
  std::string s;
  for (int i = 0; i < n; ++i) s.append(static_cast<const char*>(iov[i].iov_base), iov[i].iov_len);
  b->Consume(b->length());
  return s;
}

// One side: its pool, its input chain, its socket output, its lane.
struct Side final : LaneSink {
  TestMemoryHost host;
  SlabPool pool{&host};
  LinkBuffer in{&pool};
  LinkBuffer socket_out{&pool};
  std::unique_ptr<ShmLane> lane;
  int flush_due = 0;

  void LaneInput(int32_t chunk, const char* data, uint32_t len) override { in.LinkChunk(chunk, data, len); }
  void LaneFlushDue() override { flush_due++; }
  ~Side() {
    in.Clear();
    socket_out.Clear();
    lane.reset();
  }
};

struct Pair {
  Side a, b;  // a connected, b accepted
  bool ok = false;
  Pair() {
    ShmRegion ra, rb;
    int fd = -1;
    if (CreateRegion(shm::kDefaultChunks, shm::kDefaultDescs, &ra, &fd) != 0) return;
    const shm::Hello hello = MakeHello(shm::kDefaultChunks, shm::kDefaultDescs);
    const int mapped = MapOffered(fd, hello, &rb);
    close(fd);
    if (mapped != 0) return;
    a.lane = ShmLane::Create(&a.pool, &a, ra, ShmLane::Role::kConnector);
    b.lane = ShmLane::Create(&b.pool, &b, rb, ShmLane::Role::kAcceptor);
    ok = a.lane && b.lane;
  }
  // from publishes, its socket bytes reach to, which harvests all it can.
  int Move(Side& from, Side& to) {
    int err = from.lane->Publish(&from.socket_out);
    if (err != 0) return err;
    const std::string bytes = Drain(&from.socket_out);
    err = to.lane->FeedSocket(bytes.data(), bytes.size());
    return err != 0 ? err : to.lane->Harvest(SIZE_MAX);
  }
};

std::string Pattern(size_t n, int seed) {
  std::string s(n, 0);
  for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>((i * 131 + seed) & 0xff);
  return s;
}

void EchoesInOrderAndReturnsEveryChunk() {
  Pair p;
  CHECK(p.ok);
  if (!p.ok) return;
  std::string sent, got;
  for (int i = 0; i < 200; ++i) {
    const std::string m = Pattern(static_cast<size_t>(1 + i * 997 % 70000), i);
    CHECK(p.a.lane->out().Append(m.data(), m.size()));
    sent += m;
    if (i % 7 == 0) {
      CHECK(p.Move(p.a, p.b) == 0);
      got += Drain(&p.b.in);  // releasing returns the chunks
    }
  }
  CHECK(p.Move(p.a, p.b) == 0);
  got += Drain(&p.b.in);
  CHECK(got == sent);
  CHECK(p.b.lane->Harvest(SIZE_MAX) == 0);
  CHECK(p.Move(p.b, p.a) == 0);   // b's wake (a waits for nothing) and a's returns
  CHECK(p.a.lane->Publish(&p.a.socket_out) == 0);
  CHECK(p.a.lane->chunks_out() == 0);
  CHECK(p.a.pool.chunks_in_use() == 0 || p.a.socket_out.length() > 0);
}

void SpillsWhenTheAreaIsFullAndKeepsOrder() {
  Pair p;
  CHECK(p.ok);
  if (!p.ok) return;
  // More than the area holds, and the reader releases nothing until the end.
  const std::string m = Pattern(shm::kDefaultChunks * kChunkSize + 3 * kChunkSize + 5, 3);
  std::string got;
  for (size_t at = 0; at < m.size(); at += 100000) {
    const size_t n = std::min<size_t>(100000, m.size() - at);
    CHECK(p.a.lane->out().Append(m.data() + at, n));
    CHECK(p.Move(p.a, p.b) == 0);
  }
  CHECK(p.b.in.length() == m.size());
  got = Drain(&p.b.in);
  CHECK(got == m);
}

void AFullDescriptorRingWaitsForTheReader() {
  Pair p;
  CHECK(p.ok);
  if (!p.ok) return;
  std::string sent;
  // One descriptor per publish: one byte, published, more than the ring holds.
  for (uint32_t i = 0; i < shm::kDefaultDescs + 10; ++i) {
    const char c = static_cast<char>(i);
    CHECK(p.a.lane->out().Append(&c, 1));
    CHECK(p.a.lane->Publish(&p.a.socket_out) == 0);
    sent += c;
  }
  CHECK(p.a.lane->output_length() > 0);  // waits for ring room
  CHECK(p.Move(p.a, p.b) == 0);
  std::string got = Drain(&p.b.in);
  CHECK(p.Move(p.b, p.a) == 0);           // the reader's wake: room again
  CHECK(p.Move(p.a, p.b) == 0);
  got += Drain(&p.b.in);
  CHECK(got == sent);
}

// A lying connector, written straight into the region: each lie is EPROTO at the acceptor.
void ALyingPeerIsAViolation() {
  struct Lie {
    shm::Descriptor d;
    uint32_t tail;
  };
  const Lie lies[] = {
      {{shm::kDescChunk, shm::kDefaultChunks, 0, 1}, 1},           // chunk out of range
      {{shm::kDescChunk, 0, kChunkSize - 1, 2}, 1},                // past the chunk's end
      {{shm::kDescChunk, 0, 0, 0}, 1},                             // empty
      {{7, 0, 0, 1}, 1},                                           // no such kind
      {{shm::kDescSocket, 0, 0, shm::kMaxInline + 1}, 1},          // too long
      {{shm::kDescChunk, 0, 0, 1}, shm::kDefaultDescs + 1},        // more than the ring holds
  };
  for (const Lie& lie : lies) {
    Pair p;
    CHECK(p.ok);
    if (!p.ok) return;
    // Write through b's view: the lane's rings are at the same offsets in both mappings.
    shm::Layout l = shm::LayoutFor(shm::kDefaultChunks, shm::kDefaultDescs);
    char* base = nullptr;
    {
      // The acceptor's receive direction is 0; find its mapping through a published chunk.
      const char c = 'x';
      CHECK(p.a.lane->out().Append(&c, 1));
      CHECK(p.Move(p.a, p.b) == 0);
      CHECK(p.b.in.length() == 1);
      base = p.b.in.front().data - l.chunks_at[0];
      Drain(&p.b.in);
    }
    auto* descs = reinterpret_cast<shm::Descriptor*>(base + l.descs_at[0]);
    shm::Control* c = reinterpret_cast<shm::Control*>(base + l.control);
    const uint32_t head = c->desc_tail.value;
    descs[head & (shm::kDefaultDescs - 1)] = lie.d;
    c->desc_tail.value = head + lie.tail;
    CHECK(p.b.lane->Harvest(SIZE_MAX) == EPROTO);
  }
}

void BadFramesAndBadReturnsAreViolations() {
  {
    Pair p;
    CHECK(p.ok);
    const shm::Frame bad[] = {{9, {}, 0}, {shm::kFrameWake, {}, 1}, {shm::kFrameInline, {}, 0},
                              {shm::kFrameInline, {}, shm::kMaxInline + 1}};
    for (const shm::Frame& f : bad) CHECK(p.b.lane->FeedSocket(reinterpret_cast<const char*>(&f), sizeof f) == EPROTO);
  }
  {
    // A header split across reads, then an inline frame cut short by the end.
    Pair p;
    CHECK(p.ok);
    const shm::Frame f{shm::kFrameInline, {}, 10};
    const char* bytes = reinterpret_cast<const char*>(&f);
    CHECK(p.b.lane->FeedSocket(bytes, 3) == 0);
    CHECK(p.b.lane->FeedSocket(bytes + 3, 5) == 0);
    CHECK(p.b.lane->FeedSocket("abc", 3) == 0);
    CHECK(p.b.lane->AtEnd() == EPROTO);
  }
  {
    // The reader returns a chunk twice, or one never published.
    Pair p;
    CHECK(p.ok);
    if (!p.ok) return;
    const char c = 'x';
    CHECK(p.a.lane->out().Append(&c, 1));
    CHECK(p.Move(p.a, p.b) == 0);
    Drain(&p.b.in);  // chunk 0 returned honestly
    shm::Layout l = shm::LayoutFor(shm::kDefaultChunks, shm::kDefaultDescs);
    CHECK(p.a.lane->Publish(&p.a.socket_out) == 0);  // takes it back
    // Find the connector's rings through its next outgoing chunk.
    CHECK(p.a.lane->out().Append(&c, 1));
    char* a_base = p.a.lane->out().front().data - l.chunks_at[0];
    auto* returns = reinterpret_cast<uint32_t*>(a_base + l.returns_at[0]);
    shm::Control* ctl = reinterpret_cast<shm::Control*>(a_base + l.control);
    returns[ctl->ret_tail.value & (shm::kDefaultChunks - 1)] = 5;  // never published
    ctl->ret_tail.value++;
    CHECK(p.a.lane->Publish(&p.a.socket_out) == EPROTO);
  }
}

// A forwarded view (a pool chunk lane_out did not allocate) is copied into the lane at publish.
void AForwardedViewIsCopiedAtPublish() {
  Pair p;
  CHECK(p.ok);
  if (!p.ok) return;
  const int32_t chunk = p.a.pool.Alloc();
  const std::string m = Pattern(kChunkSize, 8);
  memcpy(p.a.pool.Data(chunk), m.data(), m.size());
  p.a.lane->out().LinkChunk(chunk, p.a.pool.Data(chunk), kChunkSize);
  p.a.pool.Unref(chunk);  // the chain's reference is the only one
  CHECK(p.Move(p.a, p.b) == 0);
  CHECK(p.a.pool.chunks_in_use() == 0);   // copied out, let go of
  CHECK(p.a.lane->chunks_out() == 1);     // into one lane chunk
  CHECK(Drain(&p.b.in) == m);
}

// A full area while the reader has descriptors still to take: the writer waits for it rather than
// spilling; once the reader has taken everything and keeps the chunks, the rest spills.
void AFullAreaWaitsForAReaderThatIsBehind() {
  Pair p;
  CHECK(p.ok);
  if (!p.ok) return;
  const size_t total = (shm::kDefaultChunks + 8) * size_t{kChunkSize};
  const std::string m = Pattern(total, 9);
  for (size_t at = 0; at < total; at += kChunkSize) {  // forwarded views: copied at publish
    const int32_t chunk = p.a.pool.Alloc();
    memcpy(p.a.pool.Data(chunk), m.data() + at, kChunkSize);
    p.a.lane->out().LinkChunk(chunk, p.a.pool.Data(chunk), kChunkSize);
    p.a.pool.Unref(chunk);
  }
  CHECK(p.a.lane->Publish(&p.a.socket_out) == 0);
  CHECK(p.a.lane->chunks_out() == shm::kDefaultChunks);
  CHECK(p.a.lane->output_length() == 8 * size_t{kChunkSize});  // waits
  CHECK(p.a.socket_out.length() == sizeof(shm::Frame));         // the wake alone, nothing spilled
  const std::string wake = Drain(&p.a.socket_out);
  CHECK(p.b.lane->FeedSocket(wake.data(), wake.size()) == 0);
  CHECK(p.b.lane->Harvest(SIZE_MAX) == 0);  // takes every descriptor, keeps every chunk
  CHECK(p.b.in.length() == shm::kDefaultChunks * size_t{kChunkSize});
  CHECK(p.Move(p.b, p.a) == 0);             // the reader's progress wakes the writer
  CHECK(p.a.flush_due > 0);
  CHECK(p.Move(p.a, p.b) == 0);             // which spills the rest now
  CHECK(p.a.lane->output_length() == 0);
  CHECK(Drain(&p.b.in) == m);
}

void EveryMappingGoes() {
  TestMemoryHost* hosts[2];
  {
    Pair p;
    CHECK(p.ok);
    hosts[0] = &p.a.host;
    hosts[1] = &p.b.host;
    CHECK(p.a.pool.lane_slabs() == 2 * shm::kDefaultChunks / kChunksPerSlab);
    CHECK(p.a.pool.lane_mapped_bytes() == shm::LayoutFor(shm::kDefaultChunks, shm::kDefaultDescs).size);
    CHECK(p.a.pool.slabs() == 0);
    const std::string m = Pattern(300000, 1);
    CHECK(p.a.lane->out().Append(m.data(), m.size()));
    CHECK(p.Move(p.a, p.b) == 0);
    // b still holds input linked from the peer's chunks when its lane goes.
    p.b.lane.reset();
    CHECK(p.b.pool.lane_mapped_bytes() > 0);
    CHECK(Drain(&p.b.in) == m);
    std::vector<int32_t> freed;
    p.b.pool.TakeFreed(&freed);
    CHECK(freed.size() == 2 * shm::kDefaultChunks / kChunksPerSlab);
    CHECK(p.b.pool.lane_mapped_bytes() == 0);
    CHECK(p.b.pool.lane_slabs() == 0);
    p.a.lane.reset();
    CHECK(p.a.pool.lane_mapped_bytes() == 0);
    CHECK(p.b.host.live() == static_cast<int>(p.b.pool.slabs()));  // only its own slabs are left
  }
  (void)hosts;
}

}  // namespace

int main() {
  EchoesInOrderAndReturnsEveryChunk();
  SpillsWhenTheAreaIsFullAndKeepsOrder();
  AFullDescriptorRingWaitsForTheReader();
  ALyingPeerIsAViolation();
  BadFramesAndBadReturnsAreViolations();
  AForwardedViewIsCopiedAtPublish();
  AFullAreaWaitsForAReaderThatIsBehind();
  EveryMappingGoes();
  return check::Failures() != 0;
}
