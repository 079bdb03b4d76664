#include "io_uring.h"

#include <errno.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstring>
#include <vector>

namespace ringpoll {

namespace {

int SysSetup(unsigned entries, io_uring_params* p) {
  return static_cast<int>(syscall(__NR_io_uring_setup, entries, p));
}

int SysEnter(int fd, unsigned submit, unsigned flags) {
  return static_cast<int>(syscall(__NR_io_uring_enter, fd, submit, 0, flags, nullptr, 0));
}

void* Map(int fd, size_t size, off_t offset) {
  void* p = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, offset);
  return p == MAP_FAILED ? nullptr : p;
}

template <typename T>
T* At(void* base, uint32_t offset) {
  return reinterpret_cast<T*>(static_cast<char*>(base) + offset);
}

}  // namespace

IoUring::~IoUring() {
  // A registered ring is held by this thread's io_uring context until it is unregistered.
  if (enter_flags_ & IORING_ENTER_REGISTERED_RING) {
    io_uring_rsrc_update update{};
    update.offset = static_cast<unsigned>(enter_fd_);
    Register(IORING_UNREGISTER_RING_FDS, &update, 1);
  }
  if (sqes_ != nullptr) munmap(sqes_, sqes_size_);
  if (cq_map_ != nullptr && cq_map_ != sq_map_) munmap(cq_map_, cq_map_size_);
  if (sq_map_ != nullptr) munmap(sq_map_, sq_map_size_);
  if (fd_ >= 0) close(fd_);
}

int IoUring::Init(unsigned entries, unsigned cq_entries, unsigned flags) {
  io_uring_params p{};
  p.flags = flags | IORING_SETUP_CQSIZE;
  p.cq_entries = cq_entries;
  fd_ = SysSetup(entries, &p);
  if (fd_ < 0) {
    const int err = errno;
    fd_ = -1;
    return -err;
  }
  sq_map_size_ = p.sq_off.array + p.sq_entries * sizeof(unsigned);
  cq_map_size_ = p.cq_off.cqes + p.cq_entries * sizeof(io_uring_cqe);
  const bool single = p.features & IORING_FEAT_SINGLE_MMAP;
  if (single && cq_map_size_ > sq_map_size_) sq_map_size_ = cq_map_size_;
  sq_map_ = Map(fd_, sq_map_size_, IORING_OFF_SQ_RING);
  if (sq_map_ == nullptr) return -errno;
  cq_map_ = single ? sq_map_ : Map(fd_, cq_map_size_, IORING_OFF_CQ_RING);
  if (cq_map_ == nullptr) return -errno;
  sqes_size_ = p.sq_entries * sizeof(io_uring_sqe);
  sqes_ = static_cast<io_uring_sqe*>(Map(fd_, sqes_size_, IORING_OFF_SQES));
  if (sqes_ == nullptr) return -errno;

  sq_head_ = At<unsigned>(sq_map_, p.sq_off.head);
  sq_tail_ptr_ = At<unsigned>(sq_map_, p.sq_off.tail);
  sq_flags_ = At<unsigned>(sq_map_, p.sq_off.flags);
  sq_array_ = At<unsigned>(sq_map_, p.sq_off.array);
  sq_mask_ = *At<unsigned>(sq_map_, p.sq_off.ring_mask);
  sq_entries_ = p.sq_entries;
  sq_tail_ = sq_submitted_ = *sq_tail_ptr_;
  // The indirection array maps queue positions to entries one to one, once and for all.
  for (unsigned i = 0; i < sq_entries_; ++i) sq_array_[i] = i;

  cq_head_ = At<unsigned>(cq_map_, p.cq_off.head);
  cq_tail_ = At<unsigned>(cq_map_, p.cq_off.tail);
  cqes_ = At<io_uring_cqe>(cq_map_, p.cq_off.cqes);
  cq_mask_ = *At<unsigned>(cq_map_, p.cq_off.ring_mask);
  RegisterRing();
  return 0;
}

