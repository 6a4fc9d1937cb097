// triage — a policy that can be replaced while a long-running host keeps evaluating.
//
// `live_policy` holds the current `std::shared_ptr<const policy>`. A reload compiles the
// new text first and swaps only on success; on any error the last good policy stays and
// the diagnostics come back. Readers take a snapshot (a shared_ptr copy, under a mutex held
// for a pointer copy only) and evaluate with it for as long as they like: a reload never
// changes a policy someone is using. Each successful load gets the next version number.
//
// Example:
//   triage::live_policy live;
//   triage::reload_result r = live.reload_from_file("routing.rules");
//   // in each worker, per batch of tickets:
//   triage::live_policy::snapshot s = live.current_snapshot();
//   triage::ticket t{s.value};  triage::decision d{s.value};
//   ... s.value->evaluate(t, d);  // made by version s.version
//
// (A mutex-guarded shared_ptr rather than std::atomic<std::shared_ptr>: g++ 12's
// ThreadSanitizer reports false races on the latter.)
#ifndef TRIAGE_LIVE_POLICY_HPP
#define TRIAGE_LIVE_POLICY_HPP

#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string_view>

#include "triage/diagnostic.hpp"
#include "triage/limits.hpp"
#include "triage/policy.hpp"

namespace triage {

/// The outcome of a reload.
struct reload_result {
  bool ok = false;            ///< the new policy compiled and is now current
  std::uint64_t version = 0;  ///< the current version after the call (unchanged on error)
  diagnostics issues;         ///< the compile diagnostics (warnings too on success)
  std::shared_ptr<const source_file> source;  ///< what the diagnostics point into
};

/// A replaceable policy for long-running hosts. All members are thread-safe.
class live_policy {
 public:
  /// A policy together with the version number of the load that produced it.
  struct snapshot {
    std::shared_ptr<const policy> value;  ///< null before the first successful load
    std::uint64_t version = 0;            ///< 0 before the first successful load
  };

  /// Makes an empty holder: `current()` is null until a load succeeds.
  live_policy() = default;
  /// Makes a holder whose first version (1) is `initial` (which may not be null).
  explicit live_policy(std::shared_ptr<const policy> initial);

  /// Compiles the file and, on success, makes it current under the next version number.
  [[nodiscard]] reload_result reload_from_file(const std::filesystem::path& path,
                                               const limits& lim = {});
  /// Compiles the text (`name` is used in diagnostics) and, on success, makes it current.
  [[nodiscard]] reload_result reload_from_text(std::string_view text, std::string_view name,
                                               const limits& lim = {});

  /// Returns the current policy (null before the first successful load).
  [[nodiscard]] std::shared_ptr<const policy> current() const;
  /// Returns the current policy and its version, read together.
  [[nodiscard]] snapshot current_snapshot() const;
  /// Returns the current version (0 before the first successful load).
  [[nodiscard]] std::uint64_t version() const;

 private:
  reload_result install(compile_result r);

  mutable std::mutex mutex_;
  snapshot current_;
  std::uint64_t loads_ = 0;  // versions handed out so far
};

}  // namespace triage

#endif  // TRIAGE_LIVE_POLICY_HPP
