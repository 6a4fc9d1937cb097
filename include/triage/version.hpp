// triage — ticket routing rules engine.
// The one source of the library's version: CMake reads the numbers below.
#ifndef TRIAGE_VERSION_HPP
#define TRIAGE_VERSION_HPP

#define TRIAGE_VERSION_MAJOR 0
#define TRIAGE_VERSION_MINOR 1
#define TRIAGE_VERSION_PATCH 0

#define TRIAGE_DETAIL_STRINGIFY2(x) #x
#define TRIAGE_DETAIL_STRINGIFY(x) TRIAGE_DETAIL_STRINGIFY2(x)
/// The version as text, e.g. "0.1.0".
#define TRIAGE_VERSION_STRING                                                      \
  TRIAGE_DETAIL_STRINGIFY(TRIAGE_VERSION_MAJOR)                                    \
  "." TRIAGE_DETAIL_STRINGIFY(TRIAGE_VERSION_MINOR) "." TRIAGE_DETAIL_STRINGIFY( \
      TRIAGE_VERSION_PATCH)

namespace triage {
/// Returns the library's version as "MAJOR.MINOR.PATCH".
[[nodiscard]] constexpr const char* version() noexcept { return TRIAGE_VERSION_STRING; }
}  // namespace triage

#endif  // TRIAGE_VERSION_HPP
