#include "render/locate.hpp"

#include <algorithm>

namespace triage::detail {

std::uint32_t column_count(std::string_view line) noexcept {
  // As source_file::position_of: every byte that is not a continuation byte is a column.
  return static_cast<std::uint32_t>(std::count_if(line.begin(), line.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0u) != 0x80u;
  }));
}

line_range first_line_range(const source_file& source, span s) noexcept {
  line_range r;
  r.begin = source.position_of(s.begin);
  r.end_column = r.begin.column;
  if (s.end <= s.begin) return r;
  const position end = source.position_of(s.end);
  if (end.line == r.begin.line) {
    r.end_column = std::max(end.column, r.begin.column);
  } else {
    r.end_column = std::max(column_count(source.line_text(r.begin.line)) + 1, r.begin.column);
  }
  return r;
}

}  // namespace triage::detail
