#include "check/suggest.hpp"

#include <algorithm>
#include <cctype>
#include <vector>

namespace triage::detail {

std::size_t edit_distance(std::string_view a, std::string_view b, std::size_t limit) {
  const std::size_t n = a.size();
  const std::size_t m = b.size();
  if ((n > m ? n - m : m - n) > limit) return limit + 1;
  // Three rows are enough for the transposition step.
  std::vector<std::size_t> before(m + 1), previous(m + 1), current(m + 1);
  for (std::size_t j = 0; j <= m; ++j) previous[j] = j;
  for (std::size_t i = 1; i <= n; ++i) {
    current[0] = i;
    std::size_t row_min = current[0];
    for (std::size_t j = 1; j <= m; ++j) {
      const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      std::size_t d = std::min({previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        d = std::min(d, before[j - 2] + 1);
      }
      current[j] = d;
      row_min = std::min(row_min, d);
    }
    if (row_min > limit) return limit + 1;
    std::swap(before, previous);
    std::swap(previous, current);
  }
  return std::min(previous[m], limit + 1);
}

namespace {

bool equal_ignoring_case(std::string_view a, std::string_view b) noexcept {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

}  // namespace

void suggester::offer(std::string_view candidate) {
  if (candidate == written_) return;
  // A difference in case only (`p1` for `P1`) is the closest possible miss.
  std::size_t cost = 0;
  if (!equal_ignoring_case(candidate, written_)) {
    constexpr std::size_t max_distance = 2;
    const std::size_t d = edit_distance(written_, candidate, max_distance);
    if (d > max_distance || 2 * d >= written_.size()) return;
    cost = d;
  }
  if (!best_ || cost < best_cost_) {
    best_ = candidate;
    best_cost_ = cost;
  }
}

}  // namespace triage::detail
