// splitmix64 (Steele, Lea, Flood 2014): a small generator whose sequence for a seed is the same
// on every libc, so that a client's transaction ids and jitter replay in the unit tests.
#pragma once

#include <cstdint>

namespace nfsroot {

inline std::uint64_t splitmix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

}  // namespace nfsroot
