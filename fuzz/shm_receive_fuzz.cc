// libFuzzer target: one side of a shm lane (native/shm_lane.cc) against a peer that is the
// fuzzer's bytes. The input is a program, one operation after another: writes of any word of the
// region the peer shares (control words, descriptors, returns, the header), descriptors and
// returns published the way a peer would (with any values), socket bytes (frames or not), and our
// side's own work: harvesting, releasing input, writing and publishing output, the kernel taking
// what was framed, the peer's FIN. The region sits between PROT_NONE guard pages, so a read
// outside it faults; everything the lane delivers must lie inside the pool chunk it names; after
// a violation (EPROTO) the connection is torn down as the reactor would. At the end every chunk
// reference, lane slab and mapped byte must be gone. fuzz/shm_receive_seeds.mjs writes the seed
// corpus (valid exchanges); its comments describe the encoding.
#include <sys/mman.h>

#include <cstring>
#include <memory>
#include <vector>

#include "fuzz_check.h"
#include "link_buffer.h"
#include "memory_host.h"
#include "shm_lane.h"
#include "shm_layout.h"
#include "slab.h"

using namespace ringpoll;

namespace {

// The input, read front to back (so that seeds can be written by hand); zeros once it runs out.
class Input {
 public:
  Input(const uint8_t* p, size_t n) : p_(p), n_(n) {}
  bool more() const { return at_ < n_; }
  uint8_t U8() { return at_ < n_ ? p_[at_++] : 0; }
  uint16_t U16() { return static_cast<uint16_t>(U8() | U8() << 8); }
  uint32_t U32() { return U16() | static_cast<uint32_t>(U16()) << 16; }
  // Up to `n` bytes in place (fewer at the end of the input).
  const uint8_t* Bytes(size_t n, size_t* got) {
    *got = std::min(n, n_ - at_);
    const uint8_t* p = p_ + at_;
    at_ += *got;
    return p;
  }