// io_uring_enter on a registered ring skips the look-up of its fd in the process's file table,
// which is shared (and so reference-counted) in a process with several threads, as Node's is.
// Kernels before 5.18 refuse it; the plain fd then serves.
void IoUring::RegisterRing() {
  enter_fd_ = fd_;
  io_uring_rsrc_update update{};
  update.offset = UINT32_MAX;  // any free slot
  update.data = static_cast<uint64_t>(fd_);
  if (Register(IORING_REGISTER_RING_FDS, &update, 1) != 1) return;
  enter_fd_ = static_cast<int>(update.offset);
  enter_flags_ = IORING_ENTER_REGISTERED_RING;
}

bool IoUring::Supports(const uint8_t* ops, size_t count) const {
  constexpr unsigned kOps = 256;
  std::vector<char> memory(sizeof(io_uring_probe) + kOps * sizeof(io_uring_probe_op), 0);
  io_uring_probe* probe = reinterpret_cast<io_uring_probe*>(memory.data());
  if (Register(IORING_REGISTER_PROBE, probe, kOps) < 0) return false;
  for (size_t i = 0; i < count; ++i) {
    if (ops[i] > probe->last_op || !(probe->ops[ops[i]].flags & IO_URING_OP_SUPPORTED)) return false;
  }
  return true;
}

io_uring_sqe* IoUring::NextSqe() {
  if (sq_tail_ - __atomic_load_n(sq_head_, __ATOMIC_ACQUIRE) >= sq_entries_) {
    Submit(false);
    if (sq_tail_ - __atomic_load_n(sq_head_, __ATOMIC_ACQUIRE) >= sq_entries_) return nullptr;
  }
  io_uring_sqe* sqe = &sqes_[sq_tail_ & sq_mask_];
  memset(sqe, 0, sizeof *sqe);
  sq_tail_++;
  return sqe;
}

int IoUring::Submit(bool run_work) {
  const unsigned count = sq_tail_ - sq_submitted_;
  if (count == 0 && !run_work) return 0;
  __atomic_store_n(sq_tail_ptr_, sq_tail_, __ATOMIC_RELEASE);
  int n;
  do {
    n = SysEnter(enter_fd_, count, enter_flags_ | (run_work ? IORING_ENTER_GETEVENTS : 0));
  } while (n < 0 && errno == EINTR);
  if (n < 0) return -errno;
  sq_submitted_ += static_cast<unsigned>(n);
  return 0;
}

bool IoUring::WorkPending() const { return __atomic_load_n(sq_flags_, __ATOMIC_RELAXED) & IORING_SQ_TASKRUN; }

int IoUring::Register(unsigned opcode, void* arg, unsigned count) const {
  const long n = syscall(__NR_io_uring_register, fd_, opcode, arg, count);
  return n < 0 ? -errno : static_cast<int>(n);
}

BufferRing::~BufferRing() {
  Close();
  if (bufs_ != nullptr) munmap(bufs_, size_);
}

int BufferRing::Init(IoUring* ring, unsigned entries, uint16_t group) {
  size_ = entries * sizeof(io_uring_buf);
  void* p = mmap(nullptr, size_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) return -errno;
  bufs_ = static_cast<io_uring_buf*>(p);
  io_uring_buf_reg reg{};
  reg.ring_addr = reinterpret_cast<uintptr_t>(bufs_);
  reg.ring_entries = entries;
  reg.bgid = group;
  reg.pad = kPbufRingIncremental;  // the field is called `flags` in newer headers
  const int err = ring->Register(IORING_REGISTER_PBUF_RING, &reg, 1);
  if (err < 0) return err;
  ring_ = ring;
  entries_ = entries;
  group_ = group;
  return 0;
}

void BufferRing::Close() {
  if (ring_ == nullptr) return;
  io_uring_buf_reg reg{};
  reg.bgid = group_;
  ring_->Register(IORING_UNREGISTER_PBUF_RING, &reg, 1);
  ring_ = nullptr;
}

// The entries are addressed by hand: the header's flexible array member gains a byte (and so
// moves) when compiled as C++, where an empty struct is not empty.
void BufferRing::Add(void* data, uint32_t len, uint16_t id) {
  io_uring_buf& b = bufs_[tail_ & (entries_ - 1)];
  b.addr = reinterpret_cast<uintptr_t>(data);
  b.len = len;
  b.bid = id;
  tail_++;
}

// The ring's tail is the `resv` field of its first entry.
void BufferRing::Publish() { __atomic_store_n(&bufs_[0].resv, tail_, __ATOMIC_RELEASE); }

}  // namespace ringpoll
