// Internal to the renderers: where a span is, in the terms each output form uses.
#ifndef TRIAGE_RENDER_LOCATE_HPP
#define TRIAGE_RENDER_LOCATE_HPP

#include <cstdint>
#include <string_view>

#include "triage/source.hpp"

namespace triage::detail {

/// Returns the number of columns in a line, counted as source_file counts them.
[[nodiscard]] std::uint32_t column_count(std::string_view line) noexcept;

/// The part of a span on its first line: columns [begin.column, end_column).
/// A span that runs past the line's end stops at the line's last column + 1; an empty
/// (or reversed) span has end_column == begin.column.
struct line_range {
  position begin;
  std::uint32_t end_column = 1;
};

[[nodiscard]] line_range first_line_range(const source_file& source, span s) noexcept;

}  // namespace triage::detail

#endif  // TRIAGE_RENDER_LOCATE_HPP
