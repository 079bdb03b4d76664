// The kernel's io_uring interface, used directly through its ABI (<linux/io_uring.h> and three
// system calls) rather than liburing: liburing is not on a stock machine, and what ringpoll needs
// of it is small: one ring, its two mmapped queues, and one provided-buffer ring.
//
// The submission queue is filled in user space and handed over by Submit(); completions are read
// in place from the completion queue. One thread owns the ring (IORING_SETUP_SINGLE_ISSUER).
#pragma once

#include <linux/io_uring.h>

#include <cstddef>
#include <cstdint>

namespace ringpoll {

// Added to the ABI after the headers this machine builds with (Linux 6.1); values from 6.12.
#ifndef IORING_CQE_F_BUF_MORE
#define IORING_CQE_F_BUF_MORE (1U << 4)  // the buffer is not used up: the next bytes go after these
#endif
constexpr uint16_t kPbufRingIncremental = 2;  // IOU_PBUF_RING_INC: buffers consumed in parts

class IoUring {
 public:
  IoUring() = default;
  ~IoUring();
  IoUring(const IoUring&) = delete;
  IoUring& operator=(const IoUring&) = delete;

  // Creates the ring and maps its queues; 0 or -errno (ENOSYS, EPERM under seccomp or
  // io_uring_disabled, EINVAL for a size or flag this kernel refuses).
  int Init(unsigned entries, unsigned cq_entries, unsigned flags);
  // Whether this kernel implements every opcode in `ops`.
  bool Supports(const uint8_t* ops, size_t count) const;
  int fd() const { return fd_; }

  // The next free submission entry, zeroed; submits what is queued first when the queue is full.
  // nullptr only when the kernel takes nothing (out of memory).
  io_uring_sqe* NextSqe();
  // Hands every queued entry to the kernel in one io_uring_enter. With `run_work`, the kernel also
  // runs completion work it has deferred to this thread. 0 or -errno.
  int Submit(bool run_work);
  // The kernel has completion work waiting for this thread to enter it (IORING_SQ_TASKRUN).
  bool WorkPending() const;
  unsigned Queued() const { return sq_tail_ - sq_submitted_; }

  // Calls fn(const io_uring_cqe&) for every completion ready now, then frees their slots.
  template <typename Fn>
  unsigned Reap(Fn&& fn) {
    unsigned head = *cq_head_;
    const unsigned tail = __atomic_load_n(cq_tail_, __ATOMIC_ACQUIRE);
    const unsigned count = tail - head;
    for (; head != tail; ++head) fn(cqes_[head & cq_mask_]);
    __atomic_store_n(cq_head_, tail, __ATOMIC_RELEASE);
    return count;
  }

  int Register(unsigned opcode, void* arg, unsigned count) const;

 private:
  void RegisterRing();

  int fd_ = -1;
  int enter_fd_ = -1;        // what io_uring_enter is given: the fd, or the registered index
  unsigned enter_flags_ = 0;  // IORING_ENTER_REGISTERED_RING when registered
  void* sq_map_ = nullptr;
  size_t sq_map_size_ = 0;
  void* cq_map_ = nullptr;  // the same mapping as sq_map_ when the kernel has IORING_FEAT_SINGLE_MMAP
  size_t cq_map_size_ = 0;
  io_uring_sqe* sqes_ = nullptr;
  size_t sqes_size_ = 0;

  unsigned* sq_head_ = nullptr;
  unsigned* sq_tail_ptr_ = nullptr;
  unsigned* sq_flags_ = nullptr;
  unsigned* sq_array_ = nullptr;
  unsigned sq_mask_ = 0, sq_entries_ = 0;
  unsigned sq_tail_ = 0;       // entries filled (local copy of the shared tail)
  unsigned sq_submitted_ = 0;  // entries the kernel has taken

  unsigned* cq_head_ = nullptr;
  unsigned* cq_tail_ = nullptr;
  io_uring_cqe* cqes_ = nullptr;
  unsigned cq_mask_ = 0;
};

// A ring of provided buffers (IORING_REGISTER_PBUF_RING, incremental consumption): the kernel
// takes receive buffers from it as data arrives, so an idle connection holds no buffer at all.
class BufferRing {
 public:
  BufferRing() = default;
  ~BufferRing();
  BufferRing(const BufferRing&) = delete;
  BufferRing& operator=(const BufferRing&) = delete;

  // Maps and registers `entries` (a power of two) as buffer group `group`; 0 or -errno.
  int Init(IoUring* ring, unsigned entries, uint16_t group);
  // Unregisters: the kernel no longer writes into any buffer given to it.
  void Close();
  // Gives a buffer to the kernel; it becomes visible at the next Publish().
  void Add(void* data, uint32_t len, uint16_t id);
  void Publish();
  unsigned entries() const { return entries_; }

 private:
  IoUring* ring_ = nullptr;
  io_uring_buf* bufs_ = nullptr;
  size_t size_ = 0;
  unsigned entries_ = 0;
  uint16_t group_ = 0;
  uint16_t tail_ = 0;
};

}  // namespace ringpoll
