// Making and checking the memory of a shm lane (shm_layout.h): the connector creates, sizes and
// seals a memfd and maps it; the acceptor checks what it was offered before it maps it.
#pragma once

#include <cstdint>

#include "shm_lane.h"
#include "shm_layout.h"

namespace ringpoll {

// The connector's Hello for a region of this geometry.
shm::Hello MakeHello(uint32_t chunks, uint32_t descs);
// Magic, version and geometry of a Hello read from the socket (the fd is checked by MapOffered).
bool ValidHello(const shm::Hello& h);

// A sealed memfd of LayoutFor(chunks, descs).size bytes (shrink, grow and further sealing
// forbidden), mapped shared, its header written and both readers marked asleep. 0 with *memfd
// open (close it once sent), or -errno with nothing left open or mapped.
int CreateRegion(uint32_t chunks, uint32_t descs, ShmRegion* out, int* memfd);

// The acceptor's checks of an offered fd, then its mapping: the fd must be a memfd whose seals
// forbid shrinking (else the peer could truncate it and fault us with SIGBUS) and whose size is the
// Hello's, itself LayoutFor's. 0, -EPROTO when the offer is bad, -ENOMEM (or another mmap error)
// when it is good but cannot be mapped. The fd stays the caller's.
int MapOffered(int fd, const shm::Hello& hello, ShmRegion* out);

void UnmapRegion(const ShmRegion& r);

}  // namespace ringpoll