 private:
  const uint8_t* p_;
  size_t n_, at_ = 0;
};

// The smallest geometry: one 1 MiB window per direction.
constexpr uint32_t kChunks = shm::kMinChunks, kDescs = shm::kMinDescs;
constexpr shm::Layout kLayout = shm::LayoutFor(kChunks, kDescs);

// The region between two guard pages. The lane unmaps the region itself; the guards are ours.
struct Guarded {
  char* reservation;
  char* base;
  Guarded() {
    const size_t total = kLayout.size + 2 * shm::kPage;
    void* r = mmap(nullptr, total, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    CHECK(r != MAP_FAILED);
    reservation = static_cast<char*>(r);
    base = reservation + shm::kPage;
    void* m = mmap(base, kLayout.size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    CHECK(m == base);
  }
  ~Guarded() {
    munmap(reservation, shm::kPage);
    munmap(base + kLayout.size, shm::kPage);
  }
};

// The connection the lane serves, as far as the lane sees it: the input chain and a flush flag.
struct Sink final : LaneSink {
  explicit Sink(SlabPool* pool) : pool(pool), input(pool) {}
  void LaneInput(int32_t chunk, const char* data, uint32_t len) override {
    CHECK(len > 0);
    CHECK(chunk >= 0);
    const char* start = pool->Data(chunk);
    CHECK(data >= start && data + len <= start + kChunkSize);
    volatile char sum = 0;  // every byte delivered is read, as JS would
    for (uint32_t i = 0; i < len; ++i) sum = static_cast<char>(sum + data[i]);
    input.LinkChunk(chunk, data, len);
    if (data < rx_begin || data >= rx_end) inline_bytes += len;
  }
  void LaneFlushDue() override { flush_due = true; }
  SlabPool* pool;
  LinkBuffer input;
  bool flush_due = false;
  const char *rx_begin = nullptr, *rx_end = nullptr;  // the peer's chunk area
  uint64_t inline_bytes = 0;                          // delivered from socket chunks
};

// The peer's view: which direction it writes (the one we read) and which it reads.
struct Peer {
  shm::Control* control[shm::kDirections];
  shm::Descriptor* descs[shm::kDirections];
  uint32_t* returns[shm::kDirections];
  uint32_t* header;
  int tx, rx;  // the peer's directions: tx is our input, rx our output
};

uint32_t* ControlWord(const Peer& p, uint32_t index) {
  shm::Control* c = p.control[(index / 6) % shm::kDirections];
  shm::Line* lines[] = {&c->desc_tail, &c->desc_head, &c->ret_tail, &c->ret_head, &c->reader_sleeping, &c->writer_waiting};
  return &lines[index % 6]->value;
}

uint32_t* DescriptorWord(const Peer& p, uint32_t index) {
  shm::Descriptor* d = &p.descs[index & 1][(index >> 1) & (kDescs - 1)];
  uint32_t* fields[] = {&d->kind, &d->chunk, &d->offset, &d->length};
  return fields[(index >> 7) & 3];
}

void Poke(uint32_t* word, uint32_t value) { __atomic_store_n(word, value, __ATOMIC_RELEASE); }

// A filler for payloads, so that inputs stay short.
const std::vector<char>& Filler() {
  static const std::vector<char> bytes = [] {
    std::vector<char> b(shm::kMaxInline + 64);
    for (size_t i = 0; i < b.size(); ++i) b[i] = static_cast<char>(i * 7);
    return b;
  }();
  return bytes;
}

// Runs the program until its end, the peer's FIN or a violation.
void Run(Input& in, Sink& sink, ShmLane& lane, LinkBuffer& socket_out, const Peer& peer) {
  while (in.more()) {
    int status = 0;
    switch (in.U8() % 10) {
      case 0: {  // the peer writes any word it shares
        const uint8_t target = in.U8();
        const uint16_t index = in.U16();
        const uint32_t value = in.U32();
        switch (target % 4) {
          case 0: Poke(ControlWord(peer, index), value); break;
          case 1: Poke(DescriptorWord(peer, index), value); break;
          case 2: Poke(&peer.returns[index & 1][(index >> 1) & (kChunks - 1)], value); break;
          default: Poke(&peer.header[index % (sizeof(shm::Hello) / 4)], value); break;
        }
        break;
      }
      case 1: {  // the peer publishes a descriptor (any fields) at its tail
        const shm::Descriptor d{in.U32(), in.U32(), in.U32(), in.U32()};
        uint32_t* tail = &peer.control[peer.tx]->desc_tail.value;
        const uint32_t at = shm::LoadAcquire(tail);
        memcpy(&peer.descs[peer.tx][at & (kDescs - 1)], &d, sizeof(d));
        if (d.kind == shm::kDescChunk && d.chunk < kChunks && d.offset < kChunkSize) {
          // with the bytes it describes, as far as they fit
          char* chunk = reinterpret_cast<char*>(peer.header) + kLayout.chunks_at[peer.tx] + uint64_t{d.chunk} * kChunkSize;
          memset(chunk + d.offset, 'p', std::min(d.length, kChunkSize - d.offset));
        }
        shm::StoreRelease(tail, at + 1);
        break;
      }
      case 2: {  // the peer returns a chunk (any index) of our output
        const uint32_t chunk = in.U32();
        uint32_t* tail = &peer.control[peer.rx]->ret_tail.value;
        const uint32_t at = shm::LoadAcquire(tail);
        Poke(&peer.returns[peer.rx][at & (kChunks - 1)], chunk);
        shm::StoreRelease(tail, at + 1);
        break;
      }
      case 3: {  // socket bytes as they are
        size_t n = 0;
        const uint8_t* p = in.Bytes(in.U16() % 256, &n);
        status = lane.FeedSocket(reinterpret_cast<const char*>(p), n);
        break;
      }
      case 4: {  // an inline frame of `length` bytes, of which `n` are sent now
        const uint32_t length = in.U32() % (shm::kMaxInline + 2);
        const uint32_t n = std::min<uint32_t>(length, in.U32() % (3 * kChunkSize));
        std::vector<char> bytes(sizeof(shm::Frame) + n);
        const shm::Frame f{shm::kFrameInline, {0, 0, 0}, length};
        memcpy(bytes.data(), &f, sizeof(f));
        memcpy(bytes.data() + sizeof(f), Filler().data(), n);
        status = lane.FeedSocket(bytes.data(), bytes.size());
        break;
      }
      case 5: {  // our reader harvests, with some room or none
        static const size_t kRooms[] = {0, 1, 100, kChunkSize, 1 << 20, SIZE_MAX};
        const size_t room = kRooms[in.U8() % 6];
        const size_t before = sink.input.length();
        const uint64_t inline_before = sink.inline_bytes;
        status = lane.Harvest(room);
        // It stops once the room is spent: none without room, else at most one descriptor past
        // it (a chunk's, or an inline one's if any came from the socket).
        const size_t delivered = sink.input.length() - before;
        const size_t one = sink.inline_bytes == inline_before ? kChunkSize : shm::kMaxInline;
        CHECK(room == SIZE_MAX || delivered <= (room == 0 ? 0 : room - 1 + one));
        break;
      }
      case 6: {  // JS releases input (0xffff: all of it)
        const uint16_t n = in.U16();
        sink.input.Consume(n == 0xffff ? sink.input.length() : std::min<size_t>(n, sink.input.length()));
        break;
      }
      case 7: {  // JS writes, then the lane publishes
        const uint32_t n = in.U16() + (in.U8() % 4) * 65536u;
        lane.out().Append(Filler().data(), n);
        status = lane.Publish(&socket_out);
        break;
      }
      case 8: {  // the kernel takes framed output (0xffff: all), then the lane publishes more
        const uint16_t n = in.U16();
        socket_out.Consume(n == 0xffff ? socket_out.length() : std::min<size_t>(n, socket_out.length()));
        status = lane.Publish(&socket_out);
        break;
      }
      default: {  // the peer's FIN: harvest what is left, then the end
        for (int i = 0; i < 4 && status == 0 && lane.HasUnread(); ++i) status = lane.Harvest(SIZE_MAX);
        if (status == 0) status = lane.AtEnd();
        CHECK(status == 0 || status == EPROTO);
        return;
      }
    }
    CHECK(status == 0 || status == EPROTO || status == ENOMEM);
    if (status != 0) return;  // the reactor closes the connection
    if (sink.flush_due) {
      sink.flush_due = false;
      status = lane.Publish(&socket_out);
      CHECK(status == 0 || status == EPROTO);
      if (status != 0) return;
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Input in(data, size);
  const bool acceptor = in.U8() & 1;
  const uint8_t teardown = in.U8();
  TestMemoryHost host;
  {
    SlabPool pool(&host);
    Guarded region;
    memcpy(region.base, "\0rpshm\0\1", 8);  // a header as a connector writes it (not trusted)
    Peer peer{};
    for (int d = 0; d < shm::kDirections; ++d) {
      peer.control[d] = reinterpret_cast<shm::Control*>(region.base + kLayout.control) + d;
      peer.descs[d] = reinterpret_cast<shm::Descriptor*>(region.base + kLayout.descs_at[d]);
      peer.returns[d] = reinterpret_cast<uint32_t*>(region.base + kLayout.returns_at[d]);
    }
    peer.header = reinterpret_cast<uint32_t*>(region.base);
    // The peer writes the direction we read: 0 (the connector's) when we accept.
    peer.tx = acceptor ? 0 : 1;
    peer.rx = 1 - peer.tx;
    {
      Sink sink(&pool);
      sink.rx_begin = region.base + kLayout.chunks_at[peer.tx];
      sink.rx_end = sink.rx_begin + uint64_t{kChunks} * kChunkSize;
      LinkBuffer socket_out(&pool);
      std::unique_ptr<ShmLane> lane = ShmLane::Create(
          &pool, &sink, ShmRegion{region.base, kLayout}, acceptor ? ShmLane::Role::kAcceptor : ShmLane::Role::kConnector);
      CHECK(lane != nullptr);
      CHECK(pool.lane_mapped_bytes() == kLayout.size);
      Run(in, sink, *lane, socket_out, peer);
      // A close: the reactor drops the lane and the chains, in either order (JS may still hold input).
      if (teardown & 1) {
        lane.reset();
        sink.input.Clear();
        socket_out.Clear();
      } else {
        sink.input.Clear();
        socket_out.Clear();
        lane.reset();
      }
      CHECK(pool.chunks_in_use() == 0);
      std::vector<int32_t> freed;
      pool.TakeFreed(&freed);
      for (int32_t s : freed) pool.Reusable(static_cast<uint32_t>(s));
      CHECK(pool.lane_slabs() == 0);
      CHECK(pool.lane_mapped_bytes() == 0);  // the whole region is unmapped
    }
  }
  CHECK(host.live() == 0);
  return 0;
}
