// Internal to the evaluator: what a compiled policy keeps besides its model and tables so
// that tickets, decisions and evaluation need no name lookups or allocation per ticket.
#ifndef TRIAGE_EVAL_RUNTIME_HPP
#define TRIAGE_EVAL_RUNTIME_HPP

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "triage/decision.hpp"
#include "triage/policy.hpp"
#include "triage/ticket.hpp"

namespace triage {

struct policy::runtime {
  // One rule of an output: its rows in the output's table and its value, pre-resolved.
  struct rule_entry {
    std::uint32_t rule = 0;
    std::uint32_t row_begin = 0;
    std::uint32_t row_end = 0;
    std::int64_t number = 0;  // int value, enum member index, or collect id
    std::string_view text;    // enum member name or string value (into the model/table)
  };
  // One cell in the compact form the evaluator runs: the common cells (a boolean set, one
  // integer range, an enum of at most 64 members, one required or forbidden tag, "missing
  // only", one contains / starts_with / ends_with test on a string field) are checked from
  // these 40 bytes alone, so large tables stay cache-friendly; other cells point to the
  // table's.
  enum class check_op : std::uint8_t {
    bools, int_range, members, tag_has, tag_lacks, none_present,
    text_contains, text_starts, text_ends,  // lo: into `needles`; hi: 1 when negated
    general
  };
  struct check {
    std::uint32_t subject = 0;  // field or output index
    bool output = false;        // the subject is an output
    check_op op = check_op::general;
    bool accepts_missing = false;
    std::int64_t lo = 0;        // int_range: bounds; bools / members: a bit mask; tags: the id
    std::int64_t hi = 0;
    const cell* general = nullptr;
  };
  struct row_entry {
    std::uint32_t check_begin = 0;  // into `checks`
    std::uint32_t check_end = 0;
    bool contradictory = false;
    // Every check of the row is on an indexed field and the index decides it exactly (see
    // exact_on_index in policy.cpp): a row the index lets through then matches, with no
    // check left to run.
    bool index_exact = false;
  };
  std::vector<check> checks;
  // The text checks' needles, ASCII lower-cased once here; they are matched against the
  // ticket's lower-cased copy of the field (ticket::folded_), so a case-insensitive
  // `contains` is one plain substring search rather than a case-folding compare at every
  // position.
  std::vector<std::string> needles;
  std::vector<std::uint8_t> folds_field;  // per field: 1 when text checks read its folded copy
  // The row index of one field for one output: for each value the field can hold, the
  // bitset of the output's rows that value does not rule out. Slots: one per value (enum
  // member index, false / true, or for int and duration fields one per range between
  // `bounds`), then "missing", then "anything" (all ones, for a value out of range).
  // Enums of at most 64 members, bools, int and duration fields that rows compare with one
  // range, and string fields that rows compare with `==` / `in` (at most 256 strings) are
  // indexed; rows are still checked in full, so a slot's bitset only
  // needs to be a superset of the rows its values can match (a range slot holds every row
  // whose range overlaps it).
  struct field_index {
    enum class kind : std::uint8_t { enumeration, boolean, range, text };
    std::uint32_t field = 0;
    kind of = kind::enumeration;
    std::uint32_t values = 0;          // value slots before "missing"
    std::uint32_t offset = 0;          // into output_entry::index_bits, in words
    std::vector<std::int64_t> bounds;  // range: slot i holds [bounds[i-1], bounds[i])
    std::vector<std::string_view> texts;  // text: slot i holds texts[i] (sorted), the last
                                          // value slot every other string
    // text: an open-addressing hash table over `texts` (a power of two, at least twice their
    // number; each entry a slot + 1, 0 when empty), so a ticket's string finds its slot with
    // one hash and one compare instead of a binary search of string compares.
    std::vector<std::uint16_t> text_table;
  };
  /// The text index's hash (FNV-1a: short strings such as client names hash in a few ns).
  static std::uint64_t text_hash(std::string_view s) noexcept {
    std::uint64_t h = 14695981039346656037ull;
    for (const char c : s) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ull;
    return h;
  }
  /// Returns the text slot of `s` in `fi` (fi.texts.size() for a string it does not hold).
  static std::uint32_t text_slot(const field_index& fi, std::string_view s) noexcept {
    const std::size_t mask = fi.text_table.size() - 1;
    for (std::size_t at = text_hash(s) & mask;; at = (at + 1) & mask) {
      const std::uint16_t entry = fi.text_table[at];
      if (entry == 0) return static_cast<std::uint32_t>(fi.texts.size());
      if (fi.texts[entry - 1u] == s) return entry - 1u;
    }
  }
  static constexpr std::size_t max_indexed_fields = 12;
  struct output_entry {
    std::vector<rule_entry> rules;
    std::vector<row_entry> rows;  // parallel to the output table's rows
    bool has_default = false;
    std::int64_t default_number = 0;
    std::string_view default_text;
    std::uint32_t universe = 0;  // collect: how many ids its values can have
    // Row index (empty when no field is worth indexing): see field_index.
    std::vector<field_index> index;
    std::vector<std::uint64_t> index_bits;
    std::vector<std::uint64_t> live_rows;  // rows that are not contradictory
    std::vector<std::uint32_t> row_rule;   // per row: its entry in `rules`
    std::uint32_t words = 0;               // 64-bit words per row bitset
    bool index_pays = false;               // measured: see build_index in policy.cpp
  };
  std::vector<output_entry> outputs;
  std::vector<std::uint32_t> tag_slot;  // per field: ordinal among tags fields, or no_index
  std::uint32_t tag_fields = 0;
  std::uint32_t tag_words = 0;          // 64-bit words per tags field
  std::unordered_map<std::string_view, std::uint32_t> field_by_name;
  std::unordered_map<std::string_view, std::uint32_t> output_by_name;
  std::unordered_map<std::string_view, std::uint32_t> symbol_by_text;
};

namespace detail {

/// When evaluation uses the per-field row index: where it pays (`automatic`, the default:
/// see output_entry::index_pays), `always` or `never`; `always_checked` uses the index but
/// runs every check of the rows it lets through, even rows it decides exactly
/// (row_entry::index_exact). Tests force each path.
enum class row_index_mode : std::uint8_t { automatic, always, always_checked, never };
/// Sets the row index mode for every policy; safe to call from any thread.
void set_row_index(row_index_mode mode) noexcept;
/// Returns the row index mode.
[[nodiscard]] row_index_mode row_index() noexcept;

/// The library's own door into `policy` (its constructor and runtime are private).
struct policy_access {
  /// The runtime's type, nameable outside `policy`.
  using runtime = policy::runtime;
  [[nodiscard]] static const policy::runtime& rt(const policy& p) noexcept { return *p.runtime_; }
  /// Builds a policy from a checked model and its tables.
  [[nodiscard]] static std::shared_ptr<const policy> make(std::shared_ptr<const source_file> source,
                                                          model m, decision_table table);
  static void evaluate(const policy& p, const ticket& t, decision& d,
                       evaluation_trace* trace) noexcept;
  /// Returns true when a compact check accepts the ticket's (or decision's) value.
  static bool passes(const runtime::check& k, const ticket& t, const decision& d,
                     const subject_reader& read) noexcept;
};

}  // namespace detail
}  // namespace triage

#endif  // TRIAGE_EVAL_RUNTIME_HPP
