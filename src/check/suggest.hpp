// triage — "did you mean" suggestions for misspelled names (checker internals).
#ifndef TRIAGE_CHECK_SUGGEST_HPP
#define TRIAGE_CHECK_SUGGEST_HPP

#include <cstddef>
#include <optional>
#include <string_view>

namespace triage::detail {

/// Returns the optimal-string-alignment distance between `a` and `b` (insertions,
/// deletions, substitutions and transpositions of neighbours each cost 1), or
/// `limit + 1` as soon as the distance is known to exceed `limit`.
[[nodiscard]] std::size_t edit_distance(std::string_view a, std::string_view b, std::size_t limit);

/// Picks the declared name closest to a misspelled one.
///
/// A candidate is close when it differs only in letter case, or when its edit distance
/// is at most 2 and less than half the written name's length (so `x` never suggests
/// `y`). Among close candidates the smallest distance wins, then the first offered.
/// Example:
///   triage::detail::suggester s{"slaa"};
///   s.offer("sla"); s.offer("tags");
///   s.best();   // "sla"
class suggester {
 public:
  /// Starts a search for names close to `written`.
  explicit suggester(std::string_view written) noexcept : written_(written) {}
  /// Considers one declared name.
  void offer(std::string_view candidate);
  /// Returns the best close candidate so far, if any.
  [[nodiscard]] std::optional<std::string_view> best() const noexcept { return best_; }

 private:
  std::string_view written_;
  std::optional<std::string_view> best_;
  std::size_t best_cost_ = 0;
};

}  // namespace triage::detail

#endif  // TRIAGE_CHECK_SUGGEST_HPP
