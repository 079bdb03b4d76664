// ShmLane::Harvest(room) stops once `room` bytes have gone to the sink (shm_lane.h): the reactor
// passes what maxInput leaves, so a peer that publishes a whole ring at once cannot push more
// input into a connection than it asked for. A connector's descriptors are written straight into
// its mapping of the region; the acceptor's lane harvests with a little room, then with all.
#include <unistd.h>

#include <cstring>

#include "check.h"
#include "link_buffer.h"
#include "memory_host.h"
#include "shm_lane.h"
#include "shm_region.h"
#include "slab.h"

using namespace ringpoll;

namespace {

struct Sink final : LaneSink {
  explicit Sink(SlabPool* pool) : in(pool) {}
  void LaneInput(int32_t chunk, const char* data, uint32_t len) override { in.LinkChunk(chunk, data, len); }
  void LaneFlushDue() override {}
  LinkBuffer in;
};

void HarvestStopsAtRoom() {
  ShmRegion connector, acceptor;
  int fd = -1;
  CHECK(CreateRegion(shm::kDefaultChunks, shm::kDefaultDescs, &connector, &fd) == 0);
  CHECK(MapOffered(fd, MakeHello(shm::kDefaultChunks, shm::kDefaultDescs), &acceptor) == 0);
  close(fd);
  TestMemoryHost host;
  {
    SlabPool pool(&host);
    Sink sink(&pool);
    std::unique_ptr<ShmLane> lane = ShmLane::Create(&pool, &sink, acceptor, ShmLane::Role::kAcceptor);
    CHECK(lane != nullptr);
    const shm::Layout& l = connector.layout;
    auto* descs = reinterpret_cast<shm::Descriptor*>(connector.base + l.descs_at[0]);
    auto* control = reinterpret_cast<shm::Control*>(connector.base + l.control);
    for (uint32_t i = 0; i < 8; ++i) {
      memset(connector.base + l.chunks_at[0] + i * kChunkSize, 'a' + static_cast<int>(i), kChunkSize);
      descs[i] = {shm::kDescChunk, i, 0, kChunkSize};
    }
    shm::StoreRelease(&control[0].desc_tail.value, 8);
    CHECK(lane->Harvest(1) == 0);
    CHECK(sink.in.length() == kChunkSize);  // one descriptor: the room was spent by it
    CHECK(lane->HasUnread());
    CHECK(lane->Harvest(2 * kChunkSize) == 0);
    CHECK(sink.in.length() == 3 * kChunkSize);
    CHECK(lane->Harvest(0) == 0);
    CHECK(sink.in.length() == 3 * kChunkSize);  // paused: nothing
    CHECK(lane->Harvest(SIZE_MAX) == 0);
    CHECK(sink.in.length() == 8 * kChunkSize);
    CHECK(!lane->HasUnread());
    sink.in.Clear();
    lane.reset();
  }
  UnmapRegion(connector);
}

}  // namespace

int main() {
  HarvestStopsAtRoom();
  return check::Failures() != 0;
}
