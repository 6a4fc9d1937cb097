// triage — resource limits applied while loading a policy.
#ifndef TRIAGE_LIMITS_HPP
#define TRIAGE_LIMITS_HPP

#include <cstddef>
#include <cstdint>

namespace triage {

/// Limits applied while loading a policy. Exceeding one is a `limit-exceeded` error that
/// names the limit. Every field is a hard upper bound, inclusive:
///
///   max_file_bytes     (16 MiB)   size of the policy text
///   max_rules          (100'000)  number of rules in one file
///   max_nesting        (64)       depth of nested parentheses and `not` in one condition
///   max_string_bytes   (64 KiB)   length of one string literal, after unescaping
///   max_table_rows     (1'000'000) decision-table rows a policy may expand to (an `or`
///                                 inside `and` multiplies rows)
///
/// Example:
///   triage::limits lim;
///   lim.max_rules = 1'000;   // a small embedded policy
struct limits {
  std::size_t max_file_bytes = std::size_t{16} << 20;
  std::uint32_t max_rules = 100'000;
  std::uint32_t max_nesting = 64;
  std::uint32_t max_string_bytes = 64u << 10;
  std::uint32_t max_table_rows = 1'000'000;
};

}  // namespace triage

#endif  // TRIAGE_LIMITS_HPP
