// Internal to the compiler: building and combining cells (see <triage/table.hpp>).
#ifndef TRIAGE_COMPILE_CELLS_HPP
#define TRIAGE_COMPILE_CELLS_HPP

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "triage/check.hpp"
#include "triage/table.hpp"

namespace triage::detail {

/// Returns the cell kind of a subject, from its declared type.
[[nodiscard]] cell_kind subject_kind(const model& m, subject_ref s) noexcept;

/// Returns the number of members of a subject's enum (0 when it has none).
[[nodiscard]] std::uint32_t subject_enum_size(const model& m, subject_ref s) noexcept;

/// Interns tag texts and `collect string` values as symbol ids.
class symbol_table {
 public:
  explicit symbol_table(std::vector<std::string>& symbols) : symbols_(symbols) {}
  [[nodiscard]] std::uint32_t intern(std::string_view text);

 private:
  std::vector<std::string>& symbols_;
  std::unordered_map<std::string, std::uint32_t> ids_;
};

/// Returns the cell a comparison puts on its subject, or on its negation when `negated`
/// (missing values: a comparison is false on them, so its negation accepts them).
[[nodiscard]] cell atom_cell(const model& m, const atom& a, bool negated, symbol_table& symbols);

/// Narrows `into` to the values both cells accept (same subject). Keeps cells canonical:
/// a cell that accepts no present value has `accepts_present == false` and no constraints.
void intersect(cell& into, const cell& other);

/// Returns true when two subjects are in cell order (fields by index, then outputs).
[[nodiscard]] inline bool subject_less(subject_ref a, subject_ref b) noexcept {
  if (a.of != b.of) return a.of == subject_ref::kind::field;
  return a.index < b.index;
}

/// ASCII case-insensitive substring tests, shared with the evaluator.
[[nodiscard]] bool text_test_holds(text_op op, std::string_view value,
                                   std::string_view needle) noexcept;

}  // namespace triage::detail

#endif  // TRIAGE_COMPILE_CELLS_HPP
