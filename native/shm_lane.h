// One connection's shm lane: the two rings of a mapped region (shm_layout.h) seen from one side.
//
// The lane knows nothing of sockets, backends or JS. It is given the socket's bytes (Received) and
// hands back the bytes to send (frames appended to a LinkBuffer by Publish); what it delivers goes
// to a LaneSink. So the same object serves a Reactor's connection and a fuzz target or native test
// that feeds it any region contents and any socket bytes (see FeedSocket).
//
// Memory. The region's chunk areas are cut into 1 MiB windows (64 chunks), each registered in the
// SlabPool as a lane slab: JS sees them like any slab, the pool never hands their chunks out and
// never shrinks them. When a chunk's last reference goes the pool calls Idle(): an incoming chunk
// goes back to the peer on the return ring; an outgoing chunk not published goes back to the
// lane's free list; a published one waits for the peer's return. At destruction the windows are
// detached: each is unmapped once neither the pool nor JS holds it (a view still in a chain or in
// JS keeps it), and the rest of the region (header, control, descriptor and return rings) at once.
//
// The peer is not trusted. Every index and descriptor is loaded once (shm_layout.h's Load*),
// checked, and only the copy is used. A violation makes the calls below return EPROTO; the
// caller closes the connection (nothing here aborts or reads outside the region).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "link_buffer.h"
#include "shm_layout.h"
#include "slab.h"

namespace ringpoll {

// What a lane reports to the connection it serves.
class LaneSink {
 public:
  virtual ~LaneSink() = default;
  // The next `len` bytes of input, at `data` in pool chunk `chunk` (a peer's lane chunk, or a chunk
  // the socket's inline bytes were read into), in stream order. The sink links them (its own
  // reference, LinkBuffer::LinkChunk) and reports them to JS.
  virtual void LaneInput(int32_t chunk, const char* data, uint32_t len) = 0;
  // Something is due on the socket (a wake frame) or the peer returned chunks: call Publish soon.
  // May be called from inside SlabPool::Unref (a chunk went idle), so it only marks.
  virtual void LaneFlushDue() = 0;
};

// A mapped region: `base` is `layout.size` bytes (MAP_SHARED), laid out as LayoutFor says.
struct ShmRegion {
  char* base = nullptr;
  shm::Layout layout{};
};

class ShmLane final : public ChunkOwner, public ChunkSource {
 public:
  // The connector writes direction 0 and reads direction 1; the acceptor the other way round.
  enum class Role : uint8_t { kConnector, kAcceptor };

  // Pending inline bytes (read from the socket, their kDescSocket not yet harvested) past which
  // the peer is in violation: far more than an honest writer can have in flight ahead of its
  // descriptors, bounded so that a lying peer cannot make us buffer without limit.
  static constexpr size_t kMaxPendingInline = 32u << 20;

  // Takes over `region` (its geometry already validated; any contents): registers its 2 x
  // chunks/64 windows in `pool`. nullptr when the pool cannot show them to JS; the region is
  // unmapped either way on failure.
  static std::unique_ptr<ShmLane> Create(SlabPool* pool, LaneSink* sink, const ShmRegion& region, Role role);
  ~ShmLane();
  ShmLane(const ShmLane&) = delete;
  ShmLane& operator=(const ShmLane&) = delete;

  // ---- output ----
  // lane_out: a connection's Reserve and Write append here as they would to a socket's chain (small
  // writes copied, large ones linked). The chunks it copies into come from the lane's outgoing
  // area (TakeChunk below), or from the pool when the area has none free.
  LinkBuffer& out() { return out_; }
  // Takes the peer's returns (checked), then publishes lane_out in order: a segment in a lane
  // chunk becomes a kDescChunk descriptor; one in a pool chunk lane_out took because the area was
  // full is spilled (a kDescSocket descriptor, an inline frame header copied and its payload linked
  // into `socket_out`); a forwarded view or a linked JS buffer is copied now into chunks of ours
  // (lane chunks, else spilled pool chunks). Then a wake frame if the peer's reader sleeps or
  // waits for us. Stops while the descriptor ring is full, or while the chunk area is and the
  // reader still has descriptors to take (writer_waiting: the reader's progress wakes us); spills
  // only when the reader has taken everything and holds our chunks, or when told to `spill` (at
  // close(), which sends what the socket takes, and after the peer's FIN, when the reader may be
  // gone). 0, EPROTO for a bad return or ring index, EFAULT for a JS buffer detached after its
  // write, ENOMEM.
  int Publish(LinkBuffer* socket_out, bool spill = false);

