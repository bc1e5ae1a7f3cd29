// The release /init's answer to "the C++ library would throw": end in std::terminate, as an
// uncaught exception does, without linking the exception runtime that would only get there.
//
// Our code is built with -fno-exceptions: nothing of ours throws or catches. The library
// templates it instantiates (std::string, std::vector, std::function, std::map, ...) still call
// libstdc++'s throw helpers (std::__throw_length_error for a string over max_size(),
// std::__throw_bad_alloc, std::__throw_bad_function_call, ...) and ::operator new throws
// std::bad_alloc. Thrown into code without a handler, each of these ends in std::terminate and
// so in PID 1's terminate handler (pid1/failure.cpp: "internal error: std::terminate called",
// then SIGABRT and the crash policy). But the helpers live in objects of libstdc++ built with
// exceptions, and linking them links its throw, catch and personality code, the exception
// classes with their copy-on-write strings, and libgcc's DWARF unwinder: about 45 KB of the
// static musl /init, there to reach std::terminate by the long way.
//
// The definitions below take their place at link time (an object on the link line wins over an
// archive member, which is then not pulled in): each helper calls std::terminate directly, and
// std::terminate calls the handler std::set_terminate installed, then std::abort, as libstdc++'s
// does. What an uncaught exception did before, these do now; only the unwinding in between,
// which had no handler to find, is gone. Should anything still pull libstdc++'s own
// std::terminate (eh_terminate.o) into the link, the two definitions clash and the link fails:
// the exception runtime cannot come back unnoticed.
//
// One more stands in for a libstdc++ object for the same reason: std::chrono::steady_clock::now
// (chrono.o, built with exceptions, names the personality routine that links the rest).
//
// Only the release programs link this file (CMakeLists.txt, nfsroot_release_program); the host
// flavour, its tests and the CLI keep the ordinary library.
#include <bits/functexcept.h>  // the declarations of the helpers defined here

#include <time.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <exception>
#include <new>

namespace {

std::atomic<std::terminate_handler> terminate_handler{nullptr};

// ::operator new without the throw: malloc, the new-handler loop of [new.delete.single], and
// std::__throw_bad_alloc (so std::terminate) when there is no handler.
void* allocate(std::size_t size, bool nothrow) noexcept {
  if (size == 0) size = 1;
  for (;;) {
    if (void* memory = std::malloc(size)) return memory;
    const std::new_handler handler = std::get_new_handler();
    if (handler == nullptr) {
      if (nothrow) return nullptr;
      std::__throw_bad_alloc();
    }
    handler();
  }
}

}  // namespace

namespace std {

terminate_handler set_terminate(terminate_handler handler) noexcept { return ::terminate_handler.exchange(handler); }

void terminate() noexcept {
  if (const terminate_handler handler = ::terminate_handler.load()) handler();
  std::abort();
}

// The throw helpers of <bits/functexcept.h> the library's templates call.
void __throw_bad_alloc() { std::terminate(); }
void __throw_bad_array_new_length() { std::terminate(); }
void __throw_bad_function_call() { std::terminate(); }
void __throw_length_error(const char*) { std::terminate(); }
void __throw_logic_error(const char*) { std::terminate(); }
void __throw_out_of_range(const char*) { std::terminate(); }
void __throw_out_of_range_fmt(const char*, ...) { std::terminate(); }
void __throw_invalid_argument(const char*) { std::terminate(); }

// libstdc++'s own, less its fallbacks for systems without a monotonic clock.
chrono::steady_clock::time_point chrono::steady_clock::now() noexcept {
  timespec now{};
  ::clock_gettime(CLOCK_MONOTONIC, &now);
  return time_point(chrono::seconds(now.tv_sec) + chrono::nanoseconds(now.tv_nsec));
}

}  // namespace std

void* operator new(std::size_t size) { return allocate(size, false); }
void* operator new[](std::size_t size) { return allocate(size, false); }
void* operator new(std::size_t size, const std::nothrow_t&) noexcept { return allocate(size, true); }
void* operator new[](std::size_t size, const std::nothrow_t&) noexcept { return allocate(size, true); }
