// triage — resource limits applied while loading a policy and while decoding tickets.
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

/// Limits applied while decoding a ticket (`ticket_decoder`, `rulecheck eval`). Exceeding
/// one rejects that ticket, as any invalid ticket is rejected, with an error that names the
/// limit (`field 'tags': 257 tags, more than max_tags_per_ticket (256)`); the next ticket
/// goes on. Every field is a hard upper bound, inclusive:
///
///   max_line_bytes          (256 MiB)  one ticket's JSON text (a JSON Lines line, without
///                                      its line end)
///   max_json_nesting        (1'024)    depth of nested arrays and objects, the ticket's own
///                                      object counting 1; unknown keys count too
///   max_tags_per_ticket     (1'024)    strings in the ticket's `tags` arrays, all `tags`
///                                      fields together, duplicates and tags the policy
///                                      never mentions included
///   max_string_field_bytes  (256 MiB)  one `string` field's value, after JSON escapes are
///                                      decoded
///
/// The line and string defaults are as large as anything a help desk sends (a 100 MB
/// pasted log still decodes) while a stream without newlines cannot exhaust memory; a host
/// that runs `contains` over long descriptions may want a smaller string limit. Real
/// tickets carry tens of tags: more than a thousand is a broken intake, not a ticket.
///
/// Example:
///   triage::ticket_limits lim;
///   lim.max_tags_per_ticket = 64;
///   triage::ticket_decoder dec{pol, "id", lim};
struct ticket_limits {
  std::size_t max_line_bytes = std::size_t{256} << 20;
  std::uint32_t max_json_nesting = 1'024;
  std::uint32_t max_tags_per_ticket = 1'024;
  std::size_t max_string_field_bytes = std::size_t{256} << 20;
};

}  // namespace triage

#endif  // TRIAGE_LIMITS_HPP