  // ---- input ----
  // Bytes read from the socket at `data` in pool chunk `chunk` (the caller keeps its reference):
  // parsed as frames, inline payloads linked into the pending-inline queue. 0 or EPROTO.
  int Received(int32_t chunk, const char* data, uint32_t n);
  // For native tests and the fuzz target: socket bytes from anywhere, copied into pool chunks and
  // given to Received. 0, EPROTO, or ENOMEM.
  int FeedSocket(const char* data, size_t n);
  // Delivers published descriptors to the sink, in order, while fewer than `room` bytes have been
  // delivered by this call (room 0: paused, or at maxInput); stops at a kDescSocket whose bytes have
  // not arrived. When the ring is left empty it goes to sleep by the flag rule (shm_layout.h).
  // Returns chunks already idle and wakes a waiting writer. 0 or EPROTO.
  int Harvest(size_t room);
  // Published descriptors not harvested yet (checked at the last Harvest). After the peer's FIN,
  // the caller harvests until this is false before it reports the end; unread descriptors that
  // wait for inline bytes that can no longer come are a violation (AtEnd).
  bool HasUnread() const { return unread_; }
  // The peer's FIN came: EPROTO when a frame was cut short or harvesting is stuck on inline bytes
  // that can no longer arrive, else 0 (unread descriptors that wait for room are not stuck).
  int AtEnd() const;

  // ---- ChunkOwner / ChunkSource (called by the pool and by lane_out) ----
  void Idle(uint32_t index) override;
  int32_t TakeChunk() override;

  // ---- accounting ----
  // Outgoing chunks published and not yet returned, lane_out's and pending-inline bytes.
  uint32_t chunks_out() const { return published_count_; }
  size_t pending_inline() const { return pending_bytes_; }
  size_t output_length() const { return out_.length(); }
  // The region's bytes this lane maps (all of it while the lane exists).
  uint64_t mapped_bytes() const { return region_.layout.size; }

 private:
  ShmLane(SlabPool* pool, LaneSink* sink, const ShmRegion& region, Role role);
  bool RegisterWindows();
  int TakeReturns();
  int DescriptorRoom();
  int ChunkRoom();
  bool ReaderTookOurChunks() const;
  void Post(const shm::Descriptor& d);
  bool PublishRange(int32_t chunk, const char* data, uint32_t len, LinkBuffer* socket_out);
  void PushReturn(uint32_t index);
  void WakeWriterIfWaiting();
  // A pool chunk id for chunk `index` of direction `dir`'s area.
  int32_t PoolChunk(int dir, uint32_t index) const;

  struct Ring {  // one direction, as this side uses it
    shm::Control* control;
    shm::Descriptor* descs;
    uint32_t* returns;
    char* chunks;
  };

  // A range of a socket chunk holding inline payload (the lane holds a chunk reference).
  struct Piece {
    int32_t chunk;
    const char* data;
    uint32_t len;
  };

  SlabPool* pool_;
  LaneSink* sink_;
  ShmRegion region_;
  uint32_t chunks_, descs_;
  Ring tx_, rx_;                        // tx_: the direction we write; rx_: the one we read
  std::vector<int32_t> tx_slabs_, rx_slabs_;  // pool slab index of each window
  LinkBuffer out_;                      // lane_out
  std::vector<uint32_t> free_;          // outgoing chunks free for lane_out
  std::vector<uint8_t> tx_state_;       // per outgoing chunk: free, writing, published
  std::vector<uint8_t> rx_held_;        // per incoming chunk: harvested and not yet returned
  uint32_t published_count_ = 0;
  uint32_t desc_tail_ = 0, ret_head_ = 0;  // our copies of the indices we own (tx)
  uint32_t desc_head_ = 0, ret_tail_ = 0;  // (rx)
  uint32_t chunk_descs_end_ = 0;         // desc_tail_ just after our last chunk descriptor
  bool wake_due_ = false;               // a wake frame goes with the next Publish
  bool unread_ = false;
  bool waits_inline_ = false;           // the last Harvest stopped at a kDescSocket short of bytes
  // The frame parser: a header may be split across reads; an inline payload's remaining bytes.
  unsigned char header_[sizeof(shm::Frame)];
  uint32_t header_len_ = 0;
  uint32_t inline_left_ = 0;
  std::vector<Piece> pending_;          // inline payload not yet harvested, in order
  size_t pending_head_ = 0;
  size_t pending_bytes_ = 0;
};

}  // namespace ringpoll
