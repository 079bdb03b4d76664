#include "shm_region.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>

namespace ringpoll {

shm::Hello MakeHello(uint32_t chunks, uint32_t descs) {
  shm::Hello h{};
  memcpy(h.magic, shm::kMagic, sizeof h.magic);
  h.version = shm::kVersion;
  h.chunks = chunks;
  h.descs = descs;
  h.size = shm::LayoutFor(chunks, descs).size;
  return h;
}

bool ValidHello(const shm::Hello& h) {
  return memcmp(h.magic, shm::kMagic, sizeof h.magic) == 0 && h.version == shm::kVersion &&
         shm::ValidGeometry(h.chunks, h.descs) && h.size == shm::LayoutFor(h.chunks, h.descs).size;
}

namespace {

int MapShared(int fd, uint32_t chunks, uint32_t descs, ShmRegion* out) {
  const shm::Layout layout = shm::LayoutFor(chunks, descs);
  void* base = mmap(nullptr, layout.size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (base == MAP_FAILED) return -errno;
  out->base = static_cast<char*>(base);
  out->layout = layout;
  return 0;
}

}  // namespace

int CreateRegion(uint32_t chunks, uint32_t descs, ShmRegion* out, int* memfd) {
  const int fd = memfd_create("ringpoll-shm", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (fd < 0) return -errno;
  const shm::Hello hello = MakeHello(chunks, descs);
  int err = 0;
  if (ftruncate(fd, static_cast<off_t>(hello.size)) != 0 ||
      fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) != 0) {
    err = -errno;
  }
  if (err == 0) err = MapShared(fd, chunks, descs, out);
  if (err != 0) {
    close(fd);
    return err;
  }
  memcpy(out->base, &hello, sizeof hello);
  auto* control = reinterpret_cast<shm::Control*>(out->base + out->layout.control);
  for (int d = 0; d < shm::kDirections; ++d) control[d].reader_sleeping.value = 1;  // the first publish wakes
  *memfd = fd;
  return 0;
}

int MapOffered(int fd, const shm::Hello& hello, ShmRegion* out) {
  const int seals = fcntl(fd, F_GET_SEALS);
  if (seals < 0 || !(seals & F_SEAL_SHRINK)) return -EPROTO;  // not a memfd, or it could shrink
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || static_cast<uint64_t>(st.st_size) != hello.size) return -EPROTO;
  return MapShared(fd, hello.chunks, hello.descs, out);
}

void UnmapRegion(const ShmRegion& r) {
  if (r.base != nullptr) munmap(r.base, r.layout.size);
}

}  // namespace ringpoll
